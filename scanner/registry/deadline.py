"""How long registry work may take: one deadline for a scan, a limit per request, Retry-After.

A registry that answers 429 with ``Retry-After: 86400``, or sends its answer one byte at a time,
must not hold a scan (or a CI job) hostage. Three bounds apply:

- the **registry deadline** (``--registry-deadline``, default 300 s) covers all registry work of
  one scan; what is not fetched by then is reported as not checked, with the reason;
- each **request** (connection, headers and the whole body) must complete within npm's
  ``fetch-timeout`` when it is configured, else 120 s, and never past the deadline;
- ``Retry-After`` is honoured up to :data:`RETRY_AFTER_CAP_SECONDS`, and not at all when waiting
  would pass the deadline.
"""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

DEFAULT_REGISTRY_DEADLINE_SECONDS = 300.0
DEFAULT_REQUEST_SECONDS = 120.0
RETRY_AFTER_CAP_SECONDS = 30.0

_DELAY_SECONDS = re.compile(r"[0-9]{1,12}")


@dataclass
class Deadline:
    """The end of a scan's registry work, on the monotonic clock; ``None`` seconds: no end."""

    seconds: float | None
    started: float = field(default_factory=time.monotonic)

    def remaining(self) -> float:
        if self.seconds is None:
            return math.inf
        return self.started + self.seconds - time.monotonic()

    def passed_reason(self) -> str:
        return f"not fetched: the {self.seconds:g} s registry deadline passed"

    def request_budget(self, per_request: float | None) -> float:
        """Seconds the next request may take: its own limit, cut at the deadline."""
        limit = per_request if per_request else math.inf
        return min(limit, self.remaining())


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """``Retry-After`` as seconds from now (a delay or an HTTP date), not yet capped.

    ``None`` when absent or unusable (the client's own back-off applies then).
    """
    if not value:
        return None
    text = value.strip()
    if _DELAY_SECONDS.fullmatch(text):
        return float(int(text))
    import email.utils  # 12 ms, and only a registry that sends a date needs it

    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, OverflowError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    try:
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    except OverflowError:
        return None
    return max(0.0, seconds)


def capped_retry_after(seconds: float) -> float:
    return min(seconds, RETRY_AFTER_CAP_SECONDS)
