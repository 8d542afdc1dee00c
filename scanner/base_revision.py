"""The scanned repository as a git revision holds it: the base of a pull-request scan.

In pull-request mode the working tree is the change author's: under ``pull_request_target`` it can
be anyone's fork. Files that decide what depscan reports (the policy file, yarn's registry
settings) are therefore read from the base revision, the version the maintainers already merged,
with ``git ls-tree`` and ``git cat-file``, never from the checkout. The ref is resolved to a commit
once, so every file of one scan comes from the same commit even if the ref moves meanwhile.

Only regular files are read: a path that is a folder or a submodule at the revision holds no file
(as on disk), and a symbolic link is refused, because following it would read another path of
the revision than the one named (or the checkout's).
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from scanner.errors import DepscanError, UsageError

GIT_TIMEOUT_SECONDS = 60
_SYMLINK_MODE = "120000"


@dataclass(frozen=True, slots=True)
class TreeEntry:
    mode: str
    kind: str
    """``blob``, ``tree`` or ``commit`` (a submodule)."""
    object_id: str
    size: int | None
    """Bytes of a blob; ``None`` for other kinds."""


@dataclass(frozen=True, slots=True)
class BaseRevision:
    """One commit of the repository whose work tree holds the scanned lockfile."""

    ref: str
    """The ref as the user gave it (``origin/main``), for messages."""
    commit: str
    """The commit ``ref`` named when the scan started."""
    root: Path
    """The work tree's top folder, symbolic links resolved."""

    @classmethod
    def open(cls, ref: str, folder: Path) -> BaseRevision:
        """The revision ``ref`` of the git repository holding ``folder``; a :class:`UsageError`
        when ``folder`` is not in a work tree or ``ref`` names no commit there."""
        if ref.startswith("-"):
            raise UsageError("is neither a file nor a git ref", subject=ref)
        top = git(folder, "rev-parse", "--show-toplevel")
        if top.returncode != 0:
            raise UsageError(
                f"is not a file, and {folder} is not in a git repository to read it from",
                subject=ref,
            )
        root = Path(top.stdout.decode().strip()).resolve()
        resolved = git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
        if resolved.returncode != 0:
            raise UsageError("is neither a file nor a git ref of this repository", subject=ref)
        return cls(ref=ref, commit=resolved.stdout.decode().strip(), root=root)

    def relative(self, path: Path) -> str | None:
        """``path`` inside the repository (``/``-separated, ``""`` for the root folder), or
        ``None`` when it lies outside. The folder is resolved, not the file's own name, so a
        symbolic link in the checkout is looked up under its own name."""
        absolute = path.absolute()
        try:
            inside = (absolute.parent.resolve() / absolute.name).relative_to(self.root)
        except ValueError:
            return None
        text = inside.as_posix()
        return "" if text == "." else text

    def holds(self, path: Path) -> bool:
        """Whether ``path`` lies inside the repository (whatever the revision has there)."""
        return self.relative(path) is not None

    def label(self, inside: str) -> str:
        """How reports name a file of the revision: ``<ref>:<path in the repository>``."""
        return f"{self.ref}:{inside}"

    def entries(self, paths: Iterable[str]) -> dict[str, TreeEntry]:
        """The revision's entries at ``paths`` (paths inside the repository), one ``git ls-tree``
        for all of them; paths the revision does not have are left out."""
        wanted = sorted({p for p in paths if p})
        if not wanted:
            return {}
        listed = git(
            self.root, "--literal-pathspecs", "ls-tree", "-z", "-l", "--full-tree",
            self.commit, "--", *wanted,
        )
        if listed.returncode != 0:
            detail = " ".join(listed.stderr.decode(errors="replace").split()) or "failed"
            raise UsageError(f"git ls-tree: {detail}", subject=self.ref)
        found: dict[str, TreeEntry] = {}
        for record in listed.stdout.split(b"\0"):
            if not record:
                continue
            head, _, name = record.partition(b"\t")
            fields = head.decode(errors="replace").split()
            if len(fields) != 4:
                continue
            mode, kind, object_id, size = fields
            path = name.decode("utf-8", errors="surrogateescape")
            if path in wanted:
                length = int(size) if size.isdigit() else None
                found[path] = TreeEntry(mode, kind, object_id, length)
        return found

    def read(
        self,
        inside: str,
        *,
        max_bytes: int,
        error: type[DepscanError],
        what: str,
        entry: TreeEntry | None = None,
    ) -> bytes | None:
        """The bytes of the regular file at ``inside``, ``None`` when the revision has no file
        there (nothing, a folder or a submodule); ``error`` naming ``<ref>:<path>`` for a symbolic
        link, a file over ``max_bytes`` or a failing git. ``entry`` spares the look-up when the
        caller listed it already."""
        if entry is None:
            entry = self.entries([inside]).get(inside)
        if entry is None or entry.kind != "blob":
            return None
        subject = self.label(inside)
        if entry.mode == _SYMLINK_MODE:
            raise error(
                f"is a symbolic link in {self.ref}: depscan reads the {what} from the base "
                "revision only as a regular file",
                subject=subject,
            )
        if entry.size is None or entry.size > max_bytes:
            raise error(f"is larger than the {max_bytes // 1024} kB limit for a {what}",
                        subject=subject)
        shown = git(self.root, "cat-file", "blob", entry.object_id)
        if shown.returncode != 0:
            detail = " ".join(shown.stderr.decode(errors="replace").split()) or "git failed"
            raise error(f"cannot read {what}: {detail}", subject=subject)
        return shown.stdout


def git(cwd: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    """Run git with ``args`` in ``cwd``; git missing or hanging is a :class:`UsageError`."""
    try:
        return subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, timeout=GIT_TIMEOUT_SECONDS, check=False
        )
    except FileNotFoundError:
        raise UsageError("git is not installed: give --base as a lockfile path") from None
    except subprocess.TimeoutExpired:
        raise UsageError(f"git {args[0]} took over {GIT_TIMEOUT_SECONDS} s") from None
