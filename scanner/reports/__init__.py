"""Report formats. Each is a module with ``render(result, *, base_dir=None) -> str``, loaded on
use. ``base_dir`` is the folder that file locations are made relative to (the repository root)."""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path
from typing import Protocol

from scanner.model import ScanResult


class Renderer(Protocol):
    def __call__(self, result: ScanResult, *, base_dir: Path | None = None) -> str: ...

FORMATS: dict[str, str] = {
    "text": "scanner.reports.text",
    "json": "scanner.reports.json_report",
    "sarif": "scanner.reports.sarif",
    "markdown": "scanner.reports.markdown",
    "github": "scanner.reports.github",
}


def available_formats() -> list[str]:
    """Formats whose module is present in this build."""
    out = []
    for name, module in FORMATS.items():
        if importlib.util.find_spec(module) is not None:
            out.append(name)
    return out


def renderer(name: str) -> Renderer:
    module = importlib.import_module(FORMATS[name])
    render: Renderer = module.render
    return render
