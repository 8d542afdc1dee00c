"""Stand-in tarballs and registry documents, read back through depscan's own readers."""

from __future__ import annotations

from datetime import timedelta

from benchmarks.detection.cases import NOW
from benchmarks.detection.packing import (
    Published,
    RegistryMeta,
    TreeFile,
    pack,
    registry_document,
    synthetic_packument,
)
from scanner.tarball.archive import read_package
from scanner.tarball.integrity import sri_sha512
from scanner.timestamps import parse_time

FILES = {
    "package.json": TreeFile(b'{"name": "demo", "version": "1.0.1"}'),
    "bin/run.sh": TreeFile(b"#!/bin/sh\nexit 1\n", 0o755),
}


def test_pack_is_deterministic_and_npm_shaped() -> None:
    first, second = pack(FILES), pack(dict(reversed(list(FILES.items()))))
    assert first == second
    archive = read_package(first, "demo")
    assert archive.root_folder == "package"
    assert set(archive.files) == {"package.json", "bin/run.sh"}
    assert archive.files["bin/run.sh"].mode == 0o755


def test_registry_document_history_times_and_served_overrides() -> None:
    old_manifest = {"name": "demo", "version": "1.0.0"}
    new_manifest = {
        "name": "demo",
        "version": "1.0.1",
        "scripts": {"postinstall": "node x.js", "test": "t"},
    }
    old, new = pack(FILES), pack({**FILES, "x.js": TreeFile(b"")})
    meta = RegistryMeta.from_json(
        {
            "created_days_ago": 100,
            "versions": 6,
            "published_days_ago": 1,
            "previous_published_days_ago": 40,
            "served": {"scripts": None},
        }
    )
    document = registry_document(
        "demo",
        [Published("1.0.0", old_manifest, old), Published("1.0.1", new_manifest, new)],
        meta,
        NOW,
    )
    assert len(document["versions"]) == 6
    assert "scripts" not in document["versions"]["1.0.1"]  # what the registry shows
    packument = synthetic_packument(
        "demo",
        [Published("1.0.0", old_manifest, old), Published("1.0.1", new_manifest, new)],
        meta,
        NOW,
    )
    assert packument.versions["1.0.1"].integrity == sri_sha512(new)
    assert packument.versions["1.0.1"].scripts == {}
    assert parse_time(packument.time["1.0.1"]) == NOW - timedelta(days=1)
    assert parse_time(packument.time["1.0.0"]) == NOW - timedelta(days=40)
    assert parse_time(packument.time["created"]) == NOW - timedelta(days=100)
    history = [v for v in packument.versions if v not in ("1.0.0", "1.0.1")]
    assert all(v.startswith("0.") for v in history)


def test_a_single_new_version_is_created_when_published() -> None:
    tgz = pack(FILES)
    meta = RegistryMeta.from_json({"created_days_ago": 2, "versions": 1, "published_days_ago": 2})
    packument = synthetic_packument("demo", [Published("1.0.1", {"name": "demo"}, tgz)], meta, NOW)
    assert list(packument.versions) == ["1.0.1"]
    assert packument.time["created"] == packument.time["1.0.1"]
