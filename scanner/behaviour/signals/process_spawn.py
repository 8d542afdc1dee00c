"""Process spawning: code that can run other programs.

Detects ``child_process`` in require, import and dynamic import (``node:`` prefix or not),
``process.binding('spawn_sync')`` and ``process._linkedBinding`` (the native spawn behind
child_process, used to avoid the module name), and ``new Worker(code, {eval: true})`` from
worker_threads (runs a string as code in a thread). Libraries that wrap child_process (execa,
cross-spawn, shelljs, ...) are reported with detail ``library:<name>``: the package spawns, but
through a dependency whose own code is what a reviewer would read, so the verdict may weigh it
lower than ``child_process`` itself.

Why: running ``curl``, ``powershell`` or a dropped binary is how install-time payloads reach
beyond Node (the 2021 ua-parser-js hijack started a miner this way). Many ordinary tools spawn
(bundlers, test runners, git wrappers), so the verdict reads it as a *new* capability.

What is spawned counts too, when the command is written in the call: a downloader (``curl``,
``wget``, ``bitsadmin``, ``certutil``, PowerShell's ``Invoke-WebRequest``) anywhere in the
command line is network access (``network`` with detail ``spawn:<program>``), and a shell
program (``/bin/sh``, ``bash``, ``cmd.exe``, ``powershell``) is ``process-spawn`` with detail
``shell:<program>``: a shell wired to a socket is a reverse shell. A command that is not written
in the call but run from inside a ``.on('data', ...)`` handler (a socket's or a stream's input)
is ``shell:remote-command``: that is a bind shell.

Ignores: the word child_process in comments, strings other than a module specifier, and
property names; ``exec`` and ``spawn`` called on anything that is not child_process (regex
``.exec()`` is everywhere).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from scanner.behaviour.context import ModuleRef
from scanner.behaviour.model import Capability
from scanner.behaviour.references import run_references
from scanner.behaviour.shell import command_outcomes
from scanner.behaviour.signals._modules import module_table, package_name
from scanner.behaviour.signals.base import (
    Detector,
    Handler,
    On,
    SignalSpec,
    Trigger,
    fixed,
    words,
)
from scanner.behaviour.syntax import (
    FUNCTION_TYPES,
    arguments,
    descendants,
    enclosing,
    literal_string,
    template_text,
)

if TYPE_CHECKING:
    from tree_sitter import Node

SPAWN_MODULES = ("child_process",)
SPAWN_LIBRARIES = (
    "execa",
    "cross-spawn",
    "shelljs",
    "tinyexec",
    "nano-spawn",
    "zx",
    "@npmcli/promise-spawn",
    "child-process-promise",
    "spawn-sync",
    "node-pty",
)
SPAWN_FUNCTIONS = frozenset(
    {"exec", "execSync", "execFile", "execFileSync", "spawn", "spawnSync", "fork"}
)
# Calls that can run a file of the package: child_process's and the libraries' usual names.
_RUNNING_NAMES = SPAWN_FUNCTIONS | {"execa", "execaSync", "execaNode", "execaCommand", "sync"}
_BINDINGS = ("process.binding", "process._linkedBinding")
SPAWN_TRIGGER = Trigger(words=words("execa spawn shelljs tinyexec zx pty child npmcli Worker"))
"""child_process (the piece ``child``), a library (its name or its piece: cross-spawn,
node-pty, ...), the Worker constructor: what a spawn call needs, and so the network signal it
gives for a spawned downloader (``spawn:curl``)."""
DOWNLOADERS = frozenset(
    {"curl", "wget", "bitsadmin", "certutil", "iwr", "invoke-webrequest", "invoke-restmethod"}
)
SHELLS = frozenset(
    {"sh", "bash", "zsh", "dash", "ksh", "cmd", "powershell", "pwsh", "wscript", "cscript"}
)
_WORD = re.compile(r"[A-Za-z0-9_.\-/\\:]+")
_MAX_COMMAND_NODES = 40
_MAX_HANDLER_DEPTH = 3


def _program(word: str) -> str:
    """``/usr/bin/curl`` -> ``curl``, ``C:\\Windows\\cmd.exe`` -> ``cmd``."""
    base = re.split(r"[/\\]", word)[-1].lower()
    return base[:-4] if base.endswith(".exe") else base


def command_texts(node: Node, data: bytes, values: Mapping[str, Node] | None = None) -> list[str]:
    """The literal text of a command argument: a string, a template's fixed parts, or each
    branch of a conditional (``win ? 'cmd.exe' : '/bin/sh'``). With ``values`` (a file's
    variables and their initial values), a variable is read as its initial value, one level
    deep: ``spawn('/bin/sh', ['-c', loop])`` with the loop written a line above."""
    texts: list[str] = []
    for item in descendants(node, _MAX_COMMAND_NODES):
        if item.type == "string":
            value = literal_string(item, data)
            if value is not None:
                texts.append(value)
        elif item.type == "template_string":
            texts.append(template_text(item, data))
        elif item.type == "identifier" and values is not None:
            initial = values.get(data[item.start_byte : item.end_byte].decode("utf-8", "replace"))
            if initial is not None and initial.id != item.id:
                texts.extend(command_texts(initial, data))
    return texts


class ProcessSpawnDetector(Detector):
    wants_modules = True

    def handlers(self) -> Mapping[str, Handler | On]:
        return {
            "call_expression": On(
                self._call, frozenset({"binding", "_linkedBinding"}) | _RUNNING_NAMES
            ),
            "new_expression": On(self._new, frozenset({"Worker"})),
        }

    def on_module(self, ref: ModuleRef) -> None:
        module = ref.module
        if module is None or ref.kind == "require-resolve":
            return
        if module in SPAWN_MODULES:
            self.ctx.emit(Capability.PROCESS_SPAWN, ref.node, detail="child_process")
        elif package_name(module) in SPAWN_LIBRARIES:
            self.ctx.emit(
                Capability.PROCESS_SPAWN, ref.node, detail=f"library:{package_name(module)}"
            )

    def _call(self, node: Node) -> None:
        function = node.child_by_field_name("function")
        name = self.ctx.qualified(function) if function is not None else None
        if name is None:
            return
        head, _, last = name.rpartition(".")
        library = package_name(name.split(".", 1)[0]) in SPAWN_LIBRARIES
        if (head == "child_process" and last in SPAWN_FUNCTIONS) or library:
            self.ctx.references.extend(run_references(self.ctx, node))
            self._what_runs(node)
            return
        if name not in _BINDINGS:
            return
        args = arguments(node)
        name = literal_string(args[0], self.ctx.data) if args else None
        if name is None or name.startswith(("spawn", "process_wrap")):
            self.ctx.emit(Capability.PROCESS_SPAWN, node, detail="spawn binding")

    def _what_runs(self, node: Node) -> None:
        args = arguments(node)
        if not args:
            return
        texts = command_texts(args[0], self.ctx.data)
        if not texts and self._in_data_handler(node):
            self.ctx.emit(Capability.PROCESS_SPAWN, node, detail="shell:remote-command")
            return
        firsts = {_program(m.group()) for t in texts if (m := _WORD.search(t))}
        words = {_program(w) for t in texts for w in _WORD.findall(t)}
        for program in sorted(firsts & SHELLS):
            self.ctx.emit(Capability.PROCESS_SPAWN, node, detail=f"shell:{program}")
        for program in sorted(words & DOWNLOADERS):
            self.ctx.emit(Capability.NETWORK, node, detail=f"spawn:{program}")
        # The command line itself, arguments included, read as a line of a shell script.
        values = self.ctx.values
        line = " ".join(t for arg in args[:2] for t in command_texts(arg, self.ctx.data, values))
        downloads = bool(words & DOWNLOADERS)
        for capability, detail, text in command_outcomes(line):
            if capability is Capability.NETWORK and downloads:
                continue  # named above, with the program
            self.ctx.emit(capability, node, f"runs `{text[:60]}`", detail)

    def _in_data_handler(self, node: Node) -> bool:
        """Whether ``node`` runs inside a function given to ``x.on('data', ...)``."""
        current: Node | None = node
        for _ in range(_MAX_HANDLER_DEPTH):
            current = enclosing(current, FUNCTION_TYPES) if current is not None else None
            if current is None:
                return False
            holder = current.parent
            call = holder.parent if holder is not None and holder.type == "arguments" else None
            if call is None or call.type != "call_expression":
                continue
            function = call.child_by_field_name("function")
            name = self.ctx.text(function, 200) if function is not None else ""
            call_args = arguments(call)
            event = literal_string(call_args[0], self.ctx.data) if call_args else None
            if name.endswith((".on", ".once", ".addListener")) and event == "data":
                return True
        return False

    def _new(self, node: Node) -> None:
        constructor = node.child_by_field_name("constructor")
        name = self.ctx.qualified(constructor) if constructor is not None else None
        if name not in ("Worker", "worker_threads.Worker"):
            return
        self.ctx.references.extend(run_references(self.ctx, node))
        args = arguments(node)
        if len(args) >= 2 and re.search(r"\beval\s*:\s*true\b", self.ctx.text(args[1], 400)):
            self.ctx.emit(Capability.PROCESS_SPAWN, node, detail="worker eval")


SIGNAL = SignalSpec(
    id=Capability.PROCESS_SPAWN.value,
    title="Spawns processes",
    capabilities=(Capability.PROCESS_SPAWN,),
    detector=ProcessSpawnDetector,
    doc=__doc__ or "",
    triggers=(
        # The module, a library (its name or its piece: cross-spawn, node-pty, ...) or the
        # Worker constructor; the spawn binding (``process.binding``, ``_linkedBinding``) and
        # its pattern (``...inding('spawn_sync')``).
        SPAWN_TRIGGER,
        Trigger(words=words("binding linkedBinding"), requires=(Trigger(words=words("process")),)),
        Trigger(words=words("spawn wrap"), requires=(Trigger(texts=(b"inding",)),)),
    ),
    modules=module_table(SPAWN_MODULES, SPAWN_LIBRARIES),
    patterns=(
        fixed(
            Capability.PROCESS_SPAWN,
            rb"inding\s*\(\s*['\"](?:spawn|process_wrap)",
            "spawn binding",
            lean=False,
        ),
    ),
)
