from __future__ import annotations

import pytest

from scanner.behaviour.model import Capability
from scanner.behaviour.signals.environment import is_secret_name

from ..snippets import details, found


@pytest.mark.parametrize(
    ("source", "detail"),
    [
        ("send(JSON.stringify(process.env));", "serialised"),
        ("const s = `${process.env}`;", "serialised"),
        ("Object.keys(process.env).forEach(send);", "enumerated"),
        ("Object.entries(process.env);", "enumerated"),
        ("for (const k in process.env) send(k);", "enumerated"),
        ("const all = { ...process.env };", "spread"),
        ("spawn('x', [], { env: process.env });", "passed"),
        ("upload(process.env);", "passed"),
        ("Object.assign({}, process.env);", "copied"),
        ("const { NODE_ENV, ...rest } = process.env;", "destructured-rest"),
    ],
)
def test_the_whole_environment(source: str, detail: str) -> None:
    assert details(source, Capability.ENV_ALL) == {detail}


def test_an_alias_is_followed() -> None:
    source = "const env = process.env; post(JSON.stringify(env)); if (env.CI) {}"
    assert details(source, Capability.ENV_ALL) == {"serialised"}
    assert details(source, Capability.ENV_NAMED) == {"CI"}


def test_named_reads_are_split_into_secrets_and_ordinary_names() -> None:
    source = (
        "process.env.NODE_ENV; process.env['DEBUG']; process.env.NPM_TOKEN;"
        "const { GITHUB_TOKEN, CI } = process.env; process.env.AWS_SECRET_ACCESS_KEY;"
    )
    assert details(source, Capability.ENV_SECRET) == {
        "NPM_TOKEN",
        "GITHUB_TOKEN",
        "AWS_SECRET_ACCESS_KEY",
    }
    assert details(source, Capability.ENV_NAMED) == {"NODE_ENV", "DEBUG", "CI"}
    assert not found(source, Capability.ENV_ALL)


@pytest.mark.parametrize(
    "source",
    [
        "process.env.FOO = 'bar';",
        "if (process.env) {}",
        "// JSON.stringify(process.env)",
        "const s = 'Object.keys(process.env)';",
        "const x = import.meta.env.MODE;",
    ],
)
def test_writes_truthiness_comments_and_strings_read_nothing_whole(source: str) -> None:
    assert not found(source, Capability.ENV_ALL)
    assert not found(source, Capability.ENV_SECRET)


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("NPM_TOKEN", True),
        ("NODE_AUTH_TOKEN", True),
        ("GH_TOKEN", True),
        ("AWS_REGION", True),
        ("STRIPE_SECRET", True),
        ("AZURE_CLIENT_SECRET", True),
        ("AZURE_LOG_LEVEL", False),
        ("DB_PASSWORD", True),
        ("API_KEY", True),
        ("npm_config__authToken", True),
        ("NODE_ENV", False),
        ("DEBUG", False),
        ("CI", False),
        ("HOME", False),
        ("KEYBOARD_LAYOUT", False),
        ("PWD", False),
    ],
)
def test_secret_names(name: str, secret: bool) -> None:
    assert is_secret_name(name) is secret


@pytest.mark.parametrize(
    "source",
    [
        "const level = typeof process !== 'undefined' && process.env && process.env.LOG || 'x';"
        "send(level); console.log(`${level}`);",
        "const e = process.env ? 1 : 0; send(e);",
        "if (typeof process.env === 'object') {}",
    ],
)
def test_testing_process_env_is_not_reading_it_whole(source: str) -> None:
    assert not found(source, Capability.ENV_ALL)


def test_values_that_pass_through_logic_are_still_whole() -> None:
    assert details("send(process.env || {});", Capability.ENV_ALL) == {"passed"}
    assert details("const e = ok && process.env; post(JSON.stringify(e));", Capability.ENV_ALL) == {
        "serialised"
    }
