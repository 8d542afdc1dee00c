"""The detection benchmark's command line.

    python -m benchmarks.detection run [--fetch | --offline] [--only TECHNIQUE] [--limit N]
                                       [--judge auto|verdict|risk-notes] [--no-benign] [--no-prs]
    python -m benchmarks.detection select [--total N]

``run`` judges every malicious stand-in (as an update and as a new package), the benign sample
(each pair as an update, its new version as a new package) and the upgrade pull requests, then
prints a Markdown summary and writes the JSON and Markdown reports. With a complete cache it runs
offline; otherwise it fetches what is missing from the registry npm is configured with. ``select``
rebuilds the committed benign sample from the corpus (it asks the registry for version lists).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from benchmarks.detection import benign, prs, report, standins
from benchmarks.detection.cases import Case, CaseResult, Missing
from benchmarks.detection.corpus import corpus_names, select
from benchmarks.detection.fetch import Fetcher, open_client
from benchmarks.detection.judge import RISK_NOTES, VERDICT, risk_notes_available, verdict_function
from benchmarks.detection.run import judge_case
from benchmarks.detection.store import Store
from scanner.model import Severity

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"


def _shared_corpus() -> Path:
    repo = HERE.parents[1]
    for candidate in (repo.parent / "shared" / "corpus", Path("/work/shared/corpus")):
        if candidate.is_dir():
            return candidate
    raise SystemExit("the shared corpus (../shared/corpus) is not beside this checkout")


def _rss_mb() -> float:
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6
    except (OSError, ValueError, IndexError):
        return 0.0


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _judge_stream(
    items: Iterable[Case | Missing], label: str, use_verdict: bool
) -> tuple[list[CaseResult], list[tuple[str, str]]]:
    results: list[CaseResult] = []
    missing: list[tuple[str, str]] = []
    started = time.perf_counter()
    for item in items:
        if isinstance(item, Missing):
            missing.append((item.case_id, item.reason))
            continue
        results.append(judge_case(item, use_verdict=use_verdict))
        if len(results) % 100 == 0:
            _say(
                f"{label}: {len(results)} judged ({time.perf_counter() - started:.0f} s, "
                f"{_rss_mb():.0f} MB)"
            )
    return results, missing


def _complete(store: Store, pairs: Sequence[Any], plans: dict[str, Any], with_prs: bool) -> bool:
    for pair in pairs:
        if not store.has_packument(pair.name):
            return False
        if not store.has_tarball(pair.old_integrity, pair.old_shasum):
            return False
        if not store.has_tarball(pair.new_integrity, pair.new_shasum):
            return False
    if with_prs:
        if not plans or not all(prs.pr_ready(store, key) for key in plans):
            return False
        for key in plans:
            for item in prs.change_wanted(store, prs.pr_changes(store, key)):
                document = store.packument(item.name)
                if document is None:
                    return False
                info = document.versions.get(item.version)
                if info is None or not info.tarball:
                    continue  # the registry has no tarball for it: fetching cannot help
                if not store.has_tarball(info.integrity, info.shasum):
                    return False
    return True


def _prepare_prs(
    store: Store, fetcher: Fetcher | None, plans: dict[str, Any], refresh: bool
) -> dict[str, Any]:
    """Plan (when asked or not yet planned) and build each pull request's lockfiles."""
    corpus = _shared_corpus()
    changed = False
    for project in prs.PROJECTS:
        for rule in prs.RULES:
            key = f"{project} ({rule})"
            if fetcher is None:
                continue
            if refresh or key not in plans:
                bumps = prs.plan_bumps(corpus / project, fetcher.packument, rule)
                if not bumps:
                    plans.pop(key, None)
                    changed = True
                    continue
                plans[key] = {"project": project, "rule": rule, "bumps": bumps}
                changed = True
            if refresh or not prs.pr_ready(store, key):
                _say(f"npm resolves {key} ({len(plans[key]['bumps'])} direct dependencies bumped)")
                try:
                    plans[key]["npm_flags"] = prs.build_pr(
                        corpus, project, plans[key]["bumps"], store, key
                    )
                except (RuntimeError, OSError) as exc:
                    plans[key]["error"] = str(exc)
                changed = True
    if changed:
        prs.save_plans(plans)
    return plans


