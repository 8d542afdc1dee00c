"""The benchmark's report: one JSON document, and Markdown tables for docs/benchmarks.md."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import Any

from benchmarks.detection.cases import CaseResult
from benchmarks.detection.metrics import (
    CALIBRATION,
    HOLDOUT,
    THRESHOLDS,
    Recall,
    Row,
    Score,
    per_technique,
    recall_by_set,
    scores,
    share_flagged,
    timing,
)
from benchmarks.detection.run import row_of
from scanner.model import Severity

_KIND = re.compile(r"^(critical|high) ([\w.-]+):")
_EXAMPLES = 6
_SLOWEST = 10


def _label(severity: Severity | None) -> str:
    return severity.label if severity is not None else "none"


def _score_json(item: Score) -> dict[str, Any]:
    return {
        "threshold": item.threshold.label,
        "true_positives": item.true_positives,
        "false_positives": item.false_positives,
        "false_negatives": item.false_negatives,
        "true_negatives": item.true_negatives,
        "precision": item.precision,
        "recall": item.recall,
        "false_positive_rate": item.false_positive_rate,
    }


def _recall_json(item: Recall) -> dict[str, Any]:
    return {
        "threshold": item.threshold.label,
        "caught": item.caught,
        "total": item.total,
        "recall": item.share,
    }


def verdict_summary(reasons: Sequence[str]) -> str:
    """The judge's one-line summary of a case: the verdict's ``summary:`` reasons (one per unit,
    joined), else its first reason."""
    found = [r.removeprefix("summary: ") for r in reasons if r.startswith("summary: ")]
    if found:
        return " / ".join(found)
    return reasons[0] if reasons else "no finding"


def high_causes(result: CaseResult) -> list[str]:
    """Why a case drew a high or worse: the risk-note kinds, or the verdict's first reason."""
    kinds: list[str] = []
    for outcome in result.outcomes:
        if outcome.severity is None or outcome.severity < Severity.HIGH:
            continue
        found = [m.group(2) for r in outcome.reasons if (m := _KIND.match(r))]
        if found:
            kinds += [k for k in dict.fromkeys(found) if k not in kinds]
        elif outcome.reasons:
            kinds.append(outcome.reasons[0][:80])
        else:
            kinds.append("(no reason given)")
    return kinds


