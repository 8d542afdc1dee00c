"""Neutralisers for text an attacker wrote, one per output context; every renderer uses these.

Package names, versions, install paths, dependency specs, scripts, publisher names, advisory text,
policy reasons, tarball member names and registry error bodies all come from strangers. Printed as
they are, they can forge GitHub workflow commands (``::add-mask::``, ``::stop-commands::``,
``::error::`` at the start of a log line, or the legacy ``##[error]`` anywhere in one), rewrite a
terminal with ANSI escapes, hide text behind bidi overrides, inject Markdown and HTML into a
pull-request comment, or make a report unencodable (a lone surrogate).

The rules, by context (docs/output.md says the same for users):

- **every human-readable value** (:func:`inline`): control characters (C0, DEL, C1), format
  characters (bidi overrides and isolates, zero-width and other invisible characters), line and
  paragraph separators and surrogates are shown as ``\\xNN``/``\\uNNNN`` escapes, so a value is
  always one visible line; ``##[`` (and ``##name[``) becomes ``#\\x23[``; a value that would start
  a line with ``::`` has its first colon shown as ``\\x3a``; values are cut at
  :data:`MAX_VALUE_CHARS`.
- **workflow commands** (:func:`command_data`, :func:`command_property`): the above, then GitHub's
  own escaping (``%``, CR, LF; plus ``:`` and ``,`` in properties).
- **Markdown** (:func:`markdown_text`, :func:`markdown_code`): the above, then HTML (``&<>``) and
  Markdown punctuation escaped; ``@``, ``#``, ``://`` and ``www.`` get a zero-width space so
  attacker text cannot mention people, cross-reference issues or become a link.
- **JSON and SARIF** (:func:`json_text`): lossless except that surrogates are written as the
  visible escape text; ASCII output; ``##[`` inside strings written as ``#\\u0023[``.
- **whole outputs** (:func:`defuse_lines`): a last pass over a rendered report or diff that no
  line can start a workflow command or hold a legacy one, whatever a renderer forgot.
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_VALUE_CHARS = 2000
"""Longest value a human-readable report shows; JSON keeps everything."""

# Cc, Cf, Cs, Zl and Zp of Unicode 14-16: controls, invisible format characters (bidi overrides
# and isolates, zero-width spaces and joiners, soft hyphen, tags), surrogates, U+2028 and U+2029.
# tests/reports_ext/test_escape.py checks the ranges against the running Python's unicodedata.
_HIDDEN_BEYOND_C0 = (
    "\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e"
    "\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ud800-\udfff\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f"
)
_HIDDEN = re.compile(f"[\x00-\x1f{_HIDDEN_BEYOND_C0}]")
# File content keeps its tabs and line feeds (a diff is many lines); everything else is escaped.
_HIDDEN_IN_CONTENT = re.compile(f"[\x00-\x08\x0b-\x1f{_HIDDEN_BEYOND_C0}]")
_SURROGATE = re.compile("[\ud800-\udfff]")

# GitHub's runner (and Azure Pipelines', and TeamCity's) reads ``##[command]`` and
# ``##vso[...]``/``##teamcity[...]`` anywhere in a line.
_LEGACY_COMMAND = re.compile(r"##(?=[A-Za-z]*\[)")
# The runner trims leading white space (.NET's Char.IsWhiteSpace; Python's str.isspace is a
# superset) before it looks for ``::``; lines end at CR, LF or CRLF.
_LINE_START_COMMAND = re.compile(r"(?:^|(?<=\r))([^\S\r\n]*):(?=:)", re.MULTILINE)
_FEW = 1000

_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_\[\]|~$!{}])")
# Mentions, issue references, autolinks: a zero-width space after the trigger defeats GitHub's
# recognisers whether they run before or after entity decoding.
_ZERO_WIDTH_SPACE = "&#8203;"
_MARKDOWN_TRIGGERS = re.compile(r"([@#])|(?<=[A-Za-z])(://)|(?i:\b(www)\.)")
_BACKTICK_RUN = re.compile(r"`+")


def _escape_char(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def printable(text: str, limit: int | None = None) -> str:
    """``text`` with every hidden character shown as an escape, cut to ``limit`` characters."""
    if _HIDDEN.search(text):
        text = _HIDDEN.sub(_escape_char, text)
    if limit is not None and len(text) > limit:
        more = len(text) - limit
        text = f"{text[:limit]}…(+{more} chars)"
    return text


def printable_content(text: str) -> str:
    """Multi-line file content: as :func:`printable`, but tabs and line feeds stay as they are."""
    if _HIDDEN_IN_CONTENT.search(text):
        text = _HIDDEN_IN_CONTENT.sub(_escape_char, text)
    return text


def defuse_lines(text: str) -> str:
    """No line of ``text`` starts a workflow command or holds a legacy one.

    ``##[`` becomes ``#\\x23[``, and a line whose first non-blank characters are ``::`` has its
    first colon shown as ``\\x3a``. Text without either is returned as it is (one scan each).
    """
    if "##" in text:
        text = _LEGACY_COMMAND.sub(r"#\\x23", text)
    if "::" in text:
        text = _defuse_line_starts(text)
    return text


def _defuse_line_starts(text: str) -> str:
    """Look only at lines holding ``::``, once each (a diff of tens of MB has a few hundred): a
    regex anchored at every line start costs a second on such a text, this milliseconds."""
    pieces: list[str] = []
    visits = 0
    done = 0
    end = len(text)
    next_lf = next_cr = -1
    line_from = 0  # every search for ``::`` starts at the start of a line
    at = text.find("::")
    while at != -1:
        visits += 1
        if visits > _FEW:
            # Lines of ``::`` by the thousand (a hostile file): one regex pass is quicker.
            return _LINE_START_COMMAND.sub(r"\1\\x3a", text)
        brk = max(text.rfind("\n", line_from, at), text.rfind("\r", line_from, at))
        line_start = brk + 1 if brk != -1 else line_from
        if line_start == at or text[line_start:at].isspace():
            pieces.append(text[done:at])
            pieces.append("\\x3a")
            done = at + 1
        # No later ``::`` on this line can be at its start: go on from the next line.
        if next_lf < at:
            found = text.find("\n", at)
            next_lf = end if found == -1 else found
        if next_cr < at:
            found = text.find("\r", at)
            next_cr = end if found == -1 else found
        line_from = min(next_lf, next_cr) + 1
        at = text.find("::", line_from) if line_from < end else -1
    if not pieces:
        return text
    pieces.append(text[done:])
    return "".join(pieces)


def inline(text: object, limit: int | None = MAX_VALUE_CHARS) -> str:
    """One visible line of plain text, safe in a terminal and in a workflow log."""
    return defuse_lines(printable(str(text), limit))


def command_data(text: str) -> str:
    """The message of a workflow command: ``%``, CR and LF escaped the way the runner unescapes.

    Values in ``text`` must already have gone through :func:`inline`; the line feeds left are the
    report's own line breaks inside one annotation.
    """
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def command_property(text: str) -> str:
    """A property value of a workflow command: as data, plus the ``:`` and ``,`` that delimit."""
    return command_data(inline(text)).replace(":", "%3A").replace(",", "%2C")


def markdown_text(text: object, limit: int | None = MAX_VALUE_CHARS) -> str:
    """Plain text that renders as itself in GitHub Markdown: no markup, HTML, link or mention."""
    value = inline(text, limit)
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    value = _MARKDOWN_PUNCTUATION.sub(r"\\\1", value)
    return _MARKDOWN_TRIGGERS.sub(_break_trigger, value)


def _break_trigger(match: re.Match[str]) -> str:
    if match.group(1):
        return match.group(1) + _ZERO_WIDTH_SPACE
    if match.group(2):
        return _ZERO_WIDTH_SPACE + match.group(2)
    return match.group(3) + _ZERO_WIDTH_SPACE + "."


def markdown_code(
    text: object, limit: int | None = MAX_VALUE_CHARS, *, in_table: bool = False
) -> str:
    """An inline code span showing ``text`` literally, whatever backticks it holds.

    Code spans render no HTML, links or mentions, so the value stays copyable; inside a table a
    ``|`` would still end the cell and is escaped.
    """
    value = inline(text, limit)
    longest = max((len(m) for m in _BACKTICK_RUN.findall(value)), default=0)
    fence = "`" * (longest + 1)
    if value.startswith("`") or value.endswith("`") or not value.strip():
        value = f" {value} "
    if in_table:
        value = value.replace("|", "\\|")
    return f"{fence}{value}{fence}"


def json_safe(value: Any) -> Any:
    """``value`` with every surrogate in a string or key written as its visible escape text."""
    if isinstance(value, str):
        return _SURROGATE.sub(_escape_char, value) if _SURROGATE.search(value) else value
    if isinstance(value, dict):
        return {json_safe(str(k)): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    return value


def json_text(document: Any, *, indent: int | None = 2) -> str:
    """``document`` as ASCII JSON that parses everywhere and holds no workflow command."""
    text = json.dumps(document, indent=indent, ensure_ascii=True)
    if "\\ud" in text:
        # A surrogate, paired or not, is written as a \ud escape; only then walk the document.
        text = json.dumps(json_safe(document), indent=indent, ensure_ascii=True)
    # ``#`` only occurs inside strings, where ``\u0023`` reads back as the same character.
    return _LEGACY_COMMAND.sub(r"#\\u0023", text) if "##" in text else text
