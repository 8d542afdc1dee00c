"""What the GitHub Action does, so it can be tested outside GitHub: ``python -m scanner.action``.

``action.yml`` only installs depscan and runs this module with the action's inputs in
``INPUT_*`` environment variables. On a pull request each lockfile is compared with its version on
the base branch and only what the pull request brings in is reported and can fail the job; on any
other event the lockfiles are scanned whole. Every run writes a SARIF file for code scanning, the
Markdown report to the job summary, and annotations to the log.

Exit code: depscan's (0 clean, 1 findings at or above ``fail-on``, 2 input or usage error).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TextIO

from scanner.errors import EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, DepscanError, UsageError
from scanner.model import ScanResult, Severity

LOCKFILE_NAMES = ("package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml",
                  "bun.lock")
PULL_REQUEST_EVENTS = frozenset({"pull_request", "pull_request_target"})
SARIF_FILE_NAME = "depscan.sarif"
MAX_CHANGE_LINES = 100
EXIT_INTERNAL = 3
TRUST_PROJECT_NPMRC = "DEPSCAN_TRUST_PROJECT_NPMRC"
TRUST_HEAD_POLICY = "DEPSCAN_TRUST_HEAD_POLICY"


@dataclass(frozen=True, slots=True)
class ActionInputs:
    paths: tuple[str, ...] = ()
    """Lockfiles or folders to scan; empty: every lockfile git tracks."""
    fail_on: Severity | None = None
    log_format: str = "text"
    advisories: tuple[Path, ...] = ()
    base: str | None = None
    """Explicit base (ref or lockfile); ``None``: the pull request's base, if any."""
    offline: bool = False
    registry_checks: bool | None = None
    registry: str | None = None
    """Registry URL overriding npm's configuration."""
    policy: Path | None = None
    """A policy file; one inside the workspace is a repository file, read at the base revision
    on pull requests like the default ``.depscan.toml`` (docs/ci.md, the threat model)."""
    checks: tuple[str, ...] = ()
    skip_checks: tuple[str, ...] = ()
    trust_project_npmrc: bool = False
    """Read the repository's own .npmrc (the ``trust-project-npmrc`` input, or
    ``DEPSCAN_TRUST_PROJECT_NPMRC`` in the job's environment); off by default, because on a pull
    request the repository content is the author's (see docs/ci.md)."""
    trust_head_policy: bool = False
    """On pull requests, obey the pull request's policy file rather than the base branch's (the
    ``trust-head-policy`` input, or ``DEPSCAN_TRUST_HEAD_POLICY`` in the job's environment)."""


def inputs_from_env(env: Mapping[str, str]) -> ActionInputs:
    """The action's inputs; list inputs take one item per line (or space-separated for paths)."""
    fail_on = env.get("INPUT_FAIL_ON", "").strip()
    log_format = env.get("INPUT_FORMAT", "").strip() or "text"
    from scanner.reports import FORMATS

    if log_format not in FORMATS:
        raise UsageError(f"format must be one of {', '.join(FORMATS)}, not {log_format!r}")
    try:
        severity = Severity.parse(fail_on) if fail_on else None
    except ValueError as exc:
        raise UsageError(f"fail-on: {exc}") from None
    registry = env.get("INPUT_REGISTRY_CHECKS", "").strip()
    return ActionInputs(
        paths=tuple(env.get("INPUT_PATH", "").split()),
        fail_on=severity,
        log_format=log_format,
        advisories=tuple(Path(line.strip()) for line in _lines(env.get("INPUT_ADVISORIES", ""))),
        base=env.get("INPUT_BASE", "").strip() or None,
        offline=_flag(env.get("INPUT_OFFLINE", ""), "offline") or False,
        registry_checks=_flag(registry, "registry-checks"),
        registry=env.get("INPUT_REGISTRY", "").strip() or None,
        policy=Path(policy) if (policy := env.get("INPUT_POLICY", "").strip()) else None,
        checks=tuple(env.get("INPUT_CHECKS", "").split()),
        skip_checks=tuple(env.get("INPUT_SKIP_CHECKS", "").split()),
        trust_project_npmrc=bool(
            _flag(env.get("INPUT_TRUST_PROJECT_NPMRC", ""), "trust-project-npmrc")
            or _flag(env.get(TRUST_PROJECT_NPMRC, ""), TRUST_PROJECT_NPMRC)
        ),
        trust_head_policy=bool(
            _flag(env.get("INPUT_TRUST_HEAD_POLICY", ""), "trust-head-policy")
            or _flag(env.get(TRUST_HEAD_POLICY, ""), TRUST_HEAD_POLICY)
        ),
    )


