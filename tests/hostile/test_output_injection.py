"""Attacker text in every field a report or a diff prints cannot forge CI output (issue 11, item 3).

Hostile strings (a newline or carriage return followed by each workflow command, the legacy
``##[`` form, ANSI escapes, lone surrogates, bidi overrides, Markdown and HTML injection, very long
values) are put into every attacker-controlled field of a ScanResult and of a PackageDiff, and then
into a real lockfile, registry and tarballs for the real CLI. Every output of every format must:

- encode as UTF-8;
- have no line (as GitHub's runner splits lines: CR, LF, CRLF) that starts, after white space, with
  ``::``, except the annotations the github format writes itself, whose properties and data must
  parse back without any attacker line break; and no line holding ``##[`` (or ``##vso[``);
- hold no raw ESC, C1 control, bidi control or line separator;
- for JSON and SARIF: parse, and hold no surrogate once parsed;
- for Markdown: no HTML, link, image, mention or autolink outside code spans.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tarfile
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from scanner.model import (
    Finding,
    Lockfile,
    NotChecked,
    PackageNode,
    PackageRef,
    ScanResult,
    Severity,
    SourceKind,
)
from scanner.reports import FORMATS, renderer
from scanner.reports.escape import json_text
from scanner.reports.job_summary import SummarySection, job_summary
from scanner.tarball.archive import read_package
from scanner.tarball.compare import PackageDiff, diff_packages
from scanner.tarball.render import render_text, to_json
from scanner.verdict import Reason, Verdict
from scanner.verdict.assess import judge_archives
from scanner.verdict.render import verdict_lines
from tests.e2e.helpers import isolated_env
from tests.support.registry_server import FixtureRegistry, write_packument, write_tarball
from tests.tarball.builders import package, tar_bytes

REPO = Path(__file__).resolve().parents[2]
MARKER = "HOSTILE"
COMMANDS = (
    "::add-mask::MASKED",
    "::stop-commands::STOPTOKEN",
    "::error::FORGED",
    "::warning file=x,line=1::FORGED",
    "::notice::FORGED",
    "::group::G",
    "::set-output name=x::y",
    "::echo::on",
    "##[error]LEGACY",
    "##[add-mask]LEGACY",
    "##vso[task.setvariable variable=x]y",
)
BREAKS = ("\n", "\r", "\r\n", "\n   ", "\n\t", "\u2028", "\x85", "\x0b", "\x0c", "")
OTHERS = (
    "\x1b[2J\x1b[31mred\x1b[0m",
    "\x1b]8;;https://evil.example.test\x07click\x1b]8;;\x07",
    "\x9b31m c1",
    "lone \ud800 high",
    "lone \udfff low",
    "evil\u202egnp.js",
    "\u2066isolate\u2069",
    "zero\u200bwidth\ufeff",
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "<details><summary>x</summary>",
    "</details></table>",
    "<!-- hidden -->",
    "[click](https://evil.example.test)",
    "![img](https://evil.example.test/x.png)",
    "@octocat and @org/team",
    "see #1 and owner/repo#2",
    "https://evil.example.test and www.evil.example.test and a@evil.example.test",
    "| a | b |",
    "`code` and ```fence",
    "$$x^2$$ and $y$",
    "*bold* _em_ ~strike~",
    "%0A::error::percent %25",
)
LONG = "L" * 100_000


def hostile_strings() -> Iterator[str]:
    """Every command after every line break, the other tricks, and a very long value."""
    for command in COMMANDS:
        for brk in BREAKS:
            yield f"{MARKER}{brk}{command}"
        yield f"{command}{MARKER}"  # at the very start of a value
    for other in OTHERS:
        yield f"{MARKER} {other}"
    yield MARKER + LONG


HOSTILE = list(hostile_strings())
EVERYTHING = MARKER + "\n".join(HOSTILE[:-1])

# What GitHub's runner treats as a line break, and as leading white space (.NET's
# Char.IsWhiteSpace; Python's str.isspace is a superset of it).
RUNNER_LINES = re.compile(r"\r\n|\r|\n")
LEGACY = re.compile(r"##[A-Za-z]*\[")
RAW_HIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
ANNOTATION = re.compile(r"^::(error|warning|notice)(?: ([^:]*))?::(.*)$")
OUR_TAGS = re.compile(r"</?(details|summary|strong)>")


def hostile_result(text: str) -> ScanResult:
    """A scan result with ``text`` in every field an attacker can reach."""
    name, version, location = f"{text}-name", f"1.0.0-{text}", f"node_modules/{text}"
    lockfile_path = f"sub/{text}/package-lock.json"
    root = PackageNode("", text, "1.0.0", SourceKind.ROOT)
    node = PackageNode(location, name, version, SourceKind.REGISTRY, line=3)
    lockfile = Lockfile(Path(lockfile_path), f"npm-{text}", text, {"": root, location: node}, ("",))
    package = PackageRef(name, version, location)

    def finding(check: str, severity: Severity, **extra: object) -> Finding:
        values: dict[str, object] = {
            "check": check,
            "severity": severity,
            "message": f"{text} runs postinstall: {text}",
            "package": package,
            "advisories": (f"MAL-{text}", f"GHSA-{text}"),
            "paths": ((text, f"{name}@{version}"), (f"{text}@2", text)),
            "direct": True,
            "reach": "prod",
            "lockfile": lockfile_path,
            "line": 3,
            "details": {"rule": text, "scripts": {"postinstall": text}, text: [text]},
        }
        values.update(extra)
        return Finding(**values)  # type: ignore[arg-type]

    findings = (
        finding("known-malicious", Severity.CRITICAL),
        finding("install-scripts", Severity.HIGH, line=None),
        finding("publishers", Severity.MEDIUM, package=None, lockfile=None),
        finding("lockfile-hygiene", Severity.LOW),
        finding("tarball-diff", Severity.INFO, paths=()),
    )
    return ScanResult(
        lockfiles=(lockfile,),
        findings=findings,
        not_checked=(NotChecked("publishers", f"registry said: {text}", (text, f"{name}@1")),),
        checks_run=("known-malicious", "install-scripts", "publishers"),
        fail_on=Severity.HIGH,
        advisory_sources=(f"{text}/all.zip",),
        suppressed=(finding("install-scripts", Severity.LOW),),
        policy=f"{text}/.depscan.toml",
    )


def hostile_diff(text: str) -> tuple[PackageDiff, Verdict]:
    """A real diff of two tarballs whose member names, content and manifest carry ``text``."""
    # Tar names and file bytes cannot hold a surrogate: there it is the invalid UTF-8 it encodes.
    member = re.sub("[\ud800-\udfff\0]", "?", text)[:200]
    raw = text.encode("utf-8", "surrogatepass")
    content = (
        b"safe\n" + raw + b"\n   ::add-mask::content\nx ##[error]content\n\x1b[2Kcontent\r\n"
    )
    # GNU long names: a pax path with a newline is refused as a tar-reader differential
    old = package("demo", "1.0.0", {"index.js": "safe\n", f"{member}.js": "a\n"},
                  tar_format=tarfile.GNU_FORMAT)
    new = package(
        "demo",
        "1.0.1",
        {"index.js": content, f"{member}.js": b"b\n" + raw + b"\n", f"new-{member}.js": content},
        tar_format=tarfile.GNU_FORMAT,
        scripts={"postinstall": f"node x.js {text}"},
        dependencies={f"dep-{member[:50]}": member[:50]},
    )
    diff = diff_packages(old, new, old_subject=f"old {text}", new_subject=f"new {text}")
    diff = replace(
        diff,
        new=replace(diff.new, name=text, version=text, notes=(f"note {text}",)),
        filters=(text,),
    )
    judged = judge_archives(read_package(old, "old"), read_package(new, "new"))
    verdict = replace(
        judged,
        summary=f"summary {text}",
        reasons=(*judged.reasons, Reason(Severity.HIGH, text, f"rule {text}", text, 1)),
    )
    return diff, verdict


def assert_safe(output: str, fmt: str) -> None:
    output.encode("utf-8")  # no surrogate survives
    assert "\x1b" not in output
    for line in RUNNER_LINES.split(output):
        assert not LEGACY.search(line), line[:200]
        stripped = line.lstrip()
        if fmt == "github" and stripped:
            _assert_own_annotation(line)
        else:
            assert not stripped.startswith("::"), line[:200]
    if fmt in ("json", "sarif", "diff-json"):
        assert output.isascii()
        _assert_no_surrogates(json.loads(output))
    else:
        assert not RAW_HIDDEN.search(output), RAW_HIDDEN.search(output)
    if fmt == "markdown":
        _assert_inert_markdown(output)


def _assert_own_annotation(line: str) -> None:
    """One of depscan's commands, which the runner parses back into clean properties and data."""
    match = ANNOTATION.match(line)
    assert match, line[:200]
    properties, data = match.group(2) or "", match.group(3)
    for prop in filter(None, properties.split(",")):
        key, _, value = prop.partition("=")
        assert key in {"file", "line", "title"}, line[:200]
        value = _unescape(value).replace("%3A", ":").replace("%2C", ",")
        assert "\r" not in value and "\n" not in value
        assert not LEGACY.search(value)
    for part in _unescape(data).split("\n"):  # depscan's own line breaks inside one annotation
        assert "\r" not in part and not part.lstrip().startswith("::")
        assert not LEGACY.search(part)


