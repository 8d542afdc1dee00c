"""Benchmark `depscan lockfile` with every registry check against a local registry.

For every package name in a lockfile (default: the 2,589-package create-react-app lockfile of the
shared corpus) a synthetic package document is written to a temp dir: the locked versions with the
lockfile's own integrity, up to two earlier releases and one later, one publisher and maintainer
list per package, publish times, install scripts where the lockfile records them, a README, and
registry signatures by a P-256 key published at ``/-/npm/v1/keys``. No tarballs: the checks do not
download any. The documents are served by ``tests/support/registry_server.py`` in a separate
process, so the server's CPU is not counted as depscan's. The lockfile is not rewritten: its
``resolved`` URLs stay on registry.example.test, which ``--allowed-host`` allows.

Measured with benchmarks/_measure.py (median wall and CPU time, peak RSS), --repeat runs each:
  * cold: empty cache, every request delayed by --latency (default 50 ms);
  * warm: cache filled by an untimed run, every document revalidated (the server answers 304),
    with and without the added latency;
  * --offline with the warm cache (the server must see no request);
  * with the server answering `Cache-Control: public, max-age=300` as the public registry does
    for package documents: cold, then warm within that time (no requests, as npm behaves).
After each series the server's request log is read to confirm what happened (requests per run,
how many revalidations matched the current ETag, i.e. were answered 304).

    python benchmarks/bench_registry.py [--lockfile PATH] [--repeat N] [--latency SECONDS]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _measure import REPO, Series, series, table

SHARED = REPO.parent / "shared"
DEFAULT_LOCKFILE = SHARED / "corpus/npm/v2/create-react-app-root/package-lock.json"
LOCKFILE_HOST = "registry.example.test"
README = "Synthetic package document for the depscan registry benchmark.\n" * 40

# Runs FixtureRegistry in its own process; one JSON line answers each command read from stdin:
# `latency <seconds>`, `cache-control <header value>`, `stats` (requests so far, and how many
# carried an If-None-Match equal to the document's current ETag, which the server answers with
# 304). Closing stdin stops it.
SERVER_PROCESS = r"""
import hashlib, json, sys
from pathlib import Path
from urllib.parse import unquote
sys.path.insert(0, sys.argv[1])
from tests.support.registry_server import FixtureRegistry

def answered_304(registry, request):
    sent = next((v for k, v in request.headers.items() if k.lower() == "if-none-match"), None)
    answer = registry._answer(unquote(request.path)) if sent else None
    return answer is not None and sent == '"' + hashlib.sha256(answer[0]).hexdigest()[:32] + '"'

with FixtureRegistry(Path(sys.argv[2]), latency=float(sys.argv[3])) as registry:
    print(json.dumps({"url": registry.url}), flush=True)
    for line in sys.stdin:
        command, _, argument = line.strip().partition(" ")
        if command == "latency":
            registry.latency = float(argument)
        if command == "cache-control":
            registry.cache_control = argument or None
        received = list(registry.received)
        print(json.dumps({"requests": len(received),
                          "not_modified": sum(answered_304(registry, r) for r in received)}),
              flush=True)