def tracked_lockfiles(workspace: Path) -> list[Path]:
    """Every lockfile git tracks in the workspace (vendored ``node_modules`` left out)."""
    pathspecs = [f":(glob)**/{name}" for name in LOCKFILE_NAMES]
    listed = _git(workspace, "ls-files", "-z", "--", *pathspecs)
    names = [n for n in listed.split("\0") if n and "node_modules/" not in f"/{n}"]
    return [_from_cwd(workspace / n) for n in sorted(names)]


def pull_request_base(env: Mapping[str, str], workspace: Path) -> str | None:
    """The commit a pull request is compared with: ``origin/<base branch>`` when it was fetched,
    else the base commit recorded in the event. ``None`` for events that are not pull requests."""
    if env.get("GITHUB_EVENT_NAME") not in PULL_REQUEST_EVENTS:
        return None
    candidates = []
    branch = env.get("GITHUB_BASE_REF", "").strip()
    if branch:
        candidates.append(f"origin/{branch}")
    event_sha = _event_base_sha(env.get("GITHUB_EVENT_PATH"))
    if event_sha:
        candidates.append(event_sha)
    for candidate in candidates:
        if _is_commit(workspace, candidate):
            return candidate
    raise UsageError(
        "the pull request's base commit is not in this checkout "
        "(check out with fetch-depth: 0, or pass the base input)",
        subject=", ".join(candidates) or "pull request",
    )


@dataclass(frozen=True, slots=True)
class LockfileReport:
    lockfile: Path
    result: ScanResult
    changes: str | None = None
    """PR mode: what changed, as a sentence."""
    change_lines: tuple[str, ...] = ()


def scan_lockfiles(
    lockfiles: Sequence[Path], inputs: ActionInputs, base: str | None, workspace: Path | None = None
) -> list[LockfileReport]:
    from scanner.pr_mode import policy_changes_once
    from scanner.scan import ScanOptions, scan

    options = ScanOptions(
        fail_on=inputs.fail_on,
        offline=inputs.offline,
        advisory_paths=inputs.advisories,
        registry_checks=inputs.registry_checks,
        registry_url=inputs.registry,
        policy_path=inputs.policy,
        policy_in_repository=_inside(inputs.policy, workspace),
        only_checks=inputs.checks,
        skip_checks=inputs.skip_checks,
        trust_project_npmrc=inputs.trust_project_npmrc,
        trust_head_policy=inputs.trust_head_policy,
    )
    reports: list[LockfileReport] = []
    for lockfile in lockfiles:
        if base is None:
            reports.append(LockfileReport(lockfile, scan([lockfile], options)))
            continue
        from scanner.pr_mode import change_lines, scan_changes

        compared = scan_changes(lockfile, base, options)
        lines = change_lines(compared.changes, limit=MAX_CHANGE_LINES)
        reports.append(LockfileReport(lockfile, compared.result, compared.summary, tuple(lines)))
    # Lockfiles under one policy file report its change once (annotations, summary, SARIF).
    results = policy_changes_once([r.result for r in reports])
    return [replace(r, result=result) for r, result in zip(reports, results, strict=True)]


