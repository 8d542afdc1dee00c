from __future__ import annotations

import pytest

from scanner.behaviour import fallback
from scanner.behaviour.context import FileContext
from scanner.behaviour.model import Capability, Method
from scanner.behaviour.signals import all_signals


def _scan(source: bytes) -> dict[tuple[Capability, str | None], int]:
    ctx = FileContext(path="", data=source)
    fallback.scan(ctx, all_signals())
    return {(s.capability, s.detail): s.count for s in ctx.signals()}


def test_patterns_find_the_core_payload_shapes() -> None:
    found = _scan(
        b"const cp = require('child_process');\nimport net from 'node:net';\n"
        b"eval(atob(p)); send(JSON.stringify(process.env)); process.env.NPM_TOKEN;\n"
        b"post('https://webhook.site/x'); require(name);\n"
    )
    assert (Capability.PROCESS_SPAWN, "child_process") in found
    assert (Capability.NETWORK, "net") in found
    assert (Capability.DECODED_EXEC, "eval") in found
    assert (Capability.ENV_ALL, "serialised") in found
    assert (Capability.ENV_SECRET, "NPM_TOKEN") in found
    assert (Capability.EXFIL_ENDPOINT, "webhook:webhook.site") in found
    assert (Capability.COMPUTED_REQUIRE, "require") in found


def test_member_named_fetch_is_not_matched_even_by_pattern() -> None:
    assert (Capability.NETWORK, "fetch") not in _scan(b"this.fetch(x); cache.fetch(y);")
    assert (Capability.NETWORK, "fetch") in _scan(b"fetch(x);")


def test_min_count_for_obfuscator_names() -> None:
    few = b" ".join(b"_0x%04x" % i for i in range(5))
    many = b" ".join(b"_0x%04x" % i for i in range(30))
    assert (Capability.OBFUSCATION, "obfuscator-identifiers") not in _scan(few)
    assert _scan(many)[(Capability.OBFUSCATION, "obfuscator-identifiers")] == 30


def test_huge_files_get_only_the_lean_patterns(monkeypatch: pytest.MonkeyPatch) -> None:
    source = b"fs.writeFileSync(p, d); eval(x);"
    monkeypatch.setattr(fallback, "FULL_PATTERN_BYTES", 10)
    found = _scan(source)
    assert (Capability.DYNAMIC_CODE, "eval") in found
    assert not any(cap is Capability.FILE_WRITE for cap, _ in found)


def test_signals_are_marked_as_patterns_with_lines() -> None:
    ctx = FileContext(path="", data=b"\n\nconst x = eval(y);\n")
    fallback.scan(ctx, all_signals())
    [signal] = ctx.signals()
    assert (signal.line, signal.method) == (3, Method.PATTERN)


def test_every_pattern_starts_with_a_literal() -> None:
    # A pattern that starts with an alternation or class is tried at every byte (30x slower).
    from re import _parser  # type: ignore[attr-defined]

    for spec in all_signals():
        for pattern in spec.patterns:
            if pattern.locate is not None:
                continue  # searched only in the spans its locator finds
            first_op = _parser.parse(pattern.regex.pattern)[0][0]
            assert str(first_op) == "LITERAL", pattern.regex.pattern
