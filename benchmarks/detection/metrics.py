"""Precision, recall and timing over judged cases: pure functions on plain rows.

A case is *flagged* at a threshold when its severity is at or above it. Malicious cases flagged
are true positives; benign cases flagged are false positives. Precision depends on how many
benign cases there are per malicious one, so the counts are always reported beside it.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from scanner.model import Severity

THRESHOLDS = (Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW)


@dataclass(frozen=True, slots=True)
class Row:
    """One judged case, reduced to what the metrics need."""

    case_id: str
    malicious: bool
    form: str
    severity: Severity | None
    technique: str | None = None
    seconds: float = 0.0


@dataclass(frozen=True, slots=True)
class Score:
    threshold: Severity
    true_positives: int
    false_positives: int
    false_negatives: int
    true_negatives: int

    @property
    def precision(self) -> float | None:
        flagged = self.true_positives + self.false_positives
        return self.true_positives / flagged if flagged else None

    @property
    def recall(self) -> float | None:
        malicious = self.true_positives + self.false_negatives
        return self.true_positives / malicious if malicious else None

    @property
    def false_positive_rate(self) -> float | None:
        benign = self.false_positives + self.true_negatives
        return self.false_positives / benign if benign else None


def flagged(row: Row, threshold: Severity) -> bool:
    return row.severity is not None and row.severity >= threshold


def score(rows: Iterable[Row], threshold: Severity) -> Score:
    tp = fp = fn = tn = 0
    for row in rows:
        hit = flagged(row, threshold)
        if row.malicious:
            tp, fn = (tp + 1, fn) if hit else (tp, fn + 1)
        else:
            fp, tn = (fp + 1, tn) if hit else (fp, tn + 1)
    return Score(threshold, tp, fp, fn, tn)


def scores(rows: Sequence[Row], form: str | None = None) -> list[Score]:
    """One score per threshold, over every row or the rows of one form."""
    chosen = [r for r in rows if form is None or r.form == form]
    return [score(chosen, threshold) for threshold in THRESHOLDS]


def per_technique(rows: Iterable[Row]) -> dict[str, dict[str, Severity | None]]:
    """technique -> form -> the severity its case got."""
    table: dict[str, dict[str, Severity | None]] = {}
    for row in rows:
        if row.malicious and row.technique is not None:
            table.setdefault(row.technique, {})[row.form] = row.severity
    return dict(sorted(table.items()))


CALIBRATION = "calibration"
HOLDOUT = "holdout"


@dataclass(frozen=True, slots=True)
class Recall:
    threshold: Severity
    caught: int
    total: int

    @property
    def share(self) -> float | None:
        return self.caught / self.total if self.total else None


def holdout_set_name(number: int) -> str:
    return f"{HOLDOUT}-{number}"


def recall_by_set(
    rows: Iterable[Row], holdout: Collection[str], sets: Mapping[str, int] | None = None
) -> dict[str, dict[str, list[Recall]]]:
    """Recall of the malicious rows at each threshold, for the calibration stand-ins and the
    held-out ones (techniques in ``holdout``) apart, and for each held-out set (``sets``:
    technique -> set number) on its own: set -> form (``update``, ``new``, ``all``) -> one
    :class:`Recall` per threshold."""
    chosen: dict[str, list[Row]] = {CALIBRATION: [], HOLDOUT: []}
    numbers = sorted(set((sets or {}).values()))
    if len(numbers) > 1:
        for number in numbers:
            chosen[holdout_set_name(number)] = []
    for row in rows:
        if row.malicious:
            chosen[HOLDOUT if row.technique in holdout else CALIBRATION].append(row)
            number = (sets or {}).get(row.technique or "")
            if number is not None and holdout_set_name(number) in chosen:
                chosen[holdout_set_name(number)].append(row)
    table: dict[str, dict[str, list[Recall]]] = {}
    for name, members in chosen.items():
        table[name] = {}
        for form in ("update", "new", "all"):
            subset = [r for r in members if form == "all" or r.form == form]
            table[name][form] = [
                Recall(t, sum(1 for r in subset if flagged(r, t)), len(subset)) for t in THRESHOLDS
            ]
    return table


def percentile(values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile (``fraction`` in 0..1); 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True, slots=True)
class Timing:
    count: int
    median: float
    p95: float
    maximum: float
    total: float


def timing(seconds: Sequence[float]) -> Timing:
    return Timing(
        count=len(seconds),
        median=percentile(seconds, 0.5),
        p95=percentile(seconds, 0.95),
        maximum=max(seconds, default=0.0),
        total=sum(seconds),
    )


def share_flagged(rows: Iterable[Row], threshold: Severity) -> tuple[int, int]:
    """(flagged, total) among the given rows."""
    chosen = list(rows)
    return sum(1 for r in chosen if flagged(r, threshold)), len(chosen)
