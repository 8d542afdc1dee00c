"""A synthetic OSV export for npm, at the size of the real malicious-package feed.

The real records of the shared sample (``../shared/advisories/ossf-malicious-npm.zip``, 22,330
OpenSSF records) are used as templates, round-robin: every synthetic record keeps its template's
shape (versions lists, SEMVER ranges, withdrawn, aliases, references, credits, origins, iocs) and
gets a new id (``MAL-2090-<n>``, a year no real record has) and a new package name
(``<template name>-syn<n>``, scoped names stay in their scope), so no synthetic record matches a
real package and every name is distinct.

The output folder has the layout of OSV's per-ecosystem export (see docs/advisories.md): ``all.zip``
with one ``<ID>.json`` member per record, sorted by id, and ``modified_id.csv`` with one
``<modified>,<ID>`` row per record, newest first.

``--change N`` then edits N records of an existing export the way the real feed changes: new
``modified`` times, a moved ``affected`` version, a withdrawal every tenth change, one brand-new
record every twentieth. It writes each changed record as ``<ID>.json`` next to the archive (where
the export serves single records) and rewrites ``modified_id.csv``; ``all.zip`` is left as it
was, as an incremental client never reads it.

    python benchmarks/synthetic_feed.py OUT --records 500000
    python benchmarks/synthetic_feed.py OUT --change 100
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "advisories" / "ossf-malicious-npm.zip"
ID_PREFIX = "MAL-2090-"
EPOCH = datetime(2024, 1, 1, tzinfo=UTC)
ZIP_DATE = (2025, 1, 1, 0, 0, 0)


def load_templates(sample: Path) -> list[bytes]:
    with zipfile.ZipFile(sample) as archive:
        infos = archive.infolist()
        return [archive.read(info) for info in infos if info.filename.endswith(".json")]


def synthetic_name(name: str, number: int) -> str:
    return f"{name}-syn{number}"


def timestamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def synthesize(template: bytes, number: int) -> dict[str, Any]:
    """Record ``number`` of the feed: the template's shape under a new id and new names."""
    record: dict[str, Any] = json.loads(template)
    renames: dict[str, str] = {}
    for entry in record.get("affected", []):
        package = entry.get("package") or {}
        old = package.get("name")
        if isinstance(old, str):
            new = renames.setdefault(old, synthetic_name(old, number))
            package["name"] = new
            if "purl" in package:
                package["purl"] = f"pkg:npm/{new}"
    for field in ("summary", "details"):
        text = record.get(field)
        if isinstance(text, str):
            for old, new in renames.items():
                text = text.replace(old, new)
            record[field] = text
    record["id"] = f"{ID_PREFIX}{number}"
    modified = timestamp(EPOCH + timedelta(seconds=97 * number))
    record["modified"] = modified
    record.setdefault("published", modified)
    if record.get("withdrawn"):
        record["withdrawn"] = modified
    return record


def write_zip_member(archive: zipfile.ZipFile, record: dict[str, Any]) -> None:
    info = zipfile.ZipInfo(f"{record['id']}.json", date_time=ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, json.dumps(record, indent=2))


def write_csv(path: Path, rows: dict[str, str]) -> None:
    """``modified,id`` rows, newest first then by id, as OSV's exporter sorts them."""
    ordered = sorted(rows.items(), key=lambda item: item[0])
    ordered.sort(key=lambda item: item[1], reverse=True)
    temp = path.with_suffix(".tmp")
    temp.write_text("".join(f"{modified},{record_id}\n" for record_id, modified in ordered))
    temp.replace(path)


def read_csv(path: Path) -> dict[str, str]:
    rows: dict[str, str] = {}
    for line in path.read_text().splitlines():
        modified, _, record_id = line.partition(",")
        rows[record_id] = modified
    return rows


def generate(out: Path, records: int, sample: Path) -> None:
    templates = load_templates(sample)
    out.mkdir(parents=True, exist_ok=True)
    rows: dict[str, str] = {}
    # Members sorted by id as OSV writes them: ids differ only in the number, so sort by its text.
    numbers = sorted(range(1, records + 1), key=lambda n: f"{ID_PREFIX}{n}")
    temp = out / "all.zip.tmp"
    with zipfile.ZipFile(temp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for number in numbers:
            record = synthesize(templates[(number - 1) % len(templates)], number)
            write_zip_member(archive, record)
            rows[record["id"]] = record["modified"]
    temp.replace(out / "all.zip")
    write_csv(out / "modified_id.csv", rows)
    for stale in out.glob(f"{ID_PREFIX}*.json"):
        stale.unlink()


def change(out: Path, count: int, seed: int) -> list[str]:
    """Edit ``count`` records of the export in ``out``; returns the ids written."""
    rows = read_csv(out / "modified_id.csv")
    chooser = random.Random(seed)
    chosen = chooser.sample(sorted(rows), count)
    now = datetime.now(UTC).replace(microsecond=0)
    written: list[str] = []
    with zipfile.ZipFile(out / "all.zip") as archive:
        names = set(archive.namelist())
        for position, record_id in enumerate(chosen):
            single = out / f"{record_id}.json"
            if single.is_file():
                record = json.loads(single.read_text())
            elif f"{record_id}.json" in names:
                record = json.loads(archive.read(f"{record_id}.json"))
            else:
                continue
            if position % 20 == 19:
                number = len(rows) + 1 + position
                record = synthesize(json.dumps(record).encode(), number)
                record_id = record["id"]
            elif position % 10 == 9:
                record["withdrawn"] = timestamp(now)
            else:
                _move_affected(record)
            record["modified"] = timestamp(now + timedelta(seconds=position))
            (out / f"{record_id}.json").write_text(json.dumps(record, indent=2))
            rows[record_id] = record["modified"]
            written.append(record_id)
    write_csv(out / "modified_id.csv", rows)
    return written


def _move_affected(record: dict[str, Any]) -> None:
    """The affected version moves on: a listed version is replaced, a range gets a new start."""
    for entry in record.get("affected", []):
        versions = entry.get("versions")
        if versions:
            entry["versions"] = [f"{versions[0]}-moved", *versions[1:]]
        entry["ranges"] = [{"type": "SEMVER", "events": [{"introduced": "9.9.9"}]}]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="export folder to write or change")
    parser.add_argument("--records", type=int, default=500_000)
    parser.add_argument("--sample", type=Path, default=SAMPLE, help="real OSV all.zip to copy")
    parser.add_argument("--change", type=int, help="edit this many records of an existing export")
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args()
    started = time.perf_counter()
    if args.change is not None:
        ids = change(args.out, args.change, args.seed)
        print(f"changed {len(ids)} records in {args.out} ({time.perf_counter() - started:.1f} s)")
        return 0
    if not args.sample.is_file():
        print(f"synthetic_feed: {args.sample}: no such file", file=sys.stderr)
        return 2
    generate(args.out, args.records, args.sample)
    size = (args.out / "all.zip").stat().st_size
    print(
        f"wrote {args.records:,} records to {args.out} (all.zip {size / 1e6:.0f} MB) "
        f"in {time.perf_counter() - started:.1f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
