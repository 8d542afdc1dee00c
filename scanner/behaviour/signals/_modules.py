"""Helpers shared by the signals that recognise modules by name."""

from __future__ import annotations


def package_name(spec: str) -> str:
    """The package a module specifier loads: ``@a/b/c`` -> ``@a/b``, ``x/y`` -> ``x``."""
    spec = spec[5:] if spec.startswith("node:") else spec
    pieces = spec.split("/")
    if spec.startswith("@") and len(pieces) > 1:
        return "/".join(pieces[:2])
    return pieces[0]


def module_table(modules: tuple[str, ...], libraries: tuple[str, ...] = ()) -> dict[str, str]:
    """Module name -> detail for the fallback's require/import pass."""
    table = {name: name for name in modules}
    table.update({name: f"library:{name}" for name in libraries})
    return table
