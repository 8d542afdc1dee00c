"""Zones: when a package's files run, from what its package.json declares.

- INSTALL: files an install script runs (preinstall, install, postinstall; see
  :mod:`.install_commands` for how commands are read), binding.gyp when npm builds it, and every
  file those require or import.
- ENTRY: ``main`` (``index.js`` when absent or empty), every target of ``exports`` (all
  conditions, subpath patterns expanded), ``module``, ``browser`` (a string, or the string values
  of its map), ``bin`` (string or object), and every file those require or import.
- TEST: paths under test/tests/__tests__/spec/bench/benchmark(s)/example(s)/doc(s)/fixture(s)/
  __mocks__, and *.test.* / *.spec.* / *.bench.* files, unless an entry point or install script
  reaches them.
- TYPES: .d.ts, .d.mts, .d.cts.
- OTHER: everything else (shipped, but nothing declares it runs; it may still be loaded by a
  computed require).
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Collection, Iterable, Mapping

from scanner.behaviour.files import TYPE_SUFFIXES
from scanner.behaviour.install_commands import RUNS_ON_INSTALL, install_commands
from scanner.behaviour.model import ManifestFacts, Zone
from scanner.behaviour.resolve import normalise, resolve_target

TEST_SEGMENTS = frozenset(
    {
        "test",
        "tests",
        "__tests__",
        "spec",
        "specs",
        "bench",
        "benchmark",
        "benchmarks",
        "example",
        "examples",
        "doc",
        "docs",
        "fixture",
        "fixtures",
        "__fixtures__",
        "__mocks__",
    }
)
_TEST_FILE = re.compile(r"\.(?:test|spec|bench)\.[cm]?[jt]sx?$")
_MAX_EXPORT_TARGETS = 2000


def _strings(value: object) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {str(k): v for k, v in value.items() if isinstance(v, str)}


def _str_tuple(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(v for v in value if isinstance(v, str))
    return ()


def normalised_bin(manifest: Mapping[str, object]) -> dict[str, str]:
    """``bin`` as name -> package path; a string ``bin`` is named after the unscoped package."""
    value = manifest.get("bin")
    if isinstance(value, str):
        name = str(manifest.get("name") or "").rsplit("/", 1)[-1]
        path = normalise(value)
        return {name: path} if path else {}
    return {k: p for k, v in _strings(value).items() if (p := normalise(v))}


def export_targets(value: object) -> list[str]:
    """Every string target of an ``exports`` value, through conditions and arrays."""
    found: list[str] = []
    stack: list[object] = [value]
    while stack and len(found) < _MAX_EXPORT_TARGETS:
        item = stack.pop()
        if isinstance(item, str):
            found.append(item)
        elif isinstance(item, dict):
            stack.extend(reversed(list(item.values())))
        elif isinstance(item, list):
            stack.extend(reversed(item))
    return found


def _expand(target: str, files: Collection[str]) -> list[str]:
    """A target with ``*`` matches files the way Node's subpath patterns do."""
    path = normalise(target)
    if path is None:
        return []
    if "*" not in path:
        resolved = resolve_target(path, files)
        return [resolved] if resolved else []
    pattern = re.compile("^" + ".+".join(re.escape(part) for part in path.split("*")) + "$")
    return sorted(f for f in files if pattern.match(f))


def manifest_facts(manifest: Mapping[str, object] | None, files: Collection[str]) -> ManifestFacts:
    if manifest is None:
        return ManifestFacts()
    scripts = _strings(manifest.get("scripts"))
    install = {
        k: v for k, v in scripts.items() if k in ("preinstall", "install", "postinstall", "prepare")
    }
    bins = normalised_bin(manifest)
    main_value = manifest.get("main")
    main = main_value if isinstance(main_value, str) else None
    targets: list[str] = []
    # "main": "" means what no main means: index.js.
    main_target = resolve_target(main, files) if main else None
    targets.append(main_target or resolve_target("index.js", files) or "")
    for target in export_targets(manifest.get("exports")):
        targets.extend(_expand(target, files))
    for key in ("module",):
        value = manifest.get(key)
        if isinstance(value, str):
            targets.extend(_expand(value, files))
    browser = manifest.get("browser")
    for value in [browser] if isinstance(browser, str) else list(_strings(browser).values()):
        targets.extend(_expand(value, files))
    for path in bins.values():
        resolved = resolve_target(path, files)
        targets.append(resolved or path)
    dependencies = _strings(manifest.get("optionalDependencies"))
    dependencies.update(_strings(manifest.get("dependencies")))
    gypfile = "binding.gyp" in files and manifest.get("gypfile") is not False
    return ManifestFacts(
        install_scripts=install,
        # exports' "types" conditions point at declarations: those are the TYPES zone.
        entry_points=tuple(
            dict.fromkeys(t for t in targets if t and not t.lower().endswith(TYPE_SUFFIXES))
        ),
        bin=bins,
        main=main,
        os=_str_tuple(manifest.get("os")),
        cpu=_str_tuple(manifest.get("cpu")),
        dependencies=dependencies,
        install_commands=install_commands(install, files, gypfile=gypfile),
    )


def is_test_path(path: str) -> bool:
    segments = path.split("/")
    return any(s in TEST_SEGMENTS for s in segments[:-1]) or bool(_TEST_FILE.search(segments[-1]))


def base_zone(path: str) -> Zone:
    if path.lower().endswith(TYPE_SUFFIXES):
        return Zone.TYPES
    return Zone.TEST if is_test_path(path) else Zone.OTHER


def install_seeds(facts: ManifestFacts) -> list[str]:
    return [
        path
        for command in facts.install_commands
        if command.script in RUNS_ON_INSTALL
        for path in command.files
    ]


def assign_zones(
    paths: Iterable[str], facts: ManifestFacts, requires: Mapping[str, Iterable[str]]
) -> dict[str, Zone]:
    """The zone of every path: its own by name, raised to ENTRY/INSTALL by what reaches it."""
    zones = {path: base_zone(path) for path in paths}
    for seeds, zone in (
        (install_seeds(facts), Zone.INSTALL),
        (list(facts.entry_points), Zone.ENTRY),
    ):
        queue = deque(seeds)
        seen: set[str] = set()
        while queue:
            path = queue.popleft()
            if path in seen:
                continue
            seen.add(path)
            current = zones.get(path)
            if current is None or current is Zone.TYPES:
                continue
            if current < zone:
                zones[path] = zone
            queue.extend(requires.get(path, ()))
    return zones
