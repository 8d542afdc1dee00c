"""Upgrade pull requests: which direct dependencies get bumped, and what the change brings."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.detection.prs import Change, plan_bumps, pr_changes, project_manifest
from benchmarks.detection.store import Store
from scanner.registry.packument import Packument, VersionInfo


def _lockfile(folder: Path, root: dict[str, object], packages: dict[str, str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    entries: dict[str, object] = {"": root}
    for name, version in packages.items():
        entries[f"node_modules/{name}"] = {
            "version": version,
            "resolved": f"https://registry.example.test/{name}/-/{name}-{version}.tgz",
            "integrity": "sha512-" + "A" * 86 + "==",
        }
    document = {"name": "demo", "lockfileVersion": 3, "requires": True, "packages": entries}
    (folder / "package-lock.json").write_text(json.dumps(document), encoding="utf-8")


def _doc(name: str, *versions: str) -> Packument:
    return Packument(
        name,
        {
            v: VersionInfo(v, tarball=f"https://registry.example.test/{name}-{v}.tgz")
            for v in versions
        },
    )


DOCS = {
    "a": _doc("a", "1.0.0", "1.4.0", "2.0.0", "2.1.0-beta.1"),
    "b": _doc("b", "0.3.1", "0.3.9", "0.4.0"),
    "c": _doc("c", "5.0.0"),
}
ROOT: dict[str, object] = {
    "name": "demo",
    "version": "1.0.0",
    "dependencies": {"a": "^1.0.0", "b": "~0.3.1", "git-dep": "github:o/r"},
    "devDependencies": {"c": "^5.0.0"},
}


def test_project_manifest_comes_from_the_lockfile_root(tmp_path: Path) -> None:
    _lockfile(tmp_path, {**ROOT, "license": "MIT"}, {"a": "1.0.0"})
    manifest = project_manifest(tmp_path)
    assert manifest["dependencies"] == ROOT["dependencies"] and "license" not in manifest


def test_bump_rules(tmp_path: Path) -> None:
    _lockfile(tmp_path, ROOT, {"a": "1.0.0", "b": "0.3.1", "c": "5.0.0", "git-dep": "1.0.0"})
    assert plan_bumps(tmp_path, DOCS.get, "same-major") == {
        "a": ["1.0.0", "1.4.0"],
        "b": ["0.3.1", "0.3.9"],  # caret on 0.x stays in the minor
    }
    assert plan_bumps(tmp_path, DOCS.get, "latest") == {
        "a": ["1.0.0", "2.0.0"],  # never a prerelease
        "b": ["0.3.1", "0.4.0"],
    }


def test_changes_pair_by_name_and_list_added_packages(tmp_path: Path) -> None:
    store = Store(tmp_path / "cache")
    folder = store.pr_folder("demo (latest)")
    _lockfile(folder / "base", ROOT, {"a": "1.0.0", "b": "0.3.1", "c": "5.0.0"})
    _lockfile(folder / "head", ROOT, {"a": "2.0.0", "b": "0.3.1", "c": "5.0.0", "d": "1.0.0"})
    assert pr_changes(store, "demo (latest)") == [
        Change("a", "1.0.0", "2.0.0"),
        Change("d", None, "1.0.0"),
    ]
