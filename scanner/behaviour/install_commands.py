"""What an install script runs, command by command.

``node install.js``, ``node ./scripts/postinstall.js || true``: the file (resolved like Node) is
install-time code. ``node -e "require('./x')"``: the inline code is analysed as a file of its own
(``package.json#scripts.postinstall``), and what it requires is install-time code. ``sh ./x.sh``
or ``./x.sh``: the shell file. ``node-gyp rebuild`` (also implied by a binding.gyp),
``prebuild-install || node-gyp rebuild``, ``node-pre-gyp install``, ``node-gyp-build``: native
builds (compile binding.gyp, or download a prebuilt binary from the project's releases): ordinary
for addons, listed as ``native-build``. ``npx x`` / ``npm exec`` / ``pnpm dlx``: code fetched from
the registry at install time (``registry-bin``). ``npm run x``: the script x, followed (three
levels). Any other command name is a dependency's bin or a system tool (``dependency-bin``);
``curl``/``wget`` are ``download``; ``exit 0``, ``echo``, ``true`` are ``no-op``.
"""

from __future__ import annotations

import shlex
from collections.abc import Collection, Mapping

from scanner.behaviour.model import InstallCommand
from scanner.behaviour.resolve import resolve_target

INSTALL_SCRIPTS = ("preinstall", "install", "postinstall", "prepare")
RUNS_ON_INSTALL = ("preinstall", "install", "postinstall")
"""``prepare`` runs only when npm installs from git or a folder, not from the registry."""
GYP_COMMAND = "node-gyp rebuild"
INLINE_PREFIX = "package.json#scripts."

_NODES = frozenset({"node", "nodejs", "bun", "deno"})
_SHELLS = frozenset({"sh", "bash", "zsh", "dash"})
_NATIVE = frozenset(
    {
        "node-gyp",
        "node-gyp-build",
        "prebuild-install",
        "node-pre-gyp",
        "cmake-js",
        "node-gyp-build-optional-packages",
        "prebuildify",
    }
)
_REGISTRY_RUNNERS = frozenset({"npx", "pnpx", "bunx"})
_PACKAGE_MANAGERS = frozenset({"npm", "pnpm", "yarn", "bun"})
_NO_OPS = frozenset({"exit", "true", ":", "echo", "printf", "cd"})
_DOWNLOADERS = frozenset({"curl", "wget"})
_NODE_VALUE_OPTIONS = frozenset(
    {"--loader", "--import", "--experimental-loader", "--conditions", "-C"}
)
_MAX_DEPTH = 3


def split_commands(script: str) -> list[str]:
    """The simple commands of ``a && b || c; d | e``, quotes respected."""
    pieces: list[str] = []
    current: list[str] = []
    quote: str | None = None
    index = 0
    while index < len(script):
        char = script[index]
        if quote:
            current.append(char)
            if char == quote:
                quote = None
            elif char == "\\" and quote == '"' and index + 1 < len(script):
                index += 1
                current.append(script[index])
        elif char in "'\"":
            quote = char
            current.append(char)
        elif char in "&|;\n":
            pieces.append("".join(current))
            current = []
        else:
            current.append(char)
        index += 1
    pieces.append("".join(current))
    return [piece.strip() for piece in pieces if piece.strip()]


def install_commands(
    scripts: Mapping[str, str], files: Collection[str], *, gypfile: bool = False
) -> tuple[InstallCommand, ...]:
    found: list[InstallCommand] = []
    for name in INSTALL_SCRIPTS:
        if name in scripts:
            found.extend(_script(name, scripts[name], scripts, files, 0))
    if gypfile and "install" not in scripts and "preinstall" not in scripts:
        found.append(
            InstallCommand(
                "install",
                GYP_COMMAND,
                "native-build",
                _gyp(files),
                "implicit: npm runs node-gyp rebuild for a package with a binding.gyp",
            )
        )
    return tuple(found)


def _script(
    name: str, script: str, scripts: Mapping[str, str], files: Collection[str], depth: int
) -> list[InstallCommand]:
    commands: list[InstallCommand] = []
    for command in split_commands(script):
        commands.extend(_command(name, command, scripts, files, depth))
    return commands


