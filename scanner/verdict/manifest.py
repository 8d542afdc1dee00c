"""What package.json says changed, and whether it agrees with the registry's copy.

Entry points (``main``, ``bin``) are compared the way Node and npm resolve them, so that
``"index.js"`` and ``"./index.js"``, or a missing and an empty ``main``, are the same thing. An
entry point moved to a file the old version already shipped is housekeeping (low); one moved to
a file that did not exist before is worth a look (medium): the code it now runs is all new.
Manifest confusion (the tarball's package.json disagreeing with the registry's document) hides
scripts or dependencies from whoever reviews the registry, so it is high.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from functools import lru_cache

from scanner.behaviour.context import printable
from scanner.model import Severity
from scanner.registry.packument import INSTALL_SCRIPT_NAMES, VersionInfo
from scanner.registry.url import parse_url
from scanner.verdict.notes import Note

_GYP_INSTALL = "node-gyp rebuild"
_DEFAULT_MAIN = "index.js"
_MAX_KEY_SCAN = 512 * 1024


def key_line(data: bytes, *path: str) -> int | None:
    """1-based line of the key at ``path`` in a JSON document: ``key_line(d, "main")`` is the
    top-level ``main``, never a nested key of the same name or text inside a string;
    ``key_line(d, "dependencies", "x")`` is ``x`` inside the top-level ``dependencies``."""
    return _key_lines(data).get(path)


_TOKENS = re.compile(r'"(?:[^"\\\n]|\\.)*"|[{}\[\]:\n]')


@lru_cache(maxsize=64)
def _key_lines(data: bytes) -> dict[tuple[str, ...], int]:
    """Every key of the first two levels and its line, in one pass over the document's tokens
    (a package.json is read once for all the notes that point into it)."""
    text = data[:_MAX_KEY_SCAN].decode("utf-8", errors="replace")
    keys: list[str | None] = []
    lines: dict[tuple[str, ...], int] = {}
    line = 1
    pending: tuple[str, int] | None = None
    for token in _TOKENS.finditer(text):
        value = token.group()
        if value == "\n":
            line += 1
        elif value == ":":
            if pending is not None and 0 < len(keys) <= 2:
                keys[-1] = pending[0]
                path = tuple(k for k in keys if k is not None)
                if len(path) == len(keys):
                    lines.setdefault(path, pending[1])
        elif value in "{[":
            keys.append(None)
        elif value in "}]" and keys:
            keys.pop()
        pending = (value[1:-1], line) if value.startswith('"') else None
    return lines


def _strip_dot(path: str) -> str:
    while path.startswith("./"):
        path = path[2:]
    return path


def normalized_main(manifest: Mapping[str, object]) -> str:
    """``main`` as Node resolves it: missing or empty means ``index.js``; ``./`` is dropped."""
    value = manifest.get("main")
    text = _strip_dot(value.strip()) if isinstance(value, str) else ""
    return text or _DEFAULT_MAIN


def _str_dict(value: object) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {str(k): str(v) for k, v in value.items()}


def normalized_bin(manifest: Mapping[str, object]) -> dict[str, str]:
    """``bin`` as name -> path; a string ``bin`` is named after the unscoped package name."""
    value = manifest.get("bin")
    if isinstance(value, str):
        name = str(manifest.get("name") or "").rsplit("/", 1)[-1]
        return {name: _strip_dot(value)}
    return {k: _strip_dot(v) for k, v in _str_dict(value).items()}


def install_scripts(manifest: Mapping[str, object]) -> dict[str, str]:
    scripts = _str_dict(manifest.get("scripts"))
    return {k: v for k, v in scripts.items() if k in INSTALL_SCRIPT_NAMES}


def dependencies(manifest: Mapping[str, object]) -> dict[str, str]:
    """dependencies and optionalDependencies (both get installed), name -> spec."""
    deps = _str_dict(manifest.get("optionalDependencies"))
    deps.update(_str_dict(manifest.get("dependencies")))
    return deps


def _resolves(path: str, files: Collection[str]) -> bool:
    return any(c in files for c in (path, f"{path}.js", f"{path}.cjs", f"{path}/index.js"))


SHADOWED_COMMANDS = frozenset(
    {
        "node",
        "npm",
        "npx",
        "yarn",
        "pnpm",
        "corepack",
        "git",
        "sh",
        "bash",
        "zsh",
        "env",
        "ls",
        "cp",
        "mv",
        "rm",
        "cat",
        "curl",
        "wget",
        "ssh",
        "scp",
        "sudo",
        "python",
        "python3",
        "pip",
        "make",
        "docker",
        "kubectl",
        "gpg",
        "tar",
        "gzip",
    }
)
"""Commands a package's ``bin`` can shadow: npm puts every dependency's bin entries first on
the PATH of the project's scripts, so a bin named ``git`` runs instead of git."""