def build(
    results: Sequence[CaseResult],
    *,
    judge_name: str,
    command: str,
    missing: Sequence[tuple[str, str]] = (),
    prs: Sequence[Mapping[str, Any]] = (),
    techniques: Mapping[str, Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    judged = [r for r in results if not r.errors or r.outcomes]
    rows = [row_of(r) for r in judged]
    benign = [r for r in judged if not r.case.malicious]
    benign_high = [r for r in benign if r.severity is not None and r.severity >= Severity.HIGH]
    causes: Counter[str] = Counter()
    examples: dict[str, list[str]] = {}
    for result in benign_high:
        for cause in high_causes(result):
            causes[cause] += 1
            examples.setdefault(cause, []).append(result.case.id)
    by_technique = per_technique(rows)
    reasons = {
        (r.case.technique, r.case.form.value): [x for o in r.outcomes for x in o.reasons]
        for r in judged
        if r.case.malicious
    }
    holdout = {t for t, meta in (techniques or {}).items() if meta.get("holdout")}
    sets = {
        t: number
        for t, meta in (techniques or {}).items()
        if isinstance(number := meta.get("holdout_set"), int)
    }

    def caught_high(chosen: str) -> dict[str, int]:
        members = {
            t: forms for t, forms in by_technique.items() if (t in holdout) == (chosen == HOLDOUT)
        }
        counts = {
            form: sum(
                1
                for forms in members.values()
                if (s := forms.get(form)) is not None and s >= Severity.HIGH
            )
            for form in ("update", "new")
        }
        return {**counts, "techniques": len(members)}

    holdout_misses = [
        {
            "technique": technique,
            "form": form,
            "severity": _label(severity),
            "summary": verdict_summary(reasons.get((technique, form), [])),
        }
        for technique, forms in by_technique.items()
        if technique in holdout
        for form, severity in sorted(forms.items(), key=lambda item: item[0] != "update")
        if severity is None or severity < Severity.HIGH
    ]

    def share(form: str) -> dict[str, Any]:
        hit, total = share_flagged(
            (x for x in rows if not x.malicious and x.form == form), Severity.HIGH
        )
        return {"flagged": hit, "total": total, "share": hit / total if total else None}

    strata: dict[str, list[int]] = {}
    for result in benign:
        if result.case.form.value == "update":
            tally = strata.setdefault(result.case.source, [0, 0])
            tally[0] += int(result.severity is not None and result.severity >= Severity.HIGH)
            tally[1] += 1
    seconds = {
        form: asdict(
            timing([o.seconds for r in judged if r.case.form.value == form for o in r.outcomes])
        )
        for form in ("update", "new")
    }
    seconds["all"] = asdict(timing([o.seconds for r in judged for o in r.outcomes]))
    seconds["read tarballs, per case"] = asdict(timing([r.read_seconds for r in judged]))
    slowest = sorted(judged, key=lambda r: -r.seconds)[:_SLOWEST]
    return {
        "judge": judge_name,
        "command": command,
        "counts": {
            "malicious_cases": sum(1 for r in rows if r.malicious),
            "techniques": len(by_technique),
            "holdout_techniques": sum(1 for t in by_technique if t in holdout),
            "benign_updates": sum(1 for r in rows if not r.malicious and r.form == "update"),
            "benign_new_packages": sum(1 for r in rows if not r.malicious and r.form == "new"),
            "not_judged": len(missing) + sum(1 for r in results if r.errors and not r.outcomes),
        },
        "scores": {
            form or "all": [_score_json(s) for s in scores(rows, form)]
            for form in (None, "update", "new")
        },
        "recall_by_set": {
            name: {form: [_recall_json(r) for r in items] for form, items in forms.items()}
            for name, forms in recall_by_set(rows, holdout, sets).items()
        },
        "targets": {
            "benign_updates_high_or_worse": share("update"),
            "benign_new_packages_high_or_worse": share("new"),
            "standins_high_or_worse": {
                form: sum(
                    1
                    for forms in by_technique.values()
                    if (s := forms.get(form)) is not None and s >= Severity.HIGH
                )
                for form in ("update", "new")
            },
            "standins_high_or_worse_by_set": {
                name: caught_high(name) for name in (CALIBRATION, HOLDOUT)
            },
        },
        "holdout_misses": holdout_misses,
        "benign_updates_high_by_stratum": {
            stratum: {"flagged": hit, "total": total}
            for stratum, (hit, total) in sorted(strata.items())
        },
        "techniques": {
            technique: {
                **{form: _label(severity) for form, severity in forms.items()},
                **{f"{form}_reasons": reasons.get((technique, form), []) for form in forms},
                **(dict(techniques[technique]) if techniques and technique in techniques else {}),
            }
            for technique, forms in by_technique.items()
        },
        "benign_high_causes": [
            {"cause": cause, "cases": count, "examples": examples[cause][:_EXAMPLES]}
            for cause, count in causes.most_common()
        ],
        "benign_highs": [
            {
                "case": r.case.id,
                "source": r.case.source,
                "severity": _label(r.severity),
                "reasons": [x for o in r.outcomes for x in o.reasons],
            }
            for r in benign_high
        ],
        "timing_seconds": seconds,
        "slowest": [{"case": r.case.id, "seconds": round(r.seconds, 3)} for r in slowest],
        "not_judged": [{"case": c, "reason": why} for c, why in missing]
        + [{"case": r.case.id, "reason": "; ".join(r.errors)} for r in results if r.errors],
        "upgrade_prs": list(prs),
    }


# --- Markdown ------------------------------------------------------------------------------


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


def _scores_table(report: Mapping[str, Any]) -> list[str]:
    out = [
        "| form | threshold | TP | FP | FN | TN | precision | recall | benign flagged |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for form, items in report["scores"].items():
        for item in items:
            out.append(
                f"| {form} | {item['threshold']} | {item['true_positives']} "
                f"| {item['false_positives']} | {item['false_negatives']} "
                f"| {item['true_negatives']} "
                f"| {_pct(item['precision'])} | {_pct(item['recall'])} "
                f"| {_pct(item['false_positive_rate'])} |"
            )
    return out


def _pr_table(prs: Sequence[Mapping[str, Any]]) -> list[str]:
    out = [
        "| pull request | direct deps bumped | upgraded / added | CLI highs "
        "| CLI highs by check/kind | exit | CLI seconds | judge: packages with a high |",
        "|---|---:|---:|---:|---|---:|---:|---:|",
    ]
    for pr in prs:
        judged = pr.get("judge") or {}
        judge_cell = f"{judged['highs']} of {judged['judged']}" if judged else ""
        if pr.get("error"):
            error = " ".join(str(pr["error"]).split())[:120]
            out.append(
                f"| {pr['project']} | {pr.get('bumped', '')} | {pr.get('upgraded', '')} / "
                f"{pr.get('added', '')} | | CLI failed: {error} | {pr.get('exit_code', '')} "
                f"| | {judge_cell} |"
            )
            continue
        causes = ", ".join(f"{k} {v}" for k, v in pr["high_causes"].items()) or "-"
        out.append(
            f"| {pr['project']} | {pr['bumped']} | {pr['upgraded']} / {pr['added']} "
            f"| {pr['highs']} | {causes} | {pr['exit_code']} | {pr['seconds']:.1f} "
            f"| {judge_cell} |"
        )
    return out


def _recall_by_set_table(report: Mapping[str, Any]) -> list[str]:
    by_set = report.get("recall_by_set") or {}
    if not by_set.get(HOLDOUT, {}).get("all", [{}])[0].get("total"):
        return []
    labels = [t.label for t in THRESHOLDS]
    out = [
        "Recall of the malicious stand-ins, calibration set (the rules were tuned on it) and "
        "held-out sets (written later from the write-ups without reading the rules; each was "
        "measured blind once and may have guided rule changes since: docs/benchmarks.md "
        "says which), at each threshold:",
        "",
        "| stand-ins | form | cases | " + " | ".join(labels) + " |",
        "|---|---|---:|" + "---:|" * len(labels),
    ]
    titles = [(CALIBRATION, "calibration"), (HOLDOUT, "held-out")] + [
        (name, f"held-out set {name.rsplit('-', 1)[1]}")
        for name in by_set
        if name.startswith(f"{HOLDOUT}-")
    ]
    for name, title in titles:
        for form, items in by_set.get(name, {}).items():
            cells = [f"{_pct(i['recall'])} ({i['caught']})" for i in items]
            total = items[0]["total"] if items else 0
            out.append(f"| {title} | {form} | {total} | " + " | ".join(cells) + " |")
    misses = report.get("holdout_misses") or []
    if misses:
        out += ["", "Held-out techniques below high, with the judge's summary:", ""]
        for item in misses:
            form = "an update" if item["form"] == "update" else "a new package"
            out.append(f"- `{item['technique']}` as {form} ({item['severity']}): {item['summary']}")
    return [*out, ""]


def markdown(report: Mapping[str, Any], *, show_highs: int = 40) -> str:
    counts, targets = report["counts"], report["targets"]
    updates, new = (
        targets["benign_updates_high_or_worse"],
        targets["benign_new_packages_high_or_worse"],
    )
    caught = targets["standins_high_or_worse"]
    lines = [
        f"Judge: **{report['judge']}**. Command: `{report['command']}`",
        "",
        f"{counts['malicious_cases']} malicious cases ({counts['techniques']} techniques, each as "
        f"an update and as a new package), {counts['benign_updates']} benign updates, "
        f"{counts['benign_new_packages']} benign packages judged as new; "
        f"{counts['not_judged']} not judged.",
        "",
        "| target | measured |",
        "|---|---|",
        f"| every stand-in high or critical, as an update | {caught['update']} of "
        f"{counts['techniques']} |",
        f"| every stand-in high or critical, as a new package | {caught['new']} of "
        f"{counts['techniques']} |",
        f"| real single-package updates with a high or worse (<= 1%) | {updates['flagged']} of "
        f"{updates['total']} ({_pct(updates['share'])}) |",
        f"| benign packages judged as new with a high or worse | {new['flagged']} of "
        f"{new['total']} ({_pct(new['share'])}) |",
    ]
    if report["upgrade_prs"]:
        pulls = report["upgrade_prs"]
        cli = [str(p["highs"]) if not p.get("error") else "failed" for p in pulls]
        judged = [str((p.get("judge") or {}).get("highs", "-")) for p in pulls]
        lines.append(
            f"| false highs per upgrade PR (<= 1), {len(pulls)} PRs | CLI findings: "
            f"{', '.join(cli)}; packages judged one by one: {', '.join(judged)} |"
        )
    by_stratum = report.get("benign_updates_high_by_stratum") or {}
    if by_stratum:
        shown = "; ".join(
            f"{stratum}: {item['flagged']} of {item['total']}"
            for stratum, item in by_stratum.items()
        )
        lines += ["", f"Benign updates with a high or worse, by sample stratum: {shown}."]
    by_set = targets.get("standins_high_or_worse_by_set") or {}
    held = by_set.get(HOLDOUT) or {}
    if held.get("techniques"):
        calibration = by_set[CALIBRATION]
        lines += [
            "",
            f"High or critical, calibration stand-ins: {calibration['update']} of "
            f"{calibration['techniques']} as updates, {calibration['new']} of "
            f"{calibration['techniques']} as new packages; held-out stand-ins: "
            f"{held['update']} of {held['techniques']} as updates, {held['new']} of "
            f"{held['techniques']} as new packages.",
        ]
    lines += ["", "Precision and recall at each threshold:", "", *_scores_table(report), ""]
    lines += _recall_by_set_table(report)
    lines += [
        "Per technique (severity of the case):",
        "",
        "| technique | set | update | new |",
        "|---|---|---|---|",
    ]
    for technique, item in report["techniques"].items():
        kind = "held-out" if item.get("holdout") else "calibration"
        lines.append(f"| {technique} | {kind} | {item.get('update', '')} | {item.get('new', '')} |")
    timing_rows = report["timing_seconds"]
    lines += [
        "",
        "Time per judgement (seconds):",
        "",
        "| form | judgements | median | p95 | max | total |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for form, item in timing_rows.items():
        lines.append(
            f"| {form} | {item['count']} | {item['median']:.4f} | {item['p95']:.4f} "
            f"| {item['maximum']:.3f} | {item['total']:.1f} |"
        )
    if report.get("slowest"):
        shown = ", ".join(
            f"{item['case'].split(':', 1)[1]} {item['seconds']:.2f} s"
            for item in report["slowest"][:5]
        )
        lines += ["", f"Slowest: {shown}."]
    if report["benign_high_causes"]:
        lines += [
            "",
            "Benign cases with a high or worse, by cause:",
            "",
            "| cause | cases | examples |",
            "|---|---:|---|",
        ]
        for item in report["benign_high_causes"]:
            shown = ", ".join(e.removeprefix("benign:") for e in item["examples"][:4])
            lines.append(f"| {item['cause']} | {item['cases']} | {shown} |")
    if report["upgrade_prs"]:
        lines += [
            "",
            "Upgrade pull requests (`depscan lockfile NEW --base OLD`):",
            "",
            *_pr_table(report["upgrade_prs"]),
        ]
    if report["benign_highs"] and show_highs:
        lines += ["", f"Benign highs with their reasons (first {show_highs}; all in the JSON):", ""]
        for item in report["benign_highs"][:show_highs]:
            first = item["reasons"][0] if item["reasons"] else ""
            lines.append(
                f"- `{item['case'].removeprefix('benign:')}` ({item['severity']}): {first}"
            )
    return "\n".join(lines) + "\n"


__all__ = ["THRESHOLDS", "Row", "build", "high_causes", "markdown", "verdict_summary"]
