"""Package names whose version the project forces: npm ``overrides``, yarn ``resolutions``,
pnpm ``pnpm.overrides`` in the package.json next to the lockfile.

A forced version legitimately breaks the ranges dependents declare (excalidraw forces
``strip-ansi@6.0.1`` under ``^7.0.1`` through yarn ``resolutions``), so the range rule skips them.
"""

from __future__ import annotations

from pathlib import Path

from scanner.errors import DepscanError
from scanner.untrusted import MAX_MANIFEST_BYTES, loads, read_text


def _package_name(selector: str) -> str:
    """``**/a/@s/b@^1`` or ``a>b@2`` or ``@s/b`` -> the last package name in the selector."""
    last = selector.replace(">", "/").strip().strip("/")
    parts = [p for p in last.split("/") if p and p != "**"]
    if len(parts) >= 2 and parts[-2].startswith("@"):
        name = f"{parts[-2]}/{parts[-1]}"
    else:
        name = parts[-1] if parts else ""
    at = name.find("@", 1)
    return name[:at] if at > 0 else name


def _npm_override_names(value: object) -> set[str]:
    names: set[str] = set()
    if isinstance(value, dict):
        for key, nested in value.items():
            if key != ".":
                names.add(_package_name(str(key)))
            names |= _npm_override_names(nested)
    return names


def overridden_names(lockfile_path: Path) -> frozenset[str] | None:
    """Names forced by the manifest beside the lockfile; ``None`` when there is no readable one."""
    path = lockfile_path.parent / "package.json"
    try:  # bounded: a FIFO, a device or JSON nested 100,000 deep is "no readable manifest"
        manifest = loads(read_text(path, max_bytes=MAX_MANIFEST_BYTES), subject=str(path))
    except DepscanError:
        return None
    if not isinstance(manifest, dict):
        return None
    names = _npm_override_names(manifest.get("overrides"))
    resolutions = manifest.get("resolutions")
    if isinstance(resolutions, dict):
        names |= {_package_name(str(key)) for key in resolutions}
    pnpm = manifest.get("pnpm")
    if isinstance(pnpm, dict) and isinstance(pnpm.get("overrides"), dict):
        names |= {_package_name(str(key)) for key in pnpm["overrides"]}
    return frozenset(n for n in names if n)
