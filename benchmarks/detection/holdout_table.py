"""The per-technique table of one held-out set, read out of a whole stand-in run.

A held-out set is measured once inside a full stand-in run (the runner scores every set's recall
on its own, but lists techniques together); this writes that set's techniques with their
verdicts and reasons to ``results/STEM.{json,md}``::

    python -m benchmarks.detection.holdout_table SET RUN.json STEM "TITLE"
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from benchmarks.detection.standins import techniques

RESULTS = Path(__file__).resolve().parent / "results"
RANKS = ["critical", "high", "medium", "low", "info", None]
_ORDINALS = {1: "First", 2: "Second", 3: "Third"}


def _rules(reasons: list[str]) -> str:
    found = [r for r in reasons if not r.startswith("summary:")]
    return "<br>".join(r.replace("|", "\\|") for r in found) or "(none)"


def main(argv: list[str]) -> None:
    number, source, stem, title = int(argv[0]), Path(argv[1]), argv[2], argv[3]
    run = json.loads(source.read_text(encoding="utf-8"))
    ids = [t.id for t in techniques() if t.holdout_set == number]
    rows = {i: run["techniques"][i] for i in ids}
    at_least = {
        form: {
            level: sum(
                1
                for r in rows.values()
                if r[form] is not None and RANKS.index(r[form]) <= RANKS.index(level)
            )
            for level in ("critical", "high", "medium", "low")
        }
        for form in ("update", "new")
    }
    (RESULTS / f"{stem}.json").write_text(
        json.dumps({"command": run["command"], "techniques": rows, "at_least": at_least}, indent=1)
        + "\n",
        encoding="utf-8",
    )
    ordinal = _ORDINALS.get(number, f"Set {number}:")
    lines = [
        f"# {ordinal} held-out set (holdout_set {number}): {title}",
        "",
        f"Measured once, after all {len(ids)} stand-ins were written and committed: "
        f"`{run['command']}`",
        "(the runner lists every set's techniques together, so the whole stand-in set was judged;",
        f'this table keeps the {len(ids)} techniques whose technique.json has `"holdout_set": '
        f"{number}`), then",
        "`.venv/bin/python -m benchmarks.detection.holdout_table "
        f'{number} {argv[1]} {stem} "{title}"`.',
        "",
        "| form | n | critical | high or worse | medium or worse | low or worse |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for form in ("update", "new"):
        c = at_least[form]
        lines.append(
            f"| {form} | {len(ids)} | {c['critical']} | {c['high']} | {c['medium']} | {c['low']} |"
        )
    lines += [
        "",
        "| technique | as update | as new package"
        " | update: rule ids / reasons | new: rule ids / reasons |",
        "|---|---|---|---|---|",
    ]
    for i, r in rows.items():
        lines.append(
            f"| `{i}` | {r['update'] or 'none'} | {r['new'] or 'none'}"
            f" | {_rules(r['update_reasons'])} | {_rules(r['new_reasons'])} |"
        )
    (RESULTS / f"{stem}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