def merged(results: Sequence[ScanResult]) -> ScanResult:
    """One result holding every lockfile's, for the single SARIF run code scanning expects."""
    from scanner.pr_mode import policy_changes_once

    results = policy_changes_once(results)
    first = results[0]
    return replace(
        first,
        lockfiles=tuple(lf for r in results for lf in r.lockfiles),
        findings=tuple(f for r in results for f in r.findings),
        not_checked=tuple(dict.fromkeys(n for r in results for n in r.not_checked)),
        checks_run=tuple(dict.fromkeys(c for r in results for c in r.checks_run)),
        # Lockfiles under different policy files can differ; the strictest one is shown.
        fail_on=min(r.fail_on for r in results),
        advisory_sources=tuple(dict.fromkeys(s for r in results for s in r.advisory_sources)),
        suppressed=tuple(f for r in results for f in r.suppressed),
    )


def job_summary(reports: Sequence[LockfileReport], base: str | None, workspace: Path) -> str:
    """The Markdown for ``$GITHUB_STEP_SUMMARY``: per lockfile, what changed and the report, the
    whole under GitHub's 1 MiB limit (scanner/reports/job_summary.py)."""
    from scanner.reports.job_summary import SummarySection
    from scanner.reports.job_summary import job_summary as summary

    sections = [
        SummarySection(_relative(r.lockfile, workspace), r.result, r.changes, r.change_lines)
        for r in reports
    ]
    return summary(sections, base, base_dir=workspace)


def run(env: Mapping[str, str], workspace: Path, out: TextIO) -> int:
    """Everything the action does; returns the exit code the step ends with."""
    outputs: dict[str, str] = {}
    try:
        code = _run(env, workspace, out, outputs)
    except DepscanError as exc:
        message = exc.one_line()
        out.write(f"depscan: error: {_inline(message)}\n")
        out.write(f"::error title=depscan::{_escape_command(message)}\n")
        _append(env.get("GITHUB_STEP_SUMMARY"), f"**depscan could not run**: {_plain(message)}\n")
        code = EXIT_ERROR
    except Exception as exc:  # a bug: the step must still say so in one line and set its outputs
        if env.get("DEPSCAN_DEBUG"):
            raise
        out.write(f"::error title=depscan internal error::{type(exc).__name__}: "
                  f"{_escape_command(str(exc))} (set DEPSCAN_DEBUG=1 for the traceback)\n")
        code = EXIT_INTERNAL
    outputs["exit-code"] = str(code)
    _write_outputs(env.get("GITHUB_OUTPUT"), outputs)
    return code


def _run(env: Mapping[str, str], workspace: Path, out: TextIO, outputs: dict[str, str]) -> int:
    from scanner.reports import renderer

    inputs = inputs_from_env(env)
    if inputs.policy is not None and not inputs.policy.is_absolute():
        inputs = replace(inputs, policy=workspace / inputs.policy)
    if inputs.trust_project_npmrc:
        # Read where npm's configuration is resolved; false leaves the job's own setting alone.
        os.environ[TRUST_PROJECT_NPMRC] = "1"
    if inputs.paths:
        lockfiles = [_resolve(workspace, p) for p in inputs.paths]
    else:
        lockfiles = tracked_lockfiles(workspace)
    if not lockfiles:
        out.write("::notice title=depscan::no lockfile is tracked in this repository\n")
        _append(env.get("GITHUB_STEP_SUMMARY"), "**depscan**: no lockfile to scan.\n")
        return EXIT_OK
    base = inputs.base or pull_request_base(env, workspace)
    reports = scan_lockfiles(lockfiles, inputs, base, workspace)
    everything = merged([r.result for r in reports])

    sarif_path = Path(env.get("RUNNER_TEMP") or workspace) / SARIF_FILE_NAME
    sarif_path.parent.mkdir(parents=True, exist_ok=True)
    sarif_path.write_text(renderer("sarif")(everything, base_dir=workspace), encoding="utf-8")
    outputs["sarif"] = str(sarif_path)
    outputs["findings"] = str(len(everything.findings))
    failing = sum(len(r.result.failing) for r in reports)
    outputs["failing"] = str(failing)

    annotate = renderer("github")
    for report in reports:
        out.write(annotate(report.result, base_dir=workspace))
    if inputs.log_format != "github":
        log_render = renderer(inputs.log_format)
        for report in reports:
            if report.changes is not None:
                out.write(f"{_inline(_relative(report.lockfile, workspace))}: "
                          f"{_inline(report.changes)}\n")
            out.write(log_render(report.result, base_dir=workspace))
    _append(env.get("GITHUB_STEP_SUMMARY"), job_summary(reports, base, workspace))
    return EXIT_FINDINGS if failing else EXIT_OK


