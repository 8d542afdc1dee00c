"""Computed require and import: modules whose name is decided at run time.

Detects ``require(x)``, ``module.require(x)`` and ``import(x)`` whose argument is not a string
literal (a template literal without substitutions counts as a literal). ``detail`` is
``require`` or ``import``, with ``:local`` when the argument is visibly a path inside the
package (a template or concatenation that starts with ``./`` or ``../``, or ``path.join`` /
``path.resolve`` from ``__dirname``), which is how plugin loaders and locale tables look.

Why: ``require(Buffer.from('...', 'hex').toString())`` hides which module is loaded (usually
child_process or https) from every scanner that reads module names, and is the usual first line
of a decoded payload.

Ignores: ``require.resolve(x)`` (finds a path, loads nothing), bundler runtimes'
``__webpack_require__(n)`` (numeric module ids of the bundle itself), the words in comments and
strings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scanner.behaviour.context import ModuleRef
from scanner.behaviour.model import Capability
from scanner.behaviour.signals.base import Detector, SignalSpec, Trigger
from scanner.behaviour.syntax import arguments, string_value, unwrap
from scanner.behaviour.triggers import unexplained_module_reference

if TYPE_CHECKING:
    from tree_sitter import Node

    from scanner.behaviour.context import FileContext

_LOCAL_START = ("./", "../")


def is_local_path(ctx: FileContext, node: Node) -> bool:
    """Whether an expression visibly builds a path inside the package."""
    node = unwrap(node)
    if node.type == "template_string":
        return ctx.text(node, 8)[1:].startswith(_LOCAL_START)
    if node.type == "binary_expression":
        left = node.child_by_field_name("left")
        value = string_value(unwrap(left), ctx.data) if left is not None else None
        return value is not None and value.startswith(_LOCAL_START)
    if node.type == "call_expression":
        function = node.child_by_field_name("function")
        name = ctx.qualified(function) if function is not None else None
        args = arguments(node)
        if name in ("path.join", "path.resolve") and args:
            first = unwrap(args[0])
            return first.type == "identifier" and ctx.text(first) == "__dirname"
    return False


class ComputedRequireDetector(Detector):
    wants_modules = True

    def on_module(self, ref: ModuleRef) -> None:
        if ref.spec is not None or ref.argument is None:
            return
        if ref.kind not in ("require", "dynamic-import"):
            return
        kind = "import" if ref.kind == "dynamic-import" else "require"
        if is_local_path(self.ctx, ref.argument):
            kind += ":local"
        self.ctx.emit(Capability.COMPUTED_REQUIRE, ref.node, detail=kind)


SIGNAL = SignalSpec(
    id=Capability.COMPUTED_REQUIRE.value,
    title="Loads modules by computed name",
    capabilities=(Capability.COMPUTED_REQUIRE,),
    detector=ComputedRequireDetector,
    doc=__doc__ or "",
    triggers=(Trigger(tests=(unexplained_module_reference,)),),
    # The fallback's shared require/import pass reports computed arguments itself.
)
