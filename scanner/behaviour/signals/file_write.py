"""File writes, and where they land.

Detects calls that create, change or remove files: ``writeFile``, ``appendFile``,
``createWriteStream``, ``copyFile``, ``cp``, ``rename``, ``symlink``, ``link``, ``unlink``,
``rm``, ``rmdir``, ``mkdir``, ``chmod``, ``truncate`` (and their Sync forms) on ``fs``,
``fs/promises``, ``fs-extra`` or ``graceful-fs``, plus fs-extra's ``outputFile``, ``writeJson``,
``copy``, ``move``, ``remove``. The names that cannot mean anything else (``writeFileSync``,
``createWriteStream``, ...) count on any receiver; the generic ones (``rename``, ``copy``,
``remove``) only on a name bound to one of those modules.

``detail`` is the target when it can be told from the first argument (a literal, a ``path.join`` of
literals and well-known calls, or a variable initialised to one): ``home`` (``os.homedir()``,
``~/``, ``$HOME``), ``system`` (``/etc``, ``/usr``, ``C:\\Windows``, ...), ``outside-package`` (a
``..`` segment that ``__dirname`` does not account for), ``package`` (under ``__dirname``), ``temp``
(``os.tmpdir()``, ``/tmp``), ``persistence`` (where code runs again later: LaunchAgents, systemd
user units, cron, the Windows Startup folder and Run key, shell profiles, Python .pth and
sitecustomize hooks), ``install-hook-injection`` (a package.json outside the package written by code
that mentions install scripts: a worm adding itself to other projects), ``path:<literal>`` for other
literal paths; no detail when the target is computed.

Why: persistence (a shell profile, an SSH ``authorized_keys``), dropping a second stage, or
wiping (the 2022 node-ipc ``peacenotwar`` release overwrote files). Ordinary packages write too
(caches, build output), so the target is what tells them apart.

Ignores: reads, and method names on unrelated objects (``map.delete``, ``list.remove``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from scanner.behaviour.model import Capability
from scanner.behaviour.signals.base import (
    Detector,
    FallbackPattern,
    Handler,
    On,
    Outcome,
    SignalSpec,
    Trigger,
    fixed,
    words,
)
from scanner.behaviour.syntax import arguments, descendants, string_value, unwrap

if TYPE_CHECKING:
    from tree_sitter import Node

    from scanner.behaviour.context import FileContext

FS_MODULES = ("fs", "fs/promises", "fs-extra", "graceful-fs", "original-fs")
_GENERIC = (
    "writeFile",
    "appendFile",
    "copyFile",
    "cp",
    "rename",
    "symlink",
    "link",
    "unlink",
    "rm",
    "rmdir",
    "mkdir",
    "chmod",
    "truncate",
    "outputFile",
    "outputJson",
    "writeJson",
    "copy",
    "move",
    "remove",
    "emptyDir",
    "ensureFile",
    "mkdirp",
    "mkdirs",
)
_DISTINCTIVE = (
    "writeFileSync",
    "appendFileSync",
    "createWriteStream",
    "copyFileSync",
    "cpSync",
    "renameSync",
    "symlinkSync",
    "linkSync",
    "unlinkSync",
    "rmSync",
    "rmdirSync",
    "mkdirSync",
    "chmodSync",
    "truncateSync",
    "outputFileSync",
    "writeJsonSync",
    "outputJsonSync",
)
WRITE_FUNCTIONS = frozenset(_GENERIC) | frozenset(_DISTINCTIVE)
_FS_NAMES = frozenset({"fs", "fsp", "fse", "fsPromises", "fsExtra", "gracefulFs"})
_SYSTEM = re.compile(
    r"^(?:/etc/|/usr/|/bin/|/sbin/|/var/|/lib/|/boot/|/root/|/Library/|/System/"
    r"|[A-Za-z]:[\\/](?:Windows|Program Files|ProgramData))",
    re.IGNORECASE,
)
_HOME_ENV = frozenset({"HOME", "USERPROFILE", "APPDATA", "LOCALAPPDATA", "HOMEPATH"})
PERSISTENCE_PATHS = re.compile(
    r"LaunchAgents|LaunchDaemons|autostart|systemd[\\/]user|/etc/systemd|/etc/cron|cron\.d"
    r"|crontab|Start Menu[\\/]Programs[\\/]Startup|CurrentVersion[\\/]Run"
    r"|(?:^|[\\/])\.(?:bashrc|zshrc|profile|bash_profile|zprofile|zshenv)$"
    # Python runs `import` lines of every .pth file in site-packages at each start-up.
    r"|\.pth$|(?:^|[\\/])(?:sitecustomize|usercustomize)\.py$",
    re.IGNORECASE,
)
"""Where a file makes code run again later (at login, boot or on a schedule)."""
_INSTALL_HOOKS = (b"postinstall", b"preinstall")
_TEMP_ENV = frozenset({"TMPDIR", "TEMP", "TMP"})
_MAX_TARGET_NODES = 80


def target_detail(ctx: FileContext, node: Node, follow: bool = True) -> str | None:
    """Where a path expression points: home, system, outside-package, temp, path:<literal>."""
    node = unwrap(node)
    if follow and node.type == "identifier":
        initial = ctx.values.get(ctx.text(node))
        return target_detail(ctx, initial, follow=False) if initial is not None else None
    found: set[str] = set()
    literals: list[str] = []
    parents = 0
    from_dirname = False
    for item in descendants(node, _MAX_TARGET_NODES):
        kind = item.type
        if kind == "identifier" and ctx.text(item) in ("__dirname", "__filename"):
            from_dirname = True
        elif kind == "identifier" and follow and item.id != node.id:
            # path.join(dir, 'x') where dir = path.join(os.homedir(), ...): one level deep
            initial = ctx.values.get(ctx.text(item))
            inner = target_detail(ctx, initial, follow=False) if initial is not None else None
            if inner in ("home", "system", "temp", "persistence"):
                found.add(inner)
        if kind in ("string", "template_string"):
            value = string_value(item, ctx.data)
            if value is None:
                continue
            literals.append(value)
            if value.startswith("~/") or value == "~":
                found.add("home")
            if _SYSTEM.match(value):
                found.add("system")
            parents += re.split(r"[\\/]", value).count("..")
            if value.startswith(("/tmp/", "/var/tmp/")) or value == "/tmp":
                found.add("temp")
        elif kind in ("call_expression", "member_expression"):
            name = ctx.qualified(item.child_by_field_name("function") or item) or ""
            last = name.rsplit(".", 1)[-1]
            if last == "homedir" or (name.startswith("process.env.") and last in _HOME_ENV):
                found.add("home")
            elif last == "tmpdir" or (name.startswith("process.env.") and last in _TEMP_ENV):
                found.add("temp")
    # ``path.join(__dirname, '..', 'dist')`` from lib/ is still inside the package; ``..`` from
    # the working directory (the package folder during install) is the project around it.
    depth = ctx.depth
    if parents and not (from_dirname and parents <= depth):
        found.add("outside-package")
    elif from_dirname:
        found.add("package")
    joined = "/".join(literals)
    if "persistence" in found or (literals and PERSISTENCE_PATHS.search(joined)):
        return "persistence"
    # Rewriting other projects' package.json to add an install hook is how worms spread.
    manifest = bool(literals) and literals[-1].rsplit("/", 1)[-1] == "package.json"
    if manifest and not from_dirname and any(hook in ctx.data for hook in _INSTALL_HOOKS):
        return "install-hook-injection"
    for label in ("home", "system", "outside-package", "temp"):
        if label in found:
            return label
    if node.type in ("string", "template_string") and literals:
        return f"path:{literals[0]}"
    return "package" if "package" in found else None


class FileWriteDetector(Detector):
    def handlers(self) -> Mapping[str, Handler | On]:
        return {"call_expression": On(self._call, WRITE_FUNCTIONS)}

    def _call(self, node: Node) -> None:
        function = node.child_by_field_name("function")
        if function is None:
            return
        name = self.ctx.qualified(function)
        if not name:
            return
        head, _, last = name.rpartition(".")
        if last not in WRITE_FUNCTIONS:
            return
        if last not in _DISTINCTIVE and not _is_fs(head):
            return
        args = arguments(node)
        detail = target_detail(self.ctx, args[0]) if args else None
        self.ctx.emit(Capability.FILE_WRITE, node, detail=detail)


def _fs_method(match: re.Match[bytes], data: bytes) -> list[Outcome]:
    name = match.group(1).decode("ascii", "replace")
    return [(Capability.FILE_WRITE, None)] if name in WRITE_FUNCTIONS else []


def _sync_call(match: re.Match[bytes], data: bytes) -> list[Outcome]:
    before = data[max(0, match.start() - 24) : match.start()]
    name = re.search(rb"(\w+)$", before)
    if name and name.group(1).decode("ascii", "replace") + "Sync" in _DISTINCTIVE:
        return [(Capability.FILE_WRITE, None)]
    return []


def _is_fs(receiver: str) -> bool:
    root = receiver.split(".", 1)[0]
    return root in FS_MODULES or root in _FS_NAMES or receiver in ("fs.promises",)


SIGNAL = SignalSpec(
    id=Capability.FILE_WRITE.value,
    title="Writes files",
    capabilities=(Capability.FILE_WRITE,),
    detector=FileWriteDetector,
    doc=__doc__ or "",
    triggers=(
        # A name only a write has, on any receiver; a generic one on fs (or fs/promises,
        # fs-extra, graceful-fs, a local named fs, fse, ...).
        Trigger(words=words(_DISTINCTIVE), texts=(b"createWriteStream",)),
        Trigger(words=words(_GENERIC), requires=(Trigger(words=words(_FS_NAMES)),)),
    ),
    patterns=(
        FallbackPattern(
            re.compile(rb"fs(?<![\w$]fs)\s*\.\s*(?:promises\s*\.\s*)?(\w+)\s*\("),
            _fs_method,
            lean=False,
        ),
        FallbackPattern(re.compile(rb"Sync\s*\("), _sync_call, lean=False),
        fixed(Capability.FILE_WRITE, rb"createWriteStream\s*\(", None, lean=False),
        FallbackPattern(re.compile(rb"fse(?<![\w$]fse)\s*\.\s*(\w+)\s*\("), _fs_method, lean=False),
    ),
)
