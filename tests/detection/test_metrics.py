"""Precision, recall and timing on a hand-made table, worked out by hand."""

from __future__ import annotations

import pytest

from benchmarks.detection.metrics import (
    Row,
    per_technique,
    percentile,
    recall_by_set,
    score,
    scores,
    share_flagged,
    timing,
)
from scanner.model import Severity

C, H, M, L = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW

# 4 malicious (critical, high, medium, none) and 6 benign (high, low, low, none x3).
TABLE = [
    Row("m1", True, "update", C, "a"),
    Row("m2", True, "new", H, "a"),
    Row("m3", True, "update", M, "b"),
    Row("m4", True, "new", None, "b"),
    Row("b1", False, "update", H),
    Row("b2", False, "update", L),
    Row("b3", False, "new", L),
    Row("b4", False, "update", None),
    Row("b5", False, "new", None),
    Row("b6", False, "new", None),
]


@pytest.mark.parametrize(
    ("threshold", "tp", "fp", "fn", "tn", "precision", "recall"),
    [
        (C, 1, 0, 3, 6, 1.0, 0.25),
        (H, 2, 1, 2, 5, 2 / 3, 0.5),
        (M, 3, 1, 1, 5, 0.75, 0.75),
        (L, 3, 3, 1, 3, 0.5, 0.75),
    ],
)
def test_score_at_each_threshold(
    threshold: Severity, tp: int, fp: int, fn: int, tn: int, precision: float, recall: float
) -> None:
    result = score(TABLE, threshold)
    assert (result.true_positives, result.false_positives) == (tp, fp)
    assert (result.false_negatives, result.true_negatives) == (fn, tn)
    assert result.precision == pytest.approx(precision)
    assert result.recall == pytest.approx(recall)
    assert result.false_positive_rate == pytest.approx(fp / 6)


def test_scores_by_form() -> None:
    update_high = scores(TABLE, "update")[1]
    assert update_high.threshold is H
    assert (update_high.true_positives, update_high.false_positives) == (1, 1)
    assert (update_high.false_negatives, update_high.true_negatives) == (1, 2)
    new_critical = scores(TABLE, "new")[0]
    assert new_critical.precision is None  # nothing flagged: undefined, not 0 or 1
    assert new_critical.recall == 0.0


def test_no_malicious_rows_leave_recall_undefined() -> None:
    benign_only = [r for r in TABLE if not r.malicious]
    assert score(benign_only, L).recall is None
    assert score(benign_only, L).precision == 0.0


def test_per_technique_and_share() -> None:
    assert per_technique(TABLE) == {"a": {"update": C, "new": H}, "b": {"update": M, "new": None}}
    assert share_flagged((r for r in TABLE if not r.malicious and r.form == "update"), H) == (1, 3)


def test_recall_by_set_scores_held_out_techniques_apart() -> None:
    table = recall_by_set(TABLE, {"b"})
    calibration = table["calibration"]
    assert [(r.caught, r.total) for r in calibration["all"]] == [(1, 2), (2, 2), (2, 2), (2, 2)]
    assert [(r.caught, r.total) for r in calibration["new"]] == [(0, 1), (1, 1), (1, 1), (1, 1)]
    held = table["holdout"]
    assert [r.threshold for r in held["update"]] == [C, H, M, L]
    assert [(r.caught, r.total) for r in held["update"]] == [(0, 1), (0, 1), (1, 1), (1, 1)]
    assert [r.caught for r in held["new"]] == [0, 0, 0, 0]
    assert held["all"][2].share == 0.5
    nothing_held = recall_by_set(TABLE, set())["holdout"]["all"][0]
    assert (nothing_held.total, nothing_held.share) == (0, None)


def test_each_held_out_set_is_also_scored_on_its_own() -> None:
    rows = [*TABLE, Row("m5", True, "update", H, "c"), Row("m6", True, "new", None, "c")]
    table = recall_by_set(rows, {"b", "c"}, {"b": 1, "c": 2})
    assert [(r.caught, r.total) for r in table["holdout"]["all"]][1] == (1, 4)
    assert [(r.caught, r.total) for r in table["holdout-1"]["all"]][1] == (0, 2)
    assert [(r.caught, r.total) for r in table["holdout-2"]["all"]][1] == (1, 2)
    # One set only: no breakdown that would repeat the held-out rows.
    assert set(recall_by_set(TABLE, {"b"}, {"b": 1})) == {"calibration", "holdout"}


def test_percentiles_and_timing() -> None:
    values = [0.5, 0.1, 0.4, 0.2, 0.3]
    assert percentile(values, 0.5) == 0.3
    assert percentile(values, 0.95) == 0.5
    assert percentile([], 0.5) == 0.0
    result = timing(values)
    assert (result.count, result.median, result.maximum) == (5, 0.3, 0.5)
    assert result.total == pytest.approx(1.5)
