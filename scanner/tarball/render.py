"""What ``depscan diff`` prints: a text summary with git-style unified diffs, or a JSON document.

The text is printed to terminals and CI logs and everything in it comes from the tarballs: names
and notes go through :func:`escape.inline`, the lines of a file that holds a hidden character
through :func:`escape.printable_content` (tabs stay; other control and format characters are shown
as escapes), and the finished text through :func:`escape.defuse_lines` (no line can start a
workflow command).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence

from scanner.reports.escape import defuse_lines, inline, printable_content
from scanner.tarball.compare import FileChange, FileStatus, PackageDiff, PackageSide
from scanner.tarball.textdiff import build_hunks

_NO_NEWLINE = "\\ No newline at end of file"
# Bytes of plain ASCII text: a file made only of these needs no escaping (checked at C speed).
_PLAIN_ASCII = bytes([9, 10, *range(32, 127)])


def _git_blob_id(data: bytes) -> str:
    """The abbreviated object id git prints on ``index`` lines, so output matches git's."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()[:7]


def _label(side: PackageSide) -> str:
    if side.name and side.version:
        return inline(f"{side.name}@{side.version}")
    return inline(side.subject)


def summary_lines(diff: PackageDiff) -> list[str]:
    lines = [f"{_label(diff.old)} -> {_label(diff.new)}"]
    lines.append(f"  {inline(diff.old.integrity_statement)}")
    lines.append(f"  {inline(diff.new.integrity_statement)}")
    for side in (diff.old, diff.new):
        lines.extend(f"  {inline(side.subject)}: {inline(note)}" for note in side.notes)
    files = len(diff.files)
    lines.append(
        f"{files} file{'s' if files != 1 else ''} changed: "
        f"{diff.count(FileStatus.ADDED)} added, {diff.count(FileStatus.REMOVED)} removed, "
        f"{diff.count(FileStatus.MODIFIED)} modified; "
        f"+{diff.added_lines} -{diff.removed_lines} lines"
        + (f" (filtered by {inline(', '.join(diff.filters))})" if diff.filters else "")
    )
    return lines


def _file_header(change: FileChange) -> list[str]:
    path = inline(change.path, limit=None)
    out = [f"diff --git a/{path} b/{path}"]
    mode_line = ""
    if change.status is FileStatus.ADDED:
        out.append(f"new file mode 100{change.new_mode or 0o644:o}")
    elif change.status is FileStatus.REMOVED:
        out.append(f"deleted file mode 100{change.old_mode or 0o644:o}")
    elif change.old_mode != change.new_mode:
        out.append(f"old mode 100{change.old_mode or 0:o}")
        out.append(f"new mode 100{change.new_mode or 0:o}")
    else:
        mode_line = f" 100{change.new_mode or 0o644:o}"
    if change.old_data == change.new_data and change.status is FileStatus.MODIFIED:
        return out  # a mode-only change has no index line and no hunks, as in git
    old_id = _git_blob_id(change.old_data) if change.old_size is not None else "0000000"
    new_id = _git_blob_id(change.new_data) if change.new_size is not None else "0000000"
    out.append(f"index {old_id}..{new_id}{mode_line}")
    return out


def _text_lines(data: bytes) -> tuple[list[str], bool]:
    """Decoded lines and whether the last one ends with a newline.

    Decoding the whole file once and splitting is far faster than decoding line by line, and
    gives the same lines: "\n" never occurs inside a UTF-8 sequence.
    """
    if not data:
        return [], True
    lines = data.decode("utf-8", errors="replace").split("\n")
    if lines[-1] == "":
        lines.pop()
        return lines, True
    return lines, False


