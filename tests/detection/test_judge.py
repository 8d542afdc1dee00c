"""The judge adapter: today's risk notes as the fallback, scanner.verdict when it exists."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest

from benchmarks.detection import judge as judge_module
from benchmarks.detection.cases import NOW
from benchmarks.detection.run import judge_case
from benchmarks.detection.standins import new_case, techniques, update_case
from scanner.model import Severity
from scanner.tarball.archive import PackageArchive

BY_ID = {t.id: t for t in techniques()}
needs_risk_notes = pytest.mark.skipif(
    not judge_module.risk_notes_available(),
    reason="scanner.tarball.risk was retired by the verdict: the fallback measures old checkouts",
)


@needs_risk_notes
def test_fallback_flags_a_new_install_script_in_an_update() -> None:
    result = judge_case(update_case(BY_ID["preinstall-curl-pipe-sh"]), use_verdict=False)
    (outcome,) = result.outcomes
    assert outcome.judge == judge_module.RISK_NOTES
    assert outcome.severity is Severity.HIGH
    assert any("install-script-added" in r and "curl" in r for r in outcome.reasons)


def test_fallback_has_no_judgement_for_new_packages() -> None:
    result = judge_case(new_case(BY_ID["preinstall-curl-pipe-sh"]), use_verdict=False)
    assert [o.severity for o in result.outcomes] == [None]
    assert result.severity is None


@needs_risk_notes
def test_fallback_reads_the_registry_document_for_manifest_confusion() -> None:
    result = judge_case(update_case(BY_ID["manifest-confusion"]), use_verdict=False)
    assert any("manifest-confusion" in r for o in result.outcomes for r in o.reasons)


@needs_risk_notes
def test_a_case_takes_the_highest_severity_of_its_units() -> None:
    case = update_case(BY_ID["encrypted-payload-new-dependency"])
    assert len(case.units) == 2 and case.units[1].old_tgz is None
    result = judge_case(case, use_verdict=False)
    assert result.severity == max(o.severity for o in result.outcomes if o.severity is not None)
    # today: the update only "adds a dependency" (its age makes it medium) and the new package
    # holding the payload is not looked at
    assert [o.severity for o in result.outcomes] == [Severity.MEDIUM, None]


@dataclass(frozen=True)
class _FakeReason:
    severity: Severity
    rule: str
    text: str
    file: str | None = None


@dataclass(frozen=True)
class _FakeVerdict:
    severity: Severity
    summary: str
    reasons: tuple[_FakeReason, ...]


def test_the_verdict_is_used_when_scanner_verdict_provides_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[dict[str, Any]] = []

    def judge_archives(
        old: PackageArchive | None, new: PackageArchive, *, packument: object, now: datetime
    ) -> _FakeVerdict:
        seen.append({"old": old, "new": new.subject, "packument": packument, "now": now})
        reason = _FakeReason(Severity.CRITICAL, "install-fetch-exec", "pipes curl to sh", "x.js")
        return _FakeVerdict(Severity.CRITICAL, "adds a preinstall that pipes curl to sh", (reason,))

    monkeypatch.setattr(judge_module, "verdict_function", lambda: judge_archives)
    result = judge_case(new_case(BY_ID["preinstall-curl-pipe-sh"]))
    (outcome,) = result.outcomes
    assert outcome.judge == judge_module.VERDICT
    assert outcome.severity is Severity.CRITICAL
    assert outcome.reasons == (
        "critical install-fetch-exec: pipes curl to sh (x.js)",
        "summary: adds a preinstall that pipes curl to sh",
    )
    assert seen[0]["old"] is None and seen[0]["now"] == NOW
    assert seen[0]["packument"] is not None


_REASON = re.compile(r"^(critical|high|medium|low|info) [\w.-]+: .+")


@pytest.mark.skipif(judge_module.verdict_function() is None, reason="no scanner.verdict here")
def test_the_real_verdict_is_called_with_the_registry_documents_of_added_dependencies() -> None:
    case = update_case(BY_ID["encrypted-payload-new-dependency"])
    result = judge_case(case)
    assert [o.judge for o in result.outcomes] == [judge_module.VERDICT] * 2
    for outcome in result.outcomes:
        assert isinstance(outcome.severity, Severity)
        assert outcome.reasons, "a verdict always says why"
        assert all(_REASON.match(r) or r.startswith("summary: ") for r in outcome.reasons)
    keywords = judge_module._keywords(judge_module.verdict_function(), case.related)  # type: ignore[arg-type]
    if keywords:
        assert keywords["lookups"].packuments("flatmap-kit") is case.related["flatmap-kit"]
