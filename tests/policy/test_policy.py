from __future__ import annotations

import datetime as dt
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest

from scanner.checks.hygiene.settings import ALLOWED_HOSTS_KEY
from scanner.checks.install_scripts import ALLOW_SETTING
from scanner.errors import PolicyError
from scanner.model import Finding, PackageRef, Severity
from scanner.policy import (
    EMPTY_POLICY,
    POLICY_FILENAME,
    Ignore,
    Policy,
    apply_ignores,
    find_policy,
    load_policy,
)

TODAY = dt.date(2030, 6, 15)


def _write(folder: Path, text: str) -> Path:
    path = folder / POLICY_FILENAME
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def _error(folder: Path, text: str) -> str:
    path = _write(folder, text)
    with pytest.raises(PolicyError) as info:
        load_policy(path)
    assert info.value.subject == str(path)
    return info.value.message


def _finding(
    check: str = "install-scripts",
    name: str = "esbuild",
    version: str = "0.19.2",
    advisories: tuple[str, ...] = (),
    message: str = "runs postinstall",
) -> Finding:
    return Finding(
        check,
        Severity.MEDIUM,
        message,
        PackageRef(name, version, f"node_modules/{name}"),
        advisories=advisories,
    )


def test_every_key_is_read(tmp_path: Path) -> None:
    (tmp_path / "vendor").mkdir()
    (tmp_path / "vendor" / "internal.zip").write_bytes(b"")
    path = _write(
        tmp_path,
        """
        # depscan policy
        fail-on = "medium"
        registry = false
        advisories = ["vendor/internal.zip", "vendor"]

        [install-scripts]
        allow = ["esbuild", "@swc/core", "sharp@^0.33"]

        [hygiene]
        allowed-hosts = ["Mirror.Example.Test:8443", "*.corp.example.test"]

        [[ignore]]
        check = "install-scripts"
        package = "sharp"
        versions = ">=0.30 <0.34"
        reason = "native build, reviewed in #123"
        expires = 2031-01-01

        [[ignore]]
        check = "known-malicious"
        package = "ua-parser-js"
        advisory = "GHSA-pjwm-rvh2-c87w"
        reason = "false positive: we pin a rebuilt fork"
        expires = "2030-12-31"
        """,
    )
    policy = load_policy(path)
    assert policy == Policy(
        fail_on=Severity.MEDIUM,
        ignores=(
            Ignore(
                "install-scripts",
                "sharp",
                "native build, reviewed in #123",
                versions=">=0.30 <0.34",
                expires=dt.date(2031, 1, 1),
                line=12,
            ),
            Ignore(
                "known-malicious",
                "ua-parser-js",
                "false positive: we pin a rebuilt fork",
                advisory="GHSA-pjwm-rvh2-c87w",
                expires=dt.date(2030, 12, 31),
                line=19,
            ),
        ),
        allow_scripts=("esbuild", "@swc/core", "sharp@^0.33"),
        advisories=(tmp_path / "vendor" / "internal.zip", tmp_path / "vendor"),
        registry=False,
        allowed_hosts=("mirror.example.test:8443", "*.corp.example.test"),
        path=path,
    )
    # The keys are the ones the install-script and hygiene checks read.
    assert policy.settings() == {
        ALLOW_SETTING: ("esbuild", "@swc/core", "sharp@^0.33"),
        ALLOWED_HOSTS_KEY: ("mirror.example.test:8443", "*.corp.example.test"),
    }


def test_empty_file_is_the_empty_policy(tmp_path: Path) -> None:
    policy = load_policy(_write(tmp_path, "# nothing yet\n"))
    assert policy == Policy(path=tmp_path / POLICY_FILENAME)
    assert policy.fail_on is None and policy.registry is None
    assert EMPTY_POLICY.settings() == {}


