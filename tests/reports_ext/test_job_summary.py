"""The job summary stays under GitHub's 1 MiB, whatever the number and size of the reports."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from scanner import action
from scanner.model import Finding, NotChecked, ScanResult, Severity
from scanner.reports import job_summary as summary
from scanner.reports.job_summary import SummarySection, job_summary

MakeFinding = Callable[..., Finding]
MakeResult = Callable[..., ScanResult]


def _size(text: str) -> int:
    return len(text.encode("utf-8"))


def _big_result(make_finding: MakeFinding, make_result: MakeResult, lockfile: str) -> ScanResult:
    """The issue's case: ~3,000 high host findings per lockfile, with multi-byte text."""
    findings = [
        make_finding(
            check="lockfile-hygiene",
            severity=Severity.HIGH,
            name=f"пакет-{i}",  # two bytes a character
            version="1.0.0",
            message=f"пакет-{i}@1.0.0 is resolved from 外部.example.test, which is not an "
            "allowed registry host " + "ё" * 200,
            lockfile=lockfile,
            details={"rule": "host"},
        )
        for i in range(3004)
    ]
    return make_result(findings=findings, lockfiles=(lockfile,),
                      not_checked=[NotChecked("publishers", "offline", ("a@1",))])


def test_twenty_five_big_lockfiles_fit_under_one_mib(
    make_finding: MakeFinding, make_result: MakeResult
) -> None:
    sections = [
        SummarySection(f"app{i}/package-lock.json",
                       _big_result(make_finding, make_result, f"app{i}/package-lock.json"))
        for i in range(25)
    ]
    text = job_summary(sections, None)
    assert _size(text) <= summary.SUMMARY_BUDGET_BYTES < summary.SUMMARY_LIMIT_BYTES
    # Every lockfile still has its headline and its table of counts...
    assert text.count("### ❌ depscan: 3004 findings at or above high") == 25
    assert text.count("| high | 3004 |") == 25
    # ... and each says how many of its findings it leaves out, and where they all are.
    shown = len(re.findall(r"^- \*\*`", text, flags=re.MULTILINE))
    assert 25 <= shown < 25 * 3004
    left_out = [int(n) for n in re.findall(r"… and (\d+) more high findings", text)]
    assert len(left_out) == 25 and sum(left_out) + shown == 25 * 3004
    assert "--format json" in text


def test_many_lockfiles_beyond_the_budget_are_counted_in_a_last_line(
    make_finding: MakeFinding, make_result: MakeResult
) -> None:
    sections = [
        SummarySection(f"p{i}/yarn.lock", make_result(
            findings=[make_finding(lockfile=f"p{i}/yarn.lock", message="m" * 3000)] * 3,
            lockfiles=(f"p{i}/yarn.lock",),
        ))
        for i in range(40)
    ]
    text = job_summary(sections, "origin/main", max_bytes=60_000)
    assert _size(text) <= 60_000
    assert text.startswith("**depscan pull-request mode**")
    last = text.rstrip().splitlines()[-1]
    match = re.match(r"_(\d+) of 40 lockfiles are not shown here.*\((\d+) findings, ", last)
    assert match, last
    rest = int(match.group(1))
    assert 0 < rest < 40
    assert int(match.group(2)) == 3 * rest
    assert text.count("### ❌ depscan") == 40 - rest
    assert "SARIF" in last and "--format json" in last


def test_small_reports_are_not_cut(make_finding: MakeFinding, make_result: MakeResult) -> None:
    result = make_result(findings=[make_finding()])
    text = job_summary([SummarySection("package-lock.json", result)], None)
    assert "Cut to fit" not in text and "shortened" not in text
    assert "`flatmap-stream@0.1.1`" in text


def test_change_listing_is_capped_inside_its_share(
    make_finding: MakeFinding, make_result: MakeResult
) -> None:
    lines = tuple(f"added пакет-{i}@1.0.0 " + "x" * 1500 for i in range(100))
    section = SummarySection("package-lock.json", make_result(), "1 added, 99 updated", lines)
    text = job_summary([section], "main", max_bytes=40_000)
    assert _size(text) <= 40_000
    match = re.search(r"- … and (\d+) more changes", text)
    assert match
    listed = text.count("- `added пакет-")
    assert listed + int(match.group(1)) == 100
    assert text.count("<details>") == text.count("</details>")


def test_the_action_writes_the_capped_summary(
    make_finding: MakeFinding, make_result: MakeResult, tmp_path: Path
) -> None:
    reports = [
        action.LockfileReport(
            tmp_path / f"app{i}" / "package-lock.json",
            _big_result(make_finding, make_result, f"app{i}/package-lock.json"),
        )
        for i in range(25)
    ]
    text = action.job_summary(reports, None, tmp_path)
    assert _size(text) <= summary.SUMMARY_BUDGET_BYTES
    assert "`app24/package-lock.json`" in text
