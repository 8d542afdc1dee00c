"""Bounded, total readers for untrusted files and JSON."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from scanner.errors import LockfileError
from scanner.untrusted import loads, read_file, read_text


def test_deep_nesting_is_an_input_error_not_a_recursion_error() -> None:
    with pytest.raises(LockfileError, match="nested deeper"):
        loads("[" * 100_000, subject="x", error=LockfileError)


def test_nesting_just_over_the_limit_is_refused_and_at_the_limit_accepted() -> None:
    assert loads("[[[1]]]", subject="x", max_depth=3) == [[[1]]]
    with pytest.raises(LockfileError, match="nested deeper than 3"):
        loads('[[{"a": [1]}]]', subject="x", error=LockfileError, max_depth=3)


@pytest.mark.parametrize("text", ['{"v": 1' + "0" * 5000 + "}", '{"v": 1.' + "5" * 500 + "}"])
def test_huge_numbers_are_refused(text: str) -> None:
    with pytest.raises(LockfileError, match="not valid JSON"):
        loads(text, subject="lock", error=LockfileError)


def test_nan_and_infinity_are_refused() -> None:
    with pytest.raises(LockfileError, match="NaN"):
        loads("[NaN]", subject="lock", error=LockfileError)


def test_error_names_the_subject() -> None:
    with pytest.raises(LockfileError) as caught:
        loads("{", subject="pkg/package-lock.json", error=LockfileError)
    assert caught.value.one_line().startswith("pkg/package-lock.json: not valid JSON")


def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "lock.json"
    os.mkfifo(fifo)
    with pytest.raises(LockfileError, match="not a regular file"):
        read_file(fifo, error=LockfileError)


def test_device_and_directory_are_refused(tmp_path: Path) -> None:
    with pytest.raises(LockfileError, match="not a regular file"):
        read_file(Path("/dev/zero"), error=LockfileError)
    with pytest.raises(LockfileError, match="is a directory"):
        read_file(tmp_path, error=LockfileError)


def test_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "big"
    path.write_bytes(b"x" * 101)
    assert read_file(path, max_bytes=101) == b"x" * 101
    with pytest.raises(LockfileError, match="larger than the 100 bytes limit"):
        read_file(path, max_bytes=100, error=LockfileError)


def test_read_text_drops_bom_and_refuses_non_utf8(tmp_path: Path) -> None:
    path = tmp_path / "t"
    path.write_bytes(b"\xef\xbb\xbf{}")
    assert read_text(path) == "{}"
    path.write_bytes(b"\xff\xfe")
    with pytest.raises(LockfileError, match="not UTF-8"):
        read_text(path, error=LockfileError)
