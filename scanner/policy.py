"""The project policy file, ``.depscan.toml``: reviewed exceptions and per-project settings.

TOML because Python reads it with the standard library (``tomllib``), so the policy costs no
dependency, and because it has comments and real dates for ``expires``. Every key is checked:
a typo must fail loudly with its line rather than silently ignore nothing. ``tomllib`` only
reports lines for syntax errors, so semantic errors find their key's line by scanning the text.

In pull-request mode against a git ref the file is read from the base revision instead of the
working tree (:mod:`scanner.pr_policy`); :func:`parse_policy` validates text from either.

See docs/policy.md for the format.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from scanner.errors import PolicyError
from scanner.model import Finding, Severity
from scanner.reports.rules import RULES, SUB_RULES
from scanner.untrusted import loads_toml, read_file

POLICY_FILENAME = ".depscan.toml"
# The settings keys the install-script and hygiene checks read (ScanContext.settings).
ALLOW_SCRIPTS_SETTING = "install-scripts.allow"
ALLOWED_HOSTS_SETTING = "hygiene.allowed-hosts"
MAX_AGE_SETTING = "advisory-db.max-age-days"

_TOP_KEYS = (
    "fail-on", "registry", "advisories", "advisory-db", "install-scripts", "hygiene", "ignore"
)
_ADVISORY_DB_KEYS = ("max-age-days",)
_SCRIPT_KEYS = ("allow",)
_HYGIENE_KEYS = ("allowed-hosts",)
_IGNORE_KEYS = ("check", "package", "versions", "advisory", "reason", "expires")
# A host name or IP, optionally with a port, optionally a "*." wildcard for subdomains.
_LABEL = r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?"
_HOST = re.compile(rf"^(?:\*\.)?{_LABEL}(?:\.{_LABEL})*(?::\d{{1,5}})?$")
MAX_POLICY_BYTES = 256 * 1024
"""A policy with a thousand reviewed exceptions is about 150 kB. The cap also bounds tomllib,
whose cost grows with the square of a dotted key's length: 256 kB of the worst dotted keys
allowed (:data:`~scanner.untrusted.MAX_TOML_DOTS_PER_LINE`) parse in under a second."""


@dataclass(frozen=True, slots=True)
class Ignore:
    """One reviewed exception: findings of ``check`` for ``package`` are not reported.

    ``versions`` (a node-semver range) and ``advisory`` narrow it further when given. From the
    ``expires`` date on, the exception no longer applies and the finding says it expired.
    """

    check: str
    package: str
    reason: str
    versions: str | None = None
    advisory: str | None = None
    expires: dt.date | None = None
    line: int | None = None
    """Line of the entry in the policy file, so a report can point at it."""

    def matches(self, finding: Finding) -> bool:
        pkg = finding.package
        if pkg is None or pkg.name != self.package or not self._same_check(finding):
            return False
        if self.advisory is not None:
            wanted = self.advisory.casefold()
            if all(a.casefold() != wanted for a in finding.advisories):
                return False
        return self.versions is None or _satisfies(pkg.version, self.versions)

    def _same_check(self, finding: Finding) -> bool:
        # A check that reports several rules (publisher-takeover, maintainer-change, ... under
        # one check) can be ignored as a whole by its id or one rule at a time by the rule name.
        wanted = _canonical_check(self.check)
        rule = finding.details.get("rule")
        return wanted in (_canonical_check(finding.check), rule)

    def expired(self, today: dt.date) -> bool:
        return self.expires is not None and today >= self.expires


@dataclass(frozen=True)
class Policy:
    fail_on: Severity | None = None
    ignores: tuple[Ignore, ...] = ()
    allow_scripts: tuple[str, ...] = ()
    advisories: tuple[Path, ...] = ()
    registry: bool | None = None
    """``False`` turns registry checks off; ``None`` when the file does not say."""
    allowed_hosts: tuple[str, ...] = ()
    path: Path | None = None
    advisory_db_max_age_days: int | None = None
    """Older feed databases are reported as stale (``[advisory-db] max-age-days``)."""
    source: str | None = None
    """Where the policy was read from when that is not ``path`` on disk: ``<ref>:<path>`` for
    the base revision's policy in pull-request mode."""

    @property
    def name(self) -> str | None:
        """How reports name the policy: its source, else its path; ``None`` for no file."""
        return self.source or (str(self.path) if self.path else None)

    def settings(self) -> dict[str, object]:
        """The check knobs this policy sets, keyed ``check-id.knob`` as ScanContext expects."""
        out: dict[str, object] = {}
        if self.allow_scripts:
            out[ALLOW_SCRIPTS_SETTING] = self.allow_scripts
        if self.allowed_hosts:
            out[ALLOWED_HOSTS_SETTING] = self.allowed_hosts
        if self.advisory_db_max_age_days is not None:
            out[MAX_AGE_SETTING] = self.advisory_db_max_age_days
        return out


