"""Resolving module specifiers and manifest targets to files of the package, as Node does.

``./a`` from ``lib/x.js`` tries ``lib/a``, then ``lib/a.js``, ``.cjs``, ``.mjs``, ``.json``,
``.node`` (and the TypeScript extensions, for packages that ship sources), then
``lib/a/index.*``; a TypeScript import of ``./a.js`` also finds ``a.ts``. Nothing outside the
package resolves.
"""

from __future__ import annotations

import posixpath
from collections.abc import Collection

_EXTENSIONS = ("", ".js", ".cjs", ".mjs", ".json", ".node", ".jsx", ".ts", ".tsx", ".mts", ".cts")
_INDEXES = tuple(f"/index{ext}" for ext in _EXTENSIONS[1:])
_TS_FOR_JS = {".js": (".ts", ".tsx"), ".mjs": (".mts",), ".cjs": (".cts",)}


def normalise(target: str) -> str | None:
    """A manifest path (``./lib/index.js``, ``lib/``) as a package path; None if it leaves the
    package."""
    target = target.replace("\\", "/").strip()
    if not target or target.startswith("/"):
        return None
    path = posixpath.normpath(target)
    if path == ".":
        return ""
    if path == ".." or path.startswith("../"):
        return None
    return path


def resolve_path(path: str | None, files: Collection[str]) -> str | None:
    """The file a package path loads: itself, with an extension added, or a folder's index."""
    if path is None:
        return None
    for ext in _EXTENSIONS:
        candidate = path + ext
        if candidate and candidate in files:
            return candidate
    stem, ext = posixpath.splitext(path)
    for alternative in _TS_FOR_JS.get(ext, ()):
        if stem + alternative in files:
            return stem + alternative
    for index in _INDEXES:
        candidate = (path + index).lstrip("/")
        if candidate in files:
            return candidate
    return None


def resolve_specifier(spec: str, importer: str, files: Collection[str]) -> str | None:
    """The package file a relative ``require``/``import`` in ``importer`` loads, if any."""
    if not (spec.startswith(("./", "../")) or spec in (".", "..")):
        return None
    spec = spec.split("?", 1)[0].split("#", 1)[0]
    joined = posixpath.join(posixpath.dirname(importer), spec)
    return resolve_path(normalise(joined), files)


def resolve_target(target: str, files: Collection[str]) -> str | None:
    """A manifest target (main, bin, exports) as a package file."""
    return resolve_path(normalise(target), files)
