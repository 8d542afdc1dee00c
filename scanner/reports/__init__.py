"""Report formats. Each is a module with ``render(result: ScanResult) -> str``, loaded on use."""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable

from scanner.model import ScanResult

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


def renderer(name: str) -> Callable[[ScanResult], str]:
    module = importlib.import_module(FORMATS[name])
    render: Callable[[ScanResult], str] = module.render
    return render
