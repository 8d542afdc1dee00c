"""Advisory database load times: cold (build the compiled index) and warm (load it from the cache).

Usage: ``python benchmarks/bench_advisories.py [--zip PATH] [--repeat N]``

Warm loads run in fresh interpreter processes, so they include importing the ``scanner.osv``
modules the way a real scan does, but not interpreter start-up. The target is a warm load of the
bundled set plus the 22,330-record zip in under 60 ms.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DEFAULT_ZIP = Path("/work/shared/advisories/ossf-malicious-npm.zip")

WARM_PROBE = """
import json, sys, time
from pathlib import Path
started = time.perf_counter()
from scanner.osv.database import AdvisoryDatabase
imported = time.perf_counter()
database = AdvisoryDatabase.load([Path(sys.argv[1])], cache_dir=Path(sys.argv[2]))
loaded = time.perf_counter()
for name in ("chalk", "debug", "react", "lodash", "event-stream", "@ctrl/tinycolor"):
    database.match(name, "1.0.0")
matched = time.perf_counter()
print(json.dumps({"import": imported - started, "load": loaded - imported,
                  "match": matched - loaded, "origins": database.cache_origins,
                  "records": database.record_count}))
"""


def warm_run(zip_path: Path, cache_dir: Path) -> dict[str, object]:
    output = subprocess.run(
        [sys.executable, "-c", WARM_PROBE, str(zip_path), str(cache_dir)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    result: dict[str, object] = json.loads(output)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--zip", type=Path, default=DEFAULT_ZIP, help="OSV all.zip to load")
    parser.add_argument("--repeat", type=int, default=7, help="warm runs (fresh processes)")
    args = parser.parse_args()
    if not args.zip.is_file():
        print(f"bench_advisories: {args.zip}: no such file", file=sys.stderr)
        return 2

    from scanner.osv.database import AdvisoryDatabase

    with tempfile.TemporaryDirectory(prefix="depscan-bench-") as temp:
        cache_dir = Path(temp)
        started = time.perf_counter()
        database = AdvisoryDatabase.load([args.zip], cache_dir=cache_dir)
        cold = time.perf_counter() - started
        print(f"cold build : {cold * 1000:8.1f} ms  {', '.join(database.sources)}")
        print(f"             origins {database.cache_origins}")

        runs = [warm_run(args.zip, cache_dir) for _ in range(args.repeat)]
        loads = [float(str(run["load"])) * 1000 for run in runs]
        imports = [float(str(run["import"])) * 1000 for run in runs]
        matches = [float(str(run["match"])) * 1000 for run in runs]
        print(
            f"warm load  : {min(loads):8.1f} ms min, {statistics.median(loads):.1f} ms median, "
            f"{max(loads):.1f} ms max over {len(runs)} fresh processes "
            f"(origins {runs[0]['origins']}, {runs[0]['records']} records)"
        )
        print(f"import     : {statistics.median(imports):8.1f} ms median (scanner.osv.database)")
        print(f"6 lookups  : {statistics.median(matches):8.1f} ms median (incl. semver import)")
        index_bytes = sum(p.stat().st_size for p in cache_dir.rglob("*.idx"))
        print(f"index size : {index_bytes / 1e6:8.1f} MB on disk")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