def test_registry_true_is_kept(tmp_path: Path) -> None:
    assert load_policy(_write(tmp_path, "registry = true\n")).registry is True


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('fail-on = "high"\nfaill-on = "low"\n', "line 2: unknown key 'faill-on' at the top level"),
        ("[hygene]\nallowed-hosts = []\n", "line 1: unknown key 'hygene' at the top level"),
        (
            '[install-scripts]\nallow = []\ndeny = ["x"]\n',
            "line 3: unknown key 'deny' in [install-scripts]",
        ),
        ('[hygiene]\n\nhosts = ["a.test"]\n', "line 3: unknown key 'hosts' in [hygiene]"),
        (
            '[[ignore]]\ncheck = "install-scripts"\npackage = "a"\nreason = "r"\n\n'
            '[[ignore]]\ncheck = "install-scripts"\npackage = "b"\n'
            'version = "1.0.0"\nreason = "r"\n',
            "line 9: unknown key 'version' in [[ignore]] #2",
        ),
        (
            'fail-on = "severe"\n',
            "line 1: fail-on must be one of critical, high, medium, low, info (got 'severe')",
        ),
        (
            "# strict\nfail-on = 3\n",
            "line 2: fail-on must be one of critical, high, medium, low, info (got int 3)",
        ),
        ('registry = "no"\n', "line 1: registry must be true or false (got 'no')"),
        ('advisories = "x.zip"\n', "line 1: advisories must be a list of paths (got 'x.zip')"),
        (
            'advisories = [\n  "present",\n  "missing.zip",\n]\n',
            "line 3: advisories: 'missing.zip' does not exist",
        ),
        (
            'install-scripts = ["esbuild"]\n',
            "line 1: install-scripts must be a table ([install-scripts]), got a list",
        ),
        (
            '[install-scripts]\nallow = "esbuild"\n',
            "line 2: install-scripts.allow must be a list of package names (got 'esbuild')",
        ),
        (
            '[install-scripts]\nallow = ["ok", 3]\n',
            "line 2: install-scripts.allow must be a list of non-empty strings (got int 3)",
        ),
        (
            '[install-scripts]\nallow = ["ok", ""]\n',
            "line 2: install-scripts.allow must be a list of non-empty strings (got '')",
        ),
        (
            '[install-scripts]\nallow = [\n  "esbuild",\n  "sharp@>=<1",\n]\n',
            "line 4: install-scripts.allow: 'sharp@>=<1': '>=<1' is not a valid version range",
        ),
        (
            '[install-scripts]\nallow = [\n  "esbuild",\n  "two words",\n]\n',
            "line 4: install-scripts.allow: 'two words' is not a package name",
        ),
        (
            '[[ignore]]\ncheck = "install-scripts"\npackage = "a@1.0.0"\nreason = "r"\n',
            "line 3: [[ignore]] #1: package: 'a@1.0.0' is not a package name (like lodash or "
            "@scope/pkg; put a version range in 'versions')",
        ),
        (
            '[hygiene]\nallowed-hosts = [\n  "ok.example.test",\n  "https://mirror.example.test/npm",\n]\n',
            "line 4: hygiene.allowed-hosts: 'https://mirror.example.test/npm' is not a host name",
        ),
        ('ignore = "everything"\n', "line 1: ignore must be written as [[ignore]] tables"),
        (
            '[[ignore]]\ncheck = "install-scripts"\npackage = "a"\n',
            "line 1: [[ignore]] #1 needs a 'reason'",
        ),
        ('[[ignore]]\npackage = "a"\nreason = "r"\n', "line 1: [[ignore]] #1 needs a 'check'"),
        (
            '[[ignore]]\ncheck = "install-scripts"\nreason = "r"\n',
            "line 1: [[ignore]] #1 needs a 'package'",
        ),
        (
            '[[ignore]]\ncheck = "install-scripts"\npackage = "a"\nreason = "  "\n',
            "line 4: [[ignore]] #1: reason must not be empty",
        ),
        (
            '[[ignore]]\ncheck = "instal-script"\npackage = "a"\nreason = "r"\n',
            "line 2: [[ignore]] #1: unknown check 'instal-script' "
            "(known: install-scripts, known-malicious, lockfile-hygiene,",
        ),
        (
            '[[ignore]]\ncheck = "install-scripts"\npackage = 7\nreason = "r"\n',
            "line 3: [[ignore]] #1: package must be a string (got int 7)",
        ),
        (
            '[[ignore]]\ncheck = "install-scripts"\npackage = "a b"\nreason = "r"\n',
            "line 3: [[ignore]] #1: package: 'a b' is not a package name",
        ),
        (
            '[[ignore]]\ncheck = "install-scripts"\npackage = "a"\nreason = "r"\n'
            'versions = ">=<1"\n',
            "line 5: [[ignore]] #1: '>=<1' is not a valid version range (Invalid comparator: >=<1)",
        ),
        (
            '[[ignore]]\ncheck = "known-malicious"\npackage = "a"\nreason = "r"\nadvisory = ""\n',
            "line 5: [[ignore]] #1: advisory must not be empty",
        ),
        (
            '[[ignore]]\ncheck = "install-scripts"\npackage = "a"\nreason = "r"\n'
            'expires = "soon"\n',
            "line 5: [[ignore]] #1: expires must be a date like 2030-01-31 (got 'soon')",
        ),
        (
            '[[ignore]]\ncheck = "install-scripts"\npackage = "a"\nreason = "r"\n'
            "expires = 2030-01-31T10:00:00Z\n",
            "line 5: [[ignore]] #1: expires must be a date like 2030-01-31, not a date-time",
        ),
        (
            'ignore = [\n  { check = "install-scripts", package = "a",'
            ' reason = "r", why = "x" },\n]\n',
            "line 1: unknown key 'why' in [[ignore]] #1",
        ),
        (
            'hygiene.allowed-hosts = ["ok.test"]\nhygiene.extra = 1\n',
            "line 2: unknown key 'extra' in [hygiene]",
        ),
        ('"fail-on" = "bogus"\n', "line 1: fail-on must be one of"),
    ],
)
def test_bad_keys_and_values_name_their_line(tmp_path: Path, text: str, expected: str) -> None:
    (tmp_path / "present").mkdir()
    assert _error(tmp_path, text).startswith(expected)


