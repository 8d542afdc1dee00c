from __future__ import annotations

from scanner.behaviour.model import Capability

from ..snippets import details, found

COMPUTED = Capability.COMPUTED_REQUIRE


def test_computed_require_and_import() -> None:
    assert details("require(name);", COMPUTED) == {"require"}
    assert details("const m = await import(spec);", COMPUTED) == {"import"}
    assert details("module.require(x);", COMPUTED) == {"require"}


def test_local_looking_paths_are_marked_local() -> None:
    source = (
        "require(`./locale/${lang}`); require('./plugins/' + name);"
        "require(path.join(__dirname, 'rules', rule));"
    )
    assert details(source, COMPUTED) == {"require:local"}


def test_literals_and_resolve_are_not_computed() -> None:
    source = "require('a'); require(`b`); import('c'); require.resolve(n); __webpack_require__(3);"
    assert not found(source, COMPUTED)


def test_decoded_module_names_are_computed() -> None:
    source = "require(Buffer.from('6f73', 'hex').toString());"
    assert details(source, COMPUTED) == {"require"}
