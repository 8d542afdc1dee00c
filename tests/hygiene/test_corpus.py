"""The hygiene check over every real lockfile of the shared corpus.

Expected counts come from reading each file (see the notes per entry); the point is that real
lockfiles give no host, name, scheme or range alarms beyond what they really contain.
"""

from __future__ import annotations

import collections
from collections.abc import Callable
from pathlib import Path

import pytest

from scanner.checks.base import ScanContext
from scanner.checks.hygiene import LockfileHygieneCheck
from scanner.model import CheckResult, Lockfile

CORPUS = Path("/work/shared/corpus")
SETTINGS: dict[str, object] = {"registry-url": "https://registry.example.test/"}
ALARM_RULES = (
    "host", "insecure-protocol", "scheme", "name-mismatch", "version-mismatch",
    "integrity-missing", "integrity-invalid", "integrity-conflict", "range-unsatisfied",
)

# file -> (alarm findings by rule, source listings, registry packages without resolved)
NPM_EXPECTED: dict[str, tuple[dict[str, int], int, int]] = {
    # registry.internal (bundler; its bundled a/b/c come in its tarball) and localhost:8080 (wrappy,
    # and `reg`, an alias of abbrev); `really-bad-invalid` has resolved "this: is: also: ...".
    # Listed: 3 git, ghtgz + remote (URL specs), 4 file: tarballs, 2 file: folders, and the nested
    # entry whose resolved is the path-like "fake resolved value".
    "npm/v1/npm-cli-fixture-install-types/package-lock.json": ({"host": 3, "scheme": 1}, 12, 0),
    "npm/v1/atom-script/package-lock.json": ({}, 0, 0),
    # node-pre-gyp from github:amilajack/node-pre-gyp#ff9e93e...
    "npm/v1/npm-cli-fixture-audit-all-severities/package-lock.json": ({}, 1, 0),
    "npm/v1/npm-cli-fixture-tap-old-lockfile/package-lock.json": ({}, 0, 0),
    # The workspaces' links are not listed.
    "npm/v2/create-react-app-root/package-lock.json": ({}, 0, 0),
    "npm/v2/firebase-tools-standalone/package-lock.json": ({}, 0, 0),
    "npm/v2/npm-cli-fixture-audit-omit/package-lock.json": ({}, 0, 0),
    # node_modules/minimist (1.2.5, line 1542) has neither resolved nor integrity.
    "npm/v2/npm-cli-fixture-dep-missing-resolved/package-lock.json": (
        {"integrity-missing": 1}, 0, 1
    ),
    # Four links to folders outside the project; node_modules/x has no resolved (and no
    # integrity: the one registry package, so that is one NotChecked, not a finding).
    "npm/v2/npm-cli-fixture-external-link/package-lock.json": ({}, 4, 1),
    # minimist from git+ssh.
    "npm/v2/npm-cli-fixture-minimist-git-metadep/package-lock.json": ({}, 1, 0),
    # Four registry entries without resolved or integrity (a test fixture).
    "npm/v2/npm-cli-fixture-rebuild-script-env-flags/package-lock.json": ({}, 0, 4),
    "npm/v2/npm-cli-fixture-two-bundled-deps/package-lock.json": ({}, 0, 0),
    "npm/v2/npm-cli-fixture-workspaces-shared-deps/package-lock.json": ({}, 0, 0),
    # webdriverio from a second registry (line 3616); three file: tarballs of graphql.
    "npm/v3/firebase-vscode/package-lock.json": ({"host": 1}, 3, 0),
    "npm/v3/npm-cli-root/package-lock.json": ({}, 0, 0),
    "npm/v3/npm-cli-smoke-large-install/package-lock.json": ({}, 0, 0),
    "npm/shrinkwrap/npm-cli-fixture-shrinkwrapped-dep-updates/npm-shrinkwrap.json": ({}, 0, 0),
    # Written with omit-lockfile-registry-resolved: every package lacks resolved (INVENTORY.md).
    "generated/app-mid/package-lock.json": ({}, 0, 88),
    "generated/frontend-large/package-lock.json": ({}, 0, 1605),
    "generated/install-scripts/package-lock.json": ({}, 0, 330),
}


def _npm_parse() -> Callable[[Path, str], Lockfile]:
    try:
        from scanner.sources.npm import parse
    except ImportError as exc:  # the lead's parser lands separately
        pytest.skip(f"scanner.sources.npm is not available: {exc}")
    return parse


