"""Which advisory databases a scan used, and whether one is stale: the words every format shows.

Each report format adds these lines in its own place and its own escaping; the wording lives here
so that text, JSON, SARIF, Markdown and annotations say the same thing (docs/advisories.md).
"""

from __future__ import annotations

from typing import Any

from scanner.model import AdvisoryDatabaseInfo, ScanResult


def age_text(days: float) -> str:
    """``5 min``, ``3 h``, ``9 days``."""
    minutes = days * 24 * 60
    if minutes < 60:
        return f"{max(int(minutes), 0)} min"
    if minutes < 48 * 60:
        return f"{int(minutes // 60)} h"
    return f"{int(days)} days"


def database_text(info: AdvisoryDatabaseInfo) -> str:
    """``https://.../npm/ (512,345 records, updated 3 h ago)``."""
    noun = "record" if info.records == 1 else "records"
    facts = [f"{info.records:,} {noun}"]
    if info.kind == "feed":
        facts.append(f"updated {age_text(info.age_days)} ago" if info.age_days is not None
                     else "update time unknown")
    return f"{info.name} ({', '.join(facts)})"


def databases_line(result: ScanResult) -> str | None:
    """One line naming every database used; ``None`` when no advisories were loaded."""
    if not result.advisory_databases:
        return None
    return "Advisory databases: " + "; ".join(database_text(i) for i in result.advisory_databases)


def stale_warnings(result: ScanResult) -> list[str]:
    """One sentence per feed database older than its threshold."""
    out = []
    for info in result.advisory_databases:
        if not info.stale:
            continue
        age = f"is {age_text(info.age_days)} old" if info.age_days is not None else (
            "has no known update time")
        out.append(
            f"advisory database {info.name} {age}, older than the {info.max_age_days}-day limit: "
            "packages reported malicious since then are not known to this scan "
            "(run `depscan db update`)"
        )
    return out


def databases_json(result: ScanResult) -> list[dict[str, Any]]:
    return [
        {
            "name": i.name,
            "kind": i.kind,
            "records": i.records,
            "withdrawn": i.withdrawn,
            "updated": i.updated,
            "age_days": i.age_days,
            "stale": i.stale,
            "max_age_days": i.max_age_days,
        }
        for i in result.advisory_databases
    ]
