"""What a package's code can do: the values the behaviour model produces and the verdict reads.

A *signal* module (``scanner/behaviour/signals/``) finds one capability in one file; a file's
signals make a :class:`FileProfile`; a package's files, each placed in a :class:`Zone` by what its
manifest says runs when, make a :class:`PackageProfile`. Profiles depend only on the tarball's
bytes, so they are cached by the tarball's integrity hash. Judging (new capabilities, how much
they weigh, one verdict per package) lives in :mod:`scanner.verdict`, not here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum, StrEnum


class Capability(StrEnum):
    """Something code can do that a supply-chain payload needs. Values are stable ids (JSON)."""

    PROCESS_SPAWN = "process-spawn"
    """child_process, process.binding('spawn_sync'), worker_threads running code strings."""
    NETWORK = "network"
    """http/https/net/tls/dgram/http2 modules; real calls of fetch, XMLHttpRequest, WebSocket."""
    DNS = "dns"
    FILE_WRITE = "file-write"
    """Writes, renames, deletes; ``detail`` names the target when it is a literal or well-known
    location (home directory, outside the package, system paths)."""
    ENV_ALL = "env-all"
    """The whole environment read: ``process.env`` passed, spread, serialised or enumerated."""
    ENV_SECRET = "env-secret"
    """Named environment variables that hold secrets (*TOKEN*, *SECRET*, *KEY*, NPM_TOKEN...)."""
    ENV_NAMED = "env-named"
    """Other named environment variables (NODE_ENV, DEBUG...): ordinary, weighs nothing alone."""
    DYNAMIC_CODE = "dynamic-code"
    """eval, Function, vm.run*, module._compile."""
    COMPUTED_REQUIRE = "computed-require"
    """require()/import() of something that is not a string literal."""
    DECODE = "decode"
    """Buffer.from(x, 'hex'|'base64'), atob, String.fromCharCode over arrays, hex/base64 blobs."""
    DECODED_EXEC = "decoded-exec"
    """A decoded value flows into require, eval/Function/vm, or a process spawn."""
    DECIPHER = "decipher"
    """crypto.createDecipher / createDecipheriv / subtle.decrypt."""
    CREDENTIAL_ACCESS = "credential-access"
    """Literal paths of credential stores: .npmrc, .ssh, .aws, browser profiles and Discord token
    stores (Local Storage/leveldb), wallet files (wallet.dat, keystores, extension ids)."""
    EXFIL_ENDPOINT = "exfil-endpoint"
    """Webhook and bot APIs, out-of-band testing domains, paste sites, raw IP URLs."""
    SKIMMER = "skimmer"
    """Submit/input hooks that read password or card fields."""
    WALLET_HOOK = "wallet-hook"
    """Overrides of fetch/XMLHttpRequest prototypes, hooks on window.ethereum, address swaps."""
    OBFUSCATION = "obfuscation"
    """Obfuscator-style identifiers, high-entropy string tokens, long encoded blobs."""
    NATIVE_BINARY = "native-binary"
    """An ELF/Mach-O/PE file or .node addon in the package."""


class Zone(IntEnum):
    """Where in the package a file sits, by when its code runs. Higher weighs more."""

    TYPES = 0
    """Type-only (.d.ts, .d.mts, .d.cts): never counts."""
    TEST = 1
    """Tests, benchmarks, examples, docs, fixtures: rarely run by a dependent."""
    OTHER = 2
    """Shipped code that nothing declares as an entry point (may still be required)."""
    ENTRY = 3
    """Reached from ``main``, ``exports``, ``module``, ``browser`` or ``bin``."""
    INSTALL = 4
    """Run by an install script (preinstall, install, postinstall), or reached from one."""

    @property
    def label(self) -> str:
        return self.name.lower()


class Method(StrEnum):
    """How a signal was found."""

    SYNTAX = "syntax"
    """From the JavaScript syntax tree: comments, strings and regex literals cannot fake it."""
    PATTERN = "pattern"
    """A text pattern, used where the file could not be parsed (the note says so)."""
    BYTES = "bytes"
    """File bytes (magic numbers, sizes), not code."""


@dataclass(frozen=True, slots=True)
class Signal:
    capability: Capability
    file: str
    """Path inside the package, first segment stripped (``lib/index.js``)."""
    line: int | None
    """1-based line of the first occurrence."""
    evidence: str
    """A short, printable excerpt or description: ``require('child_process')``, ``a 4,096
    character hex string``. Attacker text: shown with control characters escaped."""
    detail: str | None = None
    """What the capability targets, when known: a host, a path, env variable names, the sink a
    decoded value flows into. Compared across versions ("reads NPM_TOKEN" is new even if the
    file already read NODE_ENV)."""
    count: int = 1
    """Occurrences in this file with the same capability and detail."""
    method: Method = Method.SYNTAX


@dataclass(frozen=True, slots=True)
class FileProfile:
    path: str
    signals: tuple[Signal, ...] = ()
    parsed: bool = True
    """False when the parser failed (or the file was over the parse-size cap) and patterns were
    used instead; ``note`` says why."""
    note: str | None = None
    local_requires: tuple[str, ...] = ()
    """Package-relative paths this file requires or imports (resolved: ``./a`` -> ``a.js``), used
    to carry the install and entry zones to the files they load."""
    minified: bool = False


@dataclass(frozen=True, slots=True)
class InstallCommand:
    """One simple command of an install script, and what it runs (see docs/behaviour.md)."""

    script: str
    """``preinstall``, ``install``, ``postinstall`` or ``prepare``."""
    command: str
    """The simple command as written (one piece of ``a && b || c``)."""
    kind: str
    """``node-file``, ``node-inline``, ``shell-file``, ``package-file``, ``native-build``,
    ``dependency-bin``, ``registry-bin`` (npx and friends), ``run-script``, ``download``,
    ``no-op`` or ``other``."""
    files: tuple[str, ...] = ()
    """Package files the command runs (resolved like Node: ``node install`` -> ``install.js``)."""
    note: str | None = None
    """What the command means, when it does not run a package file."""
    code: str | None = None
    """The inline JavaScript of ``node -e "..."`` (analysed as the file named in ``files``)."""


@dataclass(frozen=True, slots=True)
class ManifestFacts:
    """What package.json says about when code runs and on what platform."""

    install_scripts: dict[str, str] = field(default_factory=dict)
    """preinstall/install/postinstall (and prepare, which runs for git installs only)."""
    entry_points: tuple[str, ...] = ()
    """main, exports targets, module, browser, bin targets: normalised package paths."""
    bin: dict[str, str] = field(default_factory=dict)
    main: str | None = None
    os: tuple[str, ...] = ()
    cpu: tuple[str, ...] = ()
    dependencies: dict[str, str] = field(default_factory=dict)
    """dependencies and optionalDependencies, name -> spec."""
    install_commands: tuple[InstallCommand, ...] = ()
    """Every simple command of the install scripts, with the package files each runs. An implicit
    ``node-gyp rebuild`` (a binding.gyp and no install/preinstall script) is listed too."""

    @property
    def is_platform_package(self) -> bool:
        """Packages like @esbuild/linux-x64 declare the platform they ship a binary for."""
        return bool(self.os or self.cpu)


@dataclass(frozen=True, slots=True)
class PackageProfile:
    subject: str
    """``name@version`` or a file path, for messages."""
    manifest: ManifestFacts
    files: dict[str, FileProfile]
    """Every code file analysed, by package path (type-only files are listed with no signals)."""
    zones: dict[str, Zone]
    """Zone of every file in the package (binaries included)."""
    binaries: tuple[str, ...] = ()
    """Paths of native executables and libraries."""
    notes: tuple[str, ...] = ()
    """What could not be analysed as well as the rest (files over the parse cap, syntax errors,
    an unreadable package.json), one line each."""

    def signals(self, min_zone: Zone = Zone.TEST) -> list[Signal]:
        """Every signal in files of ``min_zone`` or above."""
        return [
            signal
            for path, profile in sorted(self.files.items())
            if self.zones.get(path, Zone.OTHER) >= min_zone
            for signal in profile.signals
        ]

    def capabilities(self, min_zone: Zone = Zone.TEST) -> set[Capability]:
        return {signal.capability for signal in self.signals(min_zone)}
