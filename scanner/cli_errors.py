"""Command-line usage errors as one line: what was wrong, and what is accepted.

click's own errors are a usage banner, a "Try --help" line and a boxed message; depscan promises
one line on stderr and exit 2. :func:`usage_line` rewrites each kind of click error into that line,
naming the option or argument, the value, and what it accepts (the choices, the range, a close
match for a mistyped name, or the command's usage).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence

from typer._click.core import Command, Context, Parameter
from typer._click.exceptions import (
    BadOptionUsage,
    BadParameter,
    MissingParameter,
    NoSuchOption,
    UsageError,
)
from typer._click.types import IntParamType, IntRange
from typer._types import TyperChoice
from typer.core import TyperGroup, TyperOption


def did_you_mean(word: str, choices: Iterable[str]) -> list[str]:
    """The choices close enough to ``word`` to be what was meant, best first."""
    return difflib.get_close_matches(word, list(choices), n=3, cutoff=0.6)


def suggestion(word: str, choices: Iterable[str]) -> str:
    """``"; did you mean x?"`` (or ``x or y``), or nothing."""
    close = did_you_mean(word, choices)
    return f"; did you mean {' or '.join(close)}?" if close else ""


def usage_line(error: UsageError, root: TyperGroup, argv: Sequence[str]) -> str:
    """One line for a click usage error (without the ``depscan: error:`` prefix).

    Errors the option parser raises carry no context, so the command is then found in ``argv``.
    """
    command: Command = error.ctx.command if error.ctx is not None else _named_command(root, argv)
    path = error.ctx.command_path if error.ctx is not None else _command_path(root, command)
    if isinstance(error, NoSuchOption):
        hint = suggestion(error.option_name, _option_names(command))
        return (f"{error.option_name} is not an option of {path}"
                f"{hint or f' (see {path} --help)'}")
    if isinstance(error, BadOptionUsage):
        param = _param_named(command, error.option_name)
        if "requires an argument" in error.message:
            wanted = f": {accepted(param)}" if param is not None else ""
            return f"{error.option_name} needs a value{wanted} (see {path} --help)"
        if "does not take a value" in error.message:
            return f"{error.option_name} takes no value (it is an on/off switch)"
        return _one_line(error.message)
    if isinstance(error, MissingParameter) and error.param is not None:
        name = _display_name(error.param)
        return f"{path} needs {name}: {accepted(error.param)} ({_usage(command, path)})"
    if isinstance(error, BadParameter) and error.param is not None:
        value = _BAD_VALUE.match(error.message)
        shown = f" {value.group(1) or value.group(2)!r}" if value else ""
        return f"{_display_name(error.param)}{shown} is not accepted: " \
            f"expected {accepted(error.param)}"
    message = _one_line(error.message)
    if message.startswith("No such command") and isinstance(command, TyperGroup):
        typed = message.split("'")[1] if message.count("'") >= 2 else ""
        commands = [n for n, c in command.commands.items() if not c.hidden]
        hint = suggestion(typed, commands)
        return f"{typed!r} is not a depscan command{hint} (commands: {', '.join(commands)})"
    extra = _EXTRA_ARGUMENTS.match(message)
    if extra:
        words = extra.group(1).split()
        listed = ", ".join(repr(w) for w in words)
        return f"unexpected argument{'s' if len(words) > 1 else ''} {listed} " \
            f"({_usage(command, path)})"
    return f"{message.rstrip('.')} ({_usage(command, path)})"


_BAD_VALUE = re.compile(r"^(?:'(.*?)'|(\S+)) is not")
_EXTRA_ARGUMENTS = re.compile(r"^Got unexpected extra argument(?:\(s\)|s)? \((.*)\)")


def accepted(param: Parameter) -> str:
    """What a parameter accepts, in words: its choices, its range, else its help or metavar."""
    kind = param.type
    if isinstance(kind, TyperChoice):
        return "one of " + ", ".join(str(c) for c in kind.choices)
    if isinstance(kind, IntRange):
        if kind.min is not None and kind.max is not None:
            return f"a whole number from {kind.min} to {kind.max}"
        if kind.min is not None:
            return f"a whole number, {kind.min} or more"
        return f"a whole number, {kind.max} or less"
    if isinstance(kind, IntParamType):
        return "a whole number"
    help_text = getattr(param, "help", None)
    if param.param_type_name == "argument" and isinstance(help_text, str) and help_text.strip():
        return _one_line(help_text).rstrip(".")
    return param.metavar or (param.name or "a value").upper()


def _display_name(param: Parameter) -> str:
    if param.param_type_name == "argument":
        metavar = param.metavar or (param.name or "").upper()
        return metavar.rstrip(".") if metavar else "argument"
    longest = sorted(param.opts, key=len)[-1] if param.opts else (param.name or "")
    return longest


def _option_names(command: Command) -> list[str]:
    names: list[str] = []
    for param in command.params:
        if isinstance(param, TyperOption) and not param.hidden:
            names.extend((*param.opts, *param.secondary_opts))
    names.extend(("--help", "-h"))
    return names


def _param_named(command: Command, name: str) -> Parameter | None:
    for param in command.params:
        if name in (*param.opts, *getattr(param, "secondary_opts", ())):
            return param
    return None


def _named_command(root: TyperGroup, argv: Sequence[str]) -> Command:
    """The subcommand ``argv`` names (its first word that is one), else the root."""
    for word in argv:
        if word in root.commands:
            return root.commands[word]
    return root


def _command_path(root: TyperGroup, command: Command) -> str:
    return "depscan" if command is root else f"depscan {command.name}"


def _usage(command: Command, path: str) -> str:
    pieces = command.collect_usage_pieces(Context(command, info_name=path))
    # typer writes a required argument as {NAME}; the usage line in --help shows it plainly.
    return "usage: " + " ".join([path, *pieces]).replace("{", "").replace("}", "")


def _one_line(text: str) -> str:
    return " ".join(text.split())
