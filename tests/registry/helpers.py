"""Registry documents shaped like real ones, for the registry tests."""

from __future__ import annotations

from typing import Any

REG = "https://registry.example.test/"


def manifest(name: str, version: str, **extra: Any) -> dict[str, Any]:
    """A registry version manifest with the noise a real one carries."""
    base = name.rsplit("/", 1)[-1]
    document: dict[str, Any] = {
        "name": name,
        "version": version,
        "description": "fixture package",
        "readme": "# readme\n" * 20,
        "_npmUser": {"name": "alice", "email": "alice@example.test"},
        "maintainers": [{"name": "alice", "email": "alice@example.test"}],
        "dist": {
            "tarball": f"{REG}{name}/-/{base}-{version}.tgz",
            "shasum": "0" * 40,
            "integrity": "sha512-" + "A" * 86 + "==",
            "fileCount": 3,
        },
    }
    document.update(extra)
    return document


def packument_document(name: str, versions: tuple[str, ...] = ("1.0.0",)) -> dict[str, Any]:
    return {
        "_id": name,
        "_rev": "3-abc",
        "name": name,
        "dist-tags": {"latest": versions[-1]},
        "versions": {v: manifest(name, v) for v in versions},
        "time": {
            "created": "2020-01-01T00:00:00.000Z",
            **{v: "2020-01-02T00:00:00.000Z" for v in versions},
        },
        "maintainers": [{"name": "alice", "email": "alice@example.test"}],
        "readme": "# top readme",
    }
