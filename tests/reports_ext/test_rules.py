"""Every check has a rule, a section in docs/checks.md, and a SARIF helpUri that points at it."""

from __future__ import annotations

import re
from pathlib import Path

from scanner.checks import check_ids
from scanner.model import Severity
from scanner.reports.rules import CHECKS_DOCS_URL, RULES, rule_for

DOCS = Path(__file__).resolve().parents[2] / "docs" / "checks.md"


def _anchors() -> set[str]:
    headings = re.findall(r"^## (.+)$", DOCS.read_text(encoding="utf-8"), flags=re.MULTILINE)
    return {h.strip().strip("`") for h in headings}


def test_every_registered_check_has_a_rule_and_a_docs_section() -> None:
    anchors = _anchors()
    for check in check_ids():
        assert check in RULES, check
        assert check in anchors, check
        assert rule_for(check).help_uri == f"{CHECKS_DOCS_URL}#{check}"
    assert set(RULES) <= anchors


def test_unknown_checks_link_to_the_page_and_usual_severities_match_the_docs() -> None:
    assert rule_for("not-a-check").help_uri == CHECKS_DOCS_URL
    text = DOCS.read_text(encoding="utf-8")
    assert RULES["known-malicious"].default_severity is Severity.CRITICAL
    assert "**Critical**" in text.split("## known-malicious")[1].split("##")[0]
    assert RULES["lockfile-problem"].default_severity is Severity.LOW
    assert "**Low.**" in text.split("## lockfile-problem")[1].split("##")[0]
