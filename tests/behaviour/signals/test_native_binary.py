from __future__ import annotations

import pytest

from scanner.behaviour.signals.native_binary import native_kind


@pytest.mark.parametrize(
    ("path", "data", "kind"),
    [
        ("bin/tool", b"\x7fELF\x02\x01\x01" + b"\0" * 64, "ELF"),
        ("lib/x.dylib", b"\xcf\xfa\xed\xfe" + b"\0" * 64, "Mach-O"),
        ("lib/fat", b"\xca\xfe\xba\xbe\x00\x00\x00\x02" + b"\0" * 64, "Mach-O"),
        ("tool.exe", b"MZ\x90\x00" + b"\0" * 64, "PE"),
        ("build/Release/addon.node", b"\x00asm-not-really", "node-addon"),
    ],
)
def test_native_formats(path: str, data: bytes, kind: str) -> None:
    assert native_kind(path, data) == kind


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("a.wasm", b"\x00asm\x01\x00\x00\x00"),
        ("README.md", b"MZ is how this text starts"),
        ("Foo.class", b"\xca\xfe\xba\xbe\x00\x00\x00\x34" + b"\0" * 16),
        ("logo.png", b"\x89PNG\r\n\x1a\n"),
    ],
)
def test_wasm_text_java_classes_and_images_are_not_native(path: str, data: bytes) -> None:
    assert native_kind(path, data) is None
