"""The JavaScript and TypeScript parser: tree-sitter, loaded only when a tarball is analysed.

Why a parser and not regular expressions: a pattern cannot tell ``fetch(`` the global from
``this.fetch(``, nor code from the same characters in a comment, a string or a regex literal, nor
where a string literal starts and ends in minified code (the old high-entropy regex measured the
code between two literals). tree-sitter gives a concrete syntax tree of the whole file in C, at
about 9 MB/s here, and keeps going past syntax errors (marking them), so one bad line does not
cost the rest of the file.

TypeScript sources (.ts/.mts/.cts, .tsx) get tree-sitter's TypeScript grammars: their node types
extend JavaScript's, so every signal works unchanged, where the JavaScript grammar would stop at
the first type annotation. A .js file the JavaScript grammar cannot parse cleanly (Flow types,
JSX-with-types) is tried once more with the TSX grammar and the tree with fewer errors is kept.
"""

from __future__ import annotations

import time
from enum import StrEnum
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tree_sitter import Language, Node, Parser, Point, Query, Tree

MAX_PARSE_BYTES = 1024 * 1024
"""Files larger than this are scanned with patterns instead (FileProfile.parsed is False).

Parsing costs about 0.11 s per MB and the signal walk about as much again; payloads injected by
hijacked releases sit in small files (the 2025 chalk/debug payload was one line of index.js),
while the files over a megabyte are the bundles of big tools (typescript.js is 8.9 MB). The
pattern fallback still looks at those, more coarsely, and says so."""


class Grammar(StrEnum):
    JAVASCRIPT = "javascript"
    TYPESCRIPT = "typescript"
    TSX = "tsx"


_TYPESCRIPT_SUFFIXES = (".ts", ".mts", ".cts")


def grammar_for(path: str) -> Grammar:
    """The grammar a file is parsed with first, by its name."""
    lowered = path.lower()
    if lowered.endswith(".tsx"):
        return Grammar.TSX
    if lowered.endswith(_TYPESCRIPT_SUFFIXES):
        return Grammar.TYPESCRIPT
    return Grammar.JAVASCRIPT


@cache
def language(grammar: Grammar) -> Language:
    from tree_sitter import Language

    if grammar is Grammar.JAVASCRIPT:
        import tree_sitter_javascript

        return Language(tree_sitter_javascript.language())
    import tree_sitter_typescript

    if grammar is Grammar.TSX:
        return Language(tree_sitter_typescript.language_tsx())
    return Language(tree_sitter_typescript.language_typescript())


@cache
def _parser(grammar: Grammar) -> Parser:
    from tree_sitter import Parser

    return Parser(language(grammar))


@cache
def node_query(grammar: Grammar, node_types: frozenset[str]) -> Query:
    """One query that captures every node of the given types, each under its own type name.

    Running it is the single walk of a file's tree: tree-sitter's query cursor visits the tree
    once in C and returns only the nodes some signal asked for.
    """
    from tree_sitter import Query

    lang = language(grammar)
    known = sorted(t for t in node_types if lang.id_for_node_kind(t, True) is not None)
    return Query(lang, "\n".join(f"({t}) @{t}" for t in known) or "(program) @program")


def run_query(query: Query, root: Node) -> dict[str, list[Node]]:
    """The query's captures under ``root``: capture name -> nodes in source order."""
    from tree_sitter import QueryCursor

    return QueryCursor(query).captures(root)


PARSE_SECONDS = 2.0
"""A parse that takes longer is abandoned (patterns are used). Real files under the cap parse in
a tenth of a second; tree-sitter's error recovery on hostile input can take many seconds."""


class ParseTimeout(Exception):
    """The parser was stopped at its deadline."""


def parse(data: bytes, grammar: Grammar, seconds: float | None = None) -> Tree:
    """The syntax tree of ``data``; :class:`ParseTimeout` past ``seconds`` (default
    :data:`PARSE_SECONDS`)."""
    parser = _parser(grammar)
    view = memoryview(data)
    deadline = time.monotonic() + (PARSE_SECONDS if seconds is None else seconds)

    def read(offset: int, point: Point) -> memoryview:
        return view[offset:]

    def overdue(offset: int, has_error: bool) -> bool:
        return time.monotonic() > deadline

    try:
        return parser.parse(read, progress_callback=overdue)
    except ValueError:  # what a cancelled parse raises
        parser.reset()
        raise ParseTimeout from None


def error_ranges(root: Node, limit: int = 64) -> list[tuple[int, int, int]]:
    """(start byte, end byte, 1-based line) of the syntax errors under ``root``, in order.

    Only subtrees that contain an error are entered, so a clean file costs nothing.
    """
    found: list[tuple[int, int, int]] = []
    stack = [root]
    while stack and len(found) < limit:
        node = stack.pop()
        if node.is_error or node.is_missing:
            # A missing token has no width: the line around it is where the trouble is.
            found.append(
                (node.start_byte, max(node.end_byte, node.start_byte + 1), node.start_point[0] + 1)
            )
            continue
        if node.has_error:
            stack.extend(reversed(node.children))
    return sorted(found)


def error_bytes(ranges: list[tuple[int, int, int]]) -> int:
    return sum(end - start for start, end, _ in ranges)