def test_toml_syntax_error_gives_line_and_column(tmp_path: Path) -> None:
    message = _error(tmp_path, 'fail-on = "high"\nregistry = \n')
    assert message == "line 2: invalid TOML: Invalid value (column 12)"


def test_unreadable_file_is_a_policy_error(tmp_path: Path) -> None:
    missing = tmp_path / POLICY_FILENAME
    with pytest.raises(PolicyError) as info:
        load_policy(missing)
    assert info.value.subject == str(missing)
    assert info.value.message.startswith("cannot read policy file:")
    missing.write_bytes(b'fail-on = "\xff"\n')
    with pytest.raises(PolicyError, match="cannot read policy file"):
        load_policy(missing)


def test_error_renders_as_one_line_with_file_and_line(tmp_path: Path) -> None:
    path = _write(tmp_path, '[install-scripts]\nalow = ["x"]\n')
    with pytest.raises(PolicyError) as info:
        load_policy(path)
    assert info.value.one_line() == (
        f"{path}: line 2: unknown key 'alow' in [install-scripts] (expected one of: allow)"
    )


# --- ignores -------------------------------------------------------------------------------


def test_ignore_by_check_and_package(tmp_path: Path) -> None:
    policy = Policy(ignores=(Ignore("install-scripts", "esbuild", "needs its binary"),))
    hit = _finding()
    other_package = _finding(name="esbuild-wasm")
    other_check = _finding(check="recent-release")
    kept, suppressed = apply_ignores([hit, other_package, other_check], policy, TODAY)
    assert kept == [other_package, other_check]
    assert suppressed == [hit]
    assert suppressed[0].details["ignored"] == {
        "reason": "needs its binary",
        "expires": None,
        "line": None,
    }


