"""Benchmark a dependency-upgrade pull request: `depscan lockfile HEAD --base BASE`, every package
of the change fetched, verified, profiled and judged, against a local registry.

The change is real: N registry packages of a corpus lockfile (default: 250 of the create-react-app
lockfile, chosen deterministically) each move from their locked version to the version
`npm update` would pick (the highest release of the same major). Both tarballs of every pair, and
the packages' real documents, are fetched once from the registry npm is configured to use and
kept under ~/.cache/depscan-bench-pr; the benchmark then serves them from 127.0.0.1
(tests/support/registry_server.py, in its own process) and times depscan with an empty cache
(cold) and a warm one.

    python benchmarks/bench_pr.py [--packages 250] [--repeat 3] [--latency 0.0]
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from _measure import REPO, Series, series, table

SHARED = REPO.parent / "shared"
DEFAULT_LOCKFILE = SHARED / "corpus/npm/v2/create-react-app-root/package-lock.json"
STORE = Path.home() / ".cache" / "depscan-bench-pr"
LOCKFILE_HOST = "https://registry.example.test/"

SERVER_PROCESS = r"""
import sys, time
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from tests.support.registry_server import FixtureRegistry
with FixtureRegistry(Path(sys.argv[2]), latency=float(sys.argv[3])) as registry:
    print(registry.url, flush=True)
    sys.stdin.read()
"""


def pick_pairs(lockfile: Path, count: int) -> list[tuple[str, str]]:
    """(name, locked version) of ``count`` registry packages, spread over the alphabet."""
    sys.path.insert(0, str(REPO))
    from scanner.model import SourceKind
    from scanner.sources.detect import read_lockfile

    locked: dict[str, str] = {}
    for node in read_lockfile(lockfile).packages():
        if node.source is SourceKind.REGISTRY and node.name not in locked:
            locked[node.name] = node.version
    names = sorted(locked)
    step = max(1, len(names) // (count * 3))
    return [(name, locked[name]) for name in names[::step]]


def fetch_store(pairs: list[tuple[str, str]], count: int) -> list[dict[str, Any]]:
    """Real documents and tarballs for up to ``count`` upgradable pairs, cached in STORE."""
    import nodesemver

    from scanner.registry.client import RegistryClient
    from scanner.registry.npmrc import resolve_npm_config

    manifest_path = STORE / f"pairs-{count}-v2.json"
    if manifest_path.is_file():
        return list(json.loads(manifest_path.read_text()))
    (STORE / "tarballs").mkdir(parents=True, exist_ok=True)
    (STORE / "packuments").mkdir(parents=True, exist_ok=True)
    client = RegistryClient(resolve_npm_config(REPO, None, os.environ), cache_dir=None, jobs=16)
    chosen: list[dict[str, Any]] = []
    try:
        documents = client.packuments([name for name, _ in pairs])
        for name, old in pairs:
            doc = documents.get(name)
            if doc is None or not hasattr(doc, "versions") or old not in doc.versions:
                continue
            try:
                new = nodesemver.max_satisfying(list(doc.versions), f"^{old}", loose=True)
            except (ValueError, TypeError):
                continue
            if not new or new == old:
                continue
            entry = {"name": name, "versions": {}}
            for version in (old, new):
                info = doc.versions[version]
                data = client.tarball(
                    info.tarball or "", integrity=info.integrity, shasum=info.shasum, name=name
                )
                file = f"{name.replace('/', '-')}-{version}.tgz"
                (STORE / "tarballs" / file).write_bytes(data)
                entry["versions"][version] = {
                    "file": file,
                    "integrity": info.integrity,
                    "shasum": info.shasum,
                    "manifest": {
                        "scripts": info.scripts,
                        "dependencies": info.dependencies,
                        "optionalDependencies": info.optional_dependencies,
                        "bin": info.bin,
                        **({"main": info.main} if info.main else {}),
                        **({"gypfile": True} if info.gypfile else {}),
                    },
                }
            entry["old"], entry["new"] = old, new
            chosen.append(entry)
            if len(chosen) >= count:
                break
    finally:
        client.close()
    manifest_path.write_text(json.dumps(chosen))
    return chosen


def npm_file_name(name: str, version: str) -> str:
    """npm's tarball file name: the unscoped name and the version (``core-7.0.0.tgz``)."""
    return f"{name.rsplit('/', 1)[-1]}-{version}.tgz"


def _claim(served: set[str], entry: dict[str, Any]) -> bool:
    """The fixture server finds tarballs by file name alone: skip a pair whose file names another
    pair already uses (``@scope/x`` and ``x`` at one version)."""
    files = {npm_file_name(entry["name"], v) for v in entry["versions"]}
    if files & served:
        return False
    served |= files
    return True


