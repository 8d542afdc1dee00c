"""A line diff that stays fast on huge and minified files, and unified hunks built from it.

difflib is quadratic on long runs of distinct lines, which bundled JavaScript is full of. Here lines
are interned to ints and the work is split the way git's patience diff does it:

1. the common prefix and suffix of a range are matched and dropped;
2. a small remainder is diffed exactly with Myers' O(ND) greedy algorithm, up to an edit bound;
3. a large remainder, or one Myers gives up on, is cut at the lines that occur exactly once on
   each side (their longest increasing subsequence), and each piece is diffed the same way;
4. a piece with no such anchor that Myers gave up on is reported as replaced whole, which bounds
   the work on pathological input at the cost of a minimal diff.

Blocks are half-open, 0-based line ranges; hunks use diff -u's 1-based numbering.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Hashable, Iterator, Sequence
from dataclasses import dataclass

# Ranges this small are diffed exactly at once: Myers costs at most (N+M)^2 steps there.
_MYERS_ALWAYS_LINES = 64
# A range without unique anchors gets a bounded Myers: its cost grows with D^2 + (N+M)*D.
_MYERS_MAX_LINES = 6_000
_MYERS_MAX_EDITS = 64
_REPEATED_ANCHOR_COUNT = 32


@dataclass(frozen=True, slots=True)
class EditBlock:
    """Old lines ``[old_start, old_end)`` were replaced by new lines ``[new_start, new_end)``."""

    old_start: int
    old_end: int
    new_start: int
    new_end: int

    @property
    def removed(self) -> int:
        return self.old_end - self.old_start

    @property
    def added(self) -> int:
        return self.new_end - self.new_start


@dataclass(frozen=True, slots=True)
class SplitText:
    """A file as lines without their ``\\n``; ``final_newline`` is False when the last lacks one."""

    lines: list[bytes]
    final_newline: bool


def split_lines(data: bytes) -> SplitText:
    lines = data.split(b"\n")
    if lines[-1] == b"":
        lines.pop()
        return SplitText(lines, True)
    return SplitText(lines, False)


def _comparable(text: SplitText) -> list[bytes]:
    """The lines to compare. A last line without "\n" must differ from the same text with one
    (as in diff -u); lines never contain "\n", so appending one makes it unequal to all others."""
    if text.final_newline or not text.lines:
        return text.lines
    return [*text.lines[:-1], text.lines[-1] + b"\n"]


def diff_split(old: SplitText, new: SplitText) -> list[EditBlock]:
    return diff_sequences(_comparable(old), _comparable(new))


def diff_bytes(old: bytes, new: bytes) -> list[EditBlock]:
    return diff_split(split_lines(old), split_lines(new))


def _common_prefix(
    a: Sequence[Hashable], b: Sequence[Hashable], a0: int, b0: int, limit: int
) -> int:
    """Length of the common run starting at a[a0], b[b0] (at most ``limit``).

    Galloping slice comparisons keep the scanning in C: unchanged stretches of huge files are
    skipped in a few list comparisons instead of a Python loop per line.
    """
    if limit <= 0 or a[a0] != b[b0]:
        return 0
    equal, step = 1, 1
    while equal < limit:
        hi = min(equal + step, limit)
        if a[a0 + equal : a0 + hi] != b[b0 + equal : b0 + hi]:
            # The first difference is in [equal, hi): bisect it.
            lo = equal
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if a[a0 + lo : a0 + mid] == b[b0 + lo : b0 + mid]:
                    lo = mid
                else:
                    hi = mid
            return lo if a[a0 + lo] != b[b0 + lo] else lo + 1
        equal = hi
        step *= 2
    return equal


def _common_suffix(
    a: Sequence[Hashable], b: Sequence[Hashable], a1: int, b1: int, limit: int
) -> int:
    """Length of the common run ending just before a[a1], b[b1] (at most ``limit``)."""
    if limit <= 0 or a[a1 - 1] != b[b1 - 1]:
        return 0
    equal, step = 1, 1
    while equal < limit:
        hi = min(equal + step, limit)
        if a[a1 - hi : a1 - equal] != b[b1 - hi : b1 - equal]:
            lo = equal
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if a[a1 - mid : a1 - lo] == b[b1 - mid : b1 - lo]:
                    lo = mid
                else:
                    hi = mid
            return lo if a[a1 - lo - 1] != b[b1 - lo - 1] else lo + 1
        equal = hi
        step *= 2
    return equal


def diff_sequences(a: Sequence[Hashable], b: Sequence[Hashable]) -> list[EditBlock]:
    """Edit blocks turning ``a`` into ``b``, in order, non-overlapping and non-adjacent."""
    blocks: list[EditBlock] = []
    # Ranges still to diff; the leftmost is on top so blocks come out in order.
    pending: list[tuple[int, int, int, int]] = [(0, len(a), 0, len(b))]
    while pending:
        a0, a1, b0, b1 = pending.pop()
        prefix = _common_prefix(a, b, a0, b0, min(a1 - a0, b1 - b0))
        a0 += prefix
        b0 += prefix
        suffix = _common_suffix(a, b, a1, b1, min(a1 - a0, b1 - b0))
        a1 -= suffix
        b1 -= suffix
        if a0 == a1 or b0 == b1:
            if a0 < a1 or b0 < b1:
                _append(blocks, EditBlock(a0, a1, b0, b1))
            continue
        size = (a1 - a0) + (b1 - b0)
        if size <= _MYERS_ALWAYS_LINES:
            if set(a[a0:a1]).isdisjoint(b[b0:b1]):
                # Nothing in common (typical of rewritten code): Myers would only confirm it.
                _append(blocks, EditBlock(a0, a1, b0, b1))
                continue
            exact = _myers(a, b, a0, a1, b0, b1, size)
            if exact is not None:  # pragma: no branch - an unbounded Myers always finishes
                for block in exact:
                    _append(blocks, block)
                continue
        counts_a = Counter(a[a0:a1])
        counts_b = Counter(b[b0:b1])
        anchors = _anchors(a, b, a0, a1, b0, b1, counts_a, counts_b, 1) or _anchors(
            a, b, a0, a1, b0, b1, counts_a, counts_b, _REPEATED_ANCHOR_COUNT
        )
        if anchors:
            pieces: list[tuple[int, int, int, int]] = []
            prev_a, prev_b = a0, b0
            for i, j in anchors:
                # Most anchors follow each other directly; only the gaps between them need work.
                if i != prev_a or j != prev_b:
                    pieces.append((prev_a, i, prev_b, j))
                prev_a, prev_b = i + 1, j + 1
            if prev_a != a1 or prev_b != b1:
                pieces.append((prev_a, a1, prev_b, b1))
            pending.extend(reversed(pieces))
            continue
        bounded = None
        # At most the multiset intersection can match, so at least size - 2 * common lines are
        # edits: skip a Myers run that is bound to give up.
        common = sum((counts_a & counts_b).values())
        if size <= _MYERS_MAX_LINES and size - 2 * common <= _MYERS_MAX_EDITS:
            bounded = _myers(a, b, a0, a1, b0, b1, _MYERS_MAX_EDITS)
        if bounded is None:
            _append(blocks, EditBlock(a0, a1, b0, b1))
            continue
        for block in bounded:
            _append(blocks, block)
    return blocks


def _append(blocks: list[EditBlock], block: EditBlock) -> None:
    """Add ``block``, merging it into the previous one when they touch."""
    if blocks:
        last = blocks[-1]
        if last.old_end == block.old_start and last.new_end == block.new_start:
            blocks[-1] = EditBlock(last.old_start, block.old_end, last.new_start, block.new_end)
            return
    blocks.append(block)


def _anchors(
    a: Sequence[Hashable],
    b: Sequence[Hashable],
    a0: int,
    a1: int,
    b0: int,
    b1: int,
    counts_a: Counter[Hashable],
    counts_b: Counter[Hashable],
    max_count: int,
) -> list[tuple[int, int]]:
    """Matching line pairs to cut the ranges at, as a longest chain increasing on both sides.

    With ``max_count == 1`` these are the lines unique on both sides (patience diff). A range
    made of repeated lines has none, so the fallback pairs the k-th occurrence on each side of
    lines that occur equally often, at most ``max_count`` times, on both.
    """
    if max_count == 1:
        if a1 - a0 > b1 - b0:
            # Walk the shorter side in Python; the chain is the same seen from either side.
            swapped = _unique_pairs(b, a, b0, b1, a0, a1, counts_b, counts_a)
            return [(i, j) for j, i in _longest_increasing(swapped)]
        return _longest_increasing(_unique_pairs(a, b, a0, a1, b0, b1, counts_a, counts_b))
    # Intersecting the key views runs in C; only lines present on both sides are looked at.
    chosen = {
        v for v in counts_a.keys() & counts_b.keys() if counts_a[v] == counts_b[v] <= max_count
    }
    if not chosen:
        return []
    occurrences: dict[Hashable, list[int]] = {}
    for j, v in enumerate(b[b0:b1], b0):
        if v in chosen:
            occurrences.setdefault(v, []).append(j)
    taken: Counter[Hashable] = Counter()
    repeated_pairs: list[tuple[int, int]] = []
    for i, v in enumerate(a[a0:a1], a0):
        if v in chosen:
            repeated_pairs.append((i, occurrences[v][taken[v]]))
            taken[v] += 1
    return _longest_increasing(repeated_pairs)


def _unique_pairs(
    a: Sequence[Hashable],
    b: Sequence[Hashable],
    a0: int,
    a1: int,
    b0: int,
    b1: int,
    counts_a: Counter[Hashable],
    counts_b: Counter[Hashable],
) -> list[tuple[int, int]]:
    """(i, j) for every line occurring once in a[a0:a1] and once in b[b0:b1], in order of i."""
    # Built in C; exact for the lines kept below since each occurs once on this side.
    where_in_b = dict(zip(b[b0:b1], range(b0, b1), strict=True))
    get_b = counts_b.get
    return [
        (i, where_in_b[v]) for i, v in enumerate(a[a0:a1], a0) if counts_a[v] == 1 and get_b(v) == 1
    ]


def _longest_increasing(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Longest subsequence of ``pairs`` (sorted by i) whose j increase, by patience sorting."""
    partners = [j for _, j in pairs]
    if partners == sorted(partners):
        return pairs  # nothing moved: the common case, checked in C
    tails: list[int] = []  # tails[k]: smallest j ending an increasing chain of length k+1
    tail_index: list[int] = []
    back: list[int] = []
    for index, (_, j) in enumerate(pairs):
        k = bisect_left(tails, j)
        back.append(tail_index[k - 1] if k else -1)
        if k == len(tails):
            tails.append(j)
            tail_index.append(index)
        else:
            tails[k] = j
            tail_index[k] = index
    chain: list[tuple[int, int]] = []
    at = tail_index[-1] if tail_index else -1
    while at >= 0:
        chain.append(pairs[at])
        at = back[at]
    chain.reverse()
    return chain


