"""Risk notes on a package diff: the changes an attacker's release tends to contain.

Every note names the file and, where it can, the line. Code patterns are looked for only in added
or changed lines of code files, and only when the change adds more uses of a pattern than it
removes, so that moving existing code around is not reported as new behaviour.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from scanner.model import Severity
from scanner.registry.packument import INSTALL_SCRIPT_NAMES, Packument, Unavailable, VersionInfo
from scanner.tarball.compare import FileChange, FileStatus, PackageDiff
from scanner.tarball.parallel import fork_map
from scanner.timestamps import parse_time

AdvisoryLookup = Callable[[str, str], list[str]]
"""(package name, version range) -> ids of known-malicious advisories it can resolve to."""
PackumentLookup = Callable[[str], "Packument | Unavailable | None"]

NEW_PACKAGE_AGE = timedelta(days=30)
_GYP_INSTALL = "node-gyp rebuild"
_CODE_SUFFIXES = (".js", ".cjs", ".mjs", ".jsx", ".ts", ".cts", ".mts", ".tsx", ".sh", ".py")
_NATIVE_SUFFIXES = (".node", ".exe", ".dll", ".so", ".dylib")
_NATIVE_MAGIC = (
    (b"\x7fELF", "ELF"),
    (b"\xcf\xfa\xed\xfe", "Mach-O"),
    (b"\xce\xfa\xed\xfe", "Mach-O"),
    (b"\xfe\xed\xfa\xcf", "Mach-O"),
    (b"\xfe\xed\xfa\xce", "Mach-O"),
    (b"\xca\xfe\xba\xbe", "Mach-O universal"),
    (b"MZ", "PE/Windows"),
)
_ENTROPY_MIN_LENGTH = 200
_ENTROPY_THRESHOLD = 5.2  # bits per character; English prose is ~4.2, random base64 ~6
_MAX_ENTROPY_SAMPLES = 200

_REQUIRE = rb"(?:require\s*\(\s*|from\s+|import\s*\(\s*|import\s+)['\"](?:node:)?"


@dataclass(frozen=True, slots=True)
class _CodePattern:
    """A behaviour to look for. ``keys`` are literals one of which every match contains: lines
    without any are never given to the (much slower) regex."""

    kind: str
    severity: Severity
    what: str
    keys: tuple[bytes, ...]
    regex: re.Pattern[bytes]


_FS_WRITES = (
    "writeFile",
    "appendFile",
    "createWriteStream",
    "copyFile",
    "rename",
    "symlink",
    "unlink",
    "rmSync",
    "rm(",
    "mkdir",
)
_CODE_PATTERNS = (
    _CodePattern(
        "child-process",
        Severity.HIGH,
        "child_process",
        (b"child_process", b"process.binding"),
        re.compile(rb"['\"](?:node:)?child_process['\"]|\bprocess\.binding\s*\(\s*['\"]spawn"),
    ),
    _CodePattern(
        "dynamic-code",
        Severity.MEDIUM,
        "eval / new Function",
        (b"eval", b"Function"),
        re.compile(rb"(?<![\w.$])eval\s*\(|(?<![\w.$])Function\s*\("),
    ),
    _CodePattern(
        "network",
        Severity.MEDIUM,
        "a network module or fetch",
        (b"http", b"net", b"dgram", b"tls", b"fetch", b"WebSocket"),
        re.compile(
            _REQUIRE + rb"(?:https?|http2|net|dgram|tls)['\"]"
            rb"|(?<![\w.$])fetch\s*\(|\bnew\s+WebSocket\s*\("
        ),
    ),
    _CodePattern(
        "dns",
        Severity.MEDIUM,
        "dns",
        (b"dns",),
        re.compile(_REQUIRE + rb"dns(?:/promises)?['\"]"),
    ),
    _CodePattern(
        "env-read",
        Severity.LOW,
        "process.env",
        (b"process.env",),
        re.compile(rb"\bprocess\.env\b"),
    ),
    _CodePattern(
        "decipher",
        Severity.HIGH,
        "crypto deciphering (createDecipher)",
        (b"createDecipher",),
        re.compile(rb"\bcreateDecipher(?:iv)?\s*\("),
    ),
    _CodePattern(
        "write-outside-package",
        Severity.HIGH,
        "a file write outside the package",
        tuple(name.encode() for name in _FS_WRITES),
        re.compile(
            rb"\b(?:writeFile|appendFile|createWriteStream|copyFile|rename|symlink|unlink|rm|mkdir)"
            rb"(?:Sync)?\s*\(\s*(?:['\"`](?:/|~/|[A-Za-z]:\\\\|\.\./)"
            rb"|[^,;)]*?(?:homedir\s*\(|['\"`/]\.\.[/'\"`]|process\.env\.(?:HOME|USERPROFILE|APPDATA)))"
        ),
    ),
)
_OBFUSCATED_NAMES = re.compile(rb"\b_0x[0-9a-f]{4,}\b")
# The lookbehinds make a failed attempt cost one character, not a rescan of the whole run.
_ESCAPED_HEX_BLOB = re.compile(rb"(?:\\x[0-9a-fA-F]{2}){64,}")
_WORD_BLOB = re.compile(rb"(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{256,}={0,2}")
_HEX_ONLY = re.compile(rb"[0-9a-fA-F]+")
_BASE64_BLOB_MIN = 512
_LONG_STRING = re.compile(rb"'[^'\n\\]{200,}'|\"[^\"\n\\]{200,}\"|`[^`\n\\]{200,}`")
_MINIFIED_LINE = 1000
_LONG_LINE = re.compile(rb"^[^\n]{%d}" % _MINIFIED_LINE, re.MULTILINE)
_WORD_BLOB_MIN = 256


def _byte_class(members: bytes) -> bytes:
    """A translate() table mapping ``members`` to 1 and every other byte to 0."""
    return bytes(1 if b in members else 0 for b in range(256))


_BLOB_BYTES = _byte_class(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
_LINE_BYTES = _byte_class(bytes(b for b in range(256) if b != 0x0A))
_STRING_BODY_BYTES = _byte_class(bytes(b for b in range(256) if b not in b"\n'\"`\\"))
_LONG_STRING_MIN = 200


def _has_run(data: bytes, table: bytes, length: int) -> bool:
    """Whether ``data`` has ``length`` consecutive bytes of the class: translate and find run
    at C speed, where a regex scan of a multi-megabyte bundle costs a fifth of a second."""
    return data.translate(table).find(b"\x01" * length) != -1


_MAX_MESSAGE = 300


def printable(text: str, limit: int) -> str:
    """``text`` with hidden characters shown as escapes (the reports' own rules), cut to
    ``limit`` characters."""
    from scanner.reports.escape import printable as shown

    cleaned = shown(text)
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"


@dataclass(frozen=True, slots=True)
class RiskNote:
    kind: str
    severity: Severity
    file: str | None
    line: int | None
    message: str

    def __post_init__(self) -> None:
        # Messages quote package.json values and paths an attacker chose: a terminal escape in
        # them must not be able to hide or rewrite the report.
        object.__setattr__(self, "message", printable(self.message, _MAX_MESSAGE))
        if self.file is not None:
            object.__setattr__(self, "file", printable(self.file, _MAX_MESSAGE))

    def to_json(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "severity": self.severity.label,
            "file": self.file,
            "line": self.line,
            "message": self.message,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> RiskNote:
        line = data.get("line")
        file = data.get("file")
        return cls(
            kind=str(data["kind"]),
            severity=Severity.parse(str(data["severity"])),
            file=file if isinstance(file, str) else None,
            line=line if isinstance(line, int) else None,
            message=str(data["message"]),
        )


# --- manifest -------------------------------------------------------------------------------


def _json_key_line(data: bytes, key: str) -> int | None:
    """1-based line of the first ``"key":`` in a JSON file, to point the reader at it."""
    match = re.search(rb'"' + re.escape(key.encode()) + rb'"\s*:', data)
    return data.count(b"\n", 0, match.start()) + 1 if match else None


def _str_dict(value: object) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {str(k): str(v) for k, v in value.items()}


def _strip_dot(path: str) -> str:
    return path[2:] if path.startswith("./") else path


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


def _dependencies(manifest: Mapping[str, object]) -> dict[str, str]:
    deps = _str_dict(manifest.get("optionalDependencies"))
    deps.update(_str_dict(manifest.get("dependencies")))
    return deps


def manifest_notes(diff: PackageDiff) -> list[RiskNote]:
    """Install scripts, entry points and dependencies that the new version changes."""
    new = diff.new.manifest
    if new is None:
        return [
            RiskNote(
                "manifest-missing",
                Severity.MEDIUM,
                "package.json",
                None,
                "the new version has no readable package.json",
            )
        ]
    old = diff.old.manifest or {}
    data = next((f.new_data for f in diff.files if f.path == "package.json"), b"")
    notes: list[RiskNote] = []

    def note(kind: str, severity: Severity, key: str, message: str) -> None:
        notes.append(RiskNote(kind, severity, "package.json", _json_key_line(data, key), message))

    old_scripts, new_scripts = install_scripts(old), install_scripts(new)
    for name, command in sorted(new_scripts.items()):
        # `prepare` runs only when npm builds a git dependency, not for a registry install.
        severity, when = (
            (Severity.LOW, " (runs for git installs only)")
            if name == "prepare"
            else (
                Severity.HIGH,
                "",
            )
        )
        if name not in old_scripts:
            note("install-script-added", severity, name, f"adds {name} script{when}: {command}")
        elif old_scripts[name] != command:
            note(
                "install-script-changed",
                severity,
                name,
                f"changes {name} script{when} from {old_scripts[name]!r} to {command!r}",
            )
    if any(f.path == "binding.gyp" and f.status is FileStatus.ADDED for f in diff.files):
        notes.append(
            RiskNote(
                "install-script-added",
                Severity.HIGH,
                "binding.gyp",
                None,
                "adds binding.gyp: npm runs node-gyp rebuild on install",
            )
        )
    old_bin, new_bin = normalized_bin(old), normalized_bin(new)
    if old_bin != new_bin:
        note("bin-changed", Severity.MEDIUM, "bin", f"bin changes from {old_bin} to {new_bin}")
    if old.get("main") != new.get("main"):
        note(
            "main-changed",
            Severity.MEDIUM,
            "main",
            f"main changes from {old.get('main')!r} to {new.get('main')!r}",
        )
    if old.get("exports") != new.get("exports"):
        note("exports-changed", Severity.LOW, "exports", "exports map changes")
    return notes


def dependency_changes(
    old: Mapping[str, object] | None, new: Mapping[str, object] | None
) -> dict[str, tuple[str | None, str]]:
    """Dependencies the new version adds or re-ranges: name -> (old range or None, new range)."""
    old_deps = _dependencies(old or {})
    return {
        name: (old_deps.get(name), spec)
        for name, spec in sorted(_dependencies(new or {}).items())
        if old_deps.get(name) != spec
    }


def dependency_notes(
    changes: Mapping[str, tuple[str | None, str]],
    package_json: bytes = b"",
    *,
    lookup_advisories: AdvisoryLookup | None = None,
    packument_lookup: PackumentLookup | None = None,
    now: datetime | None = None,
) -> list[RiskNote]:
    """Notes on added dependencies, and on added or re-ranged ones that resolve to malware."""
    notes: list[RiskNote] = []
    moment = now or datetime.now(UTC)
    for name, (old_spec, spec) in changes.items():
        line = _json_key_line(package_json, name)
        if old_spec is None:
            notes.append(
                RiskNote(
                    "dependency-added",
                    Severity.LOW,
                    "package.json",
                    line,
                    f"adds dependency {name}@{spec}",
                )
            )
        if lookup_advisories is not None:
            ids = lookup_advisories(name, spec)
            if ids:
                notes.append(
                    RiskNote(
                        "dependency-malicious",
                        Severity.CRITICAL,
                        "package.json",
                        line,
                        f"dependency {name}@{spec} matches known-malicious advisories: "
                        + ", ".join(sorted(ids)),
                    )
                )
        if old_spec is None and packument_lookup is not None:
            notes.extend(_new_package_notes(name, spec, line, packument_lookup(name), moment))
    return notes


def _new_package_notes(
    name: str, spec: str, line: int | None, doc: Packument | Unavailable | None, now: datetime
) -> list[RiskNote]:
    if doc is None:
        return []
    if isinstance(doc, Unavailable):
        return [
            RiskNote(
                "dependency-unchecked",
                Severity.INFO,
                "package.json",
                line,
                f"could not check new dependency {name}: {doc.reason}",
            )
        ]
    created = parse_time(doc.time.get("created"))
    if created is None:
        return []
    if now - created < NEW_PACKAGE_AGE:
        return [
            RiskNote(
                "dependency-new-package",
                Severity.MEDIUM,
                "package.json",
                line,
                f"new dependency {name}@{spec} was first published on {created.date()}, "
                f"less than {NEW_PACKAGE_AGE.days} days ago",
            )
        ]
    return []


def manifest_confusion_notes(
    manifest: Mapping[str, object] | None, registry: VersionInfo, package_json: bytes = b""
) -> list[RiskNote]:
    """Where the tarball's package.json disagrees with what the registry says about it.

    npm installs from the tarball but audits and displays the registry's document, so a
    difference hides scripts or dependencies from anyone who looks at the registry.
    """
    if manifest is None:
        return []
    notes: list[RiskNote] = []

    def differ(what: str, key: str, tarball: object, served: object) -> None:
        notes.append(
            RiskNote(
                "manifest-confusion",
                Severity.HIGH,
                "package.json",
                _json_key_line(package_json, key),
                f"{what} in the tarball ({tarball}) differ from the registry's ({served})",
            )
        )

    # npm normalizes package.json when it publishes; those rewrites are not confusion:
    # - a package with a binding.gyp gets `install: node-gyp rebuild` added to its scripts;
    tar_scripts = install_scripts(manifest)
    served_scripts = dict(registry.scripts)
    if "install" not in tar_scripts and served_scripts.get("install") == _GYP_INSTALL:
        del served_scripts["install"]
    if tar_scripts != served_scripts:
        differ("install scripts", "scripts", tar_scripts, served_scripts)
    # - optional dependencies are copied into dependencies (both get installed either way);
    tar_deps = _dependencies(manifest)
    served_deps = {**registry.optional_dependencies, **registry.dependencies}
    if tar_deps != served_deps:
        differ("dependencies", "dependencies", tar_deps, served_deps)
    # - `directories.bin` is expanded into `bin` entries from the files of that folder.
    tar_bin = normalized_bin(manifest)
    served_bin = {k: _strip_dot(v) for k, v in registry.bin.items()}
    expanded = not tar_bin and isinstance(manifest.get("directories"), dict)
    if tar_bin != served_bin and not expanded:
        differ("bin entries", "bin", tar_bin, served_bin)
    tar_main = manifest.get("main")
    default_main = "index.js"
    tar_main_norm = _strip_dot(tar_main) if isinstance(tar_main, str) else default_main
    served_main = _strip_dot(registry.main) if registry.main else default_main
    if tar_main_norm != served_main:
        differ("main", "main", tar_main, registry.main)
    return notes


# --- file contents ---------------------------------------------------------------------------


def is_code_file(change: FileChange) -> bool:
    if change.path.endswith(".d.ts"):
        return False
    if change.path.endswith(_CODE_SUFFIXES):
        return True
    return change.new_data.startswith(b"#!")


def _native_kind(change: FileChange) -> str | None:
    for magic, label in _NATIVE_MAGIC:
        if change.new_data.startswith(magic) and (label != "PE/Windows" or change.binary):
            return label
    if change.path.endswith(_NATIVE_SUFFIXES):
        return change.path.rsplit(".", 1)[-1]
    return None


class _LineNumbers:
    """0-based line index of byte offsets in one file, counted incrementally in C."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._offset = 0
        self._line = 0

    def __call__(self, offset: int) -> int:
        if offset < self._offset:
            self._offset, self._line = 0, 0
        self._line += self._data.count(b"\n", self._offset, offset)
        self._offset = offset
        return self._line


class _Touched:
    """Which lines of one side of a change the diff added (new side) or removed (old side)."""

    def __init__(self, change: FileChange, side: str) -> None:
        self.data = change.new_data if side == "new" else change.old_data
        self.whole = change.status is not FileStatus.MODIFIED or not change.blocks
        spans = [
            (b.new_start, b.new_end) if side == "new" else (b.old_start, b.old_end)
            for b in change.blocks
        ]
        self._starts = [start for start, _ in spans]
        self._ends = [end for _, end in spans]
        self.line_of = _LineNumbers(self.data)

    def touched(self, line: int) -> bool:
        if self.whole:
            return True
        at = bisect_right(self._starts, line) - 1
        return at >= 0 and line < self._ends[at]

    def hits(
        self, pattern: re.Pattern[bytes], keys: tuple[bytes, ...] = ()
    ) -> list[tuple[int, int]]:
        """(offset, 1-based line) of the pattern's matches on touched lines, in order.

        With ``keys``, only lines containing one of them are searched.
        """
        data = self.data
        if keys:
            ranges: set[tuple[int, int]] = set()
            for key in keys:
                pos = data.find(key)
                while pos != -1:
                    start = data.rfind(b"\n", 0, pos) + 1
                    end = data.find(b"\n", pos)
                    end = len(data) if end == -1 else end
                    ranges.add((start, end))
                    pos = data.find(key, end)
            matches = [
                m for start, end in sorted(ranges) for m in pattern.finditer(data, start, end)
            ]
        else:
            matches = list(pattern.finditer(data))
        out: list[tuple[int, int]] = []
        for match in matches:
            line = self.line_of(match.start())
            if self.touched(line):
                out.append((match.start(), line + 1))
        return out


def _entropy(text: bytes) -> float:
    counts = Counter(text)
    total = len(text)
    return -sum(n / total * math.log2(n / total) for n in counts.values())


def code_notes(change: FileChange) -> list[RiskNote]:
    """Patterns in the lines a change adds to a code file, beyond those it removes."""
    if change.binary or change.status is FileStatus.REMOVED or not is_code_file(change):
        return []
    added = _Touched(change, "new")
    removed = _Touched(change, "old") if change.status is FileStatus.MODIFIED else None
    notes: list[RiskNote] = []
    for pattern in _CODE_PATTERNS:
        found = added.hits(pattern.regex, pattern.keys)
        if not found:
            continue
        before = len(removed.hits(pattern.regex, pattern.keys)) if removed else 0
        if len(found) <= before:
            continue
        new_uses = len(found) - before
        line = found[0][1]
        notes.append(
            RiskNote(
                pattern.kind,
                pattern.severity,
                change.path,
                line,
                f"{new_uses} new use{'s' if new_uses != 1 else ''} of {pattern.what}"
                f" (first at line {line})",
            )
        )
    notes.extend(_obfuscation_notes(change, added))
    return notes


def _obfuscation_notes(change: FileChange, added: _Touched) -> list[RiskNote]:
    notes: list[RiskNote] = []
    data, old = change.new_data, change.old_data
    if b"_0x" in data:
        names = added.hits(_OBFUSCATED_NAMES)
        if len(names) >= 10:
            notes.append(
                RiskNote(
                    "obfuscated-code",
                    Severity.HIGH,
                    change.path,
                    names[0][1],
                    f"{len(names)} obfuscator-style identifiers (_0x...) in added lines",
                )
            )
    blobs = added.hits(_ESCAPED_HEX_BLOB, (b"\\x",))
    if _has_run(data, _BLOB_BYTES, _WORD_BLOB_MIN):
        blobs += added.hits(_WORD_BLOB)
    for offset, line in sorted(blobs):
        match = _ESCAPED_HEX_BLOB.match(data, offset) or _WORD_BLOB.match(data, offset)
        blob = match.group() if match else b""
        is_hex = blob.startswith(b"\\x") or _HEX_ONLY.fullmatch(blob) is not None
        if not is_hex and len(blob) < _BASE64_BLOB_MIN:
            continue
        if blob in old:
            continue  # the same blob was there before: not new
        notes.append(
            RiskNote(
                "encoded-blob",
                Severity.MEDIUM,
                change.path,
                line,
                f"a {len(blob)} character {'hex' if is_hex else 'base64'} blob in added lines",
            )
        )
        break
    long_strings = (
        added.hits(_LONG_STRING) if _has_run(data, _STRING_BODY_BYTES, _LONG_STRING_MIN) else []
    )
    for sampled, (offset, line) in enumerate(long_strings):
        if sampled >= _MAX_ENTROPY_SAMPLES:
            break
        literal = _LONG_STRING.match(data, offset)
        body = literal.group()[1:-1] if literal else b""
        if len(body) >= _ENTROPY_MIN_LENGTH and _entropy(body) >= _ENTROPY_THRESHOLD:
            notes.append(
                RiskNote(
                    "high-entropy-string",
                    Severity.MEDIUM,
                    change.path,
                    line,
                    f"a {len(body)} character string literal with "
                    f"{_entropy(body):.1f} bits/char entropy",
                )
            )
            break
    newly_minified = change.status is FileStatus.ADDED or not _has_run(
        old, _LINE_BYTES, _MINIFIED_LINE
    )
    if newly_minified and _has_run(data, _LINE_BYTES, _MINIFIED_LINE):
        long_lines = added.hits(_LONG_LINE)
        if long_lines:
            offset, line = long_lines[0]
            end = data.find(b"\n", offset)
            length = (len(data) if end == -1 else end) - offset
            notes.append(
                RiskNote(
                    "minified-code",
                    Severity.LOW,
                    change.path,
                    line,
                    f"{'new' if change.status is FileStatus.ADDED else 'now'} minified: "
                    f"a {length} character line",
                )
            )
    return notes


def binary_notes(change: FileChange) -> list[RiskNote]:
    if change.status is FileStatus.REMOVED or not change.new_data:
        return []
    native = _native_kind(change)
    verb = "adds" if change.status is FileStatus.ADDED else "changes"
    if native:
        return [
            RiskNote(
                "native-binary",
                Severity.HIGH,
                change.path,
                None,
                f"{verb} a native executable or library ({native}, {change.new_size} bytes)",
            )
        ]
    if change.binary and change.status is FileStatus.ADDED:
        return [
            RiskNote(
                "binary-file",
                Severity.LOW,
                change.path,
                None,
                f"adds a binary file ({change.new_size} bytes)",
            )
        ]
    return []


def content_notes(diff: PackageDiff) -> list[RiskNote]:
    """Notes that depend only on the two tarballs (so they can be cached by their hashes)."""
    notes = manifest_notes(diff)
    for change in diff.files:
        notes.extend(binary_notes(change))
    code_files = [change for change in diff.files if is_code_file(change) and not change.binary]
    # Scanning big bundles is the costly part: shared with a second process when that pays.
    for found in fork_map(code_notes, code_files, [len(c.new_data) for c in code_files]):
        notes.extend(found)
    return notes


def assess(
    diff: PackageDiff,
    *,
    registry_info: VersionInfo | None = None,
    lookup_advisories: AdvisoryLookup | None = None,
    packument_lookup: PackumentLookup | None = None,
    now: datetime | None = None,
) -> list[RiskNote]:
    """Every risk note on ``diff``.

    ``registry_info`` (default: the one the diff's new side carries) enables the manifest
    confusion check; the two lookups enable the checks of added dependencies.
    """
    notes = content_notes(diff)
    package_json = next((f.new_data for f in diff.files if f.path == "package.json"), b"")
    notes.extend(
        dependency_notes(
            dependency_changes(diff.old.manifest, diff.new.manifest),
            package_json,
            lookup_advisories=lookup_advisories,
            packument_lookup=packument_lookup,
            now=now,
        )
    )
    info = registry_info or diff.new.registry_info
    if info is not None:
        notes.extend(manifest_confusion_notes(diff.new.manifest, info, package_json))
    return notes