def _inside(path: Path | None, workspace: Path | None) -> bool:
    """Whether ``path`` lies in the workspace, the checkout a pull request writes."""
    if path is None or workspace is None:
        return False
    try:
        path.absolute().resolve().relative_to(workspace.absolute().resolve())
    except ValueError:
        return False
    return True


def _resolve(workspace: Path, given: str) -> Path:
    path = Path(given)
    return _from_cwd(path if path.is_absolute() else workspace / path)


def _from_cwd(path: Path) -> Path:
    """The path as the log should show it: relative when it is under the working directory."""
    try:
        return path.absolute().relative_to(Path.cwd())
    except ValueError:
        return path


def _relative(path: Path, workspace: Path) -> str:
    from scanner.reports.describe import repo_relative

    return repo_relative(str(path), workspace)


def _plain(text: str) -> str:
    from scanner.reports.markdown import escape

    return escape(text)


def _inline(text: str) -> str:
    """Text from the scan, made safe for the log: no workflow command, no terminal escape."""
    from scanner.reports.escape import inline

    return inline(text)


def _escape_command(text: str) -> str:
    from scanner.reports.github import escape_data

    return escape_data(text)


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def _flag(value: str, name: str) -> bool | None:
    text = value.strip().lower()
    if not text:
        return None
    if text in ("true", "yes", "1", "on"):
        return True
    if text in ("false", "no", "0", "off"):
        return False
    raise UsageError(f"{name} must be true or false, not {value!r}")


def _event_base_sha(event_path: str | None) -> str | None:
    if not event_path:
        return None
    try:
        event = json.loads(Path(event_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    sha: object = event
    for key in ("pull_request", "base", "sha"):
        sha = sha.get(key) if isinstance(sha, dict) else None
    return sha if isinstance(sha, str) and sha else None


def _is_commit(workspace: Path, ref: str) -> bool:
    if ref.startswith("-"):
        return False
    done = subprocess.run(
        ["git", "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"],
        cwd=workspace, capture_output=True, check=False,
    )
    return done.returncode == 0


def _git(workspace: Path, *args: str) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=workspace, capture_output=True, check=False)
    except FileNotFoundError:
        raise UsageError("git is not installed: give the path input") from None
    if done.returncode != 0:
        detail = " ".join(done.stderr.decode(errors="replace").split())
        raise UsageError(f"git {args[0]} failed: {detail}", subject=str(workspace))
    return done.stdout.decode("utf-8", errors="surrogateescape")


def _append(path: str | None, text: str) -> None:
    if not path:
        return
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(text)


def _write_outputs(path: str | None, outputs: Mapping[str, str]) -> None:
    if not path:
        return
    with open(path, "a", encoding="utf-8") as handle:
        for name, value in outputs.items():
            handle.write(f"{name}={value}\n")


def main() -> None:
    workspace = Path(os.environ.get("GITHUB_WORKSPACE") or Path.cwd())
    raise SystemExit(run(os.environ, workspace, sys.stdout))


if __name__ == "__main__":
    main()
