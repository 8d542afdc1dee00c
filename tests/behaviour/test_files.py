from __future__ import annotations

import pytest

from scanner.behaviour.files import FileKind, file_kind, is_minified


@pytest.mark.parametrize(
    ("path", "data", "kind"),
    [
        ("lib/a.js", b"x", FileKind.CODE),
        ("lib/a.mts", b"x", FileKind.CODE),
        ("index.d.ts", b"x", FileKind.TYPES),
        ("index.d.mts", b"x", FileKind.TYPES),
        ("index.d.cts", b"x", FileKind.TYPES),
        ("bin/cli", b"#!/usr/bin/env node\nx", FileKind.CODE),
        ("bin/run", b"#!/bin/bash\necho", FileKind.SHELL),
        ("setup.sh", b"echo", FileKind.SHELL),
        ("bin/tool", b"\x7fELF\x02", FileKind.BINARY),
        ("README.md", b"# hi", FileKind.OTHER),
        ("script.py", b"#!/usr/bin/env python3\n", FileKind.OTHER),
    ],
)
def test_file_kinds(path: str, data: bytes, kind: FileKind) -> None:
    assert file_kind(path, data) is kind


def test_files_the_manifest_runs_are_code_whatever_their_name() -> None:
    assert file_kind("bin/cli", b"require('./x')") is FileKind.OTHER
    assert file_kind("bin/cli", b"require('./x')", executable=True) is FileKind.CODE


def test_minified() -> None:
    assert is_minified(b"a;" * 2000)
    assert not is_minified(b"a;\n" * 2000)
    assert not is_minified(b"short")
