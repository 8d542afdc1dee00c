"""Extract the third held-out set (technique.json "holdout_set": 3) from a whole stand-in run.

A copy of holdout2-table.py filtering set 3. The runner has no filter for a held-out set, so the
set was measured inside a full stand-in run (holdout3-all-standins.json) and this script writes
its per-technique table: ``.venv/bin/python benchmarks/detection/results/holdout3-table.py``.
"""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
STANDINS = HERE.parent / "standins"
RANKS = ["critical", "high", "medium", "low", "info", None]


def _set_three() -> list[str]:
    ids = []
    for spec_path in sorted(STANDINS.glob("*/technique.json")):
        spec = json.loads(spec_path.read_text(encoding="utf-8"))
        if spec.get("holdout_set") == 3:
            ids.append(str(spec["id"]))
    return ids


def _rules(reasons: list[str]) -> str:
    found = [r for r in reasons if not r.startswith("summary:")]
    return "<br>".join(r.replace("|", "\\|") for r in found) or "(none)"


def main(argv: list[str]) -> None:
    """``holdout3-table.py [RUN.json [OUTPUT-STEM [TITLE]]]``: the run to read (default the
    blind run on main) and where to write the table."""
    source = Path(argv[0]) if argv else HERE / "holdout3-all-standins.json"
    stem = argv[1] if len(argv) > 1 else "holdout3-verdict"
    title = argv[2] if len(argv) > 2 else "verdict on main"
    run = json.loads(source.read_text(encoding="utf-8"))
    ids = _set_three()
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
    (HERE / f"{stem}.json").write_text(
        json.dumps({"command": run["command"], "techniques": rows, "at_least": at_least}, indent=1)
        + "\n",
        encoding="utf-8",
    )
    lines = [
        f"# Third held-out set (holdout_set 3): {title}",
        "",
        f"Measured once, after all 15 stand-ins were written and committed: `{run['command']}`",
        "(the runner cannot filter a held-out set, so the whole stand-in set was judged;",
        'this table keeps the 15 techniques whose technique.json has `"holdout_set": 3`), then',
        "`.venv/bin/python benchmarks/detection/results/holdout3-table.py`.",
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
    (HERE / f"{stem}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
