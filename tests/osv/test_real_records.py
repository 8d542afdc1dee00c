"""Real OSV records: fixture copies, the shared 22,330-record zip, and the curated bundled set."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scanner.errors import AdvisoryError
from scanner.osv.database import AdvisoryDatabase, bundled_folder
from tests.osv.helpers import feed_of

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "osv"
SHARED_ADVISORIES = Path("/work/shared/advisories")
ALL_VERSIONS_IN_BUNDLED = {
    # Packages that exist only to attack: every version is listed.
    "flatmap-stream",
    "noblox.js-proxy",
    "node-hide-console-windows",
    "getcookies",
    "electron-native-notify",
}
EXPLICIT_CLEAN = {"event-stream": ["3.3.4", "3.3.5", "4.0.0", "4.0.1"]}


def ids(database: AdvisoryDatabase, name: str, version: str) -> set[str]:
    return {match.advisory.id for match in database.match(name, version)}


# ---- fixture copies of real records -------------------------------------------------------------


@pytest.fixture(scope="module", params=["index", "feed"])
def fixture_database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AdvisoryDatabase:
    """The fixture records as an ``--advisories`` folder, and imported as a feed database."""
    if request.param == "index":
        return AdvisoryDatabase.load([FIXTURES], cache_dir=None, include_bundled=False)
    return feed_of(FIXTURES, tmp_path_factory.mktemp("fixture-feed"))


def test_fixture_records_load(fixture_database: AdvisoryDatabase) -> None:
    assert fixture_database.record_count == 9
    assert fixture_database.sources == (f"{FIXTURES.absolute()} (9 records, 1 withdrawn)",)


def test_real_tinycolor_record_is_read_strictly_and_says_why(
    fixture_database: AdvisoryDatabase,
) -> None:
    (clean_looking,) = fixture_database.match("@ctrl/tinycolor", "4.1.0")
    assert clean_looking.advisory.id == "MAL-2025-47141"
    assert clean_looking.reason == "range >=0 (all versions)"
    (infected,) = fixture_database.match("@ctrl/tinycolor", "4.1.2")
    assert infected.reason == "range >=0 (all versions); range >=4.1.1 <=4.1.2"


def test_real_ngx_bootstrap_multi_interval(fixture_database: AdvisoryDatabase) -> None:
    for version in ("18.1.4", "19.0.3", "19.0.4", "20.0.3", "20.0.4", "20.0.5", "20.0.6"):
        assert ids(fixture_database, "ngx-bootstrap", version) == {"MAL-2025-47197"}, version
    for version in ("18.1.3", "18.1.5", "19.0.2", "19.0.5", "20.0.2", "20.0.7"):
        assert ids(fixture_database, "ngx-bootstrap", version) == set(), version
    (only_listed,) = fixture_database.match("ngx-bootstrap", "18.1.4")
    assert only_listed.reason == "version 18.1.4 listed"


def test_real_fixed_and_last_affected_ranges(fixture_database: AdvisoryDatabase) -> None:
    assert ids(fixture_database, "@solana/web3.js", "1.95.6") == {"MAL-2024-11183"}
    assert ids(fixture_database, "@solana/web3.js", "1.95.7") == {"MAL-2024-11183"}
    assert ids(fixture_database, "@solana/web3.js", "1.95.8") == set()
    assert ids(fixture_database, "@solana/web3.js", "1.95.5") == set()
    assert ids(fixture_database, "@crowdstrike/commitlint", "8.1.2") == {"MAL-2025-47233"}
    assert ids(fixture_database, "@crowdstrike/commitlint", "8.1.3") == set()


def test_real_withdrawn_record_never_matches(fixture_database: AdvisoryDatabase) -> None:
    assert fixture_database.match("ocore", "1.0.0") == []
    assert ids(fixture_database, "abha", "3.9.0") == {"MAL-2025-731"}
    assert ids(fixture_database, "abha", "3.9.1") == set()


def test_real_ghsa_records(fixture_database: AdvisoryDatabase) -> None:
    assert ids(fixture_database, "event-stream", "3.3.6") == {"GHSA-mh6f-8j2x-4483"}
    for clean in EXPLICIT_CLEAN["event-stream"]:
        assert ids(fixture_database, "event-stream", clean) == set(), clean
    assert ids(fixture_database, "flatmap-stream", "0.1.1") == {
        "GHSA-mh6f-8j2x-4483",
        "MAL-2025-20690",
    }
    for version in ("0.7.29", "0.8.0", "1.0.0"):
        assert ids(fixture_database, "ua-parser-js", version) == {"GHSA-pjwm-rvh2-c87w"}
    for version in ("0.7.28", "0.7.30", "0.8.1", "1.0.1"):
        assert ids(fixture_database, "ua-parser-js", version) == set()


# ---- the shared 22k zip -------------------------------------------------------------------------


def test_shared_zip_loads_every_record(zip_database: AdvisoryDatabase, shared_zip: Path) -> None:
    assert zip_database.record_count == 22_330
    assert zip_database.sources == (f"{shared_zip} (22,330 records, 55 withdrawn)",)


def _withdrawn_records(shared_zip: Path) -> Iterator[dict[str, Any]]:
    index = SHARED_ADVISORIES / "ossf-malicious-npm.INDEX.tsv"
    withdrawn_ids = [
        line.split("\t")[0]
        for line in index.read_text().splitlines()[1:]
        if line.split("\t")[1] == "withdrawn"
    ]
    assert len(withdrawn_ids) == 55
    with zipfile.ZipFile(shared_zip) as archive:
        for record_id in withdrawn_ids:
            yield json.loads(archive.read(f"{record_id}.json"))


def test_shared_zip_withdrawn_records_never_match(
    zip_database: AdvisoryDatabase, shared_zip: Path
) -> None:
    checked = 0
    for record in _withdrawn_records(shared_zip):
        assert record.get("withdrawn")
        for affected in record["affected"]:
            name = affected["package"]["name"]
            for version in [*affected.get("versions", []), "0.0.1", "1.0.0"]:
                assert record["id"] not in ids(zip_database, name, version)
                checked += 1
    assert checked >= 55


def test_shared_zip_famous_records(zip_database: AdvisoryDatabase) -> None:
    assert ids(zip_database, "chalk", "5.6.1") == {"MAL-2025-46969"}
    assert ids(zip_database, "chalk", "5.6.0") == set()
    assert ids(zip_database, "debug", "4.4.2") == {"MAL-2025-46974"}
    assert ids(zip_database, "nx", "21.5.0") == {"MAL-2025-41443"}
    assert ids(zip_database, "nx", "21.4.1") == set()
    assert ids(zip_database, "@ledgerhq/connect-kit", "1.1.6") == {"MAL-2023-8697"}
    assert ids(zip_database, "@ledgerhq/connect-kit", "1.1.8") == set()
    assert ids(zip_database, "getcookies", "1.0.0") == {"MAL-2025-21368"}
    # No MAL record exists for event-stream; popular clean packages are not listed at all.
    assert ids(zip_database, "event-stream", "3.3.6") == set()
    assert zip_database.match("react", "18.2.0") == []


# ---- the bundled curated set against the shared famous cases ----------------------------------


def _case_packages() -> list[dict[str, Any]]:
    path = SHARED_ADVISORIES / "cases.json"
    if not path.is_file():
        pytest.skip(f"shared cases.json not present at {path}")
    cases = json.loads(path.read_text())
    return [package for case in cases for package in case["packages"]]


def _upstream_ids(package: dict[str, Any]) -> set[str]:
    return {
        ident
        for advisory in package["advisories"]
        for ident in (advisory["id"], *advisory["aliases"])
    }


def _neighbours(version: str) -> list[str]:
    major, minor, patch = (int(part) for part in version.split("."))
    around = [f"{major}.{minor}.{patch + 1}", f"{major}.{minor + 1}.0", f"{major + 1}.0.0"]
    if patch:
        around.append(f"{major}.{minor}.{patch - 1}")
    return around


def test_bundled_folder_is_the_repository_advisories_in_a_checkout() -> None:
    assert bundled_folder() == Path(__file__).resolve().parents[2] / "advisories"


def test_bundled_set_loads(bundled_database: AdvisoryDatabase) -> None:
    assert bundled_database.record_count == len(list(bundled_folder().glob("*.json")))
    assert bundled_database.sources[0].startswith("bundled (")


def test_every_famous_case_matches_its_malicious_versions(
    bundled_database: AdvisoryDatabase,
) -> None:
    checked = 0
    for package in _case_packages():
        versions = package["malicious_versions"]
        if not versions:
            continue  # cases the shared data could not confirm (crossenv, colors, faker)
        name = package["package"]
        if versions == ["all (introduced 0)"]:
            assert name in ALL_VERSIONS_IN_BUNDLED
            versions = ["0.0.1", "1.0.0", "42.1.0-beta.1"]
        for version in versions:
            matches = bundled_database.match(name, version)
            cited = {ident for match in matches for ident in match.advisory.all_ids}
            assert cited & _upstream_ids(package), f"{name}@{version}: {cited}"
            assert all(match.advisory.source == "bundled" for match in matches)
            checked += 1
    assert checked >= 70


def test_famous_cases_do_not_flag_clean_neighbours(bundled_database: AdvisoryDatabase) -> None:
    malicious: dict[str, set[str]] = {}
    for package in _case_packages():
        if package["malicious_versions"] and package["package"] not in ALL_VERSIONS_IN_BUNDLED:
            malicious.setdefault(package["package"], set()).update(package["malicious_versions"])
    assert len(malicious) >= 35  # the loop below really ran over the cases
    for name, bad_versions in malicious.items():
        candidates = {n for v in bad_versions for n in _neighbours(v)} - bad_versions
        candidates.update(EXPLICIT_CLEAN.get(name, []))
        for clean in sorted(candidates):
            assert bundled_database.match(name, clean) == [], f"{name}@{clean}"


def test_tinycolor_is_narrowed_in_the_bundled_set(bundled_database: AdvisoryDatabase) -> None:
    assert bundled_database.match("@ctrl/tinycolor", "4.1.0") == []
    (match,) = bundled_database.match("@ctrl/tinycolor", "4.1.1")
    assert "MAL-2025-47141" in match.advisory.aliases
    assert match.reason == "version 4.1.1 listed; range >=4.1.1 <=4.1.2"


def test_bundled_versions_are_all_confirmed_by_the_upstream_records(
    bundled_database: AdvisoryDatabase, zip_database: AdvisoryDatabase
) -> None:
    """No invented versions: every listed version is flagged by an upstream record it cites."""
    ghsa = AdvisoryDatabase.load(
        [SHARED_ADVISORIES / "ghsa"], cache_dir=None, include_bundled=False
    )
    confirmed = 0
    for path in sorted(bundled_folder().glob("*.json")):
        record = json.loads(path.read_text())
        cited = set(record["aliases"])
        assert cited, path.name
        for affected in record["affected"]:
            name = affected["package"]["name"]
            for version in affected.get("versions", []):
                upstream = ids(zip_database, name, version) | ids(ghsa, name, version)
                assert upstream & cited, f"{path.name}: {name}@{version} not confirmed"
                confirmed += 1
    assert confirmed >= 70


def test_bundled_folder_prefers_the_installed_copy(tmp_path: Path) -> None:
    package_dir = tmp_path / "site-packages" / "scanner"
    (package_dir / "_bundled_advisories").mkdir(parents=True)
    (tmp_path / "site-packages" / "advisories").mkdir()
    assert bundled_folder(package_dir) == package_dir / "_bundled_advisories"


def test_bundled_folder_falls_back_to_the_checkout_and_then_fails(tmp_path: Path) -> None:
    package_dir = tmp_path / "repo" / "scanner"
    package_dir.mkdir(parents=True)
    with pytest.raises(AdvisoryError) as caught:
        bundled_folder(package_dir)
    assert caught.value.subject == str(package_dir / "_bundled_advisories")
    (tmp_path / "repo" / "advisories").mkdir()
    assert bundled_folder(package_dir) == tmp_path / "repo" / "advisories"