def _unescape(value: str) -> str:
    return value.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def _assert_no_surrogates(value: object) -> None:
    if isinstance(value, str):
        value.encode("utf-8")
    elif isinstance(value, dict):
        for key, item in value.items():
            _assert_no_surrogates(key)
            _assert_no_surrogates(item)
    elif isinstance(value, list):
        for item in value:
            _assert_no_surrogates(item)


def outside_code_spans(markdown: str) -> str:
    """The Markdown a renderer interprets: code spans dropped, backslash-escaped characters
    replaced by ``E`` (a GFM code span is a run of N backticks up to the next run of exactly N;
    backslashes do not escape inside it)."""
    out: list[str] = []
    i = 0
    while i < len(markdown):
        char = markdown[i]
        if char == "\\" and i + 1 < len(markdown):
            out.append("E")
            i += 2
        elif char == "`":
            run = len(markdown[i:]) - len(markdown[i:].lstrip("`"))
            closing = re.compile(rf"(?<!`)`{{{run}}}(?!`)").search(markdown, i + run)
            if closing is None:
                out.append("`" * run)
                i += run
            else:
                i = closing.end()
        else:
            out.append(char)
            i += 1
    return "".join(out)


def _assert_inert_markdown(output: str) -> None:
    rendered = OUR_TAGS.sub("", outside_code_spans(output)).replace("&#8203;", "\u200b")
    assert "<" not in rendered, rendered[rendered.index("<") - 80 : rendered.index("<") + 80]
    assert "](" not in rendered and "![" not in rendered
    assert not re.search(r"@\w|#\d|https?://|www\.", rendered)


