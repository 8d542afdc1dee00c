"""Malicious stand-ins: inert packages written from public write-ups, built in memory.

Layout of ``standins/``:

- ``_bases/<base>/``: small benign packages (code, tests, README) the attacks are injected into;
  their ``package.json`` carries everything but the name and version.
- ``<technique>/technique.json``: what the technique is, the advisories and write-ups it is
  modelled on, and the two forms it is judged in (see :class:`Technique`); ``"holdout": true``
  marks a technique written after the verdict's rules were calibrated, never used to tune them,
  which the report scores apart;
- ``<technique>/old/`` and ``<technique>/new/``: files laid over the base for the version before
  and the version with the attack (``new/`` goes on top of ``old/``);
- ``<technique>/deps/<dir>/``: whole packages the update brings in as new dependencies.

Every JavaScript file starts with a guard that throws, shell and batch files exit first, hosts
are reserved names (``*.example``) or documentation addresses (RFC 5737), and no stand-in is ever
written out as a tarball or published: :mod:`tests.detection` checks all of this.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from benchmarks.detection.cases import NOW, Case, Form, Unit
from benchmarks.detection.packing import (
    Published,
    RegistryMeta,
    Tree,
    TreeFile,
    pack,
    synthetic_packument,
)

STANDINS = Path(__file__).resolve().parent / "standins"
BASES = STANDINS / "_bases"
GUARD = 'throw new Error("inert depscan stand-in");'
SHELL_GUARD = "exit 1  # inert depscan stand-in"
BATCH_GUARD = "exit /b 1 & rem inert depscan stand-in"
POWERSHELL_GUARD = "throw 'inert depscan stand-in'"
VBSCRIPT_GUARD = "WScript.Quit 1 ' inert depscan stand-in"
JS_SUFFIXES = (".js", ".cjs", ".mjs", ".jsx", ".ts", ".cts", ".mts", ".tsx")
_EXECUTABLE_SUFFIXES = (".sh",)


@dataclass(frozen=True, slots=True)
class Technique:
    """One attack technique, read from ``<technique>/technique.json``.

    ``update`` keys: ``name``, ``from``, ``to`` (versions), ``manifest`` (merged into the new
    version's package.json; ``null`` deletes a key), ``old_manifest`` (the same for the old
    version), ``remove`` (paths the new version drops), ``generated`` (path -> ``elf``/``pe``:
    inert binary stubs the new version adds), ``brings`` (``[{"tree": "deps/<dir>",
    "registry": {...}}]``: new dependencies judged as new packages), ``registry``.
    ``new_package`` keys: ``tree`` (``new``, the update's new version, or ``deps/<dir>``),
    ``name``, ``version``, ``manifest``, ``registry``.
    """

    id: str
    title: str
    modelled_on: tuple[str, ...]
    writeup: str
    reviewer_summary: str
    base: str
    update: Mapping[str, Any]
    new_package: Mapping[str, Any]
    folder: Path
    holdout: bool = False
    """Written after the rules were calibrated, without reading them: the report gives its
    recall apart from the calibration stand-ins', which overstate it."""
    holdout_set: int | None = None
    """Which held-out set (1, 2, ...), each measured blind once when it was written."""

    @classmethod
    def load(cls, folder: Path) -> Technique:
        spec = json.loads((folder / "technique.json").read_text(encoding="utf-8"))
        if spec.get("id") != folder.name:
            raise ValueError(f"{folder}: technique.json id must be the folder name")
        holdout = spec.get("holdout", False)
        if not isinstance(holdout, bool):
            raise ValueError(f"{folder}: technique.json holdout must be true or false")
        holdout_set = spec.get("holdout_set", 1 if holdout else None)
        if holdout_set is not None and (
            not holdout or not isinstance(holdout_set, int) or isinstance(holdout_set, bool)
        ):
            raise ValueError(f"{folder}: technique.json holdout_set must be a number, with holdout")
        return cls(
            id=spec["id"],
            title=spec["title"],
            modelled_on=tuple(spec["modelled_on"]),
            writeup=spec["writeup"],
            reviewer_summary=spec["reviewer_summary"],
            base=spec["base"],
            update=spec["update"],
            new_package=spec["new_package"],
            folder=folder,
            holdout=holdout,
            holdout_set=holdout_set,
        )


def techniques(root: Path = STANDINS) -> list[Technique]:
    return [
        Technique.load(folder)
        for folder in sorted(root.iterdir())
        if folder.is_dir() and not folder.name.startswith("_")
    ]


# --- trees ---------------------------------------------------------------------------------


def read_tree(folder: Path) -> dict[str, TreeFile]:
    files: dict[str, TreeFile] = {}
    if not folder.is_dir():
        return files
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            relative = path.relative_to(folder).as_posix()
            mode = 0o755 if relative.endswith(_EXECUTABLE_SUFFIXES) else 0o644
            files[relative] = TreeFile(path.read_bytes(), mode)
    return files


def merge_manifest(manifest: Mapping[str, Any], patch: Mapping[str, Any]) -> dict[str, Any]:
    """``manifest`` with ``patch``'s keys set; a nested object is merged one level deep and a
    ``null`` value deletes the key."""
    merged = dict(manifest)
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            inner = {**merged[key], **value}
            merged[key] = {k: v for k, v in inner.items() if v is not None}
        else:
            merged[key] = value
    return merged


def _with_manifest(
    files: Mapping[str, TreeFile], manifest: Mapping[str, Any]
) -> dict[str, TreeFile]:
    text = json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
    return {**files, "package.json": TreeFile(text.encode("utf-8"))}


def manifest_of(files: Tree) -> dict[str, Any]:
    value = json.loads(files["package.json"].data.decode("utf-8"))
    if not isinstance(value, dict):
        raise ValueError("package.json is not an object")
    return value


def inert_binary(kind: str, size: int = 4096) -> bytes:
    """A file that starts like a native executable and cannot run: a header and zeros."""
    if kind == "elf":
        # ELF64, little-endian, ET_DYN, x86-64, no program headers: the loader refuses it.
        ident = b"\x7fELF\x02\x01\x01" + b"\x00" * 9
        header = ident + struct.pack("<HHI", 3, 62, 1) + b"\x00" * 40
    elif kind == "pe":
        header = b"MZ" + b"\x00" * 58 + struct.pack("<I", 0)  # e_lfanew 0: no PE header
    else:
        raise ValueError(f"unknown generated binary kind {kind!r}")
    return header + b"\x00" * (size - len(header))


def update_trees(technique: Technique) -> tuple[dict[str, TreeFile], dict[str, TreeFile]]:
    """The old and new versions' files, package.json included."""
    update = technique.update
    base = read_tree(BASES / technique.base)
    base_manifest = manifest_of(base)
    old_files = {**base, **read_tree(technique.folder / "old")}
    old_manifest = merge_manifest(
        merge_manifest(base_manifest, {"name": update["name"], "version": update["from"]}),
        update.get("old_manifest", {}),
    )
    new_files = {**old_files, **read_tree(technique.folder / "new")}
    for path in update.get("remove", []):
        new_files.pop(path, None)
    for path, kind in update.get("generated", {}).items():
        new_files[path] = TreeFile(inert_binary(kind), 0o755)
    new_manifest = merge_manifest(
        merge_manifest(old_manifest, {"version": update["to"]}), update.get("manifest", {})
    )
    return _with_manifest(old_files, old_manifest), _with_manifest(new_files, new_manifest)


def brought_trees(technique: Technique) -> Iterator[tuple[dict[str, TreeFile], RegistryMeta]]:
    for entry in technique.update.get("brings", []):
        files = read_tree(technique.folder / entry["tree"])
        yield files, RegistryMeta.from_json(entry["registry"])


def new_package_tree(technique: Technique) -> dict[str, TreeFile]:
    spec = technique.new_package
    source = spec.get("tree", "new")
    files = update_trees(technique)[1] if source == "new" else read_tree(technique.folder / source)
    manifest = manifest_of(files)
    patch = {k: spec[k] for k in ("name", "version") if k in spec}
    manifest = merge_manifest(merge_manifest(manifest, patch), spec.get("manifest", {}))
    return _with_manifest(files, manifest)


# --- cases ---------------------------------------------------------------------------------


def _new_unit(files: Tree, meta: RegistryMeta, now: datetime) -> Unit:
    manifest = manifest_of(files)
    name, version = str(manifest["name"]), str(manifest["version"])
    tgz = pack(files)
    packument = synthetic_packument(name, [Published(version, manifest, tgz)], meta, now)
    return Unit(f"{name}@{version}", name, None, version, None, tgz, packument)


def update_case(technique: Technique, now: datetime = NOW) -> Case:
    old_files, new_files = update_trees(technique)
    old_manifest, new_manifest = manifest_of(old_files), manifest_of(new_files)
    name = str(new_manifest["name"])
    old_tgz, new_tgz = pack(old_files), pack(new_files)
    meta = RegistryMeta.from_json(technique.update["registry"])
    packument = synthetic_packument(
        name,
        [
            Published(str(old_manifest["version"]), old_manifest, old_tgz),
            Published(str(new_manifest["version"]), new_manifest, new_tgz),
        ],
        meta,
        now,
    )
    units = [
        Unit(
            f"{name}@{old_manifest['version']} -> {new_manifest['version']}",
            name,
            str(old_manifest["version"]),
            str(new_manifest["version"]),
            old_tgz,
            new_tgz,
            packument,
        )
    ]
    units += [_new_unit(files, dep_meta, now) for files, dep_meta in brought_trees(technique)]
    return Case(
        id=f"standin:{technique.id}:update",
        malicious=True,
        form=Form.UPDATE,
        units=tuple(units),
        technique=technique.id,
        source=", ".join(technique.modelled_on),
        related={u.name: u.packument for u in units[1:] if u.packument is not None},
    )


def new_case(technique: Technique, now: datetime = NOW) -> Case:
    files = new_package_tree(technique)
    unit = _new_unit(files, RegistryMeta.from_json(technique.new_package["registry"]), now)
    return Case(
        id=f"standin:{technique.id}:new",
        malicious=True,
        form=Form.NEW,
        units=(unit,),
        technique=technique.id,
        source=", ".join(technique.modelled_on),
    )


def standin_cases(only: str | None = None, now: datetime = NOW) -> list[Case]:
    cases: list[Case] = []
    for technique in techniques():
        if only is not None and technique.id != only:
            continue
        cases += [update_case(technique, now), new_case(technique, now)]
    return cases
