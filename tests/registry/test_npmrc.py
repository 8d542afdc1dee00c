"""npm configuration: each precedence layer, merging, env expansion, auth, the npm fallback."""

from __future__ import annotations

import base64
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from scanner.errors import RegistryError
from scanner.registry import npmrc
from scanner.registry.npmrc import expand_env, parse_npmrc, resolve_npm_config
from scanner.registry.url import parse_url

REG = "https://registry.example.test/"


class Layout:
    """A temp project, HOME and global prefix, with no npm/node on PATH unless a test adds one."""

    def __init__(self, tmp_path: Path) -> None:
        self.project = tmp_path / "project"
        self.home = tmp_path / "home"
        self.prefix = tmp_path / "prefix"
        self.bin = tmp_path / "bin"
        for folder in (self.project, self.home, self.prefix / "etc", self.bin):
            folder.mkdir(parents=True)
        self.env: dict[str, str] = {
            "HOME": str(self.home),
            "PREFIX": str(self.prefix),
            "PATH": str(self.bin),
        }

    def project_rc(self, text: str) -> None:
        (self.project / ".npmrc").write_text(text)

    def user_rc(self, text: str) -> None:
        (self.home / ".npmrc").write_text(text)

    def global_rc(self, text: str) -> None:
        (self.prefix / "etc" / "npmrc").write_text(text)

    def resolve(self, cli: str | None = None) -> npmrc.NpmConfig:
        return resolve_npm_config(self.project, cli, self.env)


@pytest.fixture
def layout(tmp_path: Path) -> Layout:
    return Layout(tmp_path)


def _header(config: npmrc.NpmConfig, url: str) -> str | None:
    """The Authorization header ``config`` gives a request to ``url`` (parsed once, as the
    client does)."""
    return config.auth_header_for(parse_url(url))


def _fake_npm_on_path(layout: Layout) -> None:
    npm = layout.bin / "npm"
    npm.write_text("#!/bin/sh\nexit 99\n")  # never run: subprocess.run is replaced in these tests
    npm.chmod(0o755)


# -- parsing and expansion ------------------------------------------------------------------------


def test_parse_npmrc_follows_npm_ini_rules() -> None:
    text = "\n".join(
        [
            "; a comment",
            "# another",
            "registry = https://registry.example.test/npm/ ; trailing comment",
            'quoted = "has ; semicolon"',
            "single = 'plain'",
            r"escaped = a\;b\#c",
            "flag",
            "list[] = one",
            "  spaced-key   =   value  ",
            "[section]",
            "registry = https://other.example.test/",
        ]
    )
    settings = parse_npmrc(text, {})
    assert settings == {
        "registry": "https://registry.example.test/npm/",
        "quoted": "has ; semicolon",
        "single": "plain",
        "escaped": "a;b#c",
        "spaced-key": "value",
    }


def test_parse_npmrc_expands_env_in_keys_and_values() -> None:
    text = "//${HOST}/:_authToken=${TOKEN}\nother=${MISSING}\nopt=x${MISSING?}y\n"
    settings = parse_npmrc(text, {"HOST": "registry.example.test", "TOKEN": "s3cret"})
    assert settings == {
        "//registry.example.test/:_authToken": "s3cret",
        "other": "${MISSING}",
        "opt": "xy",
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("${A}", "1"),
        ("${A?}", "1"),
        ("${UNSET}", "${UNSET}"),
        ("${UNSET?}", ""),
        (r"\${A}", "${A}"),
        (r"\\${A}", "\\1"),
        (r"\\\${A}", r"\${A}"),
        ("pre-${A}-${B}-post", "pre-1-two-post"),
        ("${EMPTY}|${EMPTY?}", "|"),
    ],
)
def test_expand_env_matches_npm(text: str, expected: str) -> None:
    assert expand_env(text, {"A": "1", "B": "two", "EMPTY": ""}) == expected


# -- registry precedence ----------------------------------------------------------------------


