"""Trimming full registry documents to Packument values, and reading the trimmed form back."""

from __future__ import annotations

import pytest

from scanner.registry.packument import Signature
from scanner.registry.trim import NotAPackument, packument_to_document, trim_packument

from .helpers import manifest, packument_document


def test_trim_keeps_only_what_checks_read() -> None:
    document = packument_document("left-pad", ("1.0.0", "1.1.0"))
    document["versions"]["1.1.0"] = manifest(
        "left-pad",
        "1.1.0",
        scripts={"postinstall": "node steal.js", "test": "jest", "prepare": "tsc"},
        gypfile=True,
        _npmUser={"name": "mallory", "trustedPublisher": {"id": "github", "oidcConfigId": "x"}},
        dependencies={"a": "^1.0.0", "bad": 3},
        optionalDependencies={"fsevents": "*"},
        bin="cli.js",
        main="index.js",
        deprecated="use right-pad",
    )
    document["versions"]["1.1.0"]["dist"]["signatures"] = [
        {"keyid": "SHA256:k", "sig": "MEUC"},
        {"keyid": 1},
    ]
    document["versions"]["1.1.0"]["dist"]["attestations"] = {
        "url": "https://registry.example.test/-/npm/v1/attestations/left-pad@1.1.0",
        "provenance": {"predicateType": "https://slsa.dev/provenance/v1"},
    }

    packument = trim_packument(document, "left-pad")

    assert packument.name == "left-pad"
    assert packument.dist_tags == {"latest": "1.1.0"}
    assert packument.maintainers == ("alice",)
    assert set(packument.time) == {"created", "1.0.0", "1.1.0"}
    old, new = packument.versions["1.0.0"], packument.versions["1.1.0"]
    assert old.scripts == {} and old.publisher == "alice" and old.gypfile is False
    assert new.scripts == {"postinstall": "node steal.js", "prepare": "tsc"}
    assert new.gypfile is True
    assert new.publisher == "mallory"
    assert new.trusted_publisher == {"id": "github", "oidcConfigId": "x"}
    assert new.dependencies == {"a": "^1.0.0"}
    assert new.optional_dependencies == {"fsevents": "*"}
    assert new.bin == {"left-pad": "cli.js"}
    assert new.main == "index.js"
    assert new.deprecated == "use right-pad"
    assert new.signatures == (Signature("SHA256:k", "MEUC"),)
    assert new.attestations is not None and "provenance" in new.attestations
    assert new.integrity == "sha512-" + "A" * 86 + "=="
    assert new.shasum == "0" * 40
    assert new.tarball == "https://registry.example.test/left-pad/-/left-pad-1.1.0.tgz"


def test_string_forms_of_people_and_scoped_bin() -> None:
    document = packument_document("@scope/tool")
    document["versions"]["1.0.0"] = manifest(
        "@scope/tool",
        "1.0.0",
        _npmUser="Bob Builder <bob@example.test>",
        maintainers=["Bob Builder <bob@example.test> (https://bob.example.test)", {"x": 1}],
        bin="bin/tool.js",
    )
    info = trim_packument(document, "@scope/tool").versions["1.0.0"]
    assert info.publisher == "Bob Builder"
    assert info.maintainers == ("Bob Builder",)
    assert info.bin == {"tool": "bin/tool.js"}


def test_missing_people_data_stays_unknown() -> None:
    document = packument_document("quiet")
    version = document["versions"]["1.0.0"]
    del version["_npmUser"], version["maintainers"], document["maintainers"]
    packument = trim_packument(document, "quiet")
    assert packument.versions["1.0.0"].publisher is None
    assert packument.versions["1.0.0"].maintainers is None
    assert packument.maintainers is None
    assert not packument.has_publisher_data and not packument.has_maintainer_data


def test_round_trip_through_the_cached_form_is_lossless() -> None:
    document = packument_document("rt", ("1.0.0", "2.0.0"))
    document["versions"]["2.0.0"] = manifest(
        "rt",
        "2.0.0",
        scripts={"install": "node-gyp rebuild"},
        gypfile=True,
        _npmUser={"trustedPublisher": {"id": "github"}},
        bin={"rt": "x.js"},
        deprecated="old",
    )
    trimmed = trim_packument(document, "rt")
    again = trim_packument(packument_to_document(trimmed), "rt")
    assert again == trimmed
    assert "readme" not in str(packument_to_document(trimmed))


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        ([1, 2], "JSON list"),
        ({"name": "other", "versions": {}}, "'other', not 'wanted'"),
        ({"error": "Not found"}, "registry error: Not found"),
        ({"name": "wanted"}, "no versions"),
        ({"name": "wanted", "time": {"unpublished": {"time": "x"}}}, "unpublished"),
    ],
)
def test_not_a_packument(document: object, reason: str) -> None:
    with pytest.raises(NotAPackument) as raised:
        trim_packument(document, "wanted")
    assert reason in str(raised.value)


def test_malformed_versions_are_dropped_not_guessed() -> None:
    document = {"name": "odd", "versions": {"1.0.0": "nope", "2.0.0": {"scripts": "x", "dist": 5}}}
    packument = trim_packument(document, "odd")
    assert list(packument.versions) == ["2.0.0"]
    assert packument.versions["2.0.0"].scripts == {}
    assert packument.versions["2.0.0"].integrity is None