def _run_prs(
    store: Store, plans: dict[str, Any], *, never_online: bool, refresh: bool, use_verdict: bool
) -> list[dict[str, Any]]:
    """Scan each pull request with the CLI, then judge its packages one by one.

    The CLI keeps its own cache (in the benchmark cache folder); a pull request is scanned online
    once (or again with --fetch) and offline after that.
    """
    summaries: list[dict[str, Any]] = []
    for key, plan in plans.items():
        if plan.get("error") or not prs.pr_ready(store, key):
            summaries.append(
                {
                    "project": key,
                    "bumped": len(plan["bumps"]),
                    "error": plan.get("error", "not built (run with --fetch)"),
                }
            )
            continue
        _say(f"depscan lockfile --base: {key}")
        marker = store.pr_folder(key) / "scanned-online"
        online = not never_online and (refresh or not marker.is_file())
        scan = prs.scan_pr(store, key, offline=not online)
        if online and scan.report is not None:
            marker.touch()
        summary = prs.summarize(key, plan["bumps"], scan, store)
        changes = prs.pr_changes(store, key)
        results, missing = _judge_stream(prs.change_cases(store, key, changes), key, use_verdict)
        reasons = Counter(reason for _, reason in missing)
        flagged = [r for r in results if r.severity is not None and r.severity >= Severity.HIGH]
        summary["judge"] = {
            "judged": len(results),
            "not_judged": len(missing),
            "not_judged_reasons": dict(reasons.most_common(5)),
            "highs": len(flagged),
            "high_cases": [
                {"case": r.case.id, "reasons": [x for o in r.outcomes for x in o.reasons][:4]}
                for r in flagged
            ],
        }
        summaries.append(summary)
    return summaries


def _standin_cases(only: str | None) -> Iterator[Case]:
    yield from standins.standin_cases(only)


def run(args: argparse.Namespace) -> int:
    store = Store(Path(args.cache) if args.cache else None)
    pairs = benign.load_pairs()
    if args.limit is not None:
        pairs = pairs[: args.limit]
    with_benign = not args.no_benign and args.only is None
    with_prs = not args.no_prs and args.only is None
    plans = prs.load_plans()
    have_verdict, have_notes = verdict_function() is not None, risk_notes_available()
    if args.judge == VERDICT and not have_verdict:
        raise SystemExit("--judge verdict: scanner.verdict.judge_archives is not in this checkout")
    if args.judge == RISK_NOTES and not have_notes:
        raise SystemExit(
            "--judge risk-notes: scanner.tarball.risk is not in this checkout (the verdict "
            "retired it); the before numbers are in benchmarks/detection/results/"
            "before-risk-notes.*, measured at commit 06b3c25"
        )
    if not have_verdict and not have_notes:
        raise SystemExit("neither scanner.verdict nor scanner.tarball.risk is in this checkout")
    use_verdict = args.judge != RISK_NOTES and have_verdict
    judge_name = VERDICT if use_verdict else RISK_NOTES
    complete = _complete(store, pairs if with_benign else [], plans, with_prs)
    online = args.fetch or (not complete and not args.offline)
    command = "python -m benchmarks.detection " + " ".join(sys.argv[1:])
    _say(
        f"judge: {judge_name}; cache: {store.root} ({'complete' if complete else 'incomplete'}); "
        f"{'fetching from the registry' if online else 'offline'}"
    )

    client = open_client(store) if online else None
    try:
        fetcher = Fetcher(store, client, refresh=args.fetch) if client is not None else None
        if fetcher is not None and with_benign:
            fetcher.packuments(p.name for p in pairs)
            failures = fetcher.tarballs(benign.wanted(pairs), progress=_say)
            if failures:
                _say(f"{len(failures)} benign tarballs could not be fetched")
        if with_prs:
            plans = _prepare_prs(store, fetcher, plans, args.fetch)
            for key in plans:
                if fetcher is not None and prs.pr_ready(store, key):
                    changes = prs.pr_changes(store, key)
                    fetcher.packuments(c.name for c in changes)
                    failures = fetcher.tarballs(prs.change_wanted(store, changes))
                    if failures:
                        _say(f"{key}: {len(failures)} tarballs could not be fetched")
    finally:
        if client is not None:
            client.close()
    # The registry client is closed before judging: the diff engine may fork (no threads alive).
    started = time.perf_counter()
    results, missing = _judge_stream(_standin_cases(args.only), "stand-ins", use_verdict)
    if with_benign:
        more, gone = _judge_stream(benign.benign_cases(pairs, store), "benign", use_verdict)
        results += more
        missing += gone
    pr_summaries: list[dict[str, Any]] = []
    if with_prs:
        pr_summaries = _run_prs(
            store, plans, never_online=args.offline, refresh=args.fetch, use_verdict=use_verdict
        )
    techniques = {
        t.id: {
            "title": t.title,
            "modelled_on": list(t.modelled_on),
            "reviewer_summary": t.reviewer_summary,
            "holdout": t.holdout,
            "holdout_set": t.holdout_set,
        }
        for t in standins.techniques()
    }
    document = report.build(
        results,
        judge_name=judge_name,
        command=command,
        missing=missing,
        prs=pr_summaries,
        techniques=techniques,
    )
    document["wall_seconds"] = time.perf_counter() - started
    text = report.markdown(document)
    json_path = Path(args.json) if args.json else RESULTS / "latest.json"
    md_path = Path(args.markdown) if args.markdown else RESULTS / "latest.md"
    json_path.parent.mkdir(parents=True, exist_ok=True)
    md_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
    md_path.write_text(text, encoding="utf-8")
    print(text)
    _say(f"wrote {json_path} and {md_path} ({document['wall_seconds']:.0f} s)")
    return 0