def _set_all_layers(layout: Layout) -> None:
    layout.global_rc("registry=https://global.example.test/\n")
    layout.user_rc("registry=https://user.example.test/\n")
    layout.project_rc("registry=https://project.example.test/\n")
    layout.env["npm_config_registry"] = "https://env.example.test/"


def test_cli_registry_wins_over_every_layer(layout: Layout) -> None:
    _set_all_layers(layout)
    assert layout.resolve("https://cli.example.test").registry == "https://cli.example.test/"


def test_env_registry_wins_over_files(layout: Layout) -> None:
    _set_all_layers(layout)
    assert layout.resolve().registry == "https://env.example.test/"


def test_upper_case_env_name_counts(layout: Layout) -> None:
    layout.project_rc("registry=https://project.example.test/\n")
    layout.env["NPM_CONFIG_REGISTRY"] = "https://env.example.test/"
    assert layout.resolve().registry == "https://env.example.test/"


def test_empty_env_value_is_ignored(layout: Layout) -> None:
    layout.project_rc("registry=https://project.example.test/\n")
    layout.env["npm_config_registry"] = ""
    assert layout.resolve().registry == "https://project.example.test/"


def test_project_npmrc_wins_over_user_and_global(layout: Layout) -> None:
    _set_all_layers(layout)
    del layout.env["npm_config_registry"]
    assert layout.resolve().registry == "https://project.example.test/"


def test_user_npmrc_wins_over_global(layout: Layout) -> None:
    layout.global_rc("registry=https://global.example.test/\n")
    layout.user_rc("registry=https://user.example.test/\n")
    assert layout.resolve().registry == "https://user.example.test/"


def test_global_npmrc_under_prefix(layout: Layout) -> None:
    layout.global_rc("registry=https://global.example.test/\n")
    assert layout.resolve().registry == "https://global.example.test/"


def test_userconfig_env_moves_the_user_file(layout: Layout, tmp_path: Path) -> None:
    layout.user_rc("registry=https://home.example.test/\n")
    elsewhere = tmp_path / "custom-userrc"
    elsewhere.write_text("registry=https://custom-user.example.test/\n")
    layout.env["npm_config_userconfig"] = str(elsewhere)
    assert layout.resolve().registry == "https://custom-user.example.test/"


def test_userconfig_set_in_project_npmrc(layout: Layout, tmp_path: Path) -> None:
    elsewhere = tmp_path / "team-userrc"
    elsewhere.write_text("@team:registry=https://team.example.test/\n")
    layout.project_rc(f"userconfig={elsewhere}\nregistry={REG}\n")
    assert layout.resolve().scoped == {"@team": "https://team.example.test/"}


def test_globalconfig_env_moves_the_global_file(layout: Layout, tmp_path: Path) -> None:
    layout.global_rc("registry=https://prefix-global.example.test/\n")
    other = tmp_path / "other-global"
    other.write_text("registry=https://other-global.example.test/\n")
    layout.env["npm_config_globalconfig"] = str(other)
    assert layout.resolve().registry == "https://other-global.example.test/"


def test_globalconfig_set_in_user_npmrc(layout: Layout, tmp_path: Path) -> None:
    other = tmp_path / "g"
    other.write_text("registry=https://from-user-pointer.example.test/\n")
    layout.user_rc(f"globalconfig={other}\n")
    assert layout.resolve().registry == "https://from-user-pointer.example.test/"


def test_user_config_tilde_path(layout: Layout) -> None:
    (layout.home / "alt.npmrc").write_text("registry=https://tilde.example.test/\n")
    layout.env["npm_config_userconfig"] = "~/alt.npmrc"
    assert layout.resolve().registry == "https://tilde.example.test/"


def test_registry_gets_trailing_slash(layout: Layout) -> None:
    layout.project_rc("registry=https://registry.example.test/npm/private\n")
    assert layout.resolve().registry == "https://registry.example.test/npm/private/"


def test_registry_that_is_not_a_url_names_its_file(layout: Layout) -> None:
    layout.project_rc("registry=registry.example.test\n")
    with pytest.raises(RegistryError) as raised:
        layout.resolve()
    assert raised.value.subject == str(layout.project / ".npmrc")
    assert "not an http(s) URL" in raised.value.message