def _hunk_lines(change: FileChange, context: int) -> list[str]:
    old, old_eol = _text_lines(change.old_data)
    new, new_eol = _text_lines(change.new_data)
    out: list[str] = []
    for hunk in build_hunks(change.blocks, len(old), len(new), context):
        out.append(hunk.header())
        for tag, start, end in hunk.segments:
            source, final_newline = (new, new_eol) if tag == "+" else (old, old_eol)
            if end > start:
                # One C-level join per run of lines instead of a concatenation per line.
                out.append(tag + ("\n" + tag).join(source[start:end]))
            if end == len(source) and not final_newline:
                out.append(_NO_NEWLINE)
    return out


def render_file(change: FileChange, unified: int = 3) -> list[str]:
    out = _file_header(change)
    if change.status is FileStatus.MODIFIED and change.old_data == change.new_data:
        return out
    path = inline(change.path, limit=None)
    a = "/dev/null" if change.status is FileStatus.ADDED else f"a/{path}"
    b = "/dev/null" if change.status is FileStatus.REMOVED else f"b/{path}"
    if change.binary:
        out.append(f"Binary files {a} and {b} differ")
        return out
    out.append(f"--- {a}")
    out.append(f"+++ {b}")
    hunks = _hunk_lines(change, unified)
    if _may_hide(change.old_data) or _may_hide(change.new_data):
        hunks = [printable_content(text) for text in hunks]
    out.extend(hunks)
    return out


def _may_hide(data: bytes) -> bool:
    """Whether ``data`` may hold a character that must be shown as an escape: any byte outside
    tab, line feed and printable ASCII (a UTF-8 file is then checked character by character)."""
    return bool(data.translate(None, _PLAIN_ASCII))


def render_text(
    diff: PackageDiff,
    unified: int = 3,
    name_only: bool = False,
    verdict: Sequence[str] = (),
) -> str:
    """The ``depscan diff`` text output.

    ``name_only`` prints just the changed paths, one per line, like ``npm diff --diff-name-only``
    so scripts can read it; otherwise a summary, the ``verdict`` lines and git-style unified
    diffs.
    """
    if name_only or diff.name_only:
        return "".join(f"{inline(change.path, limit=None)}\n" for change in diff.files)
    lines = summary_lines(diff)
    lines.extend(verdict)
    for change in diff.files:
        lines.extend(render_file(change, unified))
    return defuse_lines("\n".join(lines) + "\n")


def _side_json(side: PackageSide) -> dict[str, object]:
    return {
        "subject": side.subject,
        "name": side.name,
        "version": side.version,
        "integrity_verified": side.verified,
        "integrity": side.integrity_statement,
        "notes": list(side.notes),
    }


def to_json(
    diff: PackageDiff,
    verdict: Mapping[str, object] | None = None,
    *,
    hunks: bool = False,
    unified: int = 3,
) -> dict[str, object]:
    """A JSON-ready document of the diff; ``hunks`` adds each file's unified-diff lines."""
    files: list[dict[str, object]] = []
    for change in diff.files:
        entry: dict[str, object] = {
            "path": change.path,
            "status": change.status.value,
            "old_size": change.old_size,
            "new_size": change.new_size,
            "old_mode": f"100{change.old_mode:o}" if change.old_mode is not None else None,
            "new_mode": f"100{change.new_mode:o}" if change.new_mode is not None else None,
            "binary": change.binary,
            "added_lines": change.added_lines,
            "removed_lines": change.removed_lines,
        }
        if hunks and not change.binary and not diff.name_only:
            entry["diff"] = _hunk_lines(change, unified)
        files.append(entry)
    return {
        "old": _side_json(diff.old),
        "new": _side_json(diff.new),
        "summary": {
            "files_changed": len(diff.files),
            "added": diff.count(FileStatus.ADDED),
            "removed": diff.count(FileStatus.REMOVED),
            "modified": diff.count(FileStatus.MODIFIED),
            "added_lines": diff.added_lines,
            "removed_lines": diff.removed_lines,
            "filters": list(diff.filters),
        },
        "files": files,
        "verdict": dict(verdict) if verdict is not None else None,
    }
