"""The staleness threshold in .depscan.toml: read, checked, handed to the scan."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.errors import PolicyError
from scanner.policy import MAX_AGE_SETTING, load_policy


def test_max_age_days_is_read_into_the_settings(tmp_path: Path) -> None:
    path = tmp_path / ".depscan.toml"
    path.write_text("[advisory-db]\nmax-age-days = 3\n")
    policy = load_policy(path)
    assert policy.advisory_db_max_age_days == 3
    assert policy.settings()[MAX_AGE_SETTING] == 3


@pytest.mark.parametrize("value", ["0", "-1", "1.5", '"7"', "true", "4000"])
def test_bad_values_name_the_line(tmp_path: Path, value: str) -> None:
    path = tmp_path / ".depscan.toml"
    path.write_text(f'fail-on = "high"\n[advisory-db]\nmax-age-days = {value}\n')
    with pytest.raises(PolicyError, match=r"line 3: advisory-db\.max-age-days must be a whole"):
        load_policy(path)


def test_unknown_keys_in_the_table_are_refused(tmp_path: Path) -> None:
    path = tmp_path / ".depscan.toml"
    path.write_text("[advisory-db]\nmax-age = 3\n")
    with pytest.raises(PolicyError, match="unknown key 'max-age' in \\[advisory-db\\]"):
        load_policy(path)