def _renderers() -> dict[str, Callable[[ScanResult], str]]:
    return {fmt: (lambda r, fmt=fmt: renderer(fmt)(r, base_dir=REPO)) for fmt in FORMATS}


@pytest.mark.parametrize("text", [*HOSTILE, EVERYTHING], ids=lambda t: repr(t[:40]))
def test_every_format_neutralises_attacker_text(text: str) -> None:
    result = hostile_result(text)
    for fmt, render in _renderers().items():
        output = render(result)
        assert_safe(output, fmt)
        assert MARKER in output, fmt
    summary = job_summary(
        [SummarySection(f"{text}/package-lock.json", result, f"changed {text}", (text, text))],
        text,
    )
    assert_safe(summary, "markdown")


@pytest.mark.parametrize("text", [*HOSTILE[::4], EVERYTHING], ids=lambda t: repr(t[:40]))
def test_diff_output_neutralises_member_names_content_and_notes(text: str) -> None:
    diff, verdict = hostile_diff(text)
    output = render_text(diff, verdict=verdict_lines(verdict))
    assert_safe(output, "diff")
    assert MARKER in output
    assert "\tcontent" not in output and "\\x1b[2Kcontent" in output
    assert_safe(render_text(diff, name_only=True), "diff")
    assert_safe(json_text(to_json(diff, verdict.to_json(), hunks=True)) + "\n", "diff-json")


# --- the real CLI --------------------------------------------------------------------------

EVIL_NAME = "evil\n::add-mask::x\r::error::y ##[error]z \x1b[31m\u202e"
EVIL_VERSION = "1.0.0\n::stop-commands::tok"
REGISTRY_HOST = "registry.example.test"


