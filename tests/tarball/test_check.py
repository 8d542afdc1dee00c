from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, cast

from scanner.checks.base import ScanContext
from scanner.checks.tarball_diff import CHECK_ID, TarballDiffCheck, changed_packages
from scanner.model import Lockfile, PackageNode, Severity, SourceKind
from scanner.registry.packument import Packument, Unavailable

from .incidents import FLATMAP_OLD, FakeRegistry, honest_packuments

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


def test_pairs_by_location_then_by_unique_name(tmp_path: Path) -> None:
    base = lockfile(
        tmp_path / "a",
        node("a", "1.0.0"),
        node("b", "1.0.0", location="node_modules/x/node_modules/b"),
        node("c", "1.0.0"),
        node("c", "2.0.0", location="node_modules/y/node_modules/c"),
        node("d", "1.0.0"),
        node("g", "1.0.0", source=SourceKind.GIT),
    )
    current = lockfile(
        tmp_path / "b",
        node("a", "1.1.0"),
        node("b", "1.2.0"),  # hoisted: matched by its only old version
        node("c", "3.0.0", location="node_modules/z/node_modules/c"),  # two old versions: skip
        node("d", "1.0.0"),  # unchanged
        node("g", "2.0.0", source=SourceKind.GIT),  # not from the registry
        node("new", "1.0.0"),  # no old version at all
    )
    pairs = {(c.new.name, c.old.version, c.new.version) for c in changed_packages(base, current)}
    assert pairs == {("a", "1.0.0", "1.1.0"), ("b", "1.0.0", "1.2.0")}


def test_without_a_base_lockfile_there_is_nothing_to_diff(tmp_path: Path) -> None:
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


def test_flatmap_stream_upgrade_is_reported(tmp_path: Path) -> None:
    registry = FakeRegistry(honest_packuments())
    ctx = context(
        tmp_path, registry, [node("flatmap-stream", "0.1.0")], [node("flatmap-stream", "0.1.1")]
    )
    result = TarballDiffCheck().run(ctx)
    assert result.not_checked == ()
    by_kind = {f.details["kind"]: f for f in result.findings}
    assert {"decipher", "encoded-blob", "minified-code"} <= set(by_kind)
    decipher = by_kind["decipher"]
    assert decipher.severity is Severity.HIGH
    assert decipher.check == CHECK_ID
    assert decipher.package is not None and decipher.package.version == "0.1.1"
    assert decipher.details["file"] == "index.js" and decipher.details["line"] == 3
    assert decipher.message.startswith("0.1.0 -> 0.1.1: ")
    assert decipher.lockfile == str(tmp_path / "package-lock.json")
    assert decipher.line == 12


def test_event_stream_upgrade_with_advisories(tmp_path: Path) -> None:
    registry = FakeRegistry(honest_packuments())

    def advisories(name: str, spec: str) -> list[str]:
        return ["GHSA-mh6f-8j2x-4483"] if name == "flatmap-stream" else []

    ctx = context(
        tmp_path, registry, [node("event-stream", "3.3.5")], [node("event-stream", "3.3.6")]
    )
    result = TarballDiffCheck(lookup_advisories=advisories).run(ctx)
    severities = {f.details["kind"]: f.severity for f in result.findings}
    assert severities == {
        "dependency-added": Severity.LOW,
        "dependency-malicious": Severity.CRITICAL,
    }


def test_results_are_cached_by_the_pair_of_hashes(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = FakeRegistry(honest_packuments())
    old, new = [node("ua-parser-js", "0.7.28")], [node("ua-parser-js", "0.7.29")]
    result = TarballDiffCheck().run(context(tmp_path, first, old, new, cache_dir=str(cache)))
    assert len(first.tarball_calls) == 2
    assert list((cache / CHECK_ID).glob("*.json"))

    second = FakeRegistry(honest_packuments(), tarballs={})  # any download would fail
    again = TarballDiffCheck().run(context(tmp_path, second, old, new, cache_dir=str(cache)))
    assert second.tarball_calls == []
    assert again.findings == result.findings
    assert {f.details["kind"] for f in again.findings} >= {"install-script-added", "child-process"}


def test_corrupt_cache_entries_are_ignored(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    old, new = [node("ua-parser-js", "0.7.28")], [node("ua-parser-js", "0.7.29")]
    TarballDiffCheck().run(
        context(tmp_path, FakeRegistry(honest_packuments()), old, new, cache_dir=str(cache))
    )
    for entry in (cache / CHECK_ID).glob("*.json"):
        entry.write_text("{not json")
    registry = FakeRegistry(honest_packuments())
    result = TarballDiffCheck().run(context(tmp_path, registry, old, new, cache_dir=str(cache)))
    assert len(registry.tarball_calls) == 2
    assert result.findings


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


def test_manifest_confusion_is_reported(tmp_path: Path) -> None:
    documents = honest_packuments()
    ua = next(d for d in documents if d.name == "ua-parser-js")
    hidden = replace(ua.versions["0.7.29"], scripts={})  # the registry shows no preinstall
    lying = Packument(ua.name, {**ua.versions, "0.7.29": hidden})
    registry = FakeRegistry([d for d in documents if d.name != "ua-parser-js"] + [lying])
    ctx = context(
        tmp_path, registry, [node("ua-parser-js", "0.7.28")], [node("ua-parser-js", "0.7.29")]
    )
    kinds = [f.details["kind"] for f in TarballDiffCheck().run(ctx).findings]
    assert kinds.count("manifest-confusion") == 1


def test_advisory_lookup_resolves_ranges_against_the_registry(tmp_path: Path) -> None:
    from scanner.checks.tarball_diff import advisory_lookup
    from scanner.osv.database import AdvisoryDatabase

    database = AdvisoryDatabase.load([], cache_dir=None)  # the bundled curated records
    documents = {d.name: d for d in honest_packuments()}
    lookup = advisory_lookup(database, documents.get)
    assert "DEPSCAN-2018-0003" in lookup("flatmap-stream", "^0.1.0")
    # A range that can resolve to the hijacked event-stream 3.3.6 is flagged; 3.3.5 is not.
    assert "DEPSCAN-2018-0002" in lookup("event-stream", "~3.3.5")
    assert lookup("event-stream", "3.3.5") == []
    # Gone from the registry (as removed malware is): the range is taken as a version.
    gone = advisory_lookup(database, lambda name: Unavailable(name, "HTTP 404 Not Found"))
    assert "DEPSCAN-2018-0003" in gone("flatmap-stream", "^0.1.1")
    assert gone("left-pad", "^1.3.0") == []


def test_the_check_uses_the_scan_advisories_by_default(tmp_path: Path) -> None:
    from scanner.osv.database import AdvisoryDatabase

    registry = FakeRegistry(honest_packuments())
    ctx = context(
        tmp_path, registry, [node("event-stream", "3.3.5")], [node("event-stream", "3.3.6")]
    )
    ctx.advisories = AdvisoryDatabase.load([], cache_dir=None)
    findings = TarballDiffCheck().run(ctx).findings
    malicious = [f for f in findings if f.details["kind"] == "dependency-malicious"]
    assert len(malicious) == 1 and "DEPSCAN-2018-0003" in malicious[0].message