def test_bad_cli_registry_names_the_flag(layout: Layout) -> None:
    with pytest.raises(RegistryError) as raised:
        layout.resolve("ftp://registry.example.test/")
    assert raised.value.subject == "--registry"


# -- scoped registries and auth merge across files ----------------------------------------------


def test_scoped_registries_merge_with_precedence(layout: Layout) -> None:
    layout.global_rc(
        "@a:registry=https://a-global.example.test/\n@g:registry=https://g.example.test/\n"
    )
    layout.user_rc(
        "@a:registry=https://a-user.example.test/\n@u:registry=https://u.example.test/\n"
    )
    layout.project_rc(f"registry={REG}\n@p:registry=https://p.example.test\n")
    config = layout.resolve()
    assert config.scoped == {
        "@a": "https://a-user.example.test/",
        "@g": "https://g.example.test/",
        "@u": "https://u.example.test/",
        "@p": "https://p.example.test/",
    }
    assert config.registry_for("@a/thing") == "https://a-user.example.test/"
    assert config.registry_for("@other/thing") == REG
    assert config.registry_for("plain") == REG


def test_scoped_registry_from_env(layout: Layout) -> None:
    layout.project_rc(f"registry={REG}\n@s:registry=https://file.example.test/\n")
    layout.env["npm_config_@s:registry"] = "https://env-scope.example.test/"
    assert layout.resolve().scoped["@s"] == "https://env-scope.example.test/"


def test_token_auth_with_env_expansion(layout: Layout) -> None:
    layout.env["CORP_TOKEN"] = "tok-123"
    layout.project_rc(
        f"registry={REG}\n"
        "@corp:registry=https://corp.example.test/npm/\n"
        "//corp.example.test/npm/:_authToken=${CORP_TOKEN}\n"
    )
    config = layout.resolve()
    assert _header(config, "https://corp.example.test/npm/@corp%2fpkg") == "Bearer tok-123"
    assert (
        _header(config, "https://corp.example.test/npm/@corp/pkg/-/pkg-1.0.0.tgz")
        == "Bearer tok-123"
    )
    # Never to another host, nor to a path of the same host outside the nerf-dart.
    assert _header(config, "https://registry.example.test/npm/pkg") is None
    assert _header(config, "https://corp.example.test/other/pkg") is None
    assert _header(config, "https://corp.example.test.evil.test/npm/pkg") is None


def test_optional_env_expands_to_empty_and_gives_no_auth(layout: Layout) -> None:
    layout.project_rc(f"registry={REG}\n//registry.example.test/:_authToken=${{NOPE?}}\n")
    assert _header(layout.resolve(), REG + "pkg") is None


def test_username_and_password_make_basic_auth(layout: Layout) -> None:
    password_b64 = base64.b64encode(b"p@ss:word").decode()
    layout.user_rc(
        "//registry.example.test/:username=alice\n"
        f"//registry.example.test/:_password={password_b64}\n"
    )
    layout.project_rc(f"registry={REG}\n")
    header = _header(layout.resolve(), REG + "left-pad")
    assert header is not None and header.startswith("Basic ")
    assert base64.b64decode(header.removeprefix("Basic ")) == b"alice:p@ss:word"


def test_password_that_is_not_base64_is_an_error(layout: Layout) -> None:
    layout.user_rc("//registry.example.test/:username=a\n//registry.example.test/:_password=%%%\n")
    layout.project_rc(f"registry={REG}\n")
    with pytest.raises(RegistryError) as raised:
        layout.resolve()
    assert raised.value.subject == str(layout.home / ".npmrc")


def test_legacy_auth_value(layout: Layout) -> None:
    encoded = base64.b64encode(b"bob:pw").decode()
    layout.global_rc(f"//registry.example.test/:_auth={encoded}\n")
    layout.project_rc(f"registry={REG}\n")
    assert _header(layout.resolve(), REG + "x") == f"Basic {encoded}"