def select_sample(args: argparse.Namespace) -> int:
    store = Store(Path(args.cache) if args.cache else None)
    names = corpus_names(_shared_corpus())
    with open_client(store) as client:
        fetcher = Fetcher(store, client)
        pairs = select(names, fetcher.packument, args.total)
    benign.save_pairs(pairs, f"python -m benchmarks.detection select --total {args.total}")
    _say(f"wrote {len(pairs)} pairs to {benign.PAIRS_FILE}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.detection",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--cache",
        help="cache folder (default: $DEPSCAN_DETECTION_CACHE or ~/.cache/depscan-detection)",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    runner = commands.add_parser("run", help="judge everything and report")
    mode = runner.add_mutually_exclusive_group()
    mode.add_argument(
        "--fetch",
        action="store_true",
        help="(re)fetch documents and tarballs, re-plan and rebuild the pull requests",
    )
    mode.add_argument(
        "--offline",
        action="store_true",
        help="never use the network (the default when the cache is complete)",
    )
    runner.add_argument(
        "--only",
        metavar="TECHNIQUE",
        help="judge only this technique's stand-ins (no benign set, no pull requests)",
    )
    runner.add_argument(
        "--limit", type=int, metavar="N", help="judge only the first N benign pairs"
    )
    runner.add_argument(
        "--judge",
        choices=("auto", VERDICT, RISK_NOTES),
        default="auto",
        help="auto: scanner.verdict when present, else today's risk notes",
    )
    runner.add_argument("--no-benign", action="store_true", help="skip the benign sample")
    runner.add_argument("--no-prs", action="store_true", help="skip the upgrade pull requests")
    runner.add_argument("--json", help=f"JSON report path (default {RESULTS / 'latest.json'})")
    runner.add_argument(
        "--markdown", help=f"Markdown report path (default {RESULTS / 'latest.md'})"
    )
    runner.set_defaults(handler=run)
    sampler = commands.add_parser("select", help="rebuild the committed benign sample")
    sampler.add_argument("--total", type=int, default=600)
    sampler.set_defaults(handler=select_sample)
    args = parser.parse_args(argv)
    if args.command == "run" and args.only is not None:
        known = {t.id for t in standins.techniques()}
        if args.only not in known:
            parser.error(f"unknown technique {args.only!r}; known: {', '.join(sorted(known))}")
    return int(args.handler(args))


if __name__ == "__main__":
    raise SystemExit(main())
