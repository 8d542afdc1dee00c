"""Retry-After parsing and the deadline arithmetic (the waiting itself is in the e2e suite)."""

from __future__ import annotations

import math
import time
from datetime import UTC, datetime

import pytest

from scanner.registry.deadline import (
    RETRY_AFTER_CAP_SECONDS,
    Deadline,
    capped_retry_after,
    retry_after_seconds,
)

NOW = datetime(2025, 1, 1, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("7", 7.0),
        (" 86400 ", 86400.0),
        ("0", 0.0),
        ("Wed, 01 Jan 2025 12:00:30 GMT", 30.0),
        ("Thu, 02 Jan 2025 12:00:00 GMT", 86400.0),
        ("Fri, 01 Jan 9999 00:00:00 GMT", None),  # computed below: far ahead, not an error
        ("Tue, 31 Dec 2024 12:00:00 GMT", 0.0),
        (None, None),
        ("", None),
        ("soon", None),
        ("1e999", None),
        ("nan", None),
        ("-5", None),
        ("7.5", None),
        ("9" * 5000, None),
        ("Wed, 99 Foo 2025 99:99:99 GMT", None),
    ],
)
def test_retry_after_forms(value: str | None, seconds: float | None) -> None:
    parsed = retry_after_seconds(value, now=NOW)
    if value and value.startswith("Fri, 01 Jan 9999"):
        assert parsed is not None and parsed > 1e11
        assert capped_retry_after(parsed) == RETRY_AFTER_CAP_SECONDS
        return
    assert parsed == seconds


def test_cap() -> None:
    assert capped_retry_after(3.0) == 3.0
    assert capped_retry_after(86400.0) == RETRY_AFTER_CAP_SECONDS


def test_budget_is_the_request_limit_cut_at_the_deadline() -> None:
    deadline = Deadline(10.0)
    assert 9.0 < deadline.request_budget(None) <= 10.0
    assert deadline.request_budget(2.0) == 2.0
    assert 9.0 < deadline.request_budget(0) <= 10.0  # npm's fetch-timeout=0: no per-request limit
    assert Deadline(None).request_budget(None) == math.inf
    assert Deadline(None).request_budget(5.0) == 5.0
    passed = Deadline(1.0, started=time.monotonic() - 2.0)
    assert passed.request_budget(30.0) < 0
    assert passed.passed_reason() == "not fetched: the 1 s registry deadline passed"
