from __future__ import annotations

import pytest

from scanner.behaviour.model import Capability

from ..snippets import details, found


@pytest.mark.parametrize(
    ("source", "detail"),
    [
        ("Buffer.from(s, 'hex');", "hex"),
        ("Buffer.from(s, 'base64').toString();", "base64"),
        ("new Buffer(s, 'base64url');", "base64"),
        ("atob(s); window.atob(t);", "atob"),
        ("String.fromCharCode(...codes);", "char-codes"),
        ("String.fromCharCode.apply(null, codes);", "char-codes"),
        ("String.fromCharCode(104, 101, 108, 108, 111, 32, 119, 111);", "char-codes"),
        ("[104, 101, 108, 108, 111, 32, 119, 111].map(c => String.fromCharCode(c));", "char-codes"),
        ("const d = crypto.createDecipheriv(a, k, iv); d.update(x, 'hex', 'utf8');", "decipher"),
        ("Base64.decode(s);", "base64"),
    ],
)
def test_decoding(source: str, detail: str) -> None:
    assert detail in details(source, Capability.DECODE)


@pytest.mark.parametrize(
    "source",
    [
        "String.fromCharCode(code);",
        "buf.toString('base64'); Buffer.from(text, 'utf8');",
        "hash.update(data); hash.digest('hex');",
        "// atob(s)",
    ],
)
def test_encoding_single_char_codes_and_hashing_are_not_decoding(source: str) -> None:
    assert not found(source, Capability.DECODE)