def entry_point_notes(
    old: Mapping[str, object],
    new: Mapping[str, object],
    old_files: Collection[str],
    package_json: bytes = b"",
) -> list[Note]:
    """``main`` and ``bin`` changes. The code an entry point reaches is judged with the rest of
    the package, so a moved entry point is itself only worth noting (low); a new bin named like
    a system command the package is not named after shadows that command (high)."""
    notes: list[Note] = []
    before, after = normalized_main(old), normalized_main(new)
    if before != after:
        known = _resolves(after, old_files)
        notes.append(
            Note(
                "main-changed",
                Severity.LOW,
                "package.json",
                key_line(package_json, "main"),
                f"main changes from {before!r} to {after!r}"
                + ("" if known else ", a file the previous version did not have"),
            )
        )
    old_bin, new_bin = normalized_bin(old), normalized_bin(new)
    changed = {k: v for k, v in new_bin.items() if old_bin.get(k) != v}
    if changed:
        shadowing = _shadowing(new, [k for k in changed if k not in old_bin])
        shown = ", ".join(f"{k} -> {v}" for k, v in sorted(changed.items()))
        notes.append(
            Note(
                "bin-changed",
                Severity.HIGH if shadowing else Severity.LOW,
                "package.json",
                key_line(package_json, "bin"),
                f"bin adds or changes {shown}"
                + (
                    f"; {', '.join(shadowing)} shadows the system command for every script of "
                    "the project"
                    if shadowing
                    else ""
                ),
            )
        )
    return notes


def _shadowing(new: Mapping[str, object], names: Collection[str]) -> list[str]:
    own = str(new.get("name") or "").rsplit("/", 1)[-1]
    return sorted(k for k in names if k in SHADOWED_COMMANDS and k != own)


def new_package_bin_notes(new: Mapping[str, object], package_json: bytes = b"") -> list[Note]:
    """A package new to the project whose bin is named like a system command it is not named
    after: installed, it runs instead of that command in every script of the project."""
    shadowing = _shadowing(new, normalized_bin(new))
    if not shadowing:
        return []
    return [
        Note(
            "bin-changed",
            Severity.HIGH,
            "package.json",
            key_line(package_json, "bin"),
            f"bin {', '.join(shadowing)} shadows the system command for every script of the "
            "project",
        )
    ]


_MAX_HOST_CHARS = 80


def _binary_host(manifest: Mapping[str, object]) -> str | None:
    binary = manifest.get("binary")
    host = binary.get("host") if isinstance(binary, dict) else None
    if not isinstance(host, str) or not host.strip():
        return None
    try:
        return parse_url(host.strip()).host
    except ValueError:
        # Not a URL depscan would fetch: still a change of where the binary comes from, shown
        # as text that cannot break a report line.
        return printable(host.strip(), _MAX_HOST_CHARS)


def binary_host_notes(
    old: Mapping[str, object], new: Mapping[str, object], package_json: bytes = b""
) -> list[Note]:
    """A prebuilt-binary host (node-pre-gyp's ``binary.host``) that moves to another server:
    the install step then downloads and loads a native addon the tarball does not contain, from
    a server the old version never used, and no line of code changes."""
    before, after = _binary_host(old), _binary_host(new)
    if before is None or after is None or before == after:
        return []
    return [
        Note(
            "binary-host-changed",
            Severity.HIGH,
            "package.json",
            key_line(package_json, "binary", "host"),
            f"the prebuilt binary the install step downloads now comes from {after} (was {before})",
        )
    ]


def dependency_changes(
    old: Mapping[str, object] | None, new: Mapping[str, object] | None
) -> dict[str, tuple[str | None, str]]:
    """Dependencies the new version adds or re-ranges: name -> (old range or None, new range)."""
    old_deps = dependencies(old or {})
    return {
        name: (old_deps.get(name), spec)
        for name, spec in sorted(dependencies(new or {}).items())
        if old_deps.get(name) != spec
    }


def manifest_confusion_notes(
    manifest: Mapping[str, object] | None, registry: VersionInfo, package_json: bytes = b""
) -> list[Note]:
    """Where the tarball's package.json disagrees with what the registry says about it.

    npm installs from the tarball but audits and displays the registry's document, so a
    difference hides scripts or dependencies from anyone who looks at the registry. npm's own
    publish-time rewrites are not confusion: a binding.gyp adds ``install: node-gyp rebuild``,
    optional dependencies are copied into dependencies, ``directories.bin`` is expanded into
    ``bin``, and ``main`` missing, empty or ``./``-prefixed all mean the same file.
    """
    if manifest is None:
        return []
    notes: list[Note] = []

    def differ(what: str, key: str, tarball: object, served: object) -> None:
        notes.append(
            Note(
                "manifest-confusion",
                Severity.HIGH,
                "package.json",
                key_line(package_json, key),
                f"the tarball's {what} ({tarball}) and the registry's ({served}) differ",
            )
        )

    tar_scripts = install_scripts(manifest)
    served_scripts = dict(registry.scripts)
    if "install" not in tar_scripts and served_scripts.get("install") == _GYP_INSTALL:
        del served_scripts["install"]
    if tar_scripts != served_scripts:
        differ("install scripts", "scripts", tar_scripts, served_scripts)
    tar_deps = dependencies(manifest)
    served_deps = {**registry.optional_dependencies, **registry.dependencies}
    if tar_deps != served_deps:
        differ("dependencies", "dependencies", tar_deps, served_deps)
    tar_bin = normalized_bin(manifest)
    served_bin = {k: _strip_dot(v) for k, v in registry.bin.items()}
    expanded = not tar_bin and isinstance(manifest.get("directories"), dict)
    if tar_bin != served_bin and not expanded:
        differ("bin entries", "bin", tar_bin, served_bin)
    served_main = normalized_main({"main": registry.main})
    if normalized_main(manifest) != served_main:
        differ("main", "main", normalized_main(manifest), served_main)
    return notes