def _myers(
    a: Sequence[Hashable],
    b: Sequence[Hashable],
    a0: int,
    a1: int,
    b0: int,
    b1: int,
    max_edits: int,
) -> list[EditBlock] | None:
    """A minimal diff of the two ranges, or None when it needs more than ``max_edits`` edits."""
    n, m = a1 - a0, b1 - b0
    limit = min(max_edits, n + m)
    offset = limit + 1
    furthest = [0] * (2 * limit + 3)
    history: list[list[int]] = []
    for d in range(limit + 1):
        history.append(furthest[:])
        for k in range(-d, d + 1, 2):
            if k == -d or (k != d and furthest[offset + k - 1] < furthest[offset + k + 1]):
                x = furthest[offset + k + 1]
            else:
                x = furthest[offset + k - 1] + 1
            y = x - k
            while x < n and y < m and a[a0 + x] == b[b0 + y]:
                x += 1
                y += 1
            furthest[offset + k] = x
            if x >= n and y >= m:
                return _myers_blocks(history, offset, d, n, m, a0, b0)
    return None


def _myers_blocks(
    history: list[list[int]], offset: int, edits: int, n: int, m: int, a0: int, b0: int
) -> list[EditBlock]:
    """Walk the recorded frontier back from (n, m) and turn the path's gaps into blocks."""
    matches: list[tuple[int, int, int]] = []  # (x, y, length) diagonal runs, collected backwards
    x, y = n, m
    for d in range(edits, 0, -1):
        before = history[d]
        k = x - y
        if k == -d or (k != d and before[offset + k - 1] < before[offset + k + 1]):
            prev_k = k + 1
            prev_x = before[offset + prev_k]
            mid_x = prev_x
        else:
            prev_k = k - 1
            prev_x = before[offset + prev_k]
            mid_x = prev_x + 1
        if x > mid_x:
            matches.append((mid_x, mid_x - k, x - mid_x))
        x, y = prev_x, prev_x - prev_k
    if x > 0:
        matches.append((0, 0, x))
    matches.reverse()
    blocks: list[EditBlock] = []
    at_x = at_y = 0
    for mx, my, length in matches:
        if mx > at_x or my > at_y:
            blocks.append(EditBlock(a0 + at_x, a0 + mx, b0 + at_y, b0 + my))
        at_x, at_y = mx + length, my + length
    if at_x < n or at_y < m:
        blocks.append(EditBlock(a0 + at_x, a0 + n, b0 + at_y, b0 + m))
    return blocks