def test_token_beats_basic_for_the_same_registry(layout: Layout) -> None:
    encoded = base64.b64encode(b"bob:pw").decode()
    layout.global_rc(f"//registry.example.test/:_auth={encoded}\n")
    layout.user_rc("//registry.example.test/:_authToken=tok\n")
    layout.project_rc(f"registry={REG}\n")
    assert _header(layout.resolve(), REG + "x") == "Bearer tok"


def test_auth_from_higher_layer_overrides_lower(layout: Layout) -> None:
    layout.global_rc("//registry.example.test/:_authToken=global-token\n")
    layout.user_rc("//registry.example.test/:_authToken=user-token\n")
    layout.project_rc(f"registry={REG}\n")
    assert _header(layout.resolve(), REG + "x") == "Bearer user-token"


def test_longest_nerf_dart_wins_and_port_matters(layout: Layout) -> None:
    layout.project_rc(
        f"registry={REG}\n"
        "//registry.example.test/:_authToken=host-token\n"
        "//registry.example.test/team/:_authToken=team-token\n"
        "//registry.example.test:8443/:_authToken=port-token\n"
    )
    config = layout.resolve()
    assert _header(config, "https://registry.example.test/team/pkg") == "Bearer team-token"
    assert _header(config, "https://registry.example.test/pkg") == "Bearer host-token"
    assert _header(config, "https://registry.example.test:443/pkg") == "Bearer host-token"
    assert _header(config, "https://registry.example.test:8443/pkg") == "Bearer port-token"
    assert _header(config, "https://REGISTRY.example.test/pkg") == "Bearer host-token"


def test_secrets_do_not_show_in_repr(layout: Layout) -> None:
    layout.project_rc(f"registry={REG}\n//registry.example.test/:_authToken=very-secret\n")
    assert "very-secret" not in repr(layout.resolve())


@pytest.mark.parametrize("key", ["_authToken", "_auth", "_password"])
def test_unscoped_credentials_are_refused_like_npm(layout: Layout, key: str) -> None:
    layout.user_rc(f"{key}=abc\nusername=x\n" if key == "_password" else f"{key}=abc\n")
    layout.project_rc(f"registry={REG}\n")
    with pytest.raises(RegistryError) as raised:
        layout.resolve()
    assert raised.value.subject == str(layout.home / ".npmrc")
    assert "npm config fix" in raised.value.message


# -- the `npm config get registry` fallback -----------------------------------------------------


