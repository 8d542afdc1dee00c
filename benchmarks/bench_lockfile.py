"""Benchmark `depscan lockfile` (offline core) beside the tools people use today.

Measures, on one lockfile (default: the 2,589-package create-react-app lockfile of the shared
corpus) with the bundled advisories plus the 22,330-record OSV zip:
  * depscan cold: a fresh cache directory, so the advisory index is built during the run;
  * depscan warm: the index already cached;
  * `lockfile-lint` (installed once, untimed, into a temp dir) validating hosts and https;
  * `npm ls --all --package-lock-only`, in a temp dir holding the lockfile and a package.json made
    from the lockfile's root entry.
Each is run --repeat times (default 5); the table gives the median wall time and the peak RSS.

    python benchmarks/bench_lockfile.py [--lockfile PATH] [--advisories ZIP] [--repeat N]
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


def depscan_cmd(lockfile: Path, zip_path: Path) -> list[str]:
    exe = Path(sys.executable).with_name("depscan")
    return [str(exe), "lockfile", str(lockfile), "--offline", "--advisories", str(zip_path),
            "--quiet"]


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
    project.mkdir()
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
    from urllib.parse import urlsplit

    for entry in json.loads(lockfile.read_text()).get("packages", {}).values():
        resolved = entry.get("resolved", "") if isinstance(entry, dict) else ""
        if resolved.startswith("https://") and "/-/" in resolved:
            return urlsplit(resolved).hostname or ""
    return ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lockfile", type=Path, default=DEFAULT_LOCKFILE)
    parser.add_argument("--advisories", type=Path, default=DEFAULT_ZIP)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--skip-peers", action="store_true", help="only time depscan")
    args = parser.parse_args()
    rows: list[Series] = []
    with tempfile.TemporaryDirectory(prefix="depscan-bench-") as tmp:
        work = Path(tmp)
        cache = work / "cache"
        env = {"DEPSCAN_CACHE_DIR": str(cache)}
        cmd = depscan_cmd(args.lockfile, args.advisories)
        rows.append(series("depscan lockfile (cold: index built)", cmd, args.repeat, env=env,
                           before_each=lambda: shutil.rmtree(cache, ignore_errors=True)))
        rows.append(series("depscan lockfile (warm: index cached)", cmd, args.repeat, env=env))
        if not args.skip_peers:
            lint = install_lockfile_lint(work / "tools")
            if lint is not None:
                host = _registry_host(args.lockfile)
                rows.append(series(
                    f"lockfile-lint --type npm --validate-https --allowed-hosts {host}",
                    [str(lint), "--path", str(args.lockfile), "--type", "npm",
                     "--validate-https", "--allowed-hosts", host],
                    args.repeat,
                ))
            else:
                print("lockfile-lint could not be installed; skipped", file=sys.stderr)
            project = npm_ls_project(args.lockfile, work)
            rows.append(series(
                "npm ls --all --package-lock-only",
                ["npm", "ls", "--all", "--package-lock-only"], args.repeat, cwd=project,
                env={"npm_config_update_notifier": "false", "npm_config_fund": "false"},
            ))
    print(f"lockfile: {args.lockfile}\nadvisories: bundled + {args.advisories}\n")
    print(table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
