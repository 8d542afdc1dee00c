"""action.yml: a composite action whose steps only use inputs it declares and pass them to the
script as environment variables, and whose outputs come from a step that exists."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.ci.gitrepo import REPO

EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


@pytest.fixture(scope="module")
def action() -> dict[str, Any]:
    loaded = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def _expressions(value: object) -> list[str]:
    if isinstance(value, str):
        return EXPRESSION.findall(value)
    if isinstance(value, dict):
        return [e for v in value.values() for e in _expressions(v)]
    if isinstance(value, list):
        return [e for v in value for e in _expressions(v)]
    return []


def test_is_a_composite_action_with_a_name_and_description(action: dict[str, Any]) -> None:
    assert action["name"] == "depscan"
    assert action["description"].strip()
    assert action["runs"]["using"] == "composite"
    for step in action["runs"]["steps"]:
        assert step.get("shell") == "bash", step  # composite run steps must name their shell


def test_every_input_used_is_declared_and_every_declared_input_is_used(
    action: dict[str, Any],
) -> None:
    declared = set(action["inputs"])
    used = {
        m.group(1)
        for e in _expressions(action["runs"]["steps"])
        if (m := re.fullmatch(r"inputs\.([A-Za-z0-9_-]+)", e))
    }
    assert used == declared
    for name, spec in action["inputs"].items():
        assert spec["description"].strip(), name
        assert "default" in spec, name


def test_inputs_reach_the_script_only_through_the_environment(action: dict[str, Any]) -> None:
    # An input spliced into `run:` would be shell code an attacker controls (a branch name, say).
    for step in action["runs"]["steps"]:
        assert not EXPRESSION.search(step["run"]), step["run"]
    scan = next(s for s in action["runs"]["steps"] if s.get("id") == "scan")
    assert "-m scanner.action" in scan["run"]
    env_names = {
        name: value for name, value in scan["env"].items() if "inputs." in value
    }
    # The names the script reads: INPUT_ + the input name in upper case, '-' as '_'.
    for name in action["inputs"]:
        assert f"INPUT_{name.upper().replace('-', '_')}" in env_names


def test_the_script_reads_exactly_the_variables_the_action_sets(action: dict[str, Any]) -> None:
    source = (REPO / "scanner" / "action.py").read_text(encoding="utf-8")
    read = set(re.findall(r'"(INPUT_[A-Z_]+)"', source))
    scan = next(s for s in action["runs"]["steps"] if s.get("id") == "scan")
    assert read == set(scan["env"])


def test_outputs_come_from_the_scan_step(action: dict[str, Any]) -> None:
    step_ids = {s.get("id") for s in action["runs"]["steps"]}
    assert {"sarif", "exit-code"} <= set(action["outputs"])
    for name, spec in action["outputs"].items():
        (expression,) = _expressions(spec["value"])
        match = re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", expression)
        assert match is not None, expression
        assert match.group(1) in step_ids
        assert match.group(2) == name
    source = (REPO / "scanner" / "action.py").read_text(encoding="utf-8")
    for name in action["outputs"]:
        assert f'outputs["{name}"]' in source


def test_installs_depscan_from_the_actions_own_checkout(action: dict[str, Any]) -> None:
    install = action["runs"]["steps"][0]["run"]
    assert '"$GITHUB_ACTION_PATH"' in install
    assert "$RUNNER_TEMP/depscan-venv" in install
    assert (Path(REPO) / "pyproject.toml").is_file()  # what pip installs from that path
