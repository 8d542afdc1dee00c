"""The per-technique table of one held-out set (benchmarks/detection/holdout_table.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.detection import holdout_table
from benchmarks.detection.standins import techniques


def test_the_table_keeps_one_set_and_counts_it_at_each_threshold(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    every = techniques()
    set_two = [t.id for t in every if t.holdout_set == 2]
    assert set_two, "the second held-out set is committed"
    run = {
        "command": "python -m benchmarks.detection run",
        "techniques": {
            t.id: {
                "update": "high" if t.id == set_two[0] else "medium",
                "new": None,
                "update_reasons": ["high x: y", "summary: y"],
                "new_reasons": [],
            }
            for t in every
        },
    }
    source = tmp_path / "run.json"
    source.write_text(json.dumps(run), encoding="utf-8")
    monkeypatch.setattr(holdout_table, "RESULTS", tmp_path)
    holdout_table.main(["2", str(source), "table", "a title"])
    written = json.loads((tmp_path / "table.json").read_text(encoding="utf-8"))
    assert sorted(written["techniques"]) == sorted(set_two)
    assert written["at_least"]["update"] == {
        "critical": 0,
        "high": 1,
        "medium": len(set_two),
        "low": len(set_two),
    }
    assert written["at_least"]["new"]["low"] == 0
    markdown = (tmp_path / "table.md").read_text(encoding="utf-8")
    assert markdown.startswith("# Second held-out set (holdout_set 2): a title")
    assert "summary:" not in markdown
