"""The report: targets, causes of benign highs and the Markdown summary, from hand-made results."""

from __future__ import annotations

from benchmarks.detection.cases import CaseInfo, CaseResult, Form, Outcome
from benchmarks.detection.report import build, markdown, verdict_summary
from scanner.model import Severity


def _result(
    case_id: str,
    malicious: bool,
    form: Form,
    severity: Severity | None,
    *reasons: str,
    technique: str | None = None,
    source: str = "",
) -> CaseResult:
    info = CaseInfo(case_id, malicious, form, technique, source, (case_id,))
    return CaseResult(info, (Outcome(severity, reasons, 0.01, "risk-notes"),))


RESULTS = [
    _result("standin:t1:update", True, Form.UPDATE, Severity.HIGH, technique="t1"),
    _result("standin:t1:new", True, Form.NEW, None, technique="t1"),
    _result(
        "benign:a:update",
        False,
        Form.UPDATE,
        Severity.HIGH,
        "high native-binary: changes a native executable",
        "low env-read: x",
        source="8+",
    ),
    _result(
        "benign:b:update", False, Form.UPDATE, Severity.MEDIUM, "medium network: y", source="1"
    ),
    _result(
        "benign:c:update",
        False,
        Form.UPDATE,
        Severity.HIGH,
        "high native-binary: adds",
        "high child-process: 1 new use",
        source="1",
    ),
    _result("benign:a:new", False, Form.NEW, None, source="8+"),
]


def test_build_counts_targets_and_causes() -> None:
    report = build(RESULTS, judge_name="risk-notes", command="cmd", missing=[("benign:z", "gone")])
    assert report["counts"] == {
        "malicious_cases": 2,
        "techniques": 1,
        "holdout_techniques": 0,
        "benign_updates": 3,
        "benign_new_packages": 1,
        "not_judged": 1,
    }
    assert report["targets"]["benign_updates_high_or_worse"] == {
        "flagged": 2,
        "total": 3,
        "share": 2 / 3,
    }
    assert report["targets"]["standins_high_or_worse"] == {"update": 1, "new": 0}
    assert report["techniques"]["t1"]["update"] == "high"
    assert report["techniques"]["t1"]["new"] == "none"
    causes = {c["cause"]: c["cases"] for c in report["benign_high_causes"]}
    assert causes == {"native-binary": 2, "child-process": 1}
    assert report["benign_updates_high_by_stratum"] == {
        "1": {"flagged": 1, "total": 2},
        "8+": {"flagged": 1, "total": 1},
    }
    high = next(s for s in report["scores"]["update"] if s["threshold"] == "high")
    assert (high["true_positives"], high["false_positives"]) == (1, 2)


def test_markdown_carries_the_targets_and_the_highs() -> None:
    text = markdown(build(RESULTS, judge_name="risk-notes", command="cmd"))
    assert "| every stand-in high or critical, as a new package | 0 of 1 |" in text
    assert "| real single-package updates with a high or worse (<= 1%) | 2 of 3 (66.7%) |" in text
    assert "| native-binary | 2 |" in text
    assert "`a:update` (high): high native-binary" in text


HELD = [
    *RESULTS,
    _result(
        "standin:t2:update",
        True,
        Form.UPDATE,
        Severity.MEDIUM,
        "medium network: a new host",
        "summary: talks to a new host",
        technique="t2",
    ),
    _result("standin:t2:new", True, Form.NEW, Severity.CRITICAL, technique="t2"),
    _result("standin:t3:update", True, Form.UPDATE, None, technique="t3"),
    _result("standin:t3:new", True, Form.NEW, Severity.LOW, "low env-read: x", technique="t3"),
]
TECHNIQUES = {"t1": {"title": "one"}, "t2": {"holdout": True}, "t3": {"holdout": True}}


def test_held_out_techniques_are_scored_apart() -> None:
    report = build(HELD, judge_name="verdict", command="cmd", techniques=TECHNIQUES)
    assert report["counts"]["holdout_techniques"] == 2
    by_set = report["targets"]["standins_high_or_worse_by_set"]
    assert by_set == {
        "calibration": {"update": 1, "new": 0, "techniques": 1},
        "holdout": {"update": 0, "new": 1, "techniques": 2},
    }
    high = report["recall_by_set"]["holdout"]["update"][1]
    assert high == {"threshold": "high", "caught": 0, "total": 2, "recall": 0.0}
    medium = report["recall_by_set"]["holdout"]["all"][2]
    assert (medium["caught"], medium["total"]) == (2, 4)
    assert report["holdout_misses"] == [
        {
            "technique": "t2",
            "form": "update",
            "severity": "medium",
            "summary": "talks to a new host",
        },
        {"technique": "t3", "form": "update", "severity": "none", "summary": "no finding"},
        {"technique": "t3", "form": "new", "severity": "low", "summary": "low env-read: x"},
    ]


def test_markdown_shows_held_out_recall_and_misses() -> None:
    text = markdown(build(HELD, judge_name="verdict", command="cmd", techniques=TECHNIQUES))
    assert "held-out stand-ins: 0 of 2 as updates, 1 of 2 as new packages" in text
    assert "| held-out | update | 2 | 0.0% (0) | 0.0% (0) | 50.0% (1) | 50.0% (1) |" in text
    assert "| calibration | update | 1 | 0.0% (0) | 100.0% (1) | 100.0% (1) | 100.0% (1) |" in text
    assert "- `t2` as an update (medium): talks to a new host" in text
    assert "| t2 | held-out | medium | critical |" in text


def test_markdown_without_held_out_techniques_has_no_held_out_section() -> None:
    text = markdown(build(RESULTS, judge_name="verdict", command="cmd"))
    assert "held-out" not in text


def test_verdict_summary_joins_the_units_summaries() -> None:
    reasons = ["medium age: young", "summary: parent is young", "high x: y", "summary: dep runs x"]
    assert verdict_summary(reasons) == "parent is young / dep runs x"
    assert verdict_summary(["low a: b"]) == "low a: b"
    assert verdict_summary([]) == "no finding"
