"""The advisory database a scan queries: the bundled curated set plus any extra OSV sources.

Each source is loaded through its compiled index (see :mod:`scanner.osv.cache`), so a warm load
reads one file per source and decodes only the records of package names that are looked up.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from scanner.errors import AdvisoryError
from scanner.osv.advisory import Advisory, AdvisoryMatch
from scanner.osv.cache import LoadedIndex, load_index
from scanner.osv.matcher import entry_reasons
from scanner.osv.sources import open_source

__all__ = ["BUNDLED_LABEL", "Advisory", "AdvisoryDatabase", "AdvisoryMatch", "bundled_folder"]

BUNDLED_LABEL = "bundled"


def bundled_folder(package_dir: Path | None = None) -> Path:
    """Where the curated records are: inside the installed package, or at the repository root.

    A wheel carries them as ``scanner/_bundled_advisories`` (hatch force-include); an editable or
    source checkout has ``<repo>/advisories`` next to the ``scanner`` package. ``package_dir`` is
    the ``scanner`` package folder (this installation's when not given).
    """
    package_dir = package_dir or Path(__file__).resolve().parent.parent
    installed = package_dir / "_bundled_advisories"
    if installed.is_dir():
        return installed
    checkout = package_dir.parent / "advisories"
    if checkout.is_dir():
        return checkout
    raise AdvisoryError("the bundled advisories are missing from this installation", str(installed))


class AdvisoryDatabase:
    """Known-malicious npm package versions from one or more OSV sources."""

    def __init__(self, loaded: Sequence[LoadedIndex]) -> None:
        self._loaded = tuple(loaded)

    @classmethod
    def load(
        cls,
        extra_sources: Sequence[Path],
        cache_dir: Path | None,
        include_bundled: bool = True,
    ) -> AdvisoryDatabase:
        """Load the bundled set (unless excluded) and every extra folder, zip or ``.json`` file.

        ``cache_dir`` holds compiled indexes between runs; ``None`` builds them in memory.
        Raises :class:`AdvisoryError` for a missing path or a corrupt record or archive.
        """
        sources = [open_source(path) for path in extra_sources]
        if include_bundled:
            sources.insert(0, open_source(bundled_folder(), label=BUNDLED_LABEL))
        return cls([load_index(source, cache_dir) for source in sources])

    def match(self, name: str, version: str) -> list[AdvisoryMatch]:
        """Advisories covering ``name@version``, first source first; one per advisory id."""
        matches: dict[str, AdvisoryMatch] = {}
        for loaded in self._loaded:
            for record in loaded.index.advisories_for(name):
                if record.id in matches:
                    continue
                reasons = [
                    reason
                    for entry in record.affected.get(name, ())
                    for reason in entry_reasons(entry, version)
                ]
                if not reasons:
                    continue
                advisory = Advisory(
                    id=record.id,
                    aliases=record.aliases,
                    summary=record.summary,
                    source=loaded.source.label,
                    published=record.published,
                    modified=record.modified,
                    references=record.references,
                )
                matches[record.id] = AdvisoryMatch(advisory, "; ".join(dict.fromkeys(reasons)))
        return list(matches.values())

    @property
    def sources(self) -> tuple[str, ...]:
        """One human description per source, e.g. ``bundled (43 records)``."""
        return tuple(_describe(loaded) for loaded in self._loaded)

    @property
    def record_count(self) -> int:
        """Records read from all sources, withdrawn ones included."""
        return sum(loaded.index.record_count for loaded in self._loaded)

    @property
    def cache_origins(self) -> tuple[str, ...]:
        """Per source: ``cache``, ``built`` or ``memory`` (for ``--verbose`` and benchmarks)."""
        return tuple(loaded.origin for loaded in self._loaded)


def _describe(loaded: LoadedIndex) -> str:
    index = loaded.index
    noun = "record" if index.record_count == 1 else "records"
    text = f"{loaded.source.label} ({index.record_count:,} {noun}"
    if index.withdrawn_count:
        text += f", {index.withdrawn_count:,} withdrawn"
    return text + ")"
