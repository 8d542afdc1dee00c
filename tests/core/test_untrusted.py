"""Bounded, total readers for untrusted files and JSON."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from scanner.errors import LockfileError
from scanner.untrusted import estimated_json_memory, loads, loads_toml, read_file, read_text


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
    assert caught.value.one_line().startswith("pkg/package-lock.json: is not valid JSON (line 1")


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


def test_read_file_names_the_kind_of_file(tmp_path: Path) -> None:
    with pytest.raises(LockfileError) as caught:
        read_file(tmp_path / "missing.toml", error=LockfileError, what="policy file")
    assert caught.value.message.startswith("cannot read policy file:")
    with pytest.raises(LockfileError, match="is a directory, not a policy file"):
        read_file(tmp_path, error=LockfileError, what="policy file")


def test_non_utf8_json_is_reported_as_invalid_json() -> None:
    with pytest.raises(LockfileError, match=r"is not valid JSON \(not UTF-8 text, byte 8\)"):
        loads(b'{"id": "\xff"}', subject="x", error=LockfileError)


def test_jsonc_label_appears_in_messages() -> None:
    with pytest.raises(LockfileError, match=r"is not valid JSONC \(line 1, column 2"):
        loads("{", subject="bun.lock", error=LockfileError, label="JSONC")


def test_memory_estimate_is_an_upper_bound_on_what_json_loads_allocates() -> None:
    import json
    import tracemalloc

    for text in (
        "[" + ",".join(["{}"] * 50_000) + "]",
        "[" + ",".join(['"ab"'] * 50_000) + "]",
        "[" + ",".join(['{"k": 1000}'] * 20_000) + "]",
    ):
        tracemalloc.start()
        json.loads(text)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert peak <= estimated_json_memory(text) <= 4 * peak + len(text)


def test_a_document_that_would_not_fit_in_memory_is_refused_before_parsing() -> None:
    text = "[" + ",".join(["{}"] * 2_000_000) + "]"  # 6 MB of text, about 150 MB once parsed
    assert loads(text, subject="x", max_memory=512 * 1024 * 1024) is not None
    expected = r"would need about \d+ MB of memory once parsed, over the 64 MB limit"
    with pytest.raises(LockfileError, match=expected):
        loads(text, subject="big.json", error=LockfileError, max_memory=64 * 1024 * 1024)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a = " + "[" * 5000 + "]" * 5000, "nested deeper than"),
        ("a = " + "[" * 200 + "]" * 200, "nested deeper than 128"),
        ("a = 1" + "0" * 5000, "a number with too many digits"),
        ("a = 1." + "5" * 500, "a number of 502 characters"),
        ("[x]\n" + "a." * 1000 + "b = 1\n", "line 2: more than 64 dots in one line"),
        ('a = "x"\nb = \n', "line 2: invalid TOML: Invalid value (column 5)"),
    ],
)
def test_pathological_toml_is_an_input_error(text: str, expected: str) -> None:
    with pytest.raises(LockfileError) as caught:
        loads_toml(text, subject="p.toml", error=LockfileError)
    assert expected in caught.value.message
    assert caught.value.subject == "p.toml"


def test_toml_with_dates_and_tables_is_read() -> None:
    data = loads_toml('[x]\nwhen = 2024-01-02\nnames = ["a.b", "c"]\n', subject="p")
    assert data == {"x": {"when": __import__("datetime").date(2024, 1, 2), "names": ["a.b", "c"]}}
