from __future__ import annotations

import base64
import hashlib
import random

import pytest

from scanner.behaviour.model import Capability
from scanner.behaviour.signals.obfuscation import (
    ENTROPY_THRESHOLD,
    READABLE_SHARE,
    blob_kind,
    entropy,
    literal_digest,
    readable_share,
)

from ..snippets import analyse, details, found

OBF = Capability.OBFUSCATION


def _random_text(length: int, seed: int = 7) -> str:
    alphabet = (
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#%&()*,-.:;<=>?@[]^_{|}~"
    )
    rng = random.Random(seed)
    return "".join(rng.choice(alphabet) for _ in range(length))


def test_obfuscator_identifiers_in_numbers() -> None:
    names = " ".join(f"var _0x{i:04x}ab = _0x1a2b3c[{i}];" for i in range(25))
    [signal] = [s for s in analyse(names).signals if s.capability is OBF]
    assert signal.detail == "obfuscator-identifiers"
    assert signal.count >= 25
    assert not found("var _0x1a2b = 1; var _0x3c4d = 2;", OBF)


def test_string_array_rotation() -> None:
    source = "while (true) { try { break; } catch (e) { arr['push'](arr['shift']()); } }"
    assert details(source, OBF) == {"string-array-rotation"}
    assert not found("queue.push(other.shift());", OBF)


def test_blobs_and_high_entropy_literals_carry_a_content_hash() -> None:
    hex_blob = "ab12" * 80
    text = _random_text(300)
    source = f"const a = '{hex_blob}'; const b = '{text}';"
    assert details(source, OBF) == {
        f"hex-blob sha256:{literal_digest(hex_blob)}",
        f"high-entropy-string sha256:{literal_digest(text)}",
    }


def test_escaped_strings() -> None:
    escaped = "".join(f"\\x{b:02x}" for b in b"console.log('hello from an escaped string') " * 2)
    assert any(d and d.startswith("escaped-string") for d in details(f"x('{escaped}');", OBF))


def test_base64_blob() -> None:
    blob = base64.b64encode(hashlib.sha512(b"seed").digest() * 8).decode()
    assert any(d and d.startswith("base64-blob") for d in details(f"x('{blob}');", OBF))


@pytest.mark.parametrize(
    "value",
    [
        "data:image/png;base64," + base64.b64encode(bytes(range(256)) * 3).decode(),
        "data:font/woff2;base64," + base64.b64encode(bytes(range(256)) * 3).decode(),
        "AGFzbQEAAAA" + base64.b64encode(bytes(range(256)) * 3).decode(),
        "-----BEGIN CERTIFICATE-----\n" + base64.b64encode(bytes(range(256)) * 3).decode(),
        "这是一个很长的中文句子用来测试非 ASCII 文本不会被当作有效载荷" * 10,
        "The quick brown fox jumps over the lazy dog while reading documentation. " * 5,
        '<!DOCTYPE html><html><head><style>body{margin:0;font:12px/1.4 "Segoe UI",Arial}'
        ".x-1{color:#3a7;border:1px solid #ccc} #t2>td{padding:4px 8px}</style></head>"
        '<body><table id="t2"><tr><td>{{ruleId}}</td><td>{{message}}</td></tr></table>'
        "<script>var q=document.querySelectorAll('tr');for(var i=0;i<q.length;i++){q[i]"
        ".onclick=function(){this.classList.toggle('open')}}</script></body></html>",
    ],
)
def test_data_uris_wasm_certificates_and_prose_are_not_payloads(value: str) -> None:
    assert blob_kind(value, value) is None


def test_inline_source_maps_are_comments_not_payloads() -> None:
    data = base64.b64encode(bytes(range(256)) * 4).decode()
    source = f"module.exports = 1;\n//# sourceMappingURL=data:application/json;base64,{data}\n"
    assert not found(source, OBF)