@pytest.mark.parametrize(
    ("versions", "version", "ignored"),
    [
        (">=0.19.0 <0.20.0", "0.19.2", True),
        (">=0.19.0 <0.20.0", "0.20.0", False),
        ("^0.19.0", "0.19.9", True),
        ("0.19.2", "0.19.2", True),
        ("0.19.2", "0.19.3", False),
        ("1.x || 2.x", "2.4.0", True),
        ("1.x || 2.x", "3.0.0", False),
        # npm semantics: a prerelease only matches ranges that name one.
        (">=0.19.0", "0.20.0-beta.1", False),
        # A git or tarball source has no semver version; a range cannot vouch for it.
        ("*", "github:evanw/esbuild#abc", False),
    ],
)
def test_ignore_with_version_range(versions: str, version: str, ignored: bool) -> None:
    policy = Policy(ignores=(Ignore("install-scripts", "esbuild", "r", versions=versions),))
    kept, suppressed = apply_ignores([_finding(version=version)], policy, TODAY)
    assert (len(suppressed), len(kept)) == ((1, 0) if ignored else (0, 1))


def test_ignore_by_advisory_id() -> None:
    policy = Policy(
        ignores=(Ignore("known-malicious", "ua-parser-js", "r", advisory="ghsa-pjwm-rvh2-c87w"),)
    )
    listed = _finding("known-malicious", "ua-parser-js", "0.7.29", ("GHSA-pjwm-rvh2-c87w",))
    other = _finding("known-malicious", "ua-parser-js", "0.7.29", ("MAL-2021-1",))
    none = _finding("known-malicious", "ua-parser-js", "0.7.29")
    kept, suppressed = apply_ignores([listed, other, none], policy, TODAY)
    assert [f.advisories for f in suppressed] == [("GHSA-pjwm-rvh2-c87w",)]
    assert kept == [other, none]


def test_finding_without_package_is_never_ignored() -> None:
    policy = Policy(ignores=(Ignore("lockfile-problem", "x", "r"),))
    finding = Finding("lockfile-problem", Severity.HIGH, "broken")
    assert apply_ignores([finding], policy, TODAY) == ([finding], [])


def test_expired_ignore_fires_again_and_says_so() -> None:
    ignore = Ignore("install-scripts", "esbuild", "binary download", expires=dt.date(2030, 6, 15))
    policy = Policy(ignores=(ignore,))
    finding = _finding()
    kept, suppressed = apply_ignores([finding], policy, TODAY)
    assert suppressed == []
    (back,) = kept
    assert back.message == "runs postinstall (ignore expired on 2030-06-15: binary download)"
    assert back.details["ignore-expired"] == "2030-06-15"
    assert (back.check, back.package, back.severity) == (
        finding.check,
        finding.package,
        finding.severity,
    )
    # The day before it expires it still applies.
    kept, suppressed = apply_ignores([finding], policy, TODAY - dt.timedelta(days=1))
    assert kept == [] and suppressed == [finding]


def test_an_active_ignore_wins_over_an_expired_one() -> None:
    old = Ignore("install-scripts", "esbuild", "old", expires=dt.date(2020, 1, 1))
    new = Ignore("install-scripts", "esbuild", "renewed", expires=dt.date(2031, 1, 1))
    kept, suppressed = apply_ignores([_finding()], Policy(ignores=(old, new)), TODAY)
    assert kept == []
    assert suppressed[0].details["ignored"] == {
        "reason": "renewed",
        "expires": "2031-01-01",
        "line": None,
    }


def test_latest_expired_ignore_is_the_one_reported() -> None:
    older = Ignore("install-scripts", "esbuild", "first review", expires=dt.date(2029, 1, 1))
    newer = Ignore("install-scripts", "esbuild", "second review", expires=dt.date(2030, 1, 1))
    (back,), _ = apply_ignores([_finding()], Policy(ignores=(older, newer)), TODAY)
    assert back.message.endswith("(ignore expired on 2030-01-01: second review)")


def test_loaded_ignores_apply_end_to_end(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """
        [[ignore]]
        check = "install-scripts"
        package = "esbuild"
        versions = "0.19.x"
        reason = "platform binary"
        expires = 2030-01-01
        """,
    )
    policy = load_policy(path)
    finding = _finding()
    kept, suppressed = apply_ignores([finding], policy, dt.date(2029, 12, 31))
    assert suppressed[0].details["ignored"] == {
        "reason": "platform binary",
        "expires": "2030-01-01",
        "line": 1,
    }
    kept, suppressed = apply_ignores([finding], policy, dt.date(2030, 1, 1))
    assert kept[0].message == "runs postinstall (ignore expired on 2030-01-01: platform binary)"


