"""Which policy file a pull-request scan obeys, and the finding when the change edits it.

Against a git ref (``--base REF``, the Action on pull requests, the pre-commit hook) the working
tree is the change author's, so a ``.depscan.toml`` read from it would let a pull request ignore
its own malicious package, raise ``fail-on``, turn registry checks off or allow its own host. The
policy is therefore read from the base revision: the nearest ``.depscan.toml`` at or above the
lockfile's folder, up to the repository's root, as that revision has it. When the change adds,
edits or removes the policy that applies to the lockfile, one ``policy-change`` finding (medium)
says so and names the policy the scan obeyed: the change needs a reviewer, and what it asks for
applies once it is merged.

Two choices keep the head's file: ``--trust-head-policy`` (``DEPSCAN_TRUST_HEAD_POLICY``, the
Action's ``trust-head-policy`` input), and a file given with ``--policy``, which is read as given
(the Action's ``policy`` input, a path in the checkout, is a repository file: read at the base).
A policy change is reported either way.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from scanner.errors import PolicyError
from scanner.model import Finding, Severity
from scanner.policy import (
    EMPTY_POLICY,
    MAX_POLICY_BYTES,
    POLICY_FILENAME,
    Policy,
    find_policy,
    load_policy,
    parse_policy,
)
from scanner.untrusted import read_file

if TYPE_CHECKING:
    from scanner.base_revision import BaseRevision
    from scanner.scan import ScanOptions

CHECK_ID = "policy-change"
SEVERITY = Severity.MEDIUM
"""Not high: the scan already obeyed the base's policy, so whatever the change would hide is
reported and fails as before; the change itself needs a reviewer's eyes, not a failed job."""


class PolicyOrigin(StrEnum):
    BASE = "base"
    """The base revision's file (the default in pull-request mode)."""
    HEAD = "head"
    """The change's file, with ``--trust-head-policy``."""
    GIVEN = "given"
    """The file named with ``--policy``, read as given."""


@dataclass(frozen=True, slots=True)
class _Side:
    """The policy file one side of the change applies to the lockfile."""

    inside: str
    """Its path in the repository."""
    data: bytes | None
    """Its bytes; ``None`` when the head's could not be read (which counts as a change)."""


@dataclass(frozen=True, slots=True)
class PolicyChoice:
    policy: Policy
    change: Finding | None
    """The ``policy-change`` finding when the change adds, edits or removes the policy."""


def origin(options: ScanOptions, revision: BaseRevision) -> PolicyOrigin:
    """Which side's policy file a scan obeys: a file named by the user is read as given, unless
    it is one the Action names inside the repository (which the change can write)."""
    given = options.policy_path
    if given is not None and (
        not options.policy_in_repository or revision.relative(given.absolute()) is None
    ):
        return PolicyOrigin.GIVEN
    return PolicyOrigin.HEAD if options.trust_head_policy else PolicyOrigin.BASE


def choose_policy(
    options: ScanOptions, project_dir: Path, revision: BaseRevision
) -> PolicyChoice:
    """The policy a scan of the lockfiles in ``project_dir`` against ``revision`` obeys."""
    if not options.use_policy:
        return PolicyChoice(EMPTY_POLICY, None)
    used = origin(options, revision)
    given = options.policy_path.absolute() if options.policy_path is not None else None
    head_path = given if given is not None else find_policy(project_dir)
    base = _base_side(revision, project_dir, given)
    head = _head_side(revision, head_path)
    if used is PolicyOrigin.BASE:
        policy = _base_policy(revision, base)
    elif head_path is not None:
        policy = load_policy(head_path)  # as given: a missing file is the usual error
    else:
        policy = EMPTY_POLICY
    return PolicyChoice(policy, _change_finding(revision, base, head, used, policy))


def _base_side(revision: BaseRevision, project_dir: Path, given: Path | None) -> _Side | None:
    if given is not None:
        candidates = [inside] if (inside := revision.relative(given)) is not None else []
    else:
        folder = revision.relative(project_dir.absolute() / POLICY_FILENAME)
        candidates = _upwards(folder) if folder is not None else []
    entries = revision.entries(candidates)
    for inside in candidates:  # nearest first
        entry = entries.get(inside)
        data = revision.read(
            inside, max_bytes=MAX_POLICY_BYTES, error=PolicyError, what="policy file", entry=entry
        )
        if data is not None:
            return _Side(inside, data)
    return None


def _upwards(policy_inside: str) -> list[str]:
    """``a/b/.depscan.toml`` -> ``[a/b/.depscan.toml, a/.depscan.toml, .depscan.toml]``."""
    folders = policy_inside.split("/")[:-1]
    return [
        "/".join([*folders[:depth], POLICY_FILENAME]) for depth in range(len(folders), -1, -1)
    ]


def _head_side(revision: BaseRevision, path: Path | None) -> _Side | None:
    if path is None or not path.is_file():
        return None
    inside = revision.relative(path)
    if inside is None:
        return None  # outside the repository: no change can touch it
    try:
        data: bytes | None = read_file(
            path, max_bytes=MAX_POLICY_BYTES, error=PolicyError, what="policy file"
        )
    except PolicyError:
        data = None
    return _Side(inside, data)


def _base_policy(revision: BaseRevision, base: _Side | None) -> Policy:
    if base is None or base.data is None:
        return EMPTY_POLICY
    return parse_policy(base.data, revision.root / base.inside, revision.label(base.inside))


def _change_finding(
    revision: BaseRevision,
    base: _Side | None,
    head: _Side | None,
    used: PolicyOrigin,
    policy: Policy,
) -> Finding | None:
    if base is None and head is None:
        return None
    if base is not None and head is not None and base.inside == head.inside:
        if base.data == head.data:
            return None
        verb, changed = "modifies", head
    elif head is not None and (base is None or _depth(head) > _depth(base)):
        verb, changed = "adds", head
    else:
        assert base is not None
        verb, changed = "removes", base
    kind = {"adds": "added", "modifies": "modified", "removes": "removed"}[verb]
    used_text = _what_was_used(revision, used, policy)
    message = f"this change {verb} the policy file {changed.inside}: {used_text}"
    return Finding(
        check=CHECK_ID,
        severity=SEVERITY,
        message=message,
        lockfile=_shown_path(revision.root / changed.inside),
        details={
            "policy_file": changed.inside,
            "change": kind,
            "policy_used": policy.name,
            "policy_origin": str(used),
            "base": revision.ref,
        },
    )


def _what_was_used(revision: BaseRevision, used: PolicyOrigin, policy: Policy) -> str:
    if used is PolicyOrigin.BASE:
        obeyed = (
            f"this scan obeyed the base's policy ({policy.name})"
            if policy.name
            else f"this scan obeyed no policy, as the base ({revision.ref}) has none"
        )
        return (
            f"{obeyed}, not the change's; what the change asks for (ignores, fail-on, hosts, "
            "install scripts, registry checks) applies once it is merged, so review it "
            "(--trust-head-policy obeys the change's file)"
        )
    how = "--trust-head-policy" if used is PolicyOrigin.HEAD else "--policy"
    obeyed = "the change's version" if policy.name else "no policy"
    return (
        f"this scan obeyed {obeyed} ({how}), so its ignores and settings are the change "
        "author's: review it"
    )


def _depth(side: _Side) -> int:
    return side.inside.count("/")


def _shown_path(path: Path) -> str:
    """The path relative to the working folder when it is under it, as lockfiles are shown."""
    try:
        return str(path.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
