"""A `resolved` URL's credentials (`https://user:token@host/...`) are never printed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from scanner.checks.hygiene.urls import redact_userinfo
from scanner.model import PackageNode, SourceKind

from .helpers import make_lockfile, registry_node, run_hygiene, tarball

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "event-stream-2018"
SECRETS = ("s3cr3t-t0ken", "pw-secret", "ghp-t0ken", "deploy-user", "a@b-secret")


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("https://user:tok@host.example.test/a.tgz", "https://***@host.example.test/a.tgz"),
        ("https://tok@host.example.test/a.tgz", "https://***@host.example.test/a.tgz"),
        ("git+https://tok@git.example.test/a/b.git#abc", "git+https://***@git.example.test/a/b.git#abc"),
        ("git+ssh://git@git.example.test/a/b.git", "git+ssh://***@git.example.test/a/b.git"),
        # urlsplit ends the userinfo at the last "@" before the path: all of it is hidden.
        ("https://a@b-secret@host.example.test/x", "https://***@host.example.test/x"),
        ("  http://u:p@host.example.test:8080/x?q#f", "  http://***@host.example.test:8080/x?q#f"),
        ("//u:p@host.example.test/x", "//***@host.example.test/x"),
        # An "@" in the path is a scope, not credentials.
        ("https://registry.example.test/@scope/a/-/a-1.0.0.tgz",
         "https://registry.example.test/@scope/a/-/a-1.0.0.tgz"),
        ("https://host.example.test/x?to=a@b", "https://host.example.test/x?to=a@b"),
        ("npm:abbrev@1.1.1", "npm:abbrev@1.1.1"),
        ("file:../local@1.0.0.tgz", "file:../local@1.0.0.tgz"),
    ],
)
def test_redact_userinfo(raw: str, shown: str) -> None:
    assert redact_userinfo(raw) == shown


def _everything(result: object) -> str:
    from scanner.model import CheckResult

    assert isinstance(result, CheckResult)
    return json.dumps(
        [[f.message, f.details] for f in result.findings]
        + [[n.reason, list(n.packages)] for n in result.not_checked],
        default=str,
    )


def test_no_hygiene_rule_prints_credentials() -> None:
    nodes = [
        # host: a registry package from another host.
        registry_node("a", "1.0.0", resolved=tarball(
            "a", "1.0.0", "https://deploy-user:s3cr3t-t0ken@evil.example.test/")),
        # insecure-protocol.
        registry_node("b", "1.0.0", resolved=tarball(
            "b", "1.0.0", "http://u:pw-secret@registry.example.test/")),
        # name-mismatch and version-mismatch on the allowed host.
        registry_node("c", "1.0.0", resolved=tarball(
            "other", "1.0.0", "https://u:s3cr3t-t0ken@registry.example.test/")),
        registry_node("d", "1.0.0", resolved=tarball(
            "d", "2.0.0", "https://u:s3cr3t-t0ken@registry.example.test/")),
        # scheme: an unknown one, and a value that is not a URL.
        registry_node("e", "1.0.0", resolved="ftp://u:pw-secret@files.example.test/e.tgz"),
        registry_node("f", "1.0.0", resolved="//u:a@b-secret@files.example.test/f.tgz"),
        # source: a git dependency fetched with a token.
        PackageNode(
            location="node_modules/g", name="g", version="1.0.0", source=SourceKind.GIT,
            resolved="git+https://ghp-t0ken@git.example.test/g/g.git#abc", line=3,
        ),
    ]
    result = run_hygiene(make_lockfile(nodes))

    rules = {f.details["rule"] for f in result.findings}
    assert {"host", "insecure-protocol", "name-mismatch", "version-mismatch", "scheme",
            "source"} <= rules
    printed = _everything(result)
    for secret in SECRETS:
        assert secret not in printed
    assert "https://***@evil.example.test/a/-/a-1.0.0.tgz" in printed
    assert "git+https://***@git.example.test/g/g.git#abc" in printed


def _lockfile_with_credentials(folder: Path) -> Path:
    document = json.loads((EXAMPLE / "package-lock.json").read_text(encoding="utf-8"))
    packages = document["packages"]
    packages["node_modules/through"]["resolved"] = (
        "https://deploy-user:s3cr3t-t0ken@evil.example.test/through/-/through-2.3.8.tgz"
    )
    packages["node_modules/split"]["resolved"] = (
        "http://u:pw-secret@registry.example.test/split/-/split-0.3.3.tgz"
    )
    packages["node_modules/from"]["resolved"] = (
        "https://u:a@b-secret@registry.example.test/other/-/other-0.1.7.tgz"
    )
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "package.json").write_text((EXAMPLE / "package.json").read_text(encoding="utf-8"))
    lockfile = folder / "package-lock.json"
    lockfile.write_text(json.dumps(document, indent=2), encoding="utf-8")
    return lockfile


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "markdown", "github"])
def test_no_report_format_prints_credentials(tmp_path: Path, fmt: str) -> None:
    lockfile = _lockfile_with_credentials(tmp_path / "app")

    done = subprocess.run(
        [sys.executable, "-m", "scanner", "lockfile", str(lockfile), "--offline",
         "--no-registry-checks", "--allowed-host", "registry.example.test", "-f", fmt],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )

    assert done.returncode == 1, done.stderr
    for secret in SECRETS:
        assert secret not in done.stdout and secret not in done.stderr
    # The findings are there, with the host and the rest of the URL.
    assert "evil.example.test" in done.stdout
    assert ("\\*\\*\\*@" if fmt == "markdown" else "***@") in done.stdout
    if fmt == "json":
        findings = json.loads(done.stdout)["findings"]
        shown = {f["details"].get("rule"): f["details"].get("resolved") for f in findings}
        assert shown["host"] == (
            "https://***@evil.example.test/through/-/through-2.3.8.tgz"
        )
        assert shown["insecure-protocol"] == (
            "http://***@registry.example.test/split/-/split-0.3.3.tgz"
        )
        assert shown["name-mismatch"] == (
            "https://***@registry.example.test/other/-/other-0.1.7.tgz"
        )