@dataclass(frozen=True, slots=True)
class Hunk:
    old_start: int
    """1-based first old line; for an empty old side, the line before the insertion (diff -u)."""
    old_count: int
    new_start: int
    new_count: int
    segments: tuple[tuple[str, int, int], ...]
    """Runs of lines in order: (``" "``, ``"-"`` or ``"+"``, start, end). Context and removed
    runs index the old lines, added runs the new lines (0-based, half-open)."""

    def header(self) -> str:
        old = _range(self.old_start, self.old_count)
        new = _range(self.new_start, self.new_count)
        return f"@@ -{old} +{new} @@"

    @property
    def lines(self) -> list[tuple[str, int]]:
        """One (tag, 0-based index) per line of the hunk."""
        return [(tag, i) for tag, start, end in self.segments for i in range(start, end)]


def _range(start: int, count: int) -> str:
    return str(start) if count == 1 else f"{start},{count}"


def group_blocks(blocks: Sequence[EditBlock], context: int) -> Iterator[list[EditBlock]]:
    """Blocks close enough to share a hunk: separated by at most ``2 * context`` equal lines."""
    group: list[EditBlock] = []
    for block in blocks:
        if group and block.old_start - group[-1].old_end > 2 * context:
            yield group
            group = []
        group.append(block)
    if group:
        yield group