"""


class RegistryProcess:
    def __init__(self, root: Path, latency: float) -> None:
        self._proc = subprocess.Popen(
            [sys.executable, "-c", SERVER_PROCESS, str(REPO), str(root), str(latency)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )
        self.url: str = self._read()["url"]

    def _read(self) -> dict[str, Any]:
        out = self._proc.stdout
        assert out is not None
        document: dict[str, Any] = json.loads(out.readline())
        return document

    def command(self, text: str) -> dict[str, int]:
        assert self._proc.stdin is not None
        self._proc.stdin.write(text + "\n")
        self._proc.stdin.flush()
        return self._read()

    def close(self) -> None:
        if self._proc.stdin is not None:
            self._proc.stdin.close()
        self._proc.wait(timeout=30)


# -- synthetic package documents -------------------------------------------------------------

def locked_versions(lockfile: Path) -> dict[str, dict[str, dict[str, Any]]]:
    """name -> version -> the lockfile entry, for every registry package entry."""
    packages = json.loads(lockfile.read_text(encoding="utf-8")).get("packages", {})
    found: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for location, entry in packages.items():
        if "node_modules/" not in location or "version" not in entry or entry.get("link"):
            continue
        name = entry.get("name") or location.rsplit("node_modules/", 1)[1]
        found[name].setdefault(entry["version"], entry)
    return dict(found)


def _triple(version: str) -> tuple[int, int, int] | None:
    match = re.match(r"^(\d+)\.(\d+)\.(\d+)", version)
    return (int(match[1]), int(match[2]), int(match[3])) if match else None


def history_versions(locked: list[str]) -> tuple[list[str], list[str]]:
    """Up to two releases before the lowest locked version and one after the highest."""
    triples = sorted(t for t in map(_triple, locked) if t is not None)
    if not triples:
        return [], []
    (major, minor, patch), (top, _, _) = triples[0], triples[-1]
    before = []
    if patch > 0:
        before.append(f"{major}.{minor}.{patch - 1}")
    if minor > 0:
        before.append(f"{major}.{minor - 1}.0")
    elif major > 0:
        before.append(f"{major - 1}.0.0")
    return [v for v in before[:2] if v not in locked], [f"{top + 1}.0.0"]


def _fake_integrity(name: str, version: str) -> str:
    digest = hashlib.sha512(f"{name}@{version}".encode()).digest()
    return "sha512-" + base64.b64encode(digest).decode()


def _time(day: int, name: str) -> str:
    spread = int(hashlib.sha1(name.encode()).hexdigest()[:4], 16)
    month, day_of_month = 1 + day // 28, 1 + day % 28
    return f"2021-{month:02d}-{day_of_month:02d}T{spread % 24:02d}:{spread % 60:02d}:00.000Z"


def packument(
    name: str, locked: dict[str, dict[str, Any]], sign: Callable[[str], dict[str, str]]
) -> dict[str, Any]:
    before, after = history_versions(list(locked))
    publisher = {"name": f"{name.replace('/', '-').lstrip('@')}-maintainer",
                 "email": "maintainer@users.example.test"}
    scripts = {"install": "node install.js"} if any(
        e.get("hasInstallScript") for e in locked.values()
    ) else {}
    file_name = name.rsplit("/", 1)[-1]
    versions: dict[str, Any] = {}
    times: dict[str, str] = {"created": _time(0, name)}
    for day, version in enumerate([*before, *locked, *after], start=1):
        entry = locked.get(version, {})
        integrity = entry.get("integrity") or _fake_integrity(name, version)
        versions[version] = {
            "name": name,
            "version": version,
            "description": f"{name} (synthetic)",
            "dependencies": entry.get("dependencies", {}),
            "scripts": {"test": "echo ok", **scripts},
            "_npmUser": publisher,
            "maintainers": [publisher],
            "dist": {
                "tarball": "{registry}" + f"{name}/-/{file_name}-{version}.tgz",
                "integrity": integrity,
                "shasum": hashlib.sha1(integrity.encode()).hexdigest(),
                "signatures": [sign(f"{name}@{version}:{integrity}")],
            },
        }
        times[version] = _time(day * 3, name)
    return {
        "_id": name,
        "name": name,
        "dist-tags": {"latest": after[0] if after else next(iter(versions))},
        "versions": versions,
        "time": {**times, "modified": _time(300, name)},
        "maintainers": [publisher],
        "readme": README,
    }


def write_registry(root: Path, lockfile: Path) -> int:
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    private = ec.generate_private_key(ec.SECP256R1())
    der = private.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    keyid = "SHA256:" + base64.b64encode(hashlib.sha256(der).digest()).decode().rstrip("=")
    key = {"expires": None, "keyid": keyid, "keytype": "ecdsa-sha2-nistp256",
           "scheme": "ecdsa-sha2-nistp256", "key": base64.b64encode(der).decode()}
    root.mkdir(parents=True, exist_ok=True)
    (root / "keys.json").write_text(json.dumps({"keys": [key]}), encoding="utf-8")

    def sign(message: str) -> dict[str, str]:
        signature = private.sign(message.encode(), ec.ECDSA(hashes.SHA256()))
        return {"keyid": keyid, "sig": base64.b64encode(signature).decode()}

    names = locked_versions(lockfile)
    for name, locked in names.items():
        path = root / "packuments" / f"{name}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(packument(name, locked, sign)), encoding="utf-8")
    return len(names)


# -- measuring -------------------------------------------------------------------------------

def depscan_cmd(lockfile: Path, registry_url: str, cache: Path, *extra: str) -> list[str]:
    exe = Path(sys.executable).with_name("depscan")
    return [str(exe), "lockfile", str(lockfile), "--registry", registry_url,
            "--allowed-host", LOCKFILE_HOST, "--cache-dir", str(cache), "--quiet",
            "--no-policy-file", "--format", "json", *extra]


def check_report(cmd: list[str]) -> str:
    """One untimed run's verdict: what was not checked because the registry could not answer."""
    completed = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if completed.returncode not in (0, 1):
        raise SystemExit(f"depscan failed ({completed.returncode}): {completed.stderr.strip()}")
    report = json.loads(completed.stdout)
    unavailable = sorted({
        p for n in report["summary"]["not_checked"]
        if "unavailable" in n["reason"] or "offline" in n["reason"] for p in n["packages"]
    })
    counts = report["summary"]["counts"]
    return (f"exit {completed.returncode}, findings {counts}, packages the registry could not "
            f"describe: {len(unavailable)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lockfile", type=Path, default=DEFAULT_LOCKFILE)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--latency", type=float, default=0.05)
    args = parser.parse_args()
    if not args.lockfile.is_file():
        raise SystemExit(f"no lockfile at {args.lockfile} (the shared corpus is beside the repo)")

    work = Path(tempfile.mkdtemp(prefix="depscan-bench-registry-"))
    try:
        names = write_registry(work / "registry", args.lockfile)
        server = RegistryProcess(work / "registry", args.latency)
        try:
            cache = work / "cache"
            cmd = depscan_cmd(args.lockfile, server.url, cache)
            rows: list[Series] = []
            notes: list[str] = []

            def measure(label: str, command: list[str], wipe: bool = False) -> None:
                before = server.command("stats")
                empty_cache = (lambda: shutil.rmtree(cache, ignore_errors=True)) if wipe else None
                rows.append(series(label, command, args.repeat, cwd=REPO, before_each=empty_cache))
                after = server.command("stats")
                requests = (after["requests"] - before["requests"]) / args.repeat
                answered_304 = (after["not_modified"] - before["not_modified"]) / args.repeat
                notes.append(f"{label}: {requests:.0f} requests per run, "
                             f"{answered_304:.0f} of them answered 304")

            ms = f"{args.latency * 1000:.0f} ms"
            measure(f"cold cache, {ms} latency", cmd, wipe=True)
            notes.append("  after cold: " + check_report(cmd))
            measure(f"warm cache (304s), {ms} latency", cmd)
            server.command("latency 0")
            measure("warm cache (304s), no added latency", cmd)
            # The public registry answers package documents with `Cache-Control: max-age=300`
            # and npm reuses them without asking for that long; depscan does the same.
            server.command("cache-control public, max-age=300")
            measure("cold cache, no added latency, answers carry max-age=300", cmd, wipe=True)
            measure("warm cache within max-age=300 (no requests, as npm)", cmd)
            offline = [*cmd, "--offline"]
            measure("--offline, warm cache", offline)
            notes.append("  offline: " + check_report(offline))
        finally:
            server.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(f"Lockfile: {args.lockfile} ({names} package names, synthetic documents)\n")
    print(table(rows))
    print()
    for note in notes:
        print(f"- {note}")
    print("\nCommand (registry URL and cache dir vary per run):")
    print("    " + shlex.join(cmd))
    print("Reproduce: " + shlex.join(["python", "benchmarks/bench_registry.py",
                                      "--repeat", str(args.repeat),
                                      "--latency", str(args.latency)]))


if __name__ == "__main__":
    main()