# --- finding the file -------------------------------------------------------------------------


def test_find_policy_next_to_the_lockfile_then_up_to_the_git_root(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    app = repo / "apps" / "web"
    app.mkdir(parents=True)
    (repo / ".git").mkdir()
    lockfile = app / "package-lock.json"
    lockfile.write_text("{}", encoding="utf-8")
    # Above the git root: never picked up.
    (tmp_path / POLICY_FILENAME).write_text("", encoding="utf-8")
    assert find_policy(lockfile) is None
    (repo / POLICY_FILENAME).write_text("", encoding="utf-8")
    assert find_policy(lockfile) == repo / POLICY_FILENAME
    assert find_policy(app) == repo / POLICY_FILENAME
    (app / POLICY_FILENAME).write_text("", encoding="utf-8")
    assert find_policy(lockfile) == app / POLICY_FILENAME


def test_find_policy_outside_git_looks_only_next_to_the_lockfile(tmp_path: Path) -> None:
    app = tmp_path / "project"
    app.mkdir()
    (tmp_path / POLICY_FILENAME).write_text("", encoding="utf-8")
    assert find_policy(app / "package-lock.json") is None
    (app / POLICY_FILENAME).write_text("", encoding="utf-8")
    assert find_policy(app / "package-lock.json") == app / POLICY_FILENAME


def test_git_file_marks_a_worktree_root(tmp_path: Path) -> None:
    repo = tmp_path / "wt"
    (repo / "sub").mkdir(parents=True)
    (repo / ".git").write_text("gitdir: elsewhere\n", encoding="utf-8")
    (repo / POLICY_FILENAME).write_text("", encoding="utf-8")
    assert find_policy(repo / "sub" / "package-lock.json") == repo / POLICY_FILENAME


def test_ignore_by_rule_name_of_a_check_that_reports_several_rules() -> None:
    takeover = Finding(
        "publishers",
        Severity.HIGH,
        "new publisher",
        PackageRef("ua-parser-js", "0.7.29", "node_modules/ua-parser-js"),
        details={"rule": "publisher-takeover"},
    )
    recent = replace(takeover, message="published 2 hours ago", details={"rule": "recent-release"})
    by_rule = Policy(ignores=(Ignore("publisher-takeover", "ua-parser-js", "known handover"),))
    kept, suppressed = apply_ignores([takeover, recent], by_rule, TODAY)
    assert [f.message for f in suppressed] == ["new publisher"]
    assert kept == [recent]
    by_check = Policy(ignores=(Ignore("publishers", "ua-parser-js", "reviewed"),))
    kept, suppressed = apply_ignores([takeover, recent], by_check, TODAY)
    assert kept == [] and len(suppressed) == 2


def test_check_ids_the_checks_register_are_accepted(tmp_path: Path) -> None:
    text = "".join(
        f'[[ignore]]\ncheck = "{check}"\npackage = "p"\nreason = "r"\n\n'
        for check in ("install-scripts", "publishers", "lockfile-hygiene", "trust-downgrade")
    )
    policy = load_policy(_write(tmp_path, text))
    assert [ig.check for ig in policy.ignores] == [
        "install-scripts",
        "publishers",
        "lockfile-hygiene",
        "trust-downgrade",
    ]
    assert [ig.line for ig in policy.ignores] == [1, 6, 11, 16]


@pytest.mark.parametrize("written", ["install-scripts", "install-scripts"])
@pytest.mark.parametrize("reported", ["install-scripts", "install-scripts"])
def test_both_spellings_of_the_install_script_check_match(written: str, reported: str) -> None:
    policy = Policy(ignores=(Ignore(written, "esbuild", "r"),))
    kept, suppressed = apply_ignores([_finding(check=reported)], policy, TODAY)
    assert (kept, len(suppressed)) == ([], 1)
