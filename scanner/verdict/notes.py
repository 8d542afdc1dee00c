"""What package.json and the registry say about a release, outside its code: one note each.

Notes are facts with a weight of their own (a dependency that resolves to known malware is
critical, a main entry moved to a brand-new file is medium); the verdict lists them among its
reasons. Their text quotes package.json values an attacker chose, so it is made printable here,
once, before any report sees it.
"""

from __future__ import annotations

from dataclasses import dataclass

from scanner.model import Severity
from scanner.reports.escape import printable

_MAX_MESSAGE = 300


@dataclass(frozen=True, slots=True)
class Note:
    kind: str
    severity: Severity
    file: str | None
    line: int | None
    message: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "message", printable(self.message, _MAX_MESSAGE))
        if self.file is not None:
            object.__setattr__(self, "file", printable(self.file, _MAX_MESSAGE))