EMPTY_POLICY = Policy()


def find_policy(start: Path) -> Path | None:
    """``.depscan.toml`` next to ``start`` (a lockfile or its folder), then in each parent up to
    the git work tree's root. Outside a git work tree only ``start``'s own folder is searched, so
    an unrelated policy higher up (a home folder, say) is never picked up by accident."""
    folder = start if start.is_dir() else start.parent
    folder = folder.absolute()
    root = find_git_root(folder)
    for candidate in (folder, *folder.parents):
        policy = candidate / POLICY_FILENAME
        if policy.is_file():
            return policy
        if root is None or candidate == root:
            return None
    return None


def find_git_root(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` that holds ``.git`` (a folder, or a file for
    worktrees and submodules)."""
    start = start.absolute()
    for candidate in (start, *start.parents):
        if (candidate / ".git").exists():
            return candidate
    return None


def load_policy(path: Path) -> Policy:
    """Read and validate a policy file; any problem is a :class:`PolicyError` naming its line."""
    raw = read_file(path, max_bytes=MAX_POLICY_BYTES, error=PolicyError, what="policy file")
    return parse_policy(raw, path)


def parse_policy(raw: bytes, path: Path, source: str | None = None) -> Policy:
    """Validate the policy text ``raw`` of the file at ``path`` (advisory paths are relative to
    its folder). ``source`` names it in messages and reports when it was not read from ``path``
    itself (``origin/main:.depscan.toml``, a file of the base revision)."""
    subject = source or str(path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PolicyError(
            f"cannot read policy file: not UTF-8 text (byte {exc.start})", subject=subject
        ) from None
    data = loads_toml(text, subject=subject, error=PolicyError)
    key_lines = _KeyLines(text)
    try:
        policy = _Reader(path, key_lines).read(data)
    except _Invalid as bad:
        line = key_lines.line_of(bad.where, bad.value)
        raise PolicyError(f"line {line}: {bad.message}", subject=subject) from None
    return replace(policy, source=source) if source else policy


def apply_ignores(
    findings: Sequence[Finding], policy: Policy, today: dt.date
) -> tuple[list[Finding], list[Finding]]:
    """Split findings into (kept, suppressed) by the policy's ignores.

    A finding whose only matching ignores have expired is kept, and its message says which
    ignore expired and why it had been granted, so the reviewer sees it is back on purpose.
    Suppressed findings carry the ignore in ``details["ignored"]`` for reports that list them.
    """
    kept: list[Finding] = []
    suppressed: list[Finding] = []
    for finding in findings:
        matching = [ig for ig in policy.ignores if ig.matches(finding)]
        active = [ig for ig in matching if not ig.expired(today)]
        if active:
            ignore = active[0]
            details = dict(finding.details)
            details["ignored"] = {
                "reason": ignore.reason,
                "expires": ignore.expires.isoformat() if ignore.expires else None,
                "line": ignore.line,
            }
            suppressed.append(replace(finding, details=details))
        elif matching:
            # The latest-expiring one is the most recent decision about this finding.
            ignore = max(matching, key=lambda ig: ig.expires or dt.date.min)
            assert ignore.expires is not None
            expired_on = ignore.expires.isoformat()
            details = dict(finding.details)
            details["ignore-expired"] = expired_on
            message = f"{finding.message} (ignore expired on {expired_on}: {ignore.reason})"
            kept.append(replace(finding, message=message, details=details))
        else:
            kept.append(finding)
    return kept, suppressed


# Two spellings of the install-script check id are in use; an ignore written with either matches.
_CHECK_ALIASES = {"install-script": "install-scripts"}


def _canonical_check(check: str) -> str:
    return _CHECK_ALIASES.get(check, check)


def _satisfies(version: str, versions: str) -> bool:
    import nodesemver

    try:
        return bool(nodesemver.satisfies(version, versions, loose=False))
    except (ValueError, TypeError):
        # Not a semver version (git or tarball sources): an ignore by range cannot vouch for it.
        return False


Where = tuple[str | int, ...]


class _Invalid(Exception):
    def __init__(self, where: Where, message: str, value: str | None = None) -> None:
        super().__init__(message)
        self.where = where
        self.message = message
        self.value = value


class _Reader:
    """Turns parsed TOML into a :class:`Policy`; raises :class:`_Invalid` at the first fault."""

    def __init__(self, path: Path, key_lines: _KeyLines) -> None:
        self.path = path
        self.key_lines = key_lines

    def read(self, data: Mapping[str, Any]) -> Policy:
        _no_unknown_keys(data, _TOP_KEYS, (), "at the top level")
        return Policy(
            fail_on=self._fail_on(data),
            ignores=self._ignores(data),
            allow_scripts=self._allow_scripts(data),
            advisories=self._advisories(data),
            registry=self._registry(data),
            allowed_hosts=self._allowed_hosts(data),
            path=self.path,
            advisory_db_max_age_days=self._max_age(data),
        )

    def _max_age(self, data: Mapping[str, Any]) -> int | None:
        value = _table(data, "advisory-db", _ADVISORY_DB_KEYS).get("max-age-days")
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 3650:
            raise _Invalid(
                ("advisory-db", "max-age-days"),
                f"advisory-db.max-age-days must be a whole number of days from 1 to 3650 "
                f"(got {_show(value)})",
            )
        return value

    def _fail_on(self, data: Mapping[str, Any]) -> Severity | None:
        value = data.get("fail-on")
        if value is None:
            return None
        choices = ", ".join(s.label for s in sorted(Severity, reverse=True))
        if not isinstance(value, str):
            raise _Invalid(("fail-on",), f"fail-on must be one of {choices} (got {_show(value)})")
        try:
            return Severity.parse(value)
        except ValueError:
            raise _Invalid(
                ("fail-on",), f"fail-on must be one of {choices} (got {value!r})"
            ) from None

    def _registry(self, data: Mapping[str, Any]) -> bool | None:
        value = data.get("registry")
        if value is None or isinstance(value, bool):
            return value
        raise _Invalid(("registry",), f"registry must be true or false (got {_show(value)})")

    def _advisories(self, data: Mapping[str, Any]) -> tuple[Path, ...]:
        where: Where = ("advisories",)
        entries = _string_list(data.get("advisories"), where, "advisories", "paths")
        base = self.path.parent
        paths = []
        for entry in entries:
            resolved = base / entry
            if not resolved.exists():
                raise _Invalid(
                    where,
                    f"advisories: {entry!r} does not exist (paths are relative to the "
                    f"policy file's folder: looked for {resolved})",
                    entry,
                )
            paths.append(resolved)
        return tuple(paths)

    def _allow_scripts(self, data: Mapping[str, Any]) -> tuple[str, ...]:
        table = _table(data, "install-scripts", _SCRIPT_KEYS)
        where: Where = ("install-scripts", "allow")
        entries = _string_list(table.get("allow"), where, "install-scripts.allow", "package names")
        for entry in entries:
            _allow_entry(entry.strip(), where)
        return tuple(entry.strip() for entry in entries)

    def _allowed_hosts(self, data: Mapping[str, Any]) -> tuple[str, ...]:
        table = _table(data, "hygiene", _HYGIENE_KEYS)
        where: Where = ("hygiene", "allowed-hosts")
        hosts = _string_list(table.get("allowed-hosts"), where, "hygiene.allowed-hosts", "hosts")
        out = []
        for host in hosts:
            if not _HOST.match(host.lower()):
                raise _Invalid(
                    where,
                    f"hygiene.allowed-hosts: {host!r} is not a host name (write the host only, "
                    "like registry.example.test or mirror.example.test:8443, no scheme or path)",
                    host,
                )
            out.append(host.lower())
        return tuple(out)

    def _ignores(self, data: Mapping[str, Any]) -> tuple[Ignore, ...]:
        value = data.get("ignore")
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise _Invalid(
                ("ignore",), "ignore must be written as [[ignore]] tables (an array of tables)"
            )
        return tuple(self._ignore(entry, n) for n, entry in enumerate(value))

    def _ignore(self, entry: Mapping[str, Any], n: int) -> Ignore:
        label = f"[[ignore]] #{n + 1}"
        _no_unknown_keys(entry, _IGNORE_KEYS, ("ignore", n), f"in {label}")
        for key in ("check", "package", "reason"):
            if key not in entry:
                raise _Invalid(("ignore", n), f"{label} needs a {key!r}")
        check = _nonempty(entry["check"], ("ignore", n, "check"), f"{label}: check")
        if check not in RULES and check not in SUB_RULES and check not in _CHECK_ALIASES:
            known = ", ".join(sorted({*RULES, *SUB_RULES}))
            raise _Invalid(
                ("ignore", n, "check"), f"{label}: unknown check {check!r} (known: {known})"
            )
        package = _nonempty(entry["package"], ("ignore", n, "package"), f"{label}: package")
        _package_name(
            package,
            ("ignore", n, "package"),
            f"{label}: package",
            hint="; put a version range in 'versions'",
        )
        reason = _nonempty(entry["reason"], ("ignore", n, "reason"), f"{label}: reason")
        versions = None
        if "versions" in entry:
            versions = _nonempty(entry["versions"], ("ignore", n, "versions"), f"{label}: versions")
            _version_range(versions, ("ignore", n, "versions"), label)
        advisory = None
        if "advisory" in entry:
            advisory = _nonempty(entry["advisory"], ("ignore", n, "advisory"), f"{label}: advisory")
        expires = None
        if "expires" in entry:
            expires = _date(entry["expires"], ("ignore", n, "expires"), label)
        line = self.key_lines.line_of(("ignore", n))
        return Ignore(check, package, reason, versions, advisory, expires, line)


def _no_unknown_keys(
    table: Mapping[str, Any], allowed: Sequence[str], where: Where, context: str
) -> None:
    for key in table:
        if key not in allowed:
            raise _Invalid(
                (*where, key),
                f"unknown key {key!r} {context} (expected one of: {', '.join(allowed)})",
            )


def _table(data: Mapping[str, Any], name: str, allowed: Sequence[str]) -> Mapping[str, Any]:
    value = data.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _Invalid((name,), f"{name} must be a table ([{name}]), got {_show(value)}")
    _no_unknown_keys(value, allowed, (name,), f"in [{name}]")
    return value


def _string_list(value: object, where: Where, name: str, what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise _Invalid(where, f"{name} must be a list of {what} (got {_show(value)})")
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise _Invalid(where, f"{name} must be a list of non-empty strings (got {_show(item)})")
    return tuple(value)


def _nonempty(value: object, where: Where, name: str) -> str:
    if not isinstance(value, str):
        raise _Invalid(where, f"{name} must be a string (got {_show(value)})")
    if not value.strip():
        raise _Invalid(where, f"{name} must not be empty")
    return value.strip()


def _package_name(
    name: str, where: Where, context: str, value: str | None = None, hint: str = ""
) -> None:
    bad = not name or name == "@" or "@" in name[1:] or any(ch.isspace() for ch in name)
    if bad:
        shown = value or name
        raise _Invalid(
            where,
            f"{context}: {shown!r} is not a package name (like lodash or @scope/pkg{hint})",
            shown,
        )


def _allow_entry(entry: str, where: Where) -> None:
    """``name`` or ``name@range``, the forms the install-script allowlist understands."""
    at = entry.find("@", 1)  # a leading "@" starts a scope
    name, spec = (entry, None) if at == -1 else (entry[:at], entry[at + 1 :])
    _package_name(name, where, "install-scripts.allow", entry)
    if spec is not None:
        _version_range(spec, where, f"install-scripts.allow: {entry!r}", entry)


def _version_range(versions: str, where: Where, label: str, value: str | None = None) -> None:
    import nodesemver

    try:
        nodesemver.make_range(versions, False)
    except (ValueError, TypeError) as exc:
        raise _Invalid(
            where,
            f"{label}: {versions!r} is not a valid version range ({exc})",
            value if value is not None else versions,
        ) from None


def _date(value: object, where: Where, label: str) -> dt.date:
    # tomllib gives datetime for date-times; a datetime is also a date, so test it first.
    if isinstance(value, dt.datetime):
        raise _Invalid(where, f"{label}: expires must be a date like 2030-01-31, not a date-time")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise _Invalid(where, f"{label}: expires must be a date like 2030-01-31 (got {_show(value)})")


def _show(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return f"{type(value).__name__} {value!r}" if isinstance(value, int | float) else str(value)


_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\[\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY_PART = r"""(?:"(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_-]+)"""
_KEY_LINE = re.compile(rf"^\s*({_KEY_PART}(?:\s*\.\s*{_KEY_PART})*)\s*=")
_KEY_SPLIT = re.compile(_KEY_PART)


class _KeyLines:
    """Where each key and table of a TOML text starts, to give semantic errors a line number.

    Handles tables, arrays of tables (``[[ignore]]`` numbered from 0), dotted and quoted keys.
    Keys written inside inline tables are attributed to the line of the key holding them.
    """

    def __init__(self, text: str) -> None:
        self.lines: dict[Where, int] = {}
        self.text_lines = text.splitlines()
        table: Where = ()
        counters: dict[tuple[str, ...], int] = {}
        for number, line in enumerate(self.text_lines, start=1):
            header = _HEADER.match(line)
            if header is not None:
                names = tuple(_parts(header.group(2)))
                if header.group(1) == "[[":
                    index = counters.get(names, -1) + 1
                    counters[names] = index
                    table = (*names, index)
                else:
                    table = names
                self.lines.setdefault(table, number)
                continue
            key = _KEY_LINE.match(line)
            if key is not None:
                self.lines.setdefault((*table, *_parts(key.group(1))), number)

    def line_of(self, where: Where, value: str | None = None) -> int:
        for size in range(len(where), 0, -1):
            line = self.lines.get(where[:size])
            if line is not None:
                return self._value_line(line, value) if size == len(where) else line
        return 1

    def _value_line(self, key_line: int, value: str | None) -> int:
        """The line of ``value`` in a list that may span lines after its key."""
        if value is None:
            return key_line
        quoted = (f'"{value}"', f"'{value}'")
        for number in range(key_line, len(self.text_lines) + 1):
            line = self.text_lines[number - 1]
            if any(q in line for q in quoted):
                return number
            if number > key_line and (_HEADER.match(line) or _KEY_LINE.match(line)):
                break
        return key_line


def _parts(dotted: str) -> list[str]:
    return [p[1:-1] if p[:1] in "\"'" else p for p in _KEY_SPLIT.findall(dotted)]
