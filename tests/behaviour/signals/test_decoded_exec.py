from __future__ import annotations

import pytest

from scanner.behaviour.model import Capability

from ..snippets import analyse, details, found

EXEC = Capability.DECODED_EXEC


@pytest.mark.parametrize(
    ("source", "sink"),
    [
        # A literal written in the file and decoded is marked: that is a packed payload.
        ("eval(atob('Y29uc29sZQ=='));", "literal:eval"),
        ("require(Buffer.from('6f73', 'hex').toString());", "literal:require"),
        ("const P = 'Y29uc29sZQ=='; eval(atob(P));", "literal:eval"),
        ("const r = require; r(Buffer.from('6f73', 'hex').toString());", "literal:require"),
        ("const code = Buffer.from(p, 'base64').toString('utf8'); eval(code);", "eval"),
        ("let s; s = atob(p); new Function(s)();", "Function"),
        (
            "const d = crypto.createDecipheriv('aes-256-cbc', k, iv);"
            "let out = d.update(p, 'hex', 'utf8'); out += d.final('utf8');"
            "const m = new module.constructor(); m._compile(out, 'x.js');",
            "module._compile",
        ),
        (
            "const { exec } = require('child_process'); const c = atob(p); exec(c);",
            "child_process",
        ),
        (
            "const m = [99, 104, 105, 108, 100, 95, 112, 114].map(c => String.fromCharCode(c))"
            ".join(''); require(m);",
            "require",
        ),
        ("const vm = require('vm'); vm.runInThisContext(atob(p));", "vm"),
    ],
)
def test_decoded_values_reaching_a_sink(source: str, sink: str) -> None:
    assert details(source, EXEC) == {sink}


def test_through_a_function_that_decodes() -> None:
    source = "const decode = s => Buffer.from(s, 'base64').toString(); eval(decode(p));"
    [signal] = [s for s in analyse(source).signals if s.capability is EXEC]
    assert signal.detail == "eval"
    assert "decode()" in signal.evidence


def test_through_one_function_call_into_a_sink() -> None:
    source = "function run(c) { return new Function(c)(); }\nrun(atob(p));"
    [signal] = [s for s in analyse(source).signals if s.capability is EXEC]
    assert signal.detail == "Function"
    assert "run()" in signal.evidence


@pytest.mark.parametrize(
    "source",
    [
        "const img = Buffer.from(p, 'base64'); fs.writeFileSync('a.png', img); eval(other);",
        "const t = atob(token); send(t); require('./x');",
        "eval(code); const b = Buffer.from(s, 'hex');",
        "function run(c) { return c.length; } run(atob(p)); eval(x);",
    ],
)
def test_decoding_and_running_unrelated_values_is_not_decoded_exec(source: str) -> None:
    assert not found(source, EXEC)


def test_found_by_pattern_in_a_file_over_the_cap() -> None:
    analysis = analyse("eval(atob('Y29uc29sZQ=='));", max_parse_bytes=4)
    assert {s.detail for s in analysis.signals if s.capability is EXEC} == {"eval"}


def test_a_short_name_reused_in_another_function_does_not_carry_decoded_data() -> None:
    # cjs-module-lexer's shape: a WebAssembly module decoded into a local Q in one function,
    # and an unrelated Q in another function passed to a helper that evaluates string literals.
    source = (
        "function g(){const A='AGFzbQEAAAAB';return Buffer.from(A,'base64')}\n"
        "async function init(){const Q=await WebAssembly.compile(g());return Q}\n"
        "function B(A){try{return (0,eval)(A)}catch{}}\n"
        "function parse(s){const Q=s.slice(1,4);return B(Q)}\n"
    )
    assert not found(source, Capability.DECODED_EXEC)
    # Within one function the flow is still followed.
    loader = "function run(){const Q=Buffer.from(p,'base64').toString();return eval(Q)}\n"
    assert found(loader, Capability.DECODED_EXEC)


def test_bytes_compiled_as_webassembly_are_not_followed_into_the_instance() -> None:
    # es-module-lexer's shape: the instance's exports are used everywhere, one of them next to
    # an eval of string literals.
    source = (
        "const C=()=>Buffer.from('AGFzbQEAAAAB','base64');let E;\n"
        "const initSync=()=>{const A=new WebAssembly.Module(C());E=new WebAssembly.Instance(A)};\n"
        "function s(A){try{return(0,eval)(A)}catch(A){}}\n"
        "function parse(){const w=E.es();return s(w)}\n"
    )
    assert not found(source, Capability.DECODED_EXEC)


def test_a_parameter_reassigned_with_decoded_data_stays_in_its_function() -> None:
    # vitest's shape: a data: URI decoded into the function's own `code`, and a module
    # loader elsewhere compiling a file's `code`.
    source = (
        "function parseDataUri(uri){let {code} = match(uri);\n"
        "  code = Buffer.from(code, 'base64').toString(); return {code};}\n"
        "const requireJs = (m, filename) => {const code = read(filename); m._compile(code);};\n"
    )
    assert not found(source, Capability.DECODED_EXEC)
    same = "function run(code){code = Buffer.from(code, 'base64').toString(); eval(code);}\n"
    assert found(same, Capability.DECODED_EXEC)
