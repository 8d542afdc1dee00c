"""The memory ceiling: parsed from the environment, applied as RLIMIT_DATA, never raised."""

from __future__ import annotations

import resource
import subprocess
import sys

import pytest

from scanner.errors import UsageError
from scanner.memory_ceiling import ENV_VARIABLE, ceiling_bytes

MIB = 1024 * 1024


def test_default_and_configured_ceilings() -> None:
    assert ceiling_bytes({}) == 960 * MIB
    assert ceiling_bytes({ENV_VARIABLE: " 2048 "}) == 2048 * MIB
    assert ceiling_bytes({ENV_VARIABLE: "0"}) is None


@pytest.mark.parametrize("value", ["-1", "1e3", "lots", "\uff11\uff12", "9" * 12])
def test_a_bad_value_is_a_usage_error(value: str) -> None:
    with pytest.raises(UsageError, match=ENV_VARIABLE):
        ceiling_bytes({ENV_VARIABLE: value})


_CHILD = """
import resource, sys
from scanner.memory_ceiling import apply_ceiling
print(apply_ceiling({"DEPSCAN_MAX_MEMORY": sys.argv[1]}))
print(resource.getrlimit(resource.RLIMIT_DATA)[0])
try:
    block = bytearray(int(sys.argv[2]) * 1024 * 1024)
    print("allocated")
except MemoryError:
    print("MemoryError")
"""


def _child(ceiling: str, allocate_mb: int, limit: int | None = None) -> list[str]:
    def lower_limit() -> None:  # the child starts under this limit already
        import resource

        if limit is not None:
            resource.setrlimit(resource.RLIMIT_DATA, (limit, resource.RLIM_INFINITY))

    done = subprocess.run(
        [sys.executable, "-c", _CHILD, ceiling, str(allocate_mb)],
        capture_output=True,
        text=True,
        check=True,
        preexec_fn=lower_limit,
    )
    return done.stdout.split()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_DATA counts mmap on Linux")
def test_the_ceiling_stops_an_allocation_past_it() -> None:
    assert _child("256", 100) == [str(256 * MIB), str(256 * MIB), "allocated"]
    assert _child("256", 400) == [str(256 * MIB), str(256 * MIB), "MemoryError"]
    # turned off: the limit the child inherited stays (unlimited, or what an in-process run of
    # the CLI earlier in this test session set)
    inherited = resource.getrlimit(resource.RLIMIT_DATA)[0]
    assert _child("0", 400) == ["None", str(inherited), "allocated"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_DATA counts mmap on Linux")
def test_a_lower_limit_already_in_force_is_kept() -> None:
    assert _child("1024", 10, limit=200 * MIB)[:2] == [str(200 * MIB), str(200 * MIB)]
