"""The labelled cases the detection benchmark judges: what a case is, and what a judgement gave.

A *case* is one thing a reviewer would be asked about: a package update, or a package newly added
to a project. It is made of one or more *units*, each one judgement: an update that also brings in
a brand-new dependency (the event-stream shape) is one case of two units, the update and the new
package, and the case is caught when either unit is. A case's severity is the highest of its
units'.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

from scanner.model import Severity
from scanner.registry.packument import Packument

NOW = datetime(2026, 6, 1, tzinfo=UTC)
"""The benchmark's fixed "now": stand-in registry times are relative to it, so re-runs agree."""


class Form(StrEnum):
    UPDATE = "update"
    """A package the project had, at a newer version."""
    NEW = "new"
    """A package the project did not have before."""


@dataclass(frozen=True, slots=True)
class Unit:
    """One judgement: ``old`` is None for a brand-new package."""

    subject: str
    """``name@old -> new`` or ``name@version``, for reports."""
    name: str
    old_version: str | None
    new_version: str
    old_tgz: bytes | None = field(repr=False)
    new_tgz: bytes = field(repr=False)
    packument: Packument | None = field(default=None, repr=False)

    @property
    def form(self) -> Form:
        return Form.NEW if self.old_tgz is None else Form.UPDATE


@dataclass(frozen=True, slots=True)
class CaseInfo:
    """A case without its tarballs: what results keep once the case is judged."""

    id: str
    malicious: bool
    form: Form
    technique: str | None
    source: str
    subjects: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Case:
    id: str
    malicious: bool
    form: Form
    units: tuple[Unit, ...]
    technique: str | None = None
    """The stand-in technique; None for benign cases."""
    source: str = ""
    """Where a benign case came from (its corpus stratum); the write-up a stand-in models."""
    related: dict[str, Packument] = field(default_factory=dict, repr=False)
    """Packuments of other packages the case involves (a dependency the update adds), for
    judges that look dependencies up by name."""

    @property
    def info(self) -> CaseInfo:
        return CaseInfo(
            self.id,
            self.malicious,
            self.form,
            self.technique,
            self.source,
            tuple(u.subject for u in self.units),
        )


@dataclass(frozen=True, slots=True)
class Missing:
    """A case that could not be built (not cached, or a tarball was refused), and why."""

    case_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the judge said about one unit."""

    severity: Severity | None
    """None: no finding at all."""
    reasons: tuple[str, ...]
    seconds: float
    judge: str
    """Which judge produced it: ``verdict`` (scanner.verdict) or ``risk-notes`` (the fallback)."""


@dataclass(frozen=True, slots=True)
class CaseResult:
    case: CaseInfo
    outcomes: tuple[Outcome, ...]
    """One per unit, in the case's order; a unit that could not be judged has none here and
    is listed in ``errors``."""
    errors: tuple[str, ...] = ()
    read_seconds: float = 0.0
    """Time spent reading the tarballs into memory (depscan's archive reader), not judging."""

    @property
    def severity(self) -> Severity | None:
        found = [o.severity for o in self.outcomes if o.severity is not None]
        return max(found) if found else None

    @property
    def seconds(self) -> float:
        return sum(o.seconds for o in self.outcomes)
