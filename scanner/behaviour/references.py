"""Package files a process-spawning call runs: what makes them part of their caller's zone.

``child_process.fork('./worker.js')``, ``spawn(process.execPath, [path.join(__dirname,
'setup.js')])``, ``execSync('node scripts/x.js')`` and ``new Worker('./w.js')`` run a file of
the package as surely as a require does; an install script that forks a second file makes that
file install-time code. References are kept as specifiers: ``./a/b.js`` relative to the calling
file (a ``path.join(__dirname, ...)`` of literals), ``package:a/b.js`` relative to the package
root (a bare path, which node and the shell resolve from the working directory: the package
folder during install).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from scanner.behaviour.syntax import arguments, descendants, string_value, unwrap

if TYPE_CHECKING:
    from tree_sitter import Node

    from scanner.behaviour.context import FileContext

ROOT_PREFIX = "package:"
_CODE_FILE = re.compile(r"^(?:\./)?[\w@.-][\w@./-]*\.(?:[cm]?js|[cm]?ts|sh)$")
_JOINS = frozenset({"path.join", "path.resolve", "join", "resolve"})
_MAX_NODES = 200
_MAX_ARGUMENTS = 3


def run_references(ctx: FileContext, call: Node) -> list[str]:
    found: list[str] = []
    joined: list[tuple[int, int]] = []
    for argument in arguments(call)[:_MAX_ARGUMENTS]:
        for node in descendants(argument, _MAX_NODES):
            kind = node.type
            if kind == "call_expression":
                reference = _dirname_join(ctx, node)
                if reference is not None:
                    found.append(reference)
                    joined.append((node.start_byte, node.end_byte))
            elif kind in ("string", "template_string"):
                if any(start <= node.start_byte < end for start, end in joined):
                    continue
                value = string_value(node, ctx.data)
                for token in (value or "").split():
                    if _CODE_FILE.match(token) and ".." not in token.split("/"):
                        found.append(ROOT_PREFIX + token)
    return found


def _dirname_join(ctx: FileContext, call: Node) -> str | None:
    """``./a/b.js`` for ``path.join(__dirname, 'a', 'b.js')`` (every piece a literal)."""
    function = call.child_by_field_name("function")
    if function is None or ctx.qualified(function) not in _JOINS:
        return None
    args = arguments(call)
    if len(args) < 2:
        return None
    first = unwrap(args[0])
    if first.type != "identifier" or ctx.text(first) != "__dirname":
        return None
    pieces = [string_value(unwrap(a), ctx.data) for a in args[1:]]
    if any(piece is None for piece in pieces):
        return None
    return "./" + "/".join(piece.strip("/") for piece in pieces if piece)
