"""Running the real depscan CLI as a subprocess against fixture registries on 127.0.0.1.

Each test gets its own registry folder (a copy of ``tests/fixtures/registry`` that it may add to),
its own project folder holding a ``package-lock.json`` and its own cache. The child process sees no
npm configuration of the machine it runs on: HOME, the user and global npmrc paths point into the
test's folder, and ``npm_config_*`` variables are dropped.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from tests.support.registry_server import FixtureRegistry, ReceivedRequest

REPO = Path(__file__).resolve().parents[2]
FIXTURE_REGISTRY = REPO / "tests" / "fixtures" / "registry"
# Every lockfile written here records `resolved` URLs on this host unless a test says otherwise;
# the CLI is told to allow it with --allowed-host.
EXAMPLE_REGISTRY = "https://registry.example.test/"
EXAMPLE_HOST = "registry.example.test"
# A CLI run that takes longer than this is hung, not slow: fail instead of waiting forever.
RUN_LIMIT_SECONDS = 120
INSTALL_SCRIPTS = ("preinstall", "install", "postinstall")


def copy_fixture_registry(destination: Path) -> Path:
    """A private copy of the fixture registry, so a test can add or change documents."""
    for part in ("packuments", "tarballs"):
        shutil.copytree(FIXTURE_REGISTRY / part, destination / part)
    return destination


def read_packument(root: Path, name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(
        (root / "packuments" / f"{name}.json").read_text(encoding="utf-8")
    )
    return document


def write_json(path: Path, value: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=2) + "\n", encoding="utf-8")
    return path


@dataclass(frozen=True)
class Locked:
    """One package entry of a lockfile: ``name@version`` installed at ``node_modules/<name>``."""

    name: str
    version: str
    dependencies: Mapping[str, str] = field(default_factory=dict)
    integrity: str | None = None
    """None: the registry document's ``dist.integrity`` (what npm would have written)."""
    direct: bool = True


def write_lockfile(
    project: Path,
    registry_root: Path,
    packages: Sequence[Locked],
    *,
    resolved_base: str = EXAMPLE_REGISTRY,
) -> Path:
    """A v3 package-lock.json for ``packages``, with facts taken from the registry's documents.

    ``resolved`` is ``<resolved_base><name>/-/<file>.tgz``; ``hasInstallScript`` is set when the
    version document has an install script, as npm records it. A package missing from the
    registry gets a made-up integrity (it can only be reported as not checked anyway).
    """
    root_dependencies = {p.name: p.version for p in packages if p.direct}
    entries: dict[str, Any] = {
        "": {"name": "e2e-app", "version": "1.0.0", "dependencies": root_dependencies}
    }
    for package in packages:
        manifest: dict[str, Any] = {}
        document_path = registry_root / "packuments" / f"{package.name}.json"
        if document_path.is_file():
            manifest = read_packument(registry_root, package.name)["versions"][package.version]
        file_name = f"{package.name.rsplit('/', 1)[-1]}-{package.version}.tgz"
        entry: dict[str, Any] = {
            "version": package.version,
            "resolved": f"{resolved_base}{package.name}/-/{file_name}",
            "integrity": package.integrity
            or manifest.get("dist", {}).get("integrity")
            or "sha512-" + "A" * 86 + "==",
        }
        if package.dependencies:
            entry["dependencies"] = dict(package.dependencies)
        if any(name in manifest.get("scripts", {}) for name in INSTALL_SCRIPTS):
            entry["hasInstallScript"] = True
        entries[f"node_modules/{package.name}"] = entry
    lockfile = {
        "name": "e2e-app",
        "version": "1.0.0",
        "lockfileVersion": 3,
        "requires": True,
        "packages": entries,
    }
    write_json(project / "package.json", {"name": "e2e-app", "version": "1.0.0",
                                          "dependencies": root_dependencies})
    return write_json(project / "package-lock.json", lockfile)


@dataclass(frozen=True)
class Run:
    returncode: int
    stdout: str
    stderr: str

    @property
    def report(self) -> dict[str, Any]:
        document: dict[str, Any] = json.loads(self.stdout)
        return document

    def findings(self, check: str | None = None, rule: str | None = None) -> list[dict[str, Any]]:
        return [
            f
            for f in self.report["findings"]
            if (check is None or f["check"] == check)
            and (rule is None or f["details"].get("rule") == rule)
        ]

    def finding_for(self, check: str, package: str, rule: str | None = None) -> dict[str, Any]:
        """The single finding of ``check`` (and ``rule``) about ``package`` (``name@version``)."""
        found = [f for f in self.findings(check, rule) if _spec(f) == package]
        assert len(found) == 1, (check, package, rule, self.findings(check))
        return found[0]

    def not_checked(self, check: str | None = None) -> list[dict[str, Any]]:
        return [
            n
            for n in self.report["summary"]["not_checked"]
            if check is None or n["check"] == check
        ]

    def not_checked_packages(self, check: str) -> dict[str, str]:
        """``name@version`` -> reason, for every package ``check`` could not examine."""
        reasons: dict[str, str] = {}
        for item in self.not_checked(check):
            for package in item["packages"]:
                reasons[package] = item["reason"]
        return reasons


