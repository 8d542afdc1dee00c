"""Reading typed check settings (``check-id.knob`` values) with a clear error for bad values."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from scanner.errors import PolicyError


def int_setting(settings: Mapping[str, object], key: str, default: int) -> int:
    """A non-negative whole number; numeric strings are accepted since policy files may quote."""
    value = settings.get(key, default)
    if isinstance(value, bool):
        raise PolicyError(f"expected a whole number, got {value!r}", subject=key)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or value < 0:
        raise PolicyError(f"expected a whole number of 0 or more, got {value!r}", subject=key)
    return value


def names_setting(settings: Mapping[str, object], key: str) -> tuple[str, ...]:
    """A list of package names (a single string is taken as a one-name list)."""
    value = settings.get(key, ())
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise PolicyError(f"expected a list of package names, got {value!r}", subject=key)
    return tuple(v.strip() for v in value if v.strip())


def now_setting(settings: Mapping[str, object], key: str = "now") -> datetime:
    """The scan's "now": the setting when given (tests, reproducible reports), else the clock."""
    value = settings.get(key)
    if value is None:
        return datetime.now(UTC)
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            raise PolicyError(f"expected an ISO-8601 time, got {value!r}", subject=key) from None
    else:
        raise PolicyError(f"expected an ISO-8601 time, got {value!r}", subject=key)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
