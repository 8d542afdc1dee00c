from __future__ import annotations

import json
import random
import re
import sys
import unicodedata

import pytest

from scanner.reports import escape

HIDDEN_CATEGORIES = {"Cc", "Cf", "Cs", "Zl", "Zp"}


def test_hidden_ranges_cover_every_control_format_surrogate_and_separator() -> None:
    missed = []
    extra = []
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        category = unicodedata.category(char)
        hidden = escape._HIDDEN.match(char) is not None
        if category in HIDDEN_CATEGORIES and not hidden:
            missed.append(hex(code))
        # Ranges may run ahead of this Python's Unicode version only over unassigned code points.
        elif hidden and category not in HIDDEN_CATEGORIES and category != "Cn":
            extra.append(hex(code))
    assert missed == [] and extra == []


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("a\nb", "a\\x0ab"),
        ("a\rb", "a\\x0db"),
        ("\x1b[31mred\x1b[0m", "\\x1b[31mred\\x1b[0m"),
        ("tab\there", "tab\\x09here"),
        ("del\x7f c1\x9b", "del\\x7f c1\\x9b"),
        ("next\x85line", "next\\x85line"),
        ("line\u2028para\u2029", "line\\u2028para\\u2029"),
        ("evil\u202egnp.js", "evil\\u202egnp.js"),
        ("isolate\u2066x\u2069", "isolate\\u2066x\\u2069"),
        ("zero\u200bwidth\ufeff", "zero\\u200bwidth\\ufeff"),
        ("lone\ud800 low\udcff", "lone\\ud800 low\\udcff"),
        ("tag\U000e0041", "tag\\U000e0041"),
        ("café ✓ 名前 😀", "café ✓ 名前 😀"),
    ],
)
def test_printable_shows_hidden_characters_as_escapes(raw: str, shown: str) -> None:
    assert escape.printable(raw) == shown
    escape.printable(raw).encode("utf-8")


def test_printable_cuts_long_values_and_says_by_how_much() -> None:
    assert escape.printable("x" * 10, limit=4) == "xxxx…(+6 chars)"
    assert escape.printable("x" * 4, limit=4) == "xxxx"


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("::add-mask::secret", "\\x3a:add-mask::secret"),
        ("   ::error::x", "   \\x3a:error::x"),
        ("\u3000\u00a0::warning::x", "\u3000\u00a0\\x3a:warning::x"),
        ("x ##[error]y", "x #\\x23[error]y"),
        ("##vso[task.setvariable]x ##teamcity[m]", "#\\x23vso[task.setvariable]x #\\x23teamcity[m]"),  # noqa: E501
        ("###[x", "##\\x23[x"),
        ("a ::b", "a ::b"),
        ("http://[::1]:8080/", "http://[::1]:8080/"),
        ("# heading ## two [", "# heading ## two ["),
    ],
)
def test_inline_defuses_workflow_commands(raw: str, safe: str) -> None:
    assert escape.inline(raw) == safe


def test_inline_newline_cannot_start_a_command() -> None:
    for separator in ("\n", "\r", "\r\n", "\x0b", "\x0c", "\x85", "\u2028"):
        shown = escape.inline(f"name{separator}::add-mask::x")
        assert not re.search(r"[\r\n]", shown)
        assert shown.startswith("name\\")


def test_defuse_lines_works_on_every_line_of_a_text() -> None:
    text = "ok\n  ::error::a\r::warning::b\nsome ##[group]c\n::\n"
    assert escape.defuse_lines(text) == (
        "ok\n  \\x3a:error::a\r\\x3a:warning::b\nsome #\\x23[group]c\n\\x3a:\n"
    )
    assert escape.defuse_lines("nothing to do: a::b") == "nothing to do: a::b"


def test_printable_content_keeps_tabs_and_line_feeds_only() -> None:
    assert escape.printable_content("a\tb\nc\r\n\x1b[2K\u202e") == "a\tb\nc\\x0d\n\\x1b[2K\\u202e"


def test_command_escaping() -> None:
    assert escape.command_data("100%\nnext") == "100%25%0Anext"
    assert escape.command_property("a:b,c\n%") == "a%3Ab%2Cc\\x0a%25"
    assert escape.command_property("::x") == "\\x3a%3Ax"


def test_markdown_text_leaves_no_markup_html_link_or_mention() -> None:
    text = escape.markdown_text(
        "<img src=x> [a](https://e.test) ![i](x) **b** `c` @user @org/team #12 a@b.test "
        "www.e.test $x$ | ~s~ &amp;"
    )
    assert "<" not in text and ">" not in text.replace("&gt;", "")
    assert "](" not in text.replace("\\](", "")
    assert "https://" not in text and "www." not in text
    rendered = text.replace("&#8203;", "\u200b")  # what GitHub sees once entities are decoded
    assert re.search(r"@\w", rendered) is None
    assert re.search(r"#\d", rendered) is None
    assert "&amp;amp;" in text
    for mark in ("*", "`", "|", "~", "$", "[", "]"):
        assert all(text[i - 1] == "\\" for i, c in enumerate(text) if c == mark)


def test_markdown_code_holds_any_backticks_and_pipes_in_tables() -> None:
    assert escape.markdown_code("a``b") == "```a``b```"
    assert escape.markdown_code("`x`") == "`` `x` ``"
    assert escape.markdown_code("a|b", in_table=True) == "`a\\|b`"
    assert escape.markdown_code("") == "`  `"
    assert escape.markdown_code("<b>\n@x") == "`<b>\\x0a@x`"


def test_json_text_is_lossless_ascii_without_surrogates_or_legacy_commands() -> None:
    document = {
        "name\ud800": ["##[error] x", "\x1b[31m", "😀", "##vso[task]"],
        "ok": "::add-mask::y\n",
    }
    text = escape.json_text(document)
    assert text.isascii()
    assert "##" not in text
    back = json.loads(text)
    assert back == {
        "name\\ud800": ["##[error] x", "\x1b[31m", "😀", "##vso[task]"],
        "ok": "::add-mask::y\n",
    }
    # Every line of the JSON text is safe to print into a workflow log.
    assert not any(line.lstrip().startswith("::") for line in text.splitlines())
    assert escape.json_text({"a": 1}, indent=None) == '{"a": 1}'


def test_both_ways_of_finding_line_starts_agree() -> None:
    """The visit-each-``::`` path (few of them) and the regex path (many) give the same text."""
    rng = random.Random(11)
    alphabet = [":", ":", "::", " ", "\t", "\u3000", "\n", "\r", "\r\n", "a", "#"]
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        by_regex = escape._LINE_START_COMMAND.sub(r"\1\\x3a", text)
        assert escape._defuse_line_starts(text) == by_regex, repr(text)
    many = "x\n  ::y\n" * (escape._FEW + 5)
    assert escape.defuse_lines(many) == "x\n  \\x3a:y\n" * (escape._FEW + 5)