def _spec(finding: dict[str, Any]) -> str | None:
    package = finding.get("package")
    return f"{package['name']}@{package['version']}" if package else None


def isolated_env(home: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The test process's environment without anything that configures npm or depscan."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.lower().startswith("npm_config_") and not key.startswith("DEPSCAN_")
    }
    home.mkdir(parents=True, exist_ok=True)
    env["HOME"] = str(home)
    env["npm_config_userconfig"] = str(home / "user-npmrc")
    env["npm_config_globalconfig"] = str(home / "global-npmrc")
    env.pop("CI", None)
    env.update(extra or {})
    return env


# The client's network timeout and back-off are not options of the CLI; this launcher runs the
# unchanged CLI with them shortened so a test of "the registry stops answering" takes a second.
SHORT_TIMEOUT_LAUNCHER = """
import sys
from scanner.registry import client
client.RegistryClient.__init__.__kwdefaults__["timeout"] = float(sys.argv.pop(1))
client.BACKOFF_BASE_SECONDS = 0.01
from scanner.cli import main
main()
"""


@dataclass
class Depscan:
    """The CLI, run against one project folder with one cache and an isolated environment."""

    project: Path
    cache_dir: Path
    home: Path
    env_extra: dict[str, str] = field(default_factory=dict)

    def run(
        self,
        *args: str,
        registry: FixtureRegistry | str | None = None,
        output_format: str = "json",
        allowed_hosts: Sequence[str] = (EXAMPLE_HOST,),
        short_timeout: float | None = None,
    ) -> Run:
        command = [sys.executable]
        if short_timeout is None:
            command += ["-m", "scanner"]
        else:
            command += ["-c", SHORT_TIMEOUT_LAUNCHER, str(short_timeout)]
        command += [
            "lockfile",
            str(self.project / "package-lock.json"),
            "--format",
            output_format,
            "--cache-dir",
            str(self.cache_dir),
        ]
        if registry is not None:
            url = registry.url if isinstance(registry, FixtureRegistry) else registry
            command += ["--registry", url]
        for host in allowed_hosts:
            command += ["--allowed-host", host]
        command += list(args)
        completed = subprocess.run(
            command,
            cwd=REPO,
            env=isolated_env(self.home, self.env_extra),
            capture_output=True,
            text=True,
            timeout=RUN_LIMIT_SECONDS,
            check=False,
        )
        if completed.returncode not in (0, 1):
            raise AssertionError(
                f"depscan exited {completed.returncode}\nstderr:\n{completed.stderr}"
            )
        return Run(completed.returncode, completed.stdout, completed.stderr)

    def run_expecting_error(self, *args: str, registry: FixtureRegistry | None = None) -> Run:
        command = [sys.executable, "-m", "scanner", "lockfile",
                   str(self.project / "package-lock.json"), "--cache-dir", str(self.cache_dir)]
        if registry is not None:
            command += ["--registry", registry.url]
        completed = subprocess.run(
            [*command, *args],
            cwd=REPO,
            env=isolated_env(self.home, self.env_extra),
            capture_output=True,
            text=True,
            timeout=RUN_LIMIT_SECONDS,
            check=False,
        )
        return Run(completed.returncode, completed.stdout, completed.stderr)


def packument_requests(server: FixtureRegistry) -> list[str]:
    """Request paths for package documents (not tarballs, not the signing keys)."""
    return [p for p in server.requests if "/-/" not in p]


class StallingRegistry(FixtureRegistry):
    """A fixture registry that holds its answers for chosen paths far longer than clients wait."""

    def __init__(self, root: Path, stalls: Mapping[str, float]) -> None:
        super().__init__(root)
        self.stalls = {unquote(path): seconds for path, seconds in stalls.items()}

    def _record(self, path: str, headers: dict[str, str]) -> Any:
        planned = super()._record(path, headers)
        stall = self.stalls.get(unquote(path))
        if stall:
            time.sleep(stall)
        return planned


def header(request: ReceivedRequest, name: str) -> str | None:
    """A request header by case-insensitive name."""
    for key, value in request.headers.items():
        if key.lower() == name.lower():
            return value
    return None
