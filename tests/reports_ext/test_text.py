from __future__ import annotations

from collections.abc import Callable

from scanner.model import Finding, NotChecked, ScanResult, Severity
from scanner.reports import text

MakeFinding = Callable[..., Finding]
MakeResult = Callable[..., ScanResult]


def test_values_are_one_visible_line_each(
    make_finding: MakeFinding, make_result: MakeResult
) -> None:
    finding = make_finding(
        name="evil\n::add-mask::x",
        version="1.0.0\r##[error]y",
        message="runs \x1b[31mcurl\x1b[0m \u202eevil",
        paths=[["web", "evil\n::add-mask::x@1"]],
        advisories=["MAL-\n::error::z"],
    )
    not_checked = NotChecked("publishers", "registry said:\n::stop-commands::t", ("a\n::x@1",))
    out = text.render(make_result(findings=[finding], not_checked=[not_checked]))
    lines = out.splitlines()
    assert (
        "  [known-malicious] evil\\x0a::add-mask::x@1.0.0\\x0d#\\x23[error]y  (MAL-\\x0a::error::z)"
        in lines
    )
    assert "      runs \\x1b[31mcurl\\x1b[0m \\u202eevil" in lines
    assert "      path: web > evil\\x0a::add-mask::x@1" in lines
    assert "  - publishers: registry said:\\x0a::stop-commands::t (a\\x0a::x@1)" in lines
    assert not any(line.lstrip().startswith("::") for line in lines)


def test_a_value_at_the_start_of_a_line_cannot_be_a_command(
    make_finding: MakeFinding, make_result: MakeResult
) -> None:
    finding = make_finding(severity=Severity.HIGH, message="::error file=x::forged")
    out = text.render(make_result(findings=[finding]))
    assert "      \\x3a:error file=x::forged" in out.splitlines()


def test_very_long_values_are_cut_and_say_so(
    make_finding: MakeFinding, make_result: MakeResult
) -> None:
    out = text.render(make_result(findings=[make_finding(message="m" * 50_000)]))
    assert "…(+48000 chars)" in out
    assert len(out) < 10_000
