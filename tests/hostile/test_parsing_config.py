"""Hostile configuration beside a lockfile and special files where files are expected:
``.depscan.toml``, ``--policy``, package.json, pnpm-workspace.yaml, ``.npmrc`` syntax,
``--advisories`` folders and zips, FIFOs, devices and folders. Exit 0, 1 or 2 (never 3), one line
naming the file, bounded memory, nothing written outside the sandbox, nothing run.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from .cli_batch import ANY_EXIT, INPUT_ERROR, Batch, Case, check, run_batch
from .cli_worker import STDOUT_KEPT

LOCKFILE = json.dumps(
    {
        "name": "app",
        "lockfileVersion": 3,
        "packages": {
            "": {"name": "app", "dependencies": {"a": "^1.0.0"}},
            "node_modules/a": {"version": "1.0.0", "resolved":
                               "https://registry.example.test/a/-/a-1.0.0.tgz"},
        },
    },
    indent=2,
)
PEAK_RSS_MB = 150
HUGE = "1" + "0" * 5000

Writer = Callable[[Path], None]


def _bytes(content: bytes) -> Writer:
    return lambda path: path.write_bytes(content)


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _folder(path: Path) -> None:
    path.mkdir()


def _link_to(target: str) -> Writer:
    return lambda path: path.symlink_to(target)


def _sparse(size: int) -> Writer:
    def write(path: Path) -> None:
        with path.open("wb") as handle:
            handle.truncate(size)

    return write


def _laughs() -> bytes:
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 6)}]" for i in range(1, 14)]
    return ("\n".join(lines) + "\nonlyBuiltDependencies: [a]\n").encode()


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _zip_that_lies() -> bytes:
    """A member whose header claims 100 bytes and inflates to 40 MB."""
    data = bytearray(_zip({"x.json": b" " * 40_000_000}))
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.find(signature)
        data[at + offset : at + offset + 4] = (100).to_bytes(4, "little")
    return bytes(data)


# File beside the lockfile -> (how to write it, allowed exits, must an exit 2 name this file)
BESIDE: dict[str, tuple[str, Writer, frozenset[int]]] = {
    "toml-deep-arrays": (".depscan.toml", _bytes(b"fail-on = " + b"[" * 5000 + b"]" * 5000),
                         INPUT_ERROR),
    "toml-deep-tables": (".depscan.toml", _bytes(b"x = " + b"{a = " * 3000 + b"1" + b"}" * 3000),
                         INPUT_ERROR),
    "toml-huge-int": (".depscan.toml", _bytes(b"x = " + HUGE.encode()), INPUT_ERROR),
    "toml-huge-float": (".depscan.toml", _bytes(b"x = 1." + b"5" * 500), INPUT_ERROR),
    "toml-dotted-key": (".depscan.toml", _bytes(b"a." * 100_000 + b"b = 1\n"), INPUT_ERROR),
    "toml-dotted-header": (".depscan.toml", _bytes(b"[" + b"a." * 5000 + b"b]\n"), INPUT_ERROR),
    "toml-oversized": (".depscan.toml", _sparse(300 * 1024), INPUT_ERROR),
    "toml-not-utf8": (".depscan.toml", _bytes(b'fail-on = "\xff"\n'), INPUT_ERROR),
    "toml-nul": (".depscan.toml", _bytes(b"fail-on = \0\n"), INPUT_ERROR),
    "toml-duplicate-key": (".depscan.toml", _bytes(b'fail-on = "high"\nfail-on = "low"\n'),
                           INPUT_ERROR),
    "toml-unknown-key": (".depscan.toml", _bytes(b'fail-onn = "high"\n'), INPUT_ERROR),
    "toml-long-string": (".depscan.toml", _bytes(b'fail-on = "' + b"x" * 200_000 + b'"\n'),
                         INPUT_ERROR),
    "toml-bom-crlf": (".depscan.toml", _bytes(b'\xef\xbb\xbffail-on = "high"\r\n'),
                      frozenset({0, 1})),
    "toml-fifo": (".depscan.toml", _fifo, ANY_EXIT),
    "toml-folder": (".depscan.toml", _folder, ANY_EXIT),
    "manifest-deep": ("package.json", _bytes(b'{"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"),
                      ANY_EXIT),
    "manifest-huge-number": ("package.json", _bytes(b'{"allowScripts": {"a": ' + HUGE.encode()
                                                    + b"}}"), ANY_EXIT),
    "manifest-nan": ("package.json", _bytes(b'{"version": NaN}'), ANY_EXIT),
    "manifest-fifo": ("package.json", _fifo, ANY_EXIT),
    "manifest-dev-zero": ("package.json", _link_to("/dev/zero"), ANY_EXIT),
    "manifest-folder": ("package.json", _folder, ANY_EXIT),
    "manifest-oversized": ("package.json", _sparse(17 * 1024 * 1024), ANY_EXIT),
    "workspace-laughs": ("pnpm-workspace.yaml", _bytes(_laughs()), ANY_EXIT),
    "workspace-python-tag": ("pnpm-workspace.yaml",
                             _bytes(b"x: !!python/object/apply:os.system ['id']\n"), ANY_EXIT),
    "workspace-deep": ("pnpm-workspace.yaml", _bytes(b"x: " + b"[" * 100_000 + b"\n"), ANY_EXIT),
    "workspace-fifo": ("pnpm-workspace.yaml", _fifo, ANY_EXIT),
    # .npmrc syntax only (what it means is the registry configuration's business)
    "npmrc-garbage": (".npmrc", _bytes(b"no equals sign\n=\n==\n[section]\n;c\n#c\n\\\n"),
                      ANY_EXIT),
    "npmrc-long-line": (".npmrc", _bytes(b"k=" + b"v" * 2_000_000 + b"\n"), ANY_EXIT),
    "npmrc-nul": (".npmrc", _bytes(b"registry=\0\0\0\n\0=\0\n"), ANY_EXIT),
    "npmrc-not-utf8": (".npmrc", _bytes(b"key=\xff\xfe\n"), ANY_EXIT),
    "npmrc-bom-crlf": (".npmrc", _bytes(b"\xef\xbb\xbfcolor=false\r\nfund=false\r\n"), ANY_EXIT),
    "npmrc-many-keys": (".npmrc", _bytes(b"".join(b"k%d=v\n" % i for i in range(100_000))),
                        ANY_EXIT),
}

# --advisories PATH -> how to write PATH (named path.json, path.zip or a folder)
ADVISORIES: dict[str, tuple[str, Writer]] = {
    "adv-fifo": ("x.zip", _fifo),
    "adv-dev-zero": ("z.zip", _link_to("/dev/zero")),
    "adv-deep-file": ("r.json", _bytes(b'{"id": "X", "affected": ' + b"[" * 100_000 + b"}")),
    "adv-huge-number": ("r.json", _bytes(b'{"id": "X", "schema_version": ' + HUGE.encode()
                                         + b"}")),
    "adv-zip-deep": ("a.zip", _bytes(_zip({"X.json": b"[" * 100_000}))),
    "adv-zip-big-member": ("a.zip", _bytes(_zip({"X.json": b" " * (17 * 1024 * 1024)}))),
    "adv-zip-lies": ("a.zip", _bytes(_zip_that_lies())),
    "adv-zip-corrupt": ("a.zip", _bytes(_zip({"X.json": b"{}"})[:-30])),
    "adv-not-zip": ("a.zip", _bytes(b"PK\x03\x04 not really")),
}


def _folder_with(name: str, writer: Writer) -> Writer:
    def write(path: Path) -> None:
        path.mkdir()
        (path / "good.json").write_text('{"id": "G-1", "affected": []}')
        writer(path / name)

    return write


ADVISORY_FOLDERS: dict[str, Writer] = {
    "adv-folder-fifo": _folder_with("x.json", _fifo),
    "adv-folder-dev-zero": _folder_with("z.json", _link_to("/dev/zero")),
    "adv-folder-deep": _folder_with("d.json", _bytes(b"{" * 50_000)),
    "adv-folder-big": _folder_with("b.json", _sparse(17 * 1024 * 1024)),
}


def _args(lockfile: Path, *extra: str) -> list[str]:
    return ["lockfile", str(lockfile), "--offline", "--no-registry-checks", "--quiet", "-f",
            "json", *extra]


def _project(inputs: Path, case_id: str) -> Path:
    folder = inputs / case_id
    folder.mkdir()
    (folder / "package-lock.json").write_text(LOCKFILE)
    return folder


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> tuple[Batch, list[Case]]:
    sandbox = tmp_path_factory.mktemp("hostile-config")
    inputs = sandbox / "inputs"
    inputs.mkdir()
    cases: list[Case] = []
    for case_id, (name, write, expect) in BESIDE.items():
        folder = _project(inputs, case_id)
        write(folder / name)
        cases.append(Case(case_id, _args(folder / "package-lock.json"), (str(folder / name),),
                          expect))
    for case_id, writer in (("policy-fifo", _fifo), ("policy-dev-zero", _link_to("/dev/zero")),
                            ("policy-folder", _folder), ("policy-missing", lambda p: None)):
        folder = _project(inputs, case_id)
        policy = folder / "policy.toml"
        writer(policy)
        cases.append(Case(case_id, _args(folder / "package-lock.json", "--policy", str(policy)),
                          (str(policy),), INPUT_ERROR))
    folder = _project(inputs, "policy-dev-zero-itself")
    cases.append(Case("policy-dev-zero-itself",
                      _args(folder / "package-lock.json", "--policy", "/dev/zero"),
                      ("/dev/zero",), INPUT_ERROR))
    for case_id, (name, writer) in ADVISORIES.items():
        folder = _project(inputs, case_id)
        writer(folder / name)
        cases.append(Case(case_id, _args(folder / "package-lock.json", "--advisories",
                                         str(folder / name)), (str(folder / name),), INPUT_ERROR))
    for case_id, writer in ADVISORY_FOLDERS.items():
        folder = _project(inputs, case_id)
        writer(folder / "osv")
        cases.append(Case(case_id, _args(folder / "package-lock.json", "--advisories",
                                         str(folder / "osv")), (str(folder / "osv"),),
                          INPUT_ERROR))
    for case_id, writer in (("lockfile-fifo", _fifo), ("lockfile-dev-zero", _link_to("/dev/zero")),
                            ("lockfile-folder", _folder)):
        folder = inputs / case_id
        folder.mkdir()
        writer(folder / "package-lock.json")
        for target, suffix in ((folder / "package-lock.json", "path"), (folder, "folder")):
            cases.append(Case(f"{case_id}-{suffix}", _args(target), (str(target),), INPUT_ERROR))
    cases.append(Case("lockfile-dev-zero-itself", _args(Path("/dev/zero")), ("/dev/zero",),
                      INPUT_ERROR))
    # npm's own configuration files (what they mean is the registry configuration's business;
    # that they are read as bounded regular files is checked here)
    for case_id, writer in (("user-npmrc-fifo", _fifo), ("user-npmrc-dev-zero",
                                                        _link_to("/dev/zero")),
                            ("project-npmrc-fifo", _fifo)):
        folder = _project(inputs, case_id)
        npmrc = folder / ".npmrc" if case_id.startswith("project") else folder / "user.npmrc"
        writer(npmrc)
        env = {} if case_id.startswith("project") else {"NPM_CONFIG_USERCONFIG": str(npmrc)}
        argv = ["lockfile", str(folder / "package-lock.json"), "--offline", "-f", "json"]
        cases.append(Case(case_id, argv, (str(npmrc),), ANY_EXIT, env=env))
    return run_batch(cases, sandbox), cases


def test_every_hostile_config_and_special_file_is_handled(
    batch: tuple[Batch, list[Case]],
) -> None:
    result, cases = batch
    assert len(cases) > 50
    for case in cases:
        check(result, case)


def test_memory_stays_bounded(batch: tuple[Batch, list[Case]]) -> None:
    assert batch[0].peak_rss_mb <= PEAK_RSS_MB, batch[0].peak_rss_mb


def test_what_is_refused_says_why(batch: tuple[Batch, list[Case]]) -> None:
    outcomes = batch[0].outcomes
    expected = {
        "toml-dotted-key": "more than 64 dots in one line",
        "toml-huge-int": "a number with too many digits",
        "toml-deep-arrays": "nested deeper than",
        "toml-oversized": "larger than the 256 kB limit",
        "policy-fifo": "is not a regular file",
        "workspace-laughs": "aliases counted expanded",
        "manifest-deep": "nested deeper than 128 levels",
        "adv-zip-big-member": "too large for an OSV record",
        "adv-folder-fifo": "is not a regular file",
        "adv-dev-zero": "is not a regular file or folder",
    }
    for case_id, fragment in expected.items():
        assert fragment in outcomes[case_id].stderr, (case_id, outcomes[case_id].stderr)


def test_npm_config_that_is_not_a_file_leaves_registry_checks_not_checked(
    batch: tuple[Batch, list[Case]],
) -> None:
    for case_id in ("user-npmrc-fifo", "user-npmrc-dev-zero", "project-npmrc-fifo"):
        outcome = batch[0].outcomes[case_id]
        assert outcome.code == 0, outcome.stderr
        assert outcome.stdout_chars <= STDOUT_KEPT
        reasons = json.dumps(json.loads(outcome.stdout_head)["summary"]["not_checked"])
        assert "is not a regular file" in reasons, reasons[:500]
