"""Trust downgrade end to end: an nx-like history where the locked release lost the provenance
and trusted publishing its predecessors had (``tests/fixtures/registry/packuments/nx.json``)."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.helpers import Depscan, Locked, read_packument, write_json, write_lockfile
from tests.support.registry_server import FixtureRegistry

CHECK = "trust-downgrade"


def test_release_without_the_provenance_its_predecessor_had(
    depscan: Depscan, server: FixtureRegistry, registry_root: Path
) -> None:
    versions = read_packument(registry_root, "nx")["versions"]
    # The fixture's facts the verdict rests on.
    assert "attestations" in versions["21.4.1"]["dist"]
    assert "trustedPublisher" in versions["21.4.1"]["_npmUser"]
    assert "attestations" not in versions["21.5.0"]["dist"]
    assert "trustedPublisher" not in versions["21.5.0"]["_npmUser"]
    write_lockfile(depscan.project, registry_root, [Locked("nx", "21.5.0")])

    run = depscan.run(registry=server)

    finding = run.finding_for(CHECK, "nx@21.5.0")
    assert finding["severity"] == "high"
    assert finding["details"]["previous"] == "21.4.1"
    assert sorted(finding["details"]["missing"]) == ["provenance", "trusted-publisher"]
    assert finding["message"] == (
        "nx@21.5.0 was published without provenance and a trusted publisher, which the previous "
        "release 21.4.1 had: trust downgrade"
    )
    assert run.not_checked(CHECK) == []
    # The same release also brought an install script its predecessor did not have.
    scripts = run.finding_for("install-scripts", "nx@21.5.0")
    assert scripts["severity"] == "high"
    assert "`node telemetry.js`" in scripts["message"]
    assert run.returncode == 1


def test_releases_that_kept_their_evidence_are_not_downgrades(
    depscan: Depscan, server: FixtureRegistry, registry_root: Path
) -> None:
    write_lockfile(depscan.project, registry_root, [Locked("nx", "21.4.1")])

    run = depscan.run(registry=server)

    assert run.findings(CHECK) == []
    assert run.not_checked(CHECK) == []
    assert server.count("/nx") == 1


def test_provenance_only_predecessor_gives_a_provenance_only_downgrade(
    depscan: Depscan, registry_root: Path
) -> None:
    # Drop the trusted publisher from 21.4.x: only the provenance was lost in 21.5.0.
    document = read_packument(registry_root, "nx")
    for version in ("21.4.0", "21.4.1"):
        del document["versions"][version]["_npmUser"]["trustedPublisher"]
    write_json(registry_root / "packuments" / "nx.json", document)
    write_lockfile(depscan.project, registry_root, [Locked("nx", "21.5.0")])

    with FixtureRegistry(registry_root) as server:
        run = depscan.run(registry=server)

    finding = run.finding_for(CHECK, "nx@21.5.0")
    assert finding["details"]["missing"] == ["provenance"]
    assert "without provenance, which the previous release 21.4.1 had" in finding["message"]
