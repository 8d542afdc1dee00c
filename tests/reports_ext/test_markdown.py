from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from scanner.model import Finding, NotChecked, ScanResult, Severity
from scanner.reports import markdown

MakeFinding = Callable[..., Finding]
MakeResult = Callable[..., ScanResult]


def _table(text: str) -> dict[str, int]:
    rows = re.findall(r"^\| (.+?) \| (\d+) \|$", text, flags=re.MULTILINE)
    return {label: int(n) for label, n in rows}


def test_summary_table_counts_lockfiles_and_not_checked(
    make_finding: MakeFinding, make_result: MakeResult
) -> None:
    findings = [
        make_finding(severity=Severity.CRITICAL),
        make_finding(severity=Severity.MEDIUM, name="b"),
        make_finding(severity=Severity.MEDIUM, name="c"),
    ]
    not_checked = [NotChecked("tarball-diff", "registry unreachable", ("left-pad@1.0.0",))]
    text = markdown.render(make_result(findings=findings, not_checked=not_checked))
    assert _table(text) == {
        "critical": 1,
        "high": 0,
        "medium": 2,
        "low": 0,
        "info": 0,
        "**not checked**": 1,
    }
    assert text.startswith("### ❌ depscan: 1 finding at or above high (1 item not checked)")
    assert "**Lockfiles scanned:** 1" in text
    assert "- `web/package-lock.json` (npm-package-lock 3, 3 packages)" in text
    assert "#### ⚠️ Not checked (1)" in text
    assert "tarball-diff: registry unreachable (`left-pad@1.0.0`)" in text


def test_headline_without_failing_findings_and_without_findings(
    make_finding: MakeFinding, make_result: MakeResult
) -> None:
    low = make_result(findings=[make_finding(severity=Severity.LOW)])
    assert markdown.render(low).startswith("### ⚠️ depscan: 1 finding, none at or above high\n")
    assert markdown.render(make_result()).startswith("### ✅ depscan: no findings\n")


def test_finding_entry_shows_path_advisories_and_location(
    make_finding: MakeFinding, make_result: MakeResult
) -> None:
    finding = make_finding(
        advisories=["MAL-2018-1"],
        paths=[["web", "event-stream@3.3.6", "flatmap-stream@0.1.1"], ["web", "x@1"]],
    )
    text = markdown.render(make_result(findings=[finding]))
    assert "#### Critical (1)" in text
    assert "- **`flatmap-stream@0.1.1`** `known-malicious`: listed as malicious" in text
    assert "  - path: `web > event-stream@3.3.6 > flatmap-stream@0.1.1` (and 1 more path)" in text
    assert "  - advisories: `MAL-2018-1`" in text
    assert "  - in `web/package-lock.json:42`" in text
    assert "  - reach:" not in text  # not known for this finding
    reached = replace(finding, direct=False, reach="dev")
    assert "  - reach: transitive, dev" in markdown.render(make_result(findings=[reached]))


def test_low_and_info_are_folded_but_higher_severities_are_not(
    make_finding: MakeFinding, make_result: MakeResult
) -> None:
    findings = [
        make_finding(severity=Severity.HIGH, name="hi"),
        make_finding(severity=Severity.LOW, name="lo"),
        make_finding(severity=Severity.INFO, name="inf"),
    ]
    text = markdown.render(make_result(findings=findings))
    folds = re.findall(r"<details>\n<summary>(.*?)</summary>(.*?)</details>", text, re.DOTALL)
    assert [summary for summary, _ in folds] == [
        "<strong>Low (1)</strong>",
        "<strong>Info (1)</strong>",
    ]
    assert "`lo@0.1.1`" in folds[0][1] and "`inf@0.1.1`" in folds[1][1]
    assert "#### High (1)" in text
    assert "`hi@0.1.1`" not in "".join(body for _, body in folds)


def test_sections_are_capped_with_a_count_of_the_rest(
    make_finding: MakeFinding, make_result: MakeResult
) -> None:
    findings = [make_finding(severity=Severity.LOW, name=f"pkg{i:03}") for i in range(120)]
    text = markdown.render(make_result(findings=findings), max_rows=50)
    assert text.count("`known-malicious`:") == 50
    assert "- … and 70 more low findings" in text
    assert "| low | 120 |" in text


def test_names_and_messages_cannot_inject_markup(
    make_finding: MakeFinding, make_result: MakeResult
) -> None:
    finding = make_finding(
        name="<img src=x onerror=alert(1)>",
        message="*pwned* [click](http://x.test) <script>alert(1)</script> | a\nb",
        paths=[["web", "a`b@1"]],
    )
    text = markdown.render(make_result(findings=[finding]))
    assert "<img" not in text.replace("`<img src=x onerror=alert(1)>@0.1.1`", "")
    assert "<script>" not in text
    assert (
        r"\*pwned\* \[click\](http&#8203;://x.test) &lt;script&gt;alert(1)&lt;/script&gt; "
        r"\| a\\x0ab" in text
    )
    assert "``web > a`b@1``" in text


def test_escape_and_code_helpers() -> None:
    assert markdown.escape("a_b *c* <d> & e|f") == r"a\_b \*c\* &lt;d&gt; &amp; e\|f"
    assert markdown.escape("@team #1 a@b.c") == "@&#8203;team #&#8203;1 a@&#8203;b.c"
    assert markdown.code("plain") == "`plain`"
    assert markdown.code("a``b") == "```a``b```"
    assert markdown.code("`edge") == "`` `edge ``"
    assert markdown.code("two\nlines") == "`two\\x0alines`"


def test_hundreds_of_long_findings_stay_under_the_comment_limit(
    make_finding: MakeFinding, make_result: MakeResult
) -> None:
    findings = [
        make_finding(
            severity=Severity.HIGH,
            name=f"package-{i}",
            message="x" * 1500,
            paths=[["web", *(f"dep{j}@1.0.0" for j in range(10)), f"package-{i}@0.1.1"]],
        )
        for i in range(600)
    ]
    text = markdown.render(make_result(findings=findings))
    assert len(text) <= markdown.GITHUB_COMMENT_LIMIT
    assert markdown.SHORTENED_NOTE in text
    assert "| high | 600 |" in text
    shown = text.count("`known-malicious`:")
    assert 0 < shown < 600
    assert f"- … and {600 - shown} more high findings" in text


def test_hard_cut_keeps_folds_closed_and_says_so(
    make_finding: MakeFinding, make_result: MakeResult
) -> None:
    not_checked = [NotChecked("registry-signature", "y" * 3000)]
    findings = [
        make_finding(severity=Severity.LOW, name=f"p{i}", message="z" * 500) for i in range(3)
    ]
    text = markdown.render(make_result(findings=findings, not_checked=not_checked), max_chars=2500)
    assert len(text) <= 2500
    assert text.endswith(markdown.truncated_note(3) + "\n")
    assert text.count("<details>") == text.count("</details>")
    assert "| **not checked** | 1 |" in text
