"""Judging cases: read each unit's tarballs with depscan's reader, ask the judge, keep outcomes."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from datetime import datetime

from benchmarks.detection.cases import NOW, Case, CaseResult, Outcome
from benchmarks.detection.judge import judge
from benchmarks.detection.metrics import Row
from scanner.errors import DepscanError
from scanner.tarball.archive import read_package


def judge_case(case: Case, *, now: datetime = NOW, use_verdict: bool = True) -> CaseResult:
    outcomes: list[Outcome] = []
    errors: list[str] = []
    reading = 0.0
    for unit in case.units:
        started = time.perf_counter()
        try:
            old = read_package(unit.old_tgz, unit.subject) if unit.old_tgz is not None else None
            new = read_package(unit.new_tgz, unit.subject)
        except DepscanError as exc:
            errors.append(exc.one_line())
            continue
        finally:
            reading += time.perf_counter() - started
        try:
            outcomes.append(
                judge(
                    old, new, unit.packument, now=now, related=case.related, use_verdict=use_verdict
                )
            )
        except OSError as exc:
            # e.g. the diff engine's fork refused under memory pressure: reported, not fatal.
            errors.append(f"{unit.subject}: the judge failed: {exc}")
    return CaseResult(case.info, tuple(outcomes), tuple(errors), reading)


def judge_all(
    cases: Iterable[Case],
    *,
    use_verdict: bool = True,
    progress: Callable[[int, CaseResult], None] | None = None,
) -> list[CaseResult]:
    results: list[CaseResult] = []
    for index, case in enumerate(cases, start=1):
        result = judge_case(case, use_verdict=use_verdict)
        # Results keep no tarball bytes (CaseInfo): the benign set is hundreds of megabytes.
        results.append(result)
        if progress is not None:
            progress(index, result)
    return results


def row_of(result: CaseResult) -> Row:
    case = result.case
    return Row(
        case_id=case.id,
        malicious=case.malicious,
        form=case.form.value,
        severity=result.severity,
        technique=case.technique,
        seconds=result.seconds,
    )
