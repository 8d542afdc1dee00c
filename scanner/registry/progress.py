"""A one-line progress counter on stderr, shown only to a person watching a terminal."""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from typing import TextIO

_REDRAW_INTERVAL_SECONDS = 0.1


def progress_wanted(requested: bool, stream: TextIO, env: Mapping[str, str]) -> bool:
    """Requested, writing to a terminal, and not in CI (where a redrawn line is only noise)."""
    if not requested or env.get("CI", "").lower() not in ("", "0", "false"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


class ProgressLine:
    """``label done/total`` redrawn in place; safe to advance from worker threads."""

    def __init__(self, label: str, total: int, stream: TextIO, enabled: bool) -> None:
        self._label = label
        self._total = total
        self._stream = stream
        self._enabled = enabled and total > 0
        self._done = 0
        self._last_draw = 0.0
        self._lock = threading.Lock()

    def advance(self) -> None:
        if not self._enabled:
            return
        with self._lock:
            self._done += 1
            now = time.monotonic()
            if self._done < self._total and now - self._last_draw < _REDRAW_INTERVAL_SECONDS:
                return
            self._last_draw = now
            self._stream.write(f"\r{self._label} {self._done}/{self._total}")
            self._stream.flush()

    def finish(self) -> None:
        if not self._enabled:
            return
        with self._lock:
            # Clear the line so the report that follows starts on a clean one.
            width = len(self._label) + 2 * len(str(self._total)) + 2
            self._stream.write("\r" + " " * width + "\r")
            self._stream.flush()
