"""Upgrade pull requests made from corpus projects, scanned the way CI would scan them.

For each project the direct dependencies are bumped to the newest release within their major
version (what ``npm update`` or a minor/patch update bot proposes) and npm resolves the new
lockfile from the old one with ``npm install --package-lock-only --ignore-scripts``: npm only
resolves, no package code runs. The pull request is then scanned with
``depscan lockfile NEW --base OLD --format json`` and every high or critical finding counts as a
false alarm (the updates are real releases). The bumps are recorded in a committed file; the
lockfiles npm wrote are kept in the benchmark cache, so re-runs scan the same change offline.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from benchmarks.detection.cases import Case, Form, Missing, Unit
from benchmarks.detection.fetch import Wanted
from benchmarks.detection.store import Store
from scanner.errors import DepscanError
from scanner.registry.packument import Packument

PRS_FILE = Path(__file__).resolve().parent / "data" / "upgrade-prs.json"
PROJECTS = (
    "generated/app-mid",
    "generated/install-scripts",
    "generated/frontend-large",
    "npm/v2/firebase-tools-standalone",
    "npm/v2/npm-cli-fixture-two-bundled-deps",
    "npm/v3/firebase-vscode",
    "npm/v3/npm-cli-smoke-large-install",
)
"""npm projects without workspaces (npm could not resolve workspace folders that are not here)."""
_DEPENDENCY_KEYS = ("dependencies", "devDependencies", "optionalDependencies")
_NPM_TIMEOUT = 900
_SCAN_TIMEOUT = 1800


def _lockfile(folder: Path) -> Path:
    for name in ("package-lock.json", "npm-shrinkwrap.json"):
        if (folder / name).is_file():
            return folder / name
    raise FileNotFoundError(f"no npm lockfile in {folder}")


def project_manifest(folder: Path) -> dict[str, Any]:
    """The project's package.json, or its copy in the lockfile's root entry."""
    if (folder / "package.json").is_file():
        value = json.loads((folder / "package.json").read_text(encoding="utf-8"))
        return value if isinstance(value, dict) else {}
    lock = json.loads(_lockfile(folder).read_text(encoding="utf-8"))
    root = dict(lock.get("packages", {}).get("", {}))
    root.setdefault("name", lock.get("name", "project"))
    root.setdefault("version", lock.get("version", "0.0.0"))
    return {k: v for k, v in root.items() if k not in ("license", "engines", "bin", "funding")}


def _registry_spec(spec: object) -> bool:
    if not isinstance(spec, str):
        return False
    return not spec.startswith(
        ("git", "file:", "link:", "http:", "https:", "npm:", "workspace:", "github:")
    )


RULES = ("same-major", "latest")
"""``same-major``: the newest release within the locked major (``npm update``, a minor/patch
update bot); ``latest``: the newest stable release, majors included (``npm-check-updates -u``)."""


def plan_bumps(
    folder: Path, packument_of: Callable[[str], Packument | None], rule: str = "same-major"
) -> dict[str, list[str]]:
    """name -> [locked version, target] for each direct registry dependency with a newer
    stable release under ``rule``."""
    import nodesemver

    manifest = project_manifest(folder)
    lock = json.loads(_lockfile(folder).read_text(encoding="utf-8"))
    packages = lock.get("packages", {})
    bumps: dict[str, list[str]] = {}
    for key in _DEPENDENCY_KEYS:
        for name, spec in sorted((manifest.get(key) or {}).items()):
            locked = (packages.get(f"node_modules/{name}") or {}).get("version")
            if not _registry_spec(spec) or not isinstance(locked, str) or name in bumps:
                continue
            document = packument_of(name)
            if document is None:
                continue
            stable = [v for v in document.versions if "-" not in v and document.versions[v].tarball]
            try:
                wanted = f"^{locked}" if rule == "same-major" else f">{locked}"
                target = nodesemver.max_satisfying(stable, wanted, loose=True)
            except (ValueError, TypeError):
                continue
            if target and str(target) != locked:
                bumps[name] = [locked, str(target)]
    return bumps


def build_pr(
    corpus: Path, project: str, bumps: Mapping[str, list[str]], store: Store, key: str
) -> str:
    """Write the pull request ``key``'s base/ and head/ lockfiles into the cache; returns the
    npm flags that worked."""
    source = corpus / project
    manifest = project_manifest(source)
    for section in _DEPENDENCY_KEYS:
        for name in list(manifest.get(section) or {}):
            if name in bumps:
                manifest[section][name] = f"^{bumps[name][1]}"
    target = store.pr_folder(key)
    with tempfile.TemporaryDirectory(prefix="depscan-pr-") as tmp:
        work = Path(tmp)
        shutil.copy(_lockfile(source), work / "package-lock.json")
        (work / "package.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        base = [
            "npm",
            "install",
            "--package-lock-only",
            "--ignore-scripts",
            "--no-audit",
            "--no-fund",
        ]
        flags: list[str] = []
        for extra in ([], ["--legacy-peer-deps"]):
            done = subprocess.run(
                [*base, *extra], cwd=work, capture_output=True, text=True, timeout=_NPM_TIMEOUT
            )
            if done.returncode == 0:
                flags = extra
                break
        else:
            raise RuntimeError(
                f"npm could not resolve the bumped project: {done.stderr.strip()[-300:]}"
            )
        (target / "head").mkdir(parents=True, exist_ok=True)
        (target / "base").mkdir(parents=True, exist_ok=True)
        shutil.copy(work / "package-lock.json", target / "head" / "package-lock.json")
        shutil.copy(work / "package.json", target / "head" / "package.json")
    shutil.copy(_lockfile(source), target / "base" / "package-lock.json")
    return " ".join(flags)


@dataclass(frozen=True, slots=True)
class Scan:
    exit_code: int
    seconds: float
    report: dict[str, Any] | None
    stderr: str


def scan_pr(store: Store, project: str, *, offline: bool) -> Scan:
    folder = store.pr_folder(project)
    command = [
        sys.executable,
        "-m",
        "scanner",
        "lockfile",
        str(folder / "head" / "package-lock.json"),
        "--base",
        str(folder / "base" / "package-lock.json"),
        "--format",
        "json",
        "--no-policy-file",
        # One CLI cache per pull request: the CLI's registry cache is size-capped and evicts, and
        # a shared one silently lost entries that the offline re-runs needed.
        "--cache-dir",
        str(folder / "depscan-cache"),
    ]
    if offline:
        command.append("--offline")
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, timeout=_SCAN_TIMEOUT)
    seconds = time.perf_counter() - started
    try:
        report = json.loads(done.stdout)
    except ValueError:
        report = None
    return Scan(done.returncode, seconds, report, done.stderr.strip()[-500:])


def summarize(
    project: str, bumps: Mapping[str, list[str]], scan: Scan, store: Store
) -> dict[str, Any]:
    from scanner.pr_mode import changed_packages
    from scanner.sources.detect import read_lockfile

    folder = store.pr_folder(project)
    changes = changed_packages(
        read_lockfile(folder / "base" / "package-lock.json"),
        read_lockfile(folder / "head" / "package-lock.json"),
    )
    result: dict[str, Any] = {
        "project": project,
        "bumped": len(bumps),
        "upgraded": len(changes.updated),
        "added": len(changes.added),
        "removed": len(changes.removed),
        "exit_code": scan.exit_code,
        "seconds": scan.seconds,
    }
    if scan.report is None:
        result["error"] = f"depscan exited {scan.exit_code}: {scan.stderr}"
        return result
    findings = scan.report.get("findings", [])
    high = [f for f in findings if f.get("severity") in ("high", "critical")]
    causes: Counter[str] = Counter()
    for finding in high:
        kind = (finding.get("details") or {}).get("kind")
        causes[f"{finding['check']}/{kind}" if kind else finding["check"]] += 1
    result.update(
        highs=len(high),
        high_causes=dict(causes.most_common()),
        findings_by_severity=dict(Counter(f.get("severity") for f in findings)),
        not_checked=[
            nc.get("reason") for nc in scan.report.get("summary", {}).get("not_checked", [])
        ][:10],
        high_findings=[
            {
                "check": f["check"],
                "package": _spec(f.get("package")),
                "message": f.get("message", "")[:300],
            }
            for f in high
        ],
    )
    return result


def _spec(package: object) -> str:
    if not isinstance(package, dict):
        return "(lockfile)"
    return f"{package.get('name')}@{package.get('version')}"


def load_plans(path: Path = PRS_FILE) -> dict[str, dict[str, Any]]:
    if not path.is_file():
        return {}
    value = json.loads(path.read_text(encoding="utf-8"))
    return dict(value.get("projects", {}))


def save_plans(plans: Mapping[str, Mapping[str, Any]], path: Path = PRS_FILE) -> None:
    document = {
        "about": "Upgrade pull requests scanned by benchmarks/detection: for each corpus project "
        "and bump rule (same-major: newest release in the locked major; latest: newest stable "
        "release), the direct dependencies bumped (locked version -> target) and the npm flags "
        "that resolved it. Regenerate with: python -m benchmarks.detection run --fetch",
        "projects": plans,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def pr_ready(store: Store, project: str) -> bool:
    folder = store.pr_folder(project)
    return (folder / "head" / "package-lock.json").is_file() and (
        folder / "base" / "package-lock.json"
    ).is_file()


# --- the same pull request, judged package by package ----------------------------------------


@dataclass(frozen=True, slots=True)
class Change:
    """One package a pull request changes: an update (``old`` set) or an added package."""

    name: str
    old: str | None
    new: str


def pr_changes(store: Store, project: str) -> list[Change]:
    """Updates paired by name in semver order, and added packages, as depscan's PR mode sees
    them (registry packages only)."""
    from scanner.model import SourceKind
    from scanner.pr_mode import changed_packages
    from scanner.sources.detect import read_lockfile

    folder = store.pr_folder(project)
    base = read_lockfile(folder / "base" / "package-lock.json")
    head = read_lockfile(folder / "head" / "package-lock.json")
    registry = {n.name for n in head.packages() if n.source is SourceKind.REGISTRY}
    changes = changed_packages(base, head)
    out = [Change(c.name, c.old, c.new) for c in changes.updated if c.new and c.name in registry]
    out += [Change(c.name, None, c.new) for c in changes.added if c.new and c.name in registry]
    return out


def change_wanted(store: Store, changes: list[Change]) -> list[Wanted]:
    """The tarballs the changes need, by the hashes the registry document gives."""
    out: list[Wanted] = []
    for change in changes:
        for version in (change.old, change.new):
            if version is not None:
                out.append(Wanted(f"{change.name}@{version}", change.name, version, None, None))
    return out


def change_cases(store: Store, project: str, changes: list[Change]) -> Iterator[Case | Missing]:
    """One benign case per changed package, built from the benchmark cache."""
    for change in changes:
        label = f"{change.old} -> {change.new}" if change.old else change.new
        case_id = f"pr:{project}:{change.name}@{label}"
        document = store.packument(change.name)
        infos = [
            document.versions.get(v) if document and v else None for v in (change.old, change.new)
        ]
        new_info = infos[1]
        if document is None or new_info is None:
            yield Missing(case_id, "no registry document for this version in the benchmark cache")
            continue
        try:
            new_tgz = store.tarball(
                new_info.integrity, new_info.shasum, f"{change.name}@{change.new}"
            )
            old_tgz = (
                store.tarball(infos[0].integrity, infos[0].shasum, f"{change.name}@{change.old}")
                if infos[0] is not None
                else None
            )
        except DepscanError as exc:
            yield Missing(case_id, exc.one_line())
            continue
        if new_tgz is None or (change.old is not None and old_tgz is None):
            yield Missing(case_id, "tarball not in the benchmark cache")
            continue
        form = Form.UPDATE if change.old else Form.NEW
        unit = Unit(
            f"{change.name}@{label}",
            change.name,
            change.old,
            change.new,
            old_tgz,
            new_tgz,
            replace(document, time={}),
        )
        yield Case(case_id, malicious=False, form=form, units=(unit,), source=project)
