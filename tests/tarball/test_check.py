from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, cast

from scanner.checks.base import ScanContext
from scanner.checks.tarball_diff import CHECK_ID, TarballDiffCheck, advisory_lookup
from scanner.model import Finding, Lockfile, PackageNode, Severity, SourceKind
from scanner.registry.packument import Packument

from .incidents import FLATMAP_OLD, FakeRegistry, honest_packuments, tarball_url

if TYPE_CHECKING:
    from scanner.registry.client import RegistryClient


def node(
    name: str,
    version: str,
    *,
    location: str | None = None,
    source: SourceKind = SourceKind.REGISTRY,
    integrity: str | None = None,
) -> PackageNode:
    return PackageNode(
        location or f"node_modules/{name}", name, version, source, integrity=integrity, line=12
    )


def lockfile(path: Path, *nodes: PackageNode) -> Lockfile:
    root = PackageNode("", "app", "1.0.0", SourceKind.ROOT)
    return Lockfile(
        path, "npm-package-lock", "3", {"": root, **{n.location: n for n in nodes}}, ("",)
    )


def context(
    tmp_path: Path,
    registry: FakeRegistry | None,
    old: list[PackageNode],
    new: list[PackageNode],
    **settings: object,
) -> ScanContext:
    return ScanContext(
        lockfile=lockfile(tmp_path / "package-lock.json", *new),
        base=lockfile(tmp_path / "base-lock.json", *old),
        registry=cast("RegistryClient", registry),
        settings={"now": "2018-11-26T00:00:00Z", **settings},
    )


def _verdicts(result: object) -> dict[str, Finding]:
    findings = getattr(result, "findings", ())
    return {f"{f.package.name}@{f.package.version}": f for f in findings if f.package}


def test_incoming_versions_pair_by_name_and_new_packages_are_inspected(tmp_path: Path) -> None:
    registry = FakeRegistry(honest_packuments())
    ctx = context(
        tmp_path,
        registry,
        [node("event-stream", "3.3.5")],
        [node("event-stream", "3.3.6"), node("flatmap-stream", "0.1.1")],
    )
    result = TarballDiffCheck().run(ctx)
    assert result.not_checked == ()
    verdicts = _verdicts(result)
    # event-stream itself only added a dependency line; flatmap-stream, new to the project, holds
    # the payload and is judged on its own.
    assert set(verdicts) == {"flatmap-stream@0.1.1"}
    payload = verdicts["flatmap-stream@0.1.1"]
    assert payload.severity is Severity.CRITICAL
    assert payload.message.startswith("new package: ")
    assert payload.details["verdict"]["kind"] == "new"
    assert payload.lockfile == str(tmp_path / "package-lock.json") and payload.line == 12
    assert sorted(registry.tarball_calls) == [
        tarball_url("event-stream", "3.3.5"),
        tarball_url("event-stream", "3.3.6"),
        tarball_url("flatmap-stream", "0.1.1"),
    ]


def test_a_hoisting_swap_and_a_downgrade_are_not_diffed_as_upgrades(tmp_path: Path) -> None:
    registry = FakeRegistry(honest_packuments())
    old = [
        node("flatmap-stream", "0.1.1"),
        node("ua-parser-js", "0.7.28", location="node_modules/x/node_modules/ua-parser-js"),
        node("ua-parser-js", "0.7.29"),
    ]
    new = [
        node("flatmap-stream", "0.1.0"),
        node("ua-parser-js", "0.7.28"),
        node("ua-parser-js", "0.7.29", location="node_modules/y/node_modules/ua-parser-js"),
    ]
    result = TarballDiffCheck().run(context(tmp_path, registry, old, new))
    assert registry.tarball_calls == []
    (downgrade,) = result.findings
    assert downgrade.severity is Severity.LOW
    assert downgrade.message == (
        "0.1.1 -> 0.1.0: downgrade from 0.1.1 to 0.1.0: older code comes back"
    )


def test_without_a_base_lockfile_there_is_nothing_to_judge(tmp_path: Path) -> None:
    ctx = ScanContext(lockfile=lockfile(tmp_path / "l", node("a", "1.0.0")))
    result = TarballDiffCheck().run(ctx)
    assert result.findings == () and result.not_checked == ()


def test_offline_is_not_checked_never_clean(tmp_path: Path) -> None:
    ctx = context(
        tmp_path, None, [node("flatmap-stream", "0.1.0")], [node("flatmap-stream", "0.1.1")]
    )
    result = TarballDiffCheck().run(ctx)
    assert result.findings == ()
    (nc,) = result.not_checked
    assert nc.check == CHECK_ID and nc.packages == ("flatmap-stream@0.1.1",)


def test_the_flatmap_stream_update_is_one_critical_verdict_with_its_reasons(
    tmp_path: Path,
) -> None:
    registry = FakeRegistry(honest_packuments())
    ctx = context(
        tmp_path, registry, [node("flatmap-stream", "0.1.0")], [node("flatmap-stream", "0.1.1")]
    )
    result = TarballDiffCheck().run(ctx)
    assert result.not_checked == ()
    (verdict,) = result.findings
    assert verdict.severity is Severity.CRITICAL
    assert verdict.message.startswith("0.1.0 -> 0.1.1: ")
    reasons = verdict.details["verdict"]["reasons"]
    assert reasons[0]["rule"] == "decoded-exec" and reasons[0]["file"] == "index.js"
    assert {s["capability"] for s in verdict.details["verdict"]["signals"]} >= {
        "decipher",
        "decoded-exec",
    }


