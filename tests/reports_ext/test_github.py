from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from scanner.model import Finding, NotChecked, ScanResult, Severity
from scanner.reports import github

MakeFinding = Callable[..., Finding]
MakeResult = Callable[..., ScanResult]


@pytest.mark.parametrize(
    ("severity", "command"),
    [
        (Severity.CRITICAL, "error"),
        (Severity.HIGH, "error"),
        (Severity.MEDIUM, "warning"),
        (Severity.LOW, "notice"),
        (Severity.INFO, "notice"),
    ],
)
def test_command_follows_severity(
    make_finding: MakeFinding, make_result: MakeResult, severity: Severity, command: str
) -> None:
    out = github.render(make_result(findings=[make_finding(severity=severity)]))
    assert out.startswith(f"::{command} ")


def test_annotation_names_file_line_and_title(
    make_finding: MakeFinding, make_result: MakeResult
) -> None:
    finding = make_finding(
        message="listed as malicious",
        advisories=["MAL-2018-1"],
        paths=[["web", "event-stream@3.3.6", "flatmap-stream@0.1.1"]],
    )
    (line,) = github.render(make_result(findings=[finding])).splitlines()
    head, message = line.split("::", 2)[1:]
    assert head == (
        "error file=web/package-lock.json,line=42,"
        "title=depscan critical%3A known-malicious%3A flatmap-stream@0.1.1"
    )
    assert message == (
        "listed as malicious%0Apath: web > event-stream@3.3.6 > flatmap-stream@0.1.1"
        "%0Aadvisories: MAL-2018-1"
    )


def test_file_is_relative_to_base_dir_and_line_left_out_when_unknown(
    make_finding: MakeFinding, make_result: MakeResult, tmp_path: Path
) -> None:
    lockfile = tmp_path / "sub" / "package-lock.json"
    out = github.render(
        make_result(findings=[make_finding(lockfile=str(lockfile), line=None)]), base_dir=tmp_path
    )
    assert out.startswith("::error file=sub/package-lock.json,title=")
    assert ",line=" not in out


def test_scan_wide_finding_has_no_file(make_finding: MakeFinding, make_result: MakeResult) -> None:
    finding = make_finding(check="lockfile-problem", name=None, lockfile=None, line=None)
    out = github.render(make_result(findings=[finding]))
    assert out.startswith("::error title=depscan critical%3A lockfile-problem::")


def test_escaping_keeps_a_message_from_ending_or_forging_a_command(
    make_finding: MakeFinding, make_result: MakeResult
) -> None:
    finding = make_finding(
        message="100% evil\r\n::error::forged",
        lockfile="dir,with:odd/package-lock.json",
        details={"rule": "a,b"},
    )
    out = github.render(make_result(findings=[finding]))
    assert out.count("\n") == 1  # one annotation, one line
    assert "file=dir%2Cwith%3Aodd/package-lock.json," in out
    # The runner unescapes %0D/%0A into line breaks inside the message: the attacker's own line
    # breaks are shown as visible escapes instead, so only depscan's own breaks survive.
    assert out.endswith("::100%25 evil\\x0d\\x0a::error::forged\n")
    assert "(a%2Cb)" in out


def test_escape_functions() -> None:
    assert github.escape_data("a%b\rc\nd:e,f") == "a%25b\\x0dc\\x0ad:e,f"
    assert github.escape_property("a%b\rc\nd:e,f") == "a%25b\\x0dc\\x0ad%3Ae%2Cf"
    assert github.escape_data("::stop-commands::t ##[error]") == (
        "\\x3a:stop-commands::t #\\x23[error]"
    )


def test_most_severe_first_then_not_checked_as_warnings(
    make_finding: MakeFinding, make_result: MakeResult
) -> None:
    findings = [
        make_finding(severity=Severity.LOW, name="low"),
        make_finding(severity=Severity.CRITICAL, name="crit"),
        make_finding(severity=Severity.MEDIUM, name="med"),
    ]
    not_checked = [NotChecked("publishers", "offline", ("a@1", "b@2"))]
    lines = github.render(make_result(findings=findings, not_checked=not_checked)).splitlines()
    assert [line.split(" ", 1)[0] for line in lines] == [
        "::error",
        "::warning",
        "::notice",
        "::warning",
    ]
    assert "crit@" in lines[0] and "low@" in lines[2]
    assert lines[3] == (
        "::warning title=depscan%3A not checked%3A publishers::"
        "Not checked, not clean: publishers: offline (a@1, b@2)"
    )


def test_nothing_to_say_is_empty(make_result: MakeResult) -> None:
    assert github.render(make_result()) == ""


def test_each_lockfile_gets_its_most_severe_few_and_a_count_of_the_rest(
    make_finding: MakeFinding, make_result: MakeResult
) -> None:
    findings = [
        make_finding(severity=Severity.LOW, name=f"low{i}", lockfile="a/package-lock.json")
        for i in range(30)
    ] + [
        make_finding(severity=Severity.HIGH, name=f"high{i}", lockfile="a/package-lock.json")
        for i in range(3)
    ] + [make_finding(severity=Severity.MEDIUM, name="m", lockfile="b/yarn.lock")]
    lines = github.render(make_result(findings=findings), max_per_file=10).splitlines()
    in_a = [line for line in lines if "file=a/package-lock.json" in line]
    assert len(in_a) == 11
    assert all("high" in line for line in in_a[:3])
    assert in_a[-1].startswith("::notice file=a/package-lock.json,title=depscan%3A more findings::")
    assert "23 more findings in this lockfile are not annotated (23 low)" in in_a[-1]
    assert next(line for line in lines if "file=b/yarn.lock" in line).startswith("::warning")
    assert lines[-1].startswith("::notice title=depscan%3A annotations capped::")
    assert "23 of 34 findings were not annotated" in lines[-1]
    assert "SARIF" in lines[-1] and "--format json" in lines[-1]


def test_not_checked_warnings_are_capped_with_a_count(make_result: MakeResult) -> None:
    items = [NotChecked(f"check-{i}", "offline") for i in range(8)]
    lines = github.render(make_result(not_checked=items), max_not_checked=5).splitlines()
    assert len(lines) == 6
    assert lines[-1].startswith("::warning title=depscan%3A more not checked::")
    assert "3 more items were not checked (not clean)" in lines[-1]


def test_eleven_thousand_findings_make_a_bounded_number_of_commands(
    make_finding: MakeFinding, make_result: MakeResult
) -> None:
    findings = [
        make_finding(severity=Severity.HIGH, name=f"p{i}", lockfile=f"app{i % 25}/yarn.lock")
        for i in range(11_175)
    ]
    lines = github.render(make_result(findings=findings)).splitlines()
    # Ten per lockfile, one count per lockfile, one closing notice.
    assert len(lines) == 25 * (github.MAX_PER_FILE + 1) + 1