def _hygiene(lockfile: Lockfile) -> CheckResult:
    return LockfileHygieneCheck().run(ScanContext(lockfile=lockfile, settings=SETTINGS))


def _summary(result: CheckResult) -> tuple[dict[str, int], int, int]:
    rules = collections.Counter(str(f.details["rule"]) for f in result.findings)
    alarms = {rule: n for rule, n in rules.items() if rule in ALARM_RULES}
    missing = [n for n in result.not_checked if "no resolved URL" in n.reason]
    return alarms, rules["source"], len(missing[0].packages) if missing else 0


@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not mounted")
@pytest.mark.parametrize("relative", sorted(NPM_EXPECTED))
def test_npm_corpus_file_has_only_the_alarms_it_really_contains(relative: str) -> None:
    parse = _npm_parse()
    path = CORPUS / relative
    result = _hygiene(parse(path, path.read_text(encoding="utf-8")))
    assert _summary(result) == NPM_EXPECTED[relative]
    assert all(f.line is not None for f in result.findings)


@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not mounted")
def test_every_npm_corpus_lockfile_is_covered() -> None:
    present = {
        str(p.relative_to(CORPUS))
        for pattern in ("npm/**/*.json", "generated/*/package-lock.json")
        for p in CORPUS.glob(pattern)
        if "malformed" not in p.parts
    }
    assert present == set(NPM_EXPECTED)


@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not mounted")
def test_install_types_findings_point_at_their_entries() -> None:
    parse = _npm_parse()
    path = CORPUS / "npm/v1/npm-cli-fixture-install-types/package-lock.json"
    result = _hygiene(parse(path, path.read_text(encoding="utf-8")))
    hosts = sorted(
        (f.line, f.package.location if f.package else "", str(f.details["host"]))
        for f in result.findings
        if f.details["rule"] == "host"
    )
    assert hosts == [
        (42, "node_modules/bundler", "registry.internal"),
        (166, "node_modules/reg", "localhost:8080"),
        (197, "node_modules/wrappy", "localhost:8080"),
    ]
    sha1_only = sorted(
        f.package.location.removeprefix("node_modules/")
        for f in result.findings
        if f.details["rule"] == "integrity-sha1" and f.package
    )
    assert sha1_only == [
        "balanced-match", "bundler", "concat-map", "fs.realpath", "inflight", "old",
        "path-is-absolute", "wrappy",
    ]


# Other formats through format detection: file -> (alarms, source listings).
OTHER_EXPECTED: dict[str, tuple[dict[str, int], int]] = {
    # `strip-ansi@^7.0.1` shares the block of strip-ansi 6.0.1 (line 9552): excalidraw forces it
    # with yarn `resolutions`, and the corpus has no package.json to say so. Three dependents.
    "yarn/v1/excalidraw/yarn.lock": ({"range-unsatisfied": 3}, 0),
    "yarn/v1/hyper/yarn.lock": ({}, 1),
    # git, a git host tarball, a remote tarball URL spec, link and file: blocks.
    "yarn/v1/npm-cli-fixture-yarn-stuff/yarn.lock": ({}, 5),
    "yarn/berry-v10/prettier/yarn.lock": ({}, 0),
    "yarn/berry-v4/jest/yarn.lock": ({}, 0),
    "yarn/berry-v6/jest/yarn.lock": ({}, 0),
    "pnpm/v5.4/vuejs-core/pnpm-lock.yaml": ({}, 0),
    "pnpm/v6.0/vuejs-core/pnpm-lock.yaml": ({}, 0),
    "pnpm/v9.0/vuejs-core/pnpm-lock.yaml": ({}, 0),
    "pnpm/v9.0-multidoc/vuejs-core/pnpm-lock.yaml": ({}, 0),
}


@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not mounted")
@pytest.mark.parametrize("relative", sorted(OTHER_EXPECTED))
def test_yarn_and_pnpm_corpus_files(relative: str) -> None:
    path = CORPUS / relative
    if not path.is_file():
        pytest.skip(f"{relative} is not in this corpus")
    try:
        from scanner.sources.detect import read_lockfile
    except ImportError as exc:
        pytest.skip(f"format detection is not available: {exc}")
    result = _hygiene(read_lockfile(path))
    alarms, sources, _ = _summary(result)
    assert (alarms, sources) == OTHER_EXPECTED[relative]