def build_hunks(
    blocks: Sequence[EditBlock], old_len: int, new_len: int, context: int
) -> list[Hunk]:
    """Unified-diff hunks with ``context`` equal lines around each group of blocks."""
    hunks: list[Hunk] = []
    for group in group_blocks(blocks, context):
        first, last = group[0], group[-1]
        old_lo = max(0, first.old_start - context)
        new_lo = first.new_start - (first.old_start - old_lo)
        old_hi = min(old_len, last.old_end + context)
        new_hi = min(new_len, last.new_end + (old_hi - last.old_end))
        segments: list[tuple[str, int, int]] = []
        at_old = old_lo
        for block in group:
            if block.old_start > at_old:
                segments.append((" ", at_old, block.old_start))
            if block.old_end > block.old_start:
                segments.append(("-", block.old_start, block.old_end))
            if block.new_end > block.new_start:
                segments.append(("+", block.new_start, block.new_end))
            at_old = block.old_end
        if old_hi > at_old:
            segments.append((" ", at_old, old_hi))
        old_count, new_count = old_hi - old_lo, new_hi - new_lo
        hunks.append(
            Hunk(
                old_lo + 1 if old_count else old_lo,
                old_count,
                new_lo + 1 if new_count else new_lo,
                new_count,
                tuple(segments),
            )
        )
    return hunks