def test_entropy_is_measured_per_literal_not_across_code() -> None:
    # Minified code full of short literals: the old regex measured the code between quotes.
    minified = ";".join(f"a{i}('k{i}','v{i}',{i}*{i}+b[{i}]%c)" for i in range(400))
    assert not found(minified, OBF)
    assert entropy("aaaa") == 0.0


def test_the_same_literal_gets_the_same_detail_in_another_file() -> None:
    text = _random_text(260, seed=3)
    first = details(f"const a = '{text}';", OBF)
    moved = details(f'function f() {{ return "{text}"; }}', OBF, path="lib/other.js")
    assert first == moved


def test_names_written_encoded_are_obfuscation() -> None:
    loader = (
        "(function (d) {\n"
        "  const m = require(d('6368696c645f70726f63657373'));\n"
        "  m[d('65786563')](d('6375726c202d73'));\n"
        "})(function (s) { return Buffer.from(s, 'hex').toString(); });\n"
    )
    assert details(loader, Capability.OBFUSCATION) == {"encoded-names"}
    assert details("const x = atob('Y2hpbGRfcHJvY2Vzcw==');", Capability.OBFUSCATION) == {
        "encoded-names"
    }


def test_hashes_ids_and_ordinary_base64_are_not_encoded_names() -> None:
    source = (
        "const hash = 'deadbeefcafebabe'; const id = 'a1b2c3d4e5f60718';\n"
        "const auth = 'dXNlcjpwYXNz'; const one = '68656c6c6f';\n"  # user:pass, and one word
    )
    assert not found(source, Capability.OBFUSCATION)


def test_sensitive_names_assembled_from_pieces_or_char_codes_are_encoded_names() -> None:
    joined = "const m = require(['child', 'process'].join('_')); m.exec('id');"
    assert details(joined, Capability.OBFUSCATION) == {"encoded-names"}
    codes = "const n = String.fromCharCode(101, 118, 97, 108); global[n]('1');"
    assert details(codes, Capability.OBFUSCATION) == {"encoded-names"}
    applied = "const n = String.fromCharCode.apply(null, [101, 120, 101, 99, 83]);"
    assert details(applied, Capability.OBFUSCATION) == {"encoded-names"}


def test_ordinary_joins_and_single_char_codes_are_not_encoded_names() -> None:
    source = (
        "const cls = ['btn', 'btn-primary'].join(' ');\n"
        "const path = ['lib', 'index.js'].join('/');\n"
        "const nl = String.fromCharCode(10);\n"
        "const parts = [a, b].join('');\n"
    )
    assert not found(source, Capability.OBFUSCATION)


def test_messages_joined_line_by_line_are_prose_not_encoded_names() -> None:
    source = (
        "console.warn(['typescript-eslint does not support this TypeScript version.',\n"
        "  'Please see https://example.test/process for the supported range.'].join('\\n'));\n"
        "const hint = ['run', 'exec', 'from', 'the', 'http', 'client'].join(' ');\n"
    )
    assert not found(source, Capability.OBFUSCATION)
    hidden = "const c = ['/usr/bin/cu', 'rl -s x'].join('');"
    assert details(hidden, Capability.OBFUSCATION) == {"encoded-names"}


def test_minified_code_and_css_kept_in_strings_are_not_high_entropy_blobs() -> None:
    script = (
        "$RV=function(B,g){function h(a,c){var e=a.getAttribute(c);return e?JSON.parse(e):null}"
        "for(var k=document.querySelectorAll('[data-rsc]'),l=0;l<k.length;l++){var m=k[l];"
        "m.parentNode.removeChild(m);$RT=performance.now();g(h(m,'data-x'),B)}};"
    ) * 3
    # Past the entropy threshold, as React's inline scripts are: only the words save it.
    assert entropy(script) >= ENTROPY_THRESHOLD
    assert blob_kind(script, script) is None
    css = ":root{--fc-small-font-size:.85em;--fc-page-bg-color:#FFF}.fc-icon{display:inline-block}"
    assert readable_share(css) > READABLE_SHARE > readable_share(_random_text(600))
    packed = _random_text(600)
    assert blob_kind(packed, packed) == "high-entropy-string"
