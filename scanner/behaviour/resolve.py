"""Resolving module specifiers and manifest targets to files of the package, as Node does.

``./a`` from ``lib/x.js`` tries ``lib/a``, then ``lib/a.js``, ``.cjs``, ``.mjs``, ``.json``,
``.node`` (and the TypeScript extensions, for packages that ship sources), then
``lib/a/index.*``; a TypeScript import of ``./a.js`` also finds ``a.ts``. A bare specifier
resolves only into a dependency bundled in the tarball (``node_modules/<name>/``, nearest
folder first, its ``main`` or index). Nothing outside the package resolves.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Callable, Collection

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


def resolve_bundled(
    spec: str,
    importer: str,
    files: Collection[str],
    read: Callable[[str], bytes | None],
) -> str | None:
    """The file a bare ``require('name/sub')`` loads from a ``node_modules`` folder inside the
    package (bundled dependencies), searched from the importer's folder up, as Node does."""
    if spec.startswith((".", "/")) or ":" in spec:
        return None
    pieces = spec.split("/")
    count = 2 if spec.startswith("@") else 1
    name, sub = "/".join(pieces[:count]), "/".join(pieces[count:])
    folder = posixpath.dirname(importer)
    while True:
        base = posixpath.join(folder, "node_modules", name) if folder else f"node_modules/{name}"
        if f"{base}/package.json" in files or any(
            f"{base}/index{ext}" in files for ext in _EXTENSIONS[1:]
        ):
            if sub:
                return resolve_path(normalise(f"{base}/{sub}"), files)
            return resolve_path(normalise(f"{base}/{_main(read(f'{base}/package.json'))}"), files)
        if not folder:
            return None
        folder = posixpath.dirname(folder)


def _main(manifest: bytes | None) -> str:
    if manifest:
        try:
            value = json.loads(manifest)
        except ValueError:
            value = None
        main = value.get("main") if isinstance(value, dict) else None
        if isinstance(main, str) and main:
            return main
    return "index.js"