def test_npm_is_asked_only_when_no_layer_sets_the_registry(
    layout: Layout, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_npm_on_path(layout)
    calls: list[list[str]] = []

    def fake_run(args: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        calls.append(args)
        assert kwargs["cwd"] == layout.project
        assert kwargs["timeout"] <= 30
        return subprocess.CompletedProcess(args, 0, stdout="https://npm-default.example.test/\n")

    monkeypatch.setattr(subprocess, "run", fake_run)
    layout.user_rc("@a:registry=https://a.example.test/\n")
    config = layout.resolve()
    assert config.registry == "https://npm-default.example.test/"
    assert config.scoped == {"@a": "https://a.example.test/"}
    assert len(calls) == 1 and calls[0][1:] == ["config", "get", "registry"]

    layout.project_rc(f"registry={REG}\n")
    assert layout.resolve().registry == REG
    assert len(calls) == 1


def test_missing_npm_asks_for_registry_flag(layout: Layout) -> None:
    with pytest.raises(RegistryError) as raised:
        layout.resolve()
    assert "could not determine the npm registry" in raised.value.message
    assert "--registry" in raised.value.message


@pytest.mark.parametrize(
    "outcome",
    [
        subprocess.CompletedProcess(["npm"], 1, stdout="", stderr="boom"),
        subprocess.CompletedProcess(["npm"], 0, stdout="undefined\n"),
        subprocess.TimeoutExpired(["npm"], 15),
        PermissionError(13, "Permission denied"),
    ],
)
def test_failing_npm_asks_for_registry_flag(
    layout: Layout, monkeypatch: pytest.MonkeyPatch, outcome: object
) -> None:
    _fake_npm_on_path(layout)

    def fake_run(args: list[str], **kwargs: Any) -> object:
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    monkeypatch.setattr(subprocess, "run", fake_run)
    with pytest.raises(RegistryError) as raised:
        layout.resolve()
    assert "could not determine the npm registry" in raised.value.message
    assert "--registry" in raised.value.one_line()


def test_npm_answer_that_is_not_a_url_is_refused(
    layout: Layout, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_npm_on_path(layout)
    monkeypatch.setattr(
        subprocess,
        "run",
        lambda args, **kw: subprocess.CompletedProcess(args, 0, stdout="not a url\n"),
    )
    with pytest.raises(RegistryError):
        layout.resolve()


def test_default_prefix_comes_from_the_node_executable(layout: Layout, tmp_path: Path) -> None:
    node_prefix = tmp_path / "nodeprefix"
    (node_prefix / "bin").mkdir(parents=True)
    (node_prefix / "etc").mkdir()
    node = node_prefix / "bin" / "node"
    node.write_text("#!/bin/sh\n")
    node.chmod(0o755)
    (node_prefix / "etc" / "npmrc").write_text("registry=https://node-prefix.example.test/\n")
    del layout.env["PREFIX"]
    layout.env["PATH"] = str(node_prefix / "bin")
    assert layout.resolve().registry == "https://node-prefix.example.test/"


# -- the scanned project's .npmrc when it is not trusted -----------------------------------------


def test_an_untrusted_project_npmrc_decides_nothing(layout: Layout) -> None:
    layout.env["NODE_AUTH_TOKEN"] = "ci-secret"
    layout.user_rc(f"registry={REG}\n//registry.example.test/:_authToken=user-token\n")
    layout.project_rc(
        "registry=http://127.0.0.1:9/\n"
        "@corp:registry=https://evil.example.test/\n"
        "//127.0.0.1:9/:_authToken=${NODE_AUTH_TOKEN}\n"
        "//registry.example.test/:_authToken=${NODE_AUTH_TOKEN}\n"
        "fetch-retries=9\n"
    )
    trusted = layout.resolve()
    assert trusted.registry == "http://127.0.0.1:9/"
    assert _header(trusted, "http://127.0.0.1:9/x") == "Bearer ci-secret"
    # Trusted, the file also picks which user config is read: here one that must not hang.
    (layout.project / ".npmrc").write_text(
        (layout.project / ".npmrc").read_text() + "userconfig=/dev/zero\n"
    )
    with pytest.raises(RegistryError) as raised:
        layout.resolve()
    assert raised.value.subject == "/dev/zero"

    config = resolve_npm_config(layout.project, None, layout.env, trust_project_npmrc=False)
    assert config.registry == REG
    assert config.scoped == {}
    assert config.fetch_retries is None
    assert _header(config, "http://127.0.0.1:9/x") is None
    assert _header(config, REG + "x") == "Bearer user-token"
    assert "ci-secret" not in repr(config) and config.untrusted_npmrc == str(
        layout.project / ".npmrc"
    )


def test_untrusted_mode_without_a_project_npmrc_has_nothing_to_report(layout: Layout) -> None:
    layout.user_rc(f"registry={REG}\n")
    config = resolve_npm_config(layout.project, None, layout.env, trust_project_npmrc=False)
    assert config.untrusted_npmrc is None


def test_a_user_config_that_is_the_project_file_is_not_trusted_either(layout: Layout) -> None:
    layout.project_rc("registry=https://project.example.test/\n")
    layout.env["npm_config_userconfig"] = str(layout.project / ".npmrc")
    layout.env["npm_config_registry"] = REG
    config = resolve_npm_config(layout.project, None, layout.env, trust_project_npmrc=False)
    assert config.registry == REG


def test_npm_runs_outside_an_untrusted_project(
    layout: Layout, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_npm_on_path(layout)
    layout.project_rc("registry=https://evil.example.test/\n")
    seen: list[Path] = []

    def fake_run(args: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        seen.append(Path(kwargs["cwd"]))
        assert not (Path(kwargs["cwd"]) / ".npmrc").exists()
        return subprocess.CompletedProcess(args, 0, stdout="https://npm-default.example.test/\n")

    monkeypatch.setattr(subprocess, "run", fake_run)
    config = resolve_npm_config(layout.project, None, layout.env, trust_project_npmrc=False)
    assert config.registry == "https://npm-default.example.test/"
    assert seen and seen[0] != layout.project and not seen[0].is_relative_to(layout.project)


# -- configuration that cannot be used is one line naming its file --------------------------------


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("registry=http://[::1/", "closing ']'"),
        ("registry=https://user:hunter2@registry.example.test/", "credentials"),
        ("registry=https://registry.example.test/?token=abc", "no query"),
        ("registry='" + "[" * 100_000 + "]" * 100_000 + "'", "not usable"),
        ('registry="\\ud800"', "non-ASCII"),
        (f"registry={REG}\n@corp:registry=http://127.0.0.1:9\\@registry.example.test/",
         "backslash"),
    ],
)
def test_unusable_registry_values_name_the_file(layout: Layout, line: str, reason: str) -> None:
    layout.user_rc(line + "\n")
    with pytest.raises(RegistryError) as raised:
        layout.resolve()
    assert raised.value.subject == str(layout.home / ".npmrc")
    one_line = raised.value.one_line()
    assert reason in one_line and "hunter2" not in one_line
    assert len(one_line) < 400


def test_quoted_json_values_never_raise() -> None:
    deep = "'" + "[" * 100_000 + "]" * 100_000 + "'"
    settings = parse_npmrc(f"a={deep}\nb='\"x\"'\nc=\"{'9' * 5000}\"\nd='{{\"k\": 1}}'\n", {})
    assert settings["a"].startswith("[[[") and settings["b"] == "x"
    assert settings["c"] == "9" * 5000 and settings["d"] == '{"k": 1}'


def test_a_token_a_header_cannot_carry_names_the_file(layout: Layout) -> None:
    layout.user_rc(f'registry={REG}\n//registry.example.test/:_authToken="tok\\r\\nX-Evil: 1"\n')
    with pytest.raises(RegistryError) as raised:
        layout.resolve()
    assert raised.value.subject == str(layout.home / ".npmrc")
    assert "X-Evil" not in raised.value.one_line()


def test_a_fifo_as_user_config_is_an_error_not_a_hang(layout: Layout) -> None:
    fifo = layout.home / "fifo-npmrc"
    os.mkfifo(fifo)
    layout.env["npm_config_userconfig"] = str(fifo)
    layout.env["npm_config_registry"] = REG
    with pytest.raises(RegistryError) as raised:
        layout.resolve()
    assert raised.value.subject == str(fifo)
    assert "not a regular file" in raised.value.message


def test_a_directory_where_a_config_file_goes_is_no_config(layout: Layout) -> None:
    (layout.project / ".npmrc").mkdir()
    layout.user_rc(f"registry={REG}\n")
    assert layout.resolve().registry == REG


# -- npm's fetch settings -------------------------------------------------------------------------


def test_fetch_timeout_and_retries(layout: Layout) -> None:
    layout.user_rc(f"registry={REG}\nfetch-timeout=1500\nfetch-retries=50\n")
    config = layout.resolve()
    assert config.fetch_timeout == 1.5
    assert config.fetch_retries == npmrc.MAX_FETCH_RETRIES
    layout.user_rc(f"registry={REG}\n")
    config = layout.resolve()
    assert config.fetch_timeout is None and config.fetch_retries is None


@pytest.mark.parametrize("line", ["fetch-timeout=soon", "fetch-retries=-1", "fetch-timeout=1e9"])
def test_fetch_settings_that_are_not_numbers_name_the_file(layout: Layout, line: str) -> None:
    layout.user_rc(f"registry={REG}\n{line}\n")
    with pytest.raises(RegistryError) as raised:
        layout.resolve()
    assert raised.value.subject == str(layout.home / ".npmrc")
