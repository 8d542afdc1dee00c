"""Benign cases: each sampled pair judged as an update, and its new version judged as a new package.

Registry publish times are dropped from real packages' documents: the registry this benchmark was
built against serves made-up times, and a judge must not learn "no times, so benign" from the
stand-ins either way (see docs/benchmarks.md). Everything else is the document as served.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path

from benchmarks.detection.cases import Case, Form, Missing, Unit
from benchmarks.detection.corpus import Pair
from benchmarks.detection.fetch import Wanted
from benchmarks.detection.store import Store
from scanner.errors import DepscanError

PAIRS_FILE = Path(__file__).resolve().parent / "data" / "benign-pairs.json"


def load_pairs(path: Path = PAIRS_FILE) -> list[Pair]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return [Pair.from_json(item) for item in data["pairs"]]


def save_pairs(pairs: Sequence[Pair], how: str, path: Path = PAIRS_FILE) -> None:
    about = (
        "Benign updates judged by benchmarks/detection: corpus packages and their next release, "
        "with the integrity hashes of both tarballs. Regenerate with: " + how
    )
    # One pair per line: small diffs when the sample changes.
    lines = ",\n".join("  " + json.dumps(p.to_json(), separators=(",", ":")) for p in pairs)
    text = (
        "{\n"
        f' "about": {json.dumps(about)},\n'
        f' "count": {len(pairs)},\n'
        f' "pairs": [\n{lines}\n ]\n'
        "}\n"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def wanted(pairs: Sequence[Pair]) -> list[Wanted]:
    out: list[Wanted] = []
    for pair in pairs:
        out.append(
            Wanted(
                f"{pair.name}@{pair.old}", pair.name, pair.old, pair.old_integrity, pair.old_shasum
            )
        )
        out.append(
            Wanted(
                f"{pair.name}@{pair.new}", pair.name, pair.new, pair.new_integrity, pair.new_shasum
            )
        )
    return out


def benign_cases(pairs: Sequence[Pair], store: Store) -> Iterator[Case | Missing]:
    """Two cases per pair, built one pair at a time so big tarballs are not all held at once."""
    for pair in pairs:
        update_id = f"benign:{pair.name}@{pair.old}->{pair.new}:update"
        new_id = f"benign:{pair.name}@{pair.new}:new"
        document = store.packument(pair.name)
        try:
            old_tgz = store.tarball(pair.old_integrity, pair.old_shasum, f"{pair.name}@{pair.old}")
            new_tgz = store.tarball(pair.new_integrity, pair.new_shasum, f"{pair.name}@{pair.new}")
        except DepscanError as exc:
            yield Missing(update_id, exc.one_line())
            yield Missing(new_id, exc.one_line())
            continue
        if document is None or new_tgz is None:
            reason = "not in the benchmark cache (run with --fetch)"
            yield Missing(update_id, reason)
            yield Missing(new_id, reason)
            continue
        packument = replace(document, time={})
        if old_tgz is None:
            yield Missing(update_id, "the older tarball is not in the benchmark cache")
        else:
            yield Case(
                id=update_id,
                malicious=False,
                form=Form.UPDATE,
                units=(
                    Unit(
                        f"{pair.name}@{pair.old} -> {pair.new}",
                        pair.name,
                        pair.old,
                        pair.new,
                        old_tgz,
                        new_tgz,
                        packument,
                    ),
                ),
                source=pair.stratum,
            )
        yield Case(
            id=new_id,
            malicious=False,
            form=Form.NEW,
            units=(
                Unit(
                    f"{pair.name}@{pair.new}", pair.name, None, pair.new, None, new_tgz, packument
                ),
            ),
            source=pair.stratum,
        )
