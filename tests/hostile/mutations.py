"""Hostile lockfiles made from real ones: every format, mutated the ways an attacker would.

Seeds are the small real lockfiles under tests/fixtures (plus an npm v3 and a shrinkwrap made from
the v2 one), so the suite needs nothing outside the repository. Every mutation is deterministic
(a seeded random generator), so a failure reproduces.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from scanner.sources.detect import MAX_LOCKFILE_BYTES

LOCKFILES = Path(__file__).resolve().parents[1] / "fixtures" / "lockfiles"
DEEP = 100_000
HUGE = "1" + "0" * 5000


@dataclass(frozen=True)
class Seed:
    label: str
    file_name: str
    text: str
    syntax: str
    """``json``, ``jsonc``, ``yaml`` or ``yarn``: which structural mutations apply."""


def _first_blocks(text: str, limit: int) -> str:
    """The text up to the last blank line before ``limit`` characters: whole entries only."""
    cut = text.rfind("\n\n", 0, limit)
    return text[: cut + 1] if cut > 0 else text


def seeds() -> list[Seed]:
    v2 = (LOCKFILES / "npm" / "workspaces-v2.package-lock.json").read_text(encoding="utf-8")
    v3 = json.loads(v2)
    v3["lockfileVersion"] = 3
    v3.pop("dependencies", None)
    berry = (LOCKFILES / "yarn" / "berry-v10" / "prettier" / "yarn.lock").read_text("utf-8")
    pnpm5 = (LOCKFILES / "pnpm" / "v5.4" / "vuejs-core" / "pnpm-lock.yaml").read_text("utf-8")
    return [
        Seed("npm-v1", "package-lock.json",
             (LOCKFILES / "npm" / "install-types-v1.package-lock.json").read_text("utf-8"), "json"),
        Seed("npm-v2", "package-lock.json", v2, "json"),
        Seed("npm-v3", "package-lock.json", json.dumps(v3, indent=2) + "\n", "json"),
        Seed("shrinkwrap", "npm-shrinkwrap.json", v2, "json"),
        Seed("yarn-v1", "yarn.lock",
             (LOCKFILES / "yarn" / "v1" / "npm-cli-fixture-yarn-stuff" / "yarn.lock").read_text(
                 "utf-8"), "yarn"),
        Seed("yarn-berry", "yarn.lock", _first_blocks(berry, 6000), "yarn"),
        Seed("pnpm-9", "pnpm-lock.yaml",
             (LOCKFILES / "pnpm" / "v9.0-features" / "pnpm-lock.yaml").read_text("utf-8"), "yaml"),
        Seed("pnpm-5", "pnpm-lock.yaml", _first_blocks(pnpm5, 6000), "yaml"),
        Seed("bun", "bun.lock",
             (LOCKFILES / "bun" / "workspace-app" / "bun.lock").read_text("utf-8"), "jsonc"),
    ]


@dataclass(frozen=True)
class Mutant:
    id: str
    file_name: str
    content: bytes
    must_refuse: bool
    """True when the only right answer is exit 2 (the mutation always breaks the file)."""
    message: str | None = None


def _flip(data: bytes, rng: random.Random, count: int) -> bytes:
    mutable = bytearray(data)
    for _ in range(count):
        position = rng.randrange(len(mutable))
        mutable[position] ^= rng.randrange(1, 256)
    return bytes(mutable)


def _first_key_line(text: str) -> int:
    """Offset just after the first line that opens the document's body."""
    return text.index("\n") + 1


def _deep(seed: Seed) -> str:
    if seed.syntax in ("json", "jsonc"):
        at = seed.text.index("{") + 1
        return seed.text[:at] + '"deep": ' + "[" * DEEP + "]" * DEEP + "," + seed.text[at:]
    if seed.syntax == "yaml":
        return seed.text + "deep: " + "[" * DEEP + "]" * DEEP + "\n"
    # yarn: a block whose keys each sit one space deeper than the last
    return seed.text + '\n"deep@1":\n' + "".join(" " * (i + 2) + f"k{i}:\n" for i in range(3000))


