"""Analysing small, inert source snippets written for these tests."""

from __future__ import annotations

from scanner.behaviour.analyse import FileAnalysis, analyse_code
from scanner.behaviour.model import Capability, Method, Signal


def analyse(source: str, path: str = "index.js", **options: int) -> FileAnalysis:
    return analyse_code(path, source.encode(), **options)


def signals(source: str, path: str = "index.js") -> list[Signal]:
    return list(analyse(source, path).signals)


def details(source: str, capability: Capability, path: str = "index.js") -> set[str | None]:
    """The details of ``capability`` found in ``source`` (empty when it is not found)."""
    return {s.detail for s in signals(source, path) if s.capability is capability}


def found(source: str, capability: Capability, path: str = "index.js") -> bool:
    return bool(details(source, capability, path))


def methods(source: str, path: str = "index.js") -> set[Method]:
    return {s.method for s in signals(source, path)}
