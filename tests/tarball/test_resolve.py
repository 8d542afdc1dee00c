from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from scanner.errors import RegistryError, TarballError, UsageError
from scanner.registry.packument import Packument
from scanner.tarball.compare import FileStatus
from scanner.tarball.render import render_text
from scanner.tarball.resolve import PackageSpec, parse_spec, resolve_version, run_diff

from .incidents import UA_NEW, UA_OLD, FakeRegistry, honest_packuments, version_info


@pytest.mark.parametrize(
    ("text", "name", "expected"),
    [
        ("lodash@4.17.21", None, PackageSpec("lodash", "4.17.21")),
        ("@scope/pkg@^1.2.0", None, PackageSpec("@scope/pkg", "^1.2.0")),
        ("lodash@", None, PackageSpec("lodash", "latest")),
        ("4.17.21", "lodash", PackageSpec("lodash", "4.17.21")),
        ("lodash@4.17.21", "lodash", PackageSpec("lodash", "4.17.21")),
        ("pkg-1.0.0.tgz", None, PackageSpec(path=Path("pkg-1.0.0.tgz"))),
    ],
)
def test_parse_spec(text: str, name: str | None, expected: PackageSpec) -> None:
    assert parse_spec(text, name) == expected


def test_parse_spec_rejects_a_bare_name() -> None:
    with pytest.raises(UsageError):
        parse_spec("lodash")
    with pytest.raises(UsageError):
        parse_spec("  ")


def test_existing_file_without_tarball_suffix_is_local(tmp_path: Path) -> None:
    path = tmp_path / "download"
    path.write_bytes(b"x")
    assert parse_spec(str(path)) == PackageSpec(path=path)


def test_resolve_version_exact_tag_and_range() -> None:
    document = Packument(
        "p",
        {v: version_info("p", v, b"") for v in ("1.0.0", "1.2.0", "2.0.0-beta.1")},
        dist_tags={"latest": "1.2.0", "next": "2.0.0-beta.1"},
    )
    assert resolve_version(document, "1.0.0") == "1.0.0"
    assert resolve_version(document, "next") == "2.0.0-beta.1"
    assert resolve_version(document, "^1.0.0") == "1.2.0"
    with pytest.raises(RegistryError, match="no version matches"):
        resolve_version(document, "^3")


def test_registry_diff_is_verified_and_carries_the_registry_document() -> None:
    client = FakeRegistry(honest_packuments())
    diff = run_diff("ua-parser-js@0.7.28", "ua-parser-js@0.7.29", client)
    assert [(f.path, f.status) for f in diff.files] == [
        ("package.json", FileStatus.MODIFIED),
        ("preinstall.js", FileStatus.ADDED),
    ]
    assert diff.new.verified == "sha512"
    assert diff.new.registry_info is not None
    text = render_text(diff)
    assert "ua-parser-js@0.7.29: tarball verified against the registry's sha512 hash" in text


def test_name_and_versions_form() -> None:
    client = FakeRegistry(honest_packuments())
    diff = run_diff("0.7.28", "0.7.29", client, name="ua-parser-js", name_only=True)
    assert [f.path for f in diff.files] == ["package.json", "preinstall.js"]


def test_a_tampered_tarball_is_never_read() -> None:
    documents = honest_packuments()
    client = FakeRegistry(documents)
    url = next(d for d in documents if d.name == "ua-parser-js").versions["0.7.29"].tarball
    assert url is not None
    client.tarballs[url] = UA_OLD  # the wrong bytes for 0.7.29
    with pytest.raises(TarballError) as caught:
        run_diff("ua-parser-js@0.7.28", "ua-parser-js@0.7.29", client)
    assert caught.value.subject == "ua-parser-js@0.7.29"


def test_registry_errors_name_the_package() -> None:
    documents = honest_packuments()
    ua = next(d for d in documents if d.name == "ua-parser-js")
    no_url = replace(ua.versions["0.7.29"], tarball=None)
    broken = Packument(ua.name, {**ua.versions, "0.7.29": no_url})
    client = FakeRegistry([broken])
    with pytest.raises(RegistryError, match="no tarball URL"):
        run_diff("ua-parser-js@0.7.28", "ua-parser-js@0.7.29", client)
    with pytest.raises(RegistryError) as caught:
        run_diff("missing@1.0.0", "missing@1.0.1", client)
    assert caught.value.subject == "missing"


def test_local_files_say_they_have_no_registry_integrity(tmp_path: Path) -> None:
    (tmp_path / "old.tgz").write_bytes(UA_OLD)
    (tmp_path / "new.tgz").write_bytes(UA_NEW)
    diff = run_diff(str(tmp_path / "old.tgz"), str(tmp_path / "new.tgz"), None)
    assert diff.old.verified is None and diff.new.verified is None
    assert "no registry integrity" in render_text(diff)
    assert diff.new.name == "ua-parser-js" and diff.new.version == "0.7.29"


def test_local_file_errors(tmp_path: Path) -> None:
    with pytest.raises(TarballError) as caught:
        run_diff(str(tmp_path / "absent.tgz"), str(tmp_path / "absent.tgz"), None)
    assert caught.value.subject == str(tmp_path / "absent.tgz")


def test_registry_specs_need_a_client() -> None:
    with pytest.raises(UsageError, match="offline"):
        run_diff("a@1.0.0", "a@1.0.1", None)


def test_fetch_then_diff_equals_run_diff() -> None:
    from scanner.tarball.resolve import diff_loaded, fetch_pair

    client = FakeRegistry(honest_packuments())
    old, new = fetch_pair("0.7.28", "0.7.29", client, name="ua-parser-js")
    assert (old.verified, new.verified) == ("sha512", "sha512")
    split = diff_loaded(old, new, include=["*.js"])
    whole = run_diff("ua-parser-js@0.7.28", "ua-parser-js@0.7.29", client, include=["*.js"])
    assert render_text(split) == render_text(whole)
    assert [f.path for f in split.files] == ["preinstall.js"]