def _huge_number(seed: Seed) -> str:
    if seed.syntax in ("json", "jsonc"):
        return seed.text.replace('"lockfileVersion": ', f'"lockfileVersion": {HUGE}, "was": ', 1)
    if seed.syntax == "yaml":
        return seed.text.replace("lockfileVersion:", f"lockfileVersion: {HUGE}\nwas:", 1)
    if "__metadata" in seed.text:
        return seed.text.replace("  version: ", f"  version: {HUGE}\n  was: ", 1)
    return seed.text + f'\n"huge@{HUGE}":\n  version "{HUGE}"\n  resolved "x"\n'


def _unicode(seed: Seed) -> Iterator[tuple[str, str]]:
    escaped = seed.syntax in ("json", "jsonc")
    # Escaped in JSON; raw in other files, where it is not UTF-8 at all (CESU-8 style bytes).
    lone = "\\ud800" if escaped else "\ud800"
    for name, odd in (
        ("lone-surrogate", lone),
        ("rtl-override", "\u202e"),
        ("nul", "\\u0000" if escaped else "\\0"),
        ("astral", "\U0001f4a3"),
        ("zero-width", "\u200b\ufeff"),
    ):
        yield name, _rename_a_package(seed, odd)


def _rename_a_package(seed: Seed, odd: str) -> str:
    for marker in ('"node_modules/', '"version": "', "\n  version ", "version: ", '": ["'):
        at = seed.text.find(marker, 20)
        if at >= 0:
            at += len(marker)
            return seed.text[:at] + odd + seed.text[at:]
    return seed.text + odd


def _duplicate_keys(seed: Seed) -> str:
    if seed.syntax in ("json", "jsonc"):
        at = seed.text.index("{") + 1
        return seed.text[:at] + '"packages": {"": {"name": "shadow"}}, ' + seed.text[at:]
    if seed.syntax == "yaml":
        return seed.text + "lockfileVersion: '9.0'\n"
    return seed.text + "\n" + seed.text.split("\n\n", 2)[-1]


def mutants(seed: Seed) -> Iterator[Mutant]:
    data = seed.text.encode("utf-8")
    rng = random.Random(f"depscan-hostile-{seed.label}")
    name = seed.file_name

    def mutant(kind: str, content: str | bytes, must_refuse: bool = False,
               message: str | None = None) -> Mutant:
        raw = content.encode("utf-8", "surrogatepass") if isinstance(content, str) else content
        return Mutant(f"{seed.label}-{kind}", name, raw, must_refuse, message)

    for fraction in (0.1, 0.5, 0.9):
        yield mutant(f"truncated-{fraction}", data[: int(len(data) * fraction)])
    yield mutant("truncated-last-byte", data[:-1])
    for round_ in range(6):
        yield mutant(f"flipped-{round_}", _flip(data, rng, 1 + round_ % 3))
    yield mutant("deep-nesting", _deep(seed), must_refuse=seed.syntax != "yarn")
    yield mutant("huge-number", _huge_number(seed), must_refuse=seed.syntax != "yarn")
    for kind, text in _unicode(seed):
        yield mutant(f"unicode-{kind}", text)
    yield mutant("invalid-utf8", data[:40] + b"\xff\xfe\xc0\x80" + data[40:], must_refuse=True,
                 message="not UTF-8")
    yield mutant("bom", b"\xef\xbb\xbf" + data)
    yield mutant("bom-inside", data[:30] + b"\xef\xbb\xbf" + data[30:])
    yield mutant("duplicate-keys", _duplicate_keys(seed))
    yield mutant("crlf", data.replace(b"\n", b"\r\n"))
    yield mutant("control-chars", data.replace(b"\n", b"\n\x1b[2J\x07", 3))
    yield mutant("tabs", data.replace(b"  ", b"\t"))
    yield mutant("empty", b"", must_refuse=True)
    yield mutant("whitespace", b" \n\t\n", must_refuse=True)
    yield mutant("nul-bytes", b"\0" * 4096, must_refuse=True)
    yield mutant("long-line", data + b"\n" + b"x" * 2_000_000 + b"\n")


BuildFile = Callable[[Path], None]


def oversized(path: Path) -> None:
    """A file past the lockfile cap, sparse, so making it costs nothing."""
    with path.open("wb") as handle:
        handle.truncate(MAX_LOCKFILE_BYTES + 1)