def test_ua_parser_js_new_preinstall_that_spawns_a_download_is_high(tmp_path: Path) -> None:
    registry = FakeRegistry(honest_packuments())
    old, new = [node("ua-parser-js", "0.7.28")], [node("ua-parser-js", "0.7.29")]
    (verdict,) = TarballDiffCheck().run(context(tmp_path, registry, old, new)).findings
    assert verdict.severity >= Severity.HIGH
    assert "adds a preinstall script" in verdict.message
    assert "preinstall.js" in verdict.message


def test_profiles_are_cached_by_integrity(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    old, new = [node("ua-parser-js", "0.7.28")], [node("ua-parser-js", "0.7.29")]
    first = TarballDiffCheck().run(
        context(tmp_path, FakeRegistry(honest_packuments()), old, new, cache_dir=str(cache))
    )
    assert len(list((cache / "behaviour-profiles").rglob("*.json"))) == 2
    again = TarballDiffCheck().run(
        context(tmp_path, FakeRegistry(honest_packuments()), old, new, cache_dir=str(cache))
    )
    assert again.findings == first.findings


def test_integrity_from_the_lockfile_is_enforced(tmp_path: Path) -> None:
    registry = FakeRegistry(honest_packuments())
    wrong = "sha512-" + "A" * 86 + "=="
    ctx = context(
        tmp_path,
        registry,
        [node("flatmap-stream", "0.1.0")],
        [node("flatmap-stream", "0.1.1", integrity=wrong)],
    )
    result = TarballDiffCheck().run(ctx)
    assert result.findings == ()
    (nc,) = result.not_checked
    assert "integrity mismatch" in nc.reason and nc.packages == ("flatmap-stream@0.1.1",)


def test_tampered_download_is_not_checked(tmp_path: Path) -> None:
    registry = FakeRegistry(honest_packuments())
    url = next(iter(u for u in registry.tarballs if u.endswith("flatmap-stream-0.1.1.tgz")))
    registry.tarballs[url] = FLATMAP_OLD
    ctx = context(
        tmp_path, registry, [node("flatmap-stream", "0.1.0")], [node("flatmap-stream", "0.1.1")]
    )
    result = TarballDiffCheck().run(ctx)
    assert result.findings == ()
    assert "integrity mismatch" in result.not_checked[0].reason


def test_unknown_package_is_not_checked(tmp_path: Path) -> None:
    ctx = context(tmp_path, FakeRegistry([]), [node("ghost", "1.0.0")], [node("ghost", "1.0.1")])
    (nc,) = TarballDiffCheck().run(ctx).not_checked
    assert "no tarball URL" in nc.reason


def test_manifest_confusion_is_a_reason_of_the_verdict(tmp_path: Path) -> None:
    documents = honest_packuments()
    ua = next(d for d in documents if d.name == "ua-parser-js")
    hidden = replace(ua.versions["0.7.29"], scripts={})  # the registry shows no preinstall
    lying = Packument(ua.name, {**ua.versions, "0.7.29": hidden})
    registry = FakeRegistry([d for d in documents if d.name != "ua-parser-js"] + [lying])
    ctx = context(
        tmp_path, registry, [node("ua-parser-js", "0.7.28")], [node("ua-parser-js", "0.7.29")]
    )
    (verdict,) = TarballDiffCheck().run(ctx).findings
    rules = [r["rule"] for r in verdict.details["verdict"]["reasons"]]
    assert rules.count("manifest-confusion") == 1


def test_the_check_uses_the_scan_advisories(tmp_path: Path) -> None:
    from scanner.osv.database import AdvisoryDatabase

    registry = FakeRegistry(honest_packuments())
    ctx = context(
        tmp_path, registry, [node("event-stream", "3.3.5")], [node("event-stream", "3.3.6")]
    )
    ctx.advisories = AdvisoryDatabase.load([], cache_dir=None)  # the bundled curated records
    (verdict,) = TarballDiffCheck().run(ctx).findings
    assert verdict.severity is Severity.CRITICAL
    malicious = [
        r for r in verdict.details["verdict"]["reasons"] if r["rule"] == "dependency-malicious"
    ]
    assert len(malicious) == 1 and "DEPSCAN-2018-0003" in malicious[0]["text"]


def test_advisory_lookup_matches_exact_versions(tmp_path: Path) -> None:
    from scanner.osv.database import AdvisoryDatabase

    lookup = advisory_lookup(AdvisoryDatabase.load([], cache_dir=None))
    assert "DEPSCAN-2018-0003" in lookup("flatmap-stream", "0.1.1")
    assert "DEPSCAN-2018-0002" in lookup("event-stream", "3.3.6")
    assert lookup("event-stream", "3.3.5") == []
