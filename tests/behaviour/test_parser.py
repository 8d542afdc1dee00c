from __future__ import annotations

import subprocess
import sys

from scanner.behaviour.parser import Grammar, error_ranges, grammar_for, parse


def test_grammar_by_file_name() -> None:
    assert grammar_for("a.js") is Grammar.JAVASCRIPT
    assert grammar_for("a.mjs") is Grammar.JAVASCRIPT
    assert grammar_for("a.ts") is Grammar.TYPESCRIPT
    assert grammar_for("a.cts") is Grammar.TYPESCRIPT
    assert grammar_for("a.tsx") is Grammar.TSX


def test_error_ranges_locate_the_broken_line() -> None:
    tree = parse(b"const a = 1;\nconst b = (;\nconst c = 3;\n", Grammar.JAVASCRIPT)
    ranges = error_ranges(tree.root_node)
    assert ranges and {line for _, _, line in ranges} == {2}
    assert error_ranges(parse(b"const a = 1;", Grammar.JAVASCRIPT).root_node) == []


def test_the_parser_is_not_imported_by_the_cli() -> None:
    code = (
        "import sys, scanner.cli, scanner.behaviour.model, scanner.behaviour.analyse;"
        "print('tree_sitter' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_a_parse_past_its_deadline_is_abandoned_and_the_parser_still_works() -> None:
    import pytest

    from scanner.behaviour.parser import ParseTimeout

    source = b"const a = [" + b"f(1), " * 20000 + b"];\n"
    with pytest.raises(ParseTimeout):
        parse(source, Grammar.JAVASCRIPT, seconds=-1.0)
    assert not parse(b"const a = 1;", Grammar.JAVASCRIPT).root_node.has_error
