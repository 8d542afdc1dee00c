"""Errors that end a run with a one-line message and a documented exit code (never a traceback)."""

from __future__ import annotations

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2


class DepscanError(Exception):
    """A problem with the input or environment that stops the run.

    ``subject`` names the file, package or URL at fault; the CLI prints
    ``depscan: error: <subject>: <message>`` and exits with :data:`EXIT_ERROR`.
    """

    exit_code = EXIT_ERROR

    def __init__(self, message: str, subject: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.subject = subject

    def one_line(self) -> str:
        text = f"{self.subject}: {self.message}" if self.subject else self.message
        return " ".join(text.split())


class LockfileError(DepscanError):
    """A lockfile that cannot be read: missing, empty, not JSON/YAML, unknown version."""


class AdvisoryError(DepscanError):
    """An advisory source that cannot be loaded: corrupt record, bad zip, unreadable folder."""


class RegistryError(DepscanError):
    """The registry could not answer for a package (used where the caller cannot skip it)."""


class TarballError(DepscanError):
    """A tarball that fails its integrity hash or holds unsafe members."""


class PolicyError(DepscanError):
    """A policy/configuration file with unknown keys or bad values."""


class UsageError(DepscanError):
    """Bad command-line usage that typer itself cannot detect."""