def _command(
    name: str, command: str, scripts: Mapping[str, str], files: Collection[str], depth: int
) -> list[InstallCommand]:
    def make(
        kind: str, found: tuple[str, ...] = (), note: str | None = None, code: str | None = None
    ) -> list[InstallCommand]:
        return [InstallCommand(name, command, kind, found, note, code)]

    try:
        tokens = shlex.split(command, posix=True)
    except ValueError:
        return make("other", note="could not be split into words (unbalanced quotes)")
    while tokens and (
        ("=" in tokens[0] and not tokens[0].startswith(("-", ".")))
        or tokens[0] in ("cross-env", "exec", "env", "sudo", "command")
    ):
        tokens = tokens[1:]
    if not tokens:
        return make("no-op")
    program = tokens[0]
    base = program.rsplit("/", 1)[-1]
    rest = tokens[1:]
    if base in _NODES:
        return _node(name, command, rest, files)
    if base in _SHELLS:
        if rest[:1] == ["-c"] and len(rest) > 1 and depth < _MAX_DEPTH:
            return _script(name, rest[1], scripts, files, depth + 1)
        target = next((t for t in rest if not t.startswith("-")), None)
        resolved = resolve_target(target, files) if target else None
        return make(
            "shell-file",
            (resolved,) if resolved else (),
            None if resolved else f"runs {target!r}, which is not in the package",
        )
    if base in _NATIVE:
        return make(
            "native-build",
            _gyp(files),
            "builds native code from binding.gyp or fetches a prebuilt binary",
        )
    if base in _REGISTRY_RUNNERS or (
        base in _PACKAGE_MANAGERS and rest[:1] in (["exec"], ["dlx"], ["x"])
    ):
        return make("registry-bin", note="runs a package's bin fetched at install time")
    if base in _PACKAGE_MANAGERS:
        target_script = (
            rest[1]
            if rest[:1] in (["run"], ["run-script"]) and len(rest) > 1
            else (rest[0] if base in ("yarn", "bun") and rest and rest[0] in scripts else None)
        )
        if target_script and target_script in scripts and depth < _MAX_DEPTH:
            return _script(name, scripts[target_script], scripts, files, depth + 1)
        return make("run-script", note=f"runs {base} {' '.join(rest)[:80]}")
    if base in _NO_OPS:
        return make("no-op")
    if base in _DOWNLOADERS:
        return make("download", note=f"{base} downloads at install time")
    if program.startswith(("./", "../")) or "/" in program or program in files:
        resolved = resolve_target(program, files)
        if resolved:
            return make("package-file", (resolved,))
    return make(
        "dependency-bin", note=f"runs the {base} command (a dependency's bin or a system tool)"
    )


def _node(name: str, command: str, args: list[str], files: Collection[str]) -> list[InstallCommand]:
    found: list[str] = []
    index = 0
    while index < len(args):
        arg = args[index]
        if arg in ("-e", "--eval", "-p", "--print") and index + 1 < len(args):
            return [
                InstallCommand(
                    name,
                    command,
                    "node-inline",
                    (f"{INLINE_PREFIX}{name}",),
                    "runs inline JavaScript",
                    args[index + 1],
                )
            ]
        if arg in ("-r", "--require") and index + 1 < len(args):
            resolved = resolve_target(args[index + 1], files)
            if resolved:
                found.append(resolved)
            index += 2
            continue
        if arg in _NODE_VALUE_OPTIONS:
            index += 2
            continue
        if arg.startswith("-"):
            index += 1
            continue
        resolved = resolve_target(arg, files)
        if resolved:
            found.append(resolved)
            return [InstallCommand(name, command, "node-file", tuple(found))]
        return [
            InstallCommand(
                name,
                command,
                "node-file",
                tuple(found),
                f"runs {arg!r}, which is not in the package",
            )
        ]
    return [InstallCommand(name, command, "node-file", tuple(found), "node without a script")]


def _gyp(files: Collection[str]) -> tuple[str, ...]:
    return ("binding.gyp",) if "binding.gyp" in files else ()
