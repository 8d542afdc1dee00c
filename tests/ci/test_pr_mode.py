"""PR mode's pieces: where the base lockfile comes from, what changed, which findings are new."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from scanner.errors import UsageError
from scanner.model import Finding, Lockfile, NotChecked, PackageRef, Severity
from scanner.pr_mode import (
    ChangeSet,
    PackageChange,
    change_lines,
    changed_packages,
    describe_changes,
    load_base_lockfile,
    not_checked_for_changes,
    only_new,
    scan_changes,
)
from scanner.scan import ScanOptions
from scanner.sources.detect import read_lockfile
from tests.ci.gitrepo import CLEAN, EXAMPLE, commit_all, copy_project, init_repo

HEAD = EXAMPLE / "package-lock.json"


def _versions(lockfile: Lockfile) -> dict[str, str]:
    return {n.name: n.version for n in lockfile.packages()}


# -- load_base_lockfile --------------------------------------------------------------------------


def test_base_given_as_a_lockfile_path() -> None:
    base = load_base_lockfile(str(CLEAN / "package-lock.json"), HEAD)
    assert _versions(base)["event-stream"] == "3.3.4"
    assert "flatmap-stream" not in _versions(base)


def test_base_given_as_a_folder_uses_the_lockfile_of_the_same_name(tmp_path: Path) -> None:
    folder = tmp_path / "old"
    copy_project(CLEAN, folder)
    shutil.copyfile(EXAMPLE / "package-lock.json", folder / "npm-shrinkwrap.json")
    base = load_base_lockfile(str(folder), HEAD)
    assert base.path == folder / "package-lock.json"
    assert _versions(base)["event-stream"] == "3.3.4"


def test_base_git_ref_reads_the_same_lockfile_at_that_commit(
    pr_repo: tuple[Path, str, str],
) -> None:
    repo, base_sha, _ = pr_repo
    head = repo / "app" / "package-lock.json"
    for ref in ("main", "origin/main", base_sha, "HEAD~1"):
        base = load_base_lockfile(ref, head)
        versions = _versions(base)
        assert versions["event-stream"] == "3.3.4", ref
        assert "flatmap-stream" not in versions
    at_head = load_base_lockfile("HEAD", head)
    assert _versions(at_head)["flatmap-stream"] == "0.1.1"


def test_base_git_ref_works_from_a_subfolder_working_directory(
    pr_repo: tuple[Path, str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    repo, _, _ = pr_repo
    monkeypatch.chdir(repo / "app")
    base = load_base_lockfile("main", Path("package-lock.json"))
    assert _versions(base)["event-stream"] == "3.3.4"


def test_lockfile_missing_at_the_ref_means_everything_is_new(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "repo")
    (repo / "README.md").write_text("no lockfile yet\n", encoding="utf-8")
    commit_all(repo, "start")
    copy_project(EXAMPLE, repo)
    commit_all(repo, "add the project")

    base = load_base_lockfile("HEAD~1", repo / "package-lock.json")

    assert base.packages() == []
    assert base.format == "npm-package-lock"
    assert base.root.name == "wallet-app"
    assert base.root.dependencies == ()
    changes = changed_packages(base, read_lockfile(repo / "package-lock.json"))
    assert len(changes.added) == 10 and not changes.updated and not changes.removed


@pytest.mark.parametrize("ref", ["no-such-branch", "--output=x", "HEAD~99"])
def test_bad_ref_is_a_usage_error_naming_it(pr_repo: tuple[Path, str, str], ref: str) -> None:
    repo, _, _ = pr_repo
    with pytest.raises(UsageError) as raised:
        load_base_lockfile(ref, repo / "app" / "package-lock.json")
    assert raised.value.subject == ref
    assert "\n" not in raised.value.one_line()


def test_ref_outside_a_git_repository_is_a_usage_error(tmp_path: Path) -> None:
    copy_project(EXAMPLE, tmp_path / "plain")
    with pytest.raises(UsageError, match="not in a git repository"):
        load_base_lockfile("main", tmp_path / "plain" / "package-lock.json")


# -- changed_packages ----------------------------------------------------------------------------


def test_changed_packages_between_the_clean_and_the_attacked_lockfile() -> None:
    changes = changed_packages(read_lockfile(CLEAN / "package-lock.json"), read_lockfile(HEAD))
    assert changes.added == (PackageChange("flatmap-stream", None, "0.1.1"),)
    assert changes.updated == (PackageChange("event-stream", "3.3.4", "3.3.6"),)
    assert changes.removed == ()
    assert describe_changes(changes) == "1 added, 1 updated, 0 removed"
    assert changes.incoming == {"flatmap-stream@0.1.1", "event-stream@3.3.6"}
    reverse = changed_packages(read_lockfile(HEAD), read_lockfile(CLEAN / "package-lock.json"))
    assert reverse.removed == (PackageChange("flatmap-stream", "0.1.1", None),)
    # Going back to 3.3.4 is a downgrade, not an upgrade to be diffed.
    assert reverse.updated == ()
    assert reverse.downgraded == (PackageChange("event-stream", "3.3.6", "3.3.4"),)
    assert describe_changes(reverse) == "0 added, 0 updated, 1 downgraded, 1 removed"


def test_same_lockfile_has_no_changes() -> None:
    changes = changed_packages(read_lockfile(HEAD), read_lockfile(HEAD))
    assert not changes
    assert describe_changes(changes) == "no package changes"


def _lockfile_with(tmp_path: Path, name: str, versions: dict[str, str]) -> Path:
    """An npm v3 lockfile with one node per ``install path -> version`` of package ``pkg``."""
    import json

    packages: dict[str, object] = {"": {"name": "app", "version": "1.0.0"}}
    for location, version in versions.items():
        packages[location] = {"name": "pkg", "version": version}
    path = tmp_path / name / "package-lock.json"
    path.parent.mkdir()
    path.write_text(json.dumps({"name": "app", "lockfileVersion": 3, "packages": packages}))
    return path


def test_each_version_pairs_with_the_nearest_lower_one_in_semver_order(tmp_path: Path) -> None:
    before = _lockfile_with(tmp_path, "a", {
        "node_modules/pkg": "10.0.0", "node_modules/x/node_modules/pkg": "9.0.0",
        "node_modules/y/node_modules/pkg": "1.0.0",
    })
    after = _lockfile_with(tmp_path, "b", {
        "node_modules/pkg": "10.0.1", "node_modules/x/node_modules/pkg": "9.1.0",
    })
    changes = changed_packages(read_lockfile(before), read_lockfile(after))
    # 9.0.0 < 10.0.0 numerically (a text sort would put 10.0.0 first): each new version is
    # compared with its own predecessor, and 1.0.0 simply left the tree.
    assert changes.updated == (
        PackageChange("pkg", "9.0.0", "9.1.0"), PackageChange("pkg", "10.0.0", "10.0.1"),
    )
    assert changes.removed == (PackageChange("pkg", "1.0.0", None),)
    assert change_lines(changes) == [
        "~ pkg 9.0.0 -> 9.1.0", "~ pkg 10.0.0 -> 10.0.1", "- pkg 1.0.0",
    ]
    assert change_lines(changes, limit=1) == ["~ pkg 9.0.0 -> 9.1.0", "... and 2 more"]


def test_a_package_that_only_moved_in_the_tree_is_not_a_change(tmp_path: Path) -> None:
    before = _lockfile_with(tmp_path, "a", {"node_modules/x/node_modules/pkg": "1.0.0"})
    after = _lockfile_with(tmp_path, "b", {"node_modules/pkg": "1.0.0"})
    assert not changed_packages(read_lockfile(before), read_lockfile(after))


# -- only_new ------------------------------------------------------------------------------------


def _finding(
    name: str = "pkg", version: str = "1.0.0", *, check: str = "known-malicious",
    location: str = "node_modules/pkg", advisories: tuple[str, ...] = ("MAL-1",),
    rule: str | None = None, message: str = "bad",
) -> Finding:
    return Finding(
        check=check, severity=Severity.CRITICAL, message=message,
        package=PackageRef(name, version, location), advisories=advisories,
        details={"rule": rule} if rule else {},
    )


def test_only_new_ignores_where_the_package_sits_and_the_wording() -> None:
    base = [_finding(location="node_modules/x/node_modules/pkg", message="old wording")]
    assert only_new([_finding(location="node_modules/pkg")], base) == []


@pytest.mark.parametrize(
    "changed",
    [
        _finding(version="1.0.1"),
        _finding(name="other"),
        _finding(check="install-scripts"),
        _finding(advisories=("MAL-1", "MAL-2")),
        _finding(rule="host"),
    ],
)
def test_only_new_keeps_a_finding_that_differs_in_what_it_reports(changed: Finding) -> None:
    assert only_new([changed], [_finding()]) == [changed]


def test_advisory_order_does_not_make_a_finding_new() -> None:
    assert only_new([_finding(advisories=("B", "A"))], [_finding(advisories=("A", "B"))]) == []


def test_findings_about_the_whole_lockfile_are_told_apart_by_message() -> None:
    def whole(message: str) -> Finding:
        return Finding(check="lockfile-problem", severity=Severity.HIGH, message=message)

    assert only_new([whole("a"), whole("b")], [whole("a")]) == [whole("b")]


def test_not_checked_is_kept_for_incoming_versions_and_for_the_whole_scan() -> None:
    changes = ChangeSet(
        added=(PackageChange("new", None, "1.0.0"),),
        updated=(PackageChange("up", "1.0.0", "2.0.0"),),
        removed=(PackageChange("gone", "1.0.0", None),),
    )
    items = [
        NotChecked("publishers", "offline", ("new@1.0.0", "same@1.0.0", "up@2.0.0")),
        NotChecked("registry-signature", "offline", ("same@1.0.0", "up@1.0.0", "gone@1.0.0")),
        NotChecked("known-malicious", "no advisory database was loaded"),
    ]
    assert not_checked_for_changes(items, changes) == [
        NotChecked("publishers", "offline", ("new@1.0.0", "up@2.0.0")),
        NotChecked("known-malicious", "no advisory database was loaded"),
    ]


# -- scan_changes --------------------------------------------------------------------------------


def test_scan_changes_reports_and_fails_on_what_the_change_brings_only(
    pr_repo: tuple[Path, str, str],
) -> None:
    repo, _, _ = pr_repo
    options = ScanOptions(offline=True, registry_checks=False)
    head = repo / "app" / "package-lock.json"

    compared = scan_changes(head, "main", options)

    assert {(f.package.name, f.package.version) for f in compared.result.findings
            if f.package} == {("event-stream", "3.3.6"), ("flatmap-stream", "0.1.1")}
    assert compared.result.failing
    assert compared.summary == (
        "compared with main:app/package-lock.json: 1 added, 1 updated, 0 removed"
    )
    # The same lockfile as its own base brings nothing: the findings are all old.
    unchanged = scan_changes(head, "HEAD", options)
    assert unchanged.result.findings == ()
    assert not unchanged.result.failing
    assert not unchanged.changes
