"""Benchmark `depscan lockfile` offline beside the tools people use today.

For each lockfile (default: the 2,589-package create-react-app lockfile of the shared corpus),
with the bundled advisories plus the 22,330-record OSV zip, all offline:
  * depscan core, cold: `--check known-malicious --check lockfile-problem` with a fresh cache
    directory, so the advisory index is built during the run;
  * depscan core, warm: the same with the index already cached;
  * depscan, every default check, warm (`--offline`: registry checks read the empty package
    cache and report what they could not check; hygiene and install-script flags run in full);
  * `lockfile-lint` (installed once, untimed, into a temp dir) validating hosts and https, for npm
    and yarn lockfiles;
  * `npm ls --all --package-lock-only` for npm lockfiles, in a temp dir holding the lockfile and a
    package.json made from the lockfile's root entry.
Each is run --repeat times (default 5); the table gives the median wall time, the median CPU time
(user+system, less disturbed by other load) and the peak RSS of the process.

    python benchmarks/bench_lockfile.py [--lockfile PATH ...] [--advisories ZIP] [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from _measure import REPO, Series, series, table

SHARED = REPO.parent / "shared"
DEFAULT_LOCKFILE = SHARED / "corpus/npm/v2/create-react-app-root/package-lock.json"
DEFAULT_ZIP = SHARED / "advisories/ossf-malicious-npm.zip"


def depscan_cmd(lockfile: Path, zip_path: Path, *extra: str) -> list[str]:
    exe = Path(sys.executable).with_name("depscan")
    return [str(exe), "lockfile", str(lockfile), "--offline", "--advisories", str(zip_path),
            "--quiet", "--no-policy-file", *extra]


CORE = ("--check", "known-malicious", "--check", "lockfile-problem")


def install_lockfile_lint(tools: Path) -> Path | None:
    proc = subprocess.run(
        ["npm", "install", "--prefix", str(tools), "--no-audit", "--no-fund", "lockfile-lint@5"],
        capture_output=True, text=True,
    )
    exe = tools / "node_modules" / ".bin" / "lockfile-lint"
    return exe if proc.returncode == 0 and exe.exists() else None


def npm_ls_project(lockfile: Path, workdir: Path) -> Path:
    """A folder with the lockfile and the package.json its root entry describes."""
    project = workdir / "npm-ls"
    project.mkdir(parents=True)
    shutil.copy(lockfile, project / "package-lock.json")
    root = json.loads(lockfile.read_text()).get("packages", {}).get("", {})
    manifest = {k: root[k] for k in ("name", "version", "workspaces", "dependencies",
                                     "devDependencies", "optionalDependencies") if k in root}
    (project / "package.json").write_text(json.dumps(manifest, indent=2))
    for loc, entry in json.loads(lockfile.read_text()).get("packages", {}).items():
        if loc and "node_modules/" not in loc and not loc.startswith(".."):
            ws = project / loc
            ws.mkdir(parents=True, exist_ok=True)
            ws_manifest = {k: entry[k] for k in ("name", "version", "dependencies",
                                                 "devDependencies") if k in entry}
            (ws / "package.json").write_text(json.dumps(ws_manifest))
    return project


def _registry_host(lockfile: Path) -> str:
    """The host the lockfile's registry tarballs come from (the corpus uses a placeholder)."""
    import re
    from urllib.parse import urlsplit

    match = re.search(r"https://[^\s\"']+/-/[^\s\"']+\.tgz", lockfile.read_text())
    return (urlsplit(match.group(0)).hostname or "") if match else ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lockfile", type=Path, action="append")
    parser.add_argument("--advisories", type=Path, default=DEFAULT_ZIP)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--skip-peers", action="store_true", help="only time depscan")
    args = parser.parse_args()
    lockfiles: list[Path] = args.lockfile or [DEFAULT_LOCKFILE]
    with tempfile.TemporaryDirectory(prefix="depscan-bench-") as tmp:
        work = Path(tmp)
        lint = None if args.skip_peers else install_lockfile_lint(work / "tools")
        for lockfile in lockfiles:
            rows = bench_one(lockfile, args, work, lint)
            print(f"lockfile: {lockfile}\nadvisories: bundled + {args.advisories}\n")
            print(table(rows))
            print()
    return 0


def bench_one(
    lockfile: Path, args: argparse.Namespace, work: Path, lint: Path | None
) -> list[Series]:
    rows: list[Series] = []
    cache = work / "cache"
    env = {"DEPSCAN_CACHE_DIR": str(cache)}
    core = depscan_cmd(lockfile, args.advisories, *CORE)
    rows.append(series("depscan lockfile, core checks (cold: index built)", core, args.repeat,
                       env=env, before_each=lambda: shutil.rmtree(cache, ignore_errors=True)))
    rows.append(series("depscan lockfile, core checks (warm)", core, args.repeat, env=env))
    # The corpus's resolved URLs use a placeholder host; a real project's .npmrc would name it.
    full = depscan_cmd(lockfile, args.advisories, "--allowed-host", "registry.example.test")
    rows.append(series("depscan lockfile, all default checks, --offline (warm)", full,
                       args.repeat, env=env))
    if args.skip_peers:
        return rows
    kinds = {"package-lock.json": "npm", "npm-shrinkwrap.json": "npm", "yarn.lock": "yarn"}
    kind = kinds.get(lockfile.name)
    if lint is not None and kind is not None:
        host = _registry_host(lockfile)
        rows.append(series(
            f"lockfile-lint --type {kind} --validate-https --allowed-hosts {host}",
            [str(lint), "--path", str(lockfile), "--type", kind, "--validate-https",
             "--allowed-hosts", host],
            args.repeat,
        ))
    if kind == "npm":
        project = npm_ls_project(lockfile, work / lockfile.parent.name)
        rows.append(series(
            "npm ls --all --package-lock-only",
            ["npm", "ls", "--all", "--package-lock-only"], args.repeat, cwd=project,
            env={"npm_config_update_notifier": "false", "npm_config_fund": "false"},
        ))
    return rows


if __name__ == "__main__":
    raise SystemExit(main())