def write_fixture(root: Path, chosen: list[dict[str, Any]]) -> tuple[Path, Path]:
    """The registry folder the server reads, and the base and head lockfiles (npm's layout)."""
    (root / "registry" / "tarballs").mkdir(parents=True)
    served: set[str] = set()
    chosen = [e for e in chosen if _claim(served, e)]
    for entry in chosen:
        name = entry["name"]
        versions = {}
        for version, info in entry["versions"].items():
            file = npm_file_name(name, version)
            shutil.copy(STORE / "tarballs" / info["file"], root / "registry" / "tarballs" / file)
            versions[version] = {
                "name": name,
                "version": version,
                **info["manifest"],
                "dist": {
                    "tarball": "{registry}" + f"{name}/-/{file}",
                    "integrity": info["integrity"],
                    "shasum": info["shasum"],
                },
            }
        doc = {"name": name, "dist-tags": {"latest": entry["new"]}, "versions": versions}
        target = root / "registry" / "packuments" / f"{name}.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(doc))
    lockfiles = []
    for side in ("old", "new"):
        packages: dict[str, Any] = {
            "": {"name": "upgrade-pr", "version": "1.0.0",
                 "dependencies": {e["name"]: e[side] for e in chosen}}
        }
        for entry in chosen:
            version = entry[side]
            info = entry["versions"][version]
            packages[f"node_modules/{entry['name']}"] = {
                "version": version,
                "resolved": f"{LOCKFILE_HOST}{entry['name']}/-/"
                + npm_file_name(entry["name"], version),
                "integrity": info["integrity"],
            }
        path = root / side / "package-lock.json"
        path.parent.mkdir()
        path.write_text(json.dumps({"name": "upgrade-pr", "lockfileVersion": 3,
                                    "requires": True, "packages": packages}, indent=2))
        lockfiles.append(path)
    return lockfiles[0], lockfiles[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lockfile", type=Path, default=DEFAULT_LOCKFILE)
    parser.add_argument("--packages", type=int, default=250)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--latency", type=float, default=0.0)
    args = parser.parse_args()
    chosen = fetch_store(pick_pairs(args.lockfile, args.packages), args.packages)
    work = Path(tempfile.mkdtemp(prefix="depscan-bench-pr-"))
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER_PROCESS, str(REPO), str(work / "registry"),
         str(args.latency)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        base, head = write_fixture(work, chosen)
        assert server.stdout is not None
        url = server.stdout.readline().strip()
        cache = work / "cache"
        exe = Path(sys.executable).with_name("depscan")
        cmd = [str(exe), "lockfile", str(head), "--base", str(base), "--registry", url,
               "--allowed-host", "registry.example.test", "--cache-dir", str(cache),
               "--no-policy-file", "--format", "json", "--quiet"]
        rows: list[Series] = [
            series("cold cache", cmd, args.repeat, cwd=REPO,
                   before_each=lambda: shutil.rmtree(cache, ignore_errors=True)),
            series("warm cache", cmd, args.repeat, cwd=REPO),
        ]
        checked = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO)
        if checked.returncode not in (0, 1):
            raise SystemExit(f"depscan failed ({checked.returncode}): {checked.stderr.strip()}")
        report = json.loads(checked.stdout)
    finally:
        if server.stdin:
            server.stdin.close()
        server.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)
    verdicts = [f for f in report["findings"] if f["check"] == "tarball-diff"]
    by_severity: dict[str, int] = {}
    for finding in verdicts:
        by_severity[finding["severity"]] = by_severity.get(finding["severity"], 0) + 1
    print(f"{len(chosen)} upgrades from {args.lockfile.relative_to(REPO.parent)}, "
          f"served from 127.0.0.1 with {args.latency * 1000:.0f} ms added latency\n")
    print(table(rows))
    print(f"\nverdict findings by severity: {by_severity or 'none'}")
    for finding in verdicts:
        print(f"  {finding['severity']}: {finding['package']['name']}: {finding['message'][:150]}")
    failing = [f for f in report["findings"] if f["severity"] in ("high", "critical")]
    print(f"findings at high or worse, any check: {len(failing)}")
    for finding in failing:
        name = (finding.get("package") or {}).get("name", "")
        print(f"  {finding['severity']} [{finding['check']}] {name}: {finding['message'][:160]}")
    print("\nReproduce: " + shlex.join(["python", "benchmarks/bench_pr.py", "--packages",
                                       str(args.packages), "--repeat", str(args.repeat)]))


if __name__ == "__main__":
    main()