def _crafted_project(root: Path, registry_url: str) -> Path:
    """A v3 lockfile whose keys, names, versions, specs and URLs hold workflow commands, plus a
    registry whose package document has hostile publishers, maintainers and install scripts."""
    benign = package("hostile-pkg", "2.0.0")
    write_tarball(root / "registry", "hostile-pkg-2.0.0.tgz", benign)
    from scanner.tarball.integrity import sri_sha512

    def version(number: str, user: str, scripts: dict[str, str]) -> dict[str, object]:
        return {
            "name": "hostile-pkg",
            "version": number,
            "_npmUser": {"name": user, "email": f"{user}@users.example.test"},
            "maintainers": [{"name": user, "email": "m@users.example.test"}],
            "scripts": scripts,
            "dist": {
                "integrity": sri_sha512(benign),
                "tarball": "{registry}hostile-pkg/-/hostile-pkg-2.0.0.tgz",
            },
        }

    evil_user = "mallory\n::add-mask::pub ##[warning]w"
    write_packument(root / "registry", {
        "name": "hostile-pkg",
        "dist-tags": {"latest": "2.0.0"},
        "time": {"1.0.0": "2015-01-01T00:00:00.000Z", "2.0.0": "2015-06-01T00:00:00.000Z"},
        "versions": {
            "1.0.0": version("1.0.0", "alice", {}),
            "2.0.0": version("2.0.0", evil_user, {"postinstall": "curl x\n::error::script"}),
        },
    })
    project = root / "project"
    evil_key = f"node_modules/{EVIL_NAME}"
    lock = {
        "name": "app",
        "version": "1.0.0",
        "lockfileVersion": 3,
        "requires": True,
        "packages": {
            "": {
                "name": "app",
                "version": "1.0.0",
                "dependencies": {
                    "hostile-pkg": "2.0.0",
                    EVIL_NAME: "^1.0.0\n::warning::spec",
                    "missing\u202e::x": "^1 ##[error]spec",
                },
            },
            "node_modules/hostile-pkg": {
                "version": "2.0.0",
                "resolved": f"https://{REGISTRY_HOST}/hostile-pkg/-/hostile-pkg-2.0.0.tgz",
                "integrity": sri_sha512(benign),
                "hasInstallScript": True,
            },
            evil_key: {
                "name": EVIL_NAME,
                "version": EVIL_VERSION,
                "resolved": "http://evil.example.test/x\n::notice::url.tgz",
                "hasInstallScript": True,
            },
            "node_modules/sur\ud800rogate": {"version": "1.0.0"},
        },
    }
    project.mkdir()
    (project / "package-lock.json").write_text(json.dumps(lock, indent=2), encoding="utf-8")
    return project


def _run_cli(args: list[str], home: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "scanner", *args],
        cwd=REPO,
        env=isolated_env(home),
        capture_output=True,
        timeout=120,
        check=False,
    )


def test_real_cli_on_a_crafted_lockfile_in_every_format(tmp_path: Path) -> None:
    registry = tmp_path / "registry"
    (registry / "packuments").mkdir(parents=True)
    with FixtureRegistry(registry) as server:
        project = _crafted_project(tmp_path, server.url)
        for fmt in FORMATS:
            done = _run_cli(
                ["lockfile", str(project / "package-lock.json"), "--format", fmt,
                 "--registry", server.url, "--allowed-host", REGISTRY_HOST,
                 "--cache-dir", str(tmp_path / "cache"), "--base-dir", str(project)],
                tmp_path / "home",
            )
            stdout, stderr = done.stdout.decode("utf-8"), done.stderr.decode("utf-8")
            assert_safe(stderr, "text")
            if done.returncode == 2:  # refusing the lockfile is fine: in one safe line
                assert stderr.count("\n") == 1 and stdout == ""
                continue
            assert done.returncode == 1, stderr
            assert_safe(stdout, fmt)
            # The hostile names, publisher and script did reach the report, neutralised.
            assert "evil" in stdout and "mallory" in stdout, fmt


def test_real_cli_diff_of_crafted_tarballs(tmp_path: Path) -> None:
    old = tmp_path / "old.tgz"
    new = tmp_path / "new.tgz"
    member = "lib/x\n::add-mask::m\r##[error]e\x1b[2J"
    old.write_bytes(tar_bytes({"package.json": '{"name":"d","version":"1.0.0"}', "a.js": "1\n"}))
    new.write_bytes(tar_bytes({
        "package.json": '{"name":"d\\n::error::n","version":"1.0.1",'
                        '"scripts":{"postinstall":"x\\n::warning::s"}}',
        "a.js": "1\n ::add-mask::content\n##[error]c\n",
        member: "payload\n",
    }))
    for fmt in ("text", "json"):
        done = _run_cli(["diff", str(old), str(new), "--format", fmt], tmp_path / "home")
        stdout, stderr = done.stdout.decode("utf-8"), done.stderr.decode("utf-8")
        assert_safe(stderr, "text")
        if done.returncode == 2:
            assert stderr.count("\n") == 1 and stdout == ""
            continue
        assert done.returncode in (0, 1), stderr
        assert_safe(stdout, "diff" if fmt == "text" else "diff-json")
        assert "add-mask" in stdout
