from __future__ import annotations

import random

import pytest

from scanner.tarball.textdiff import (
    EditBlock,
    Hunk,
    build_hunks,
    diff_bytes,
    diff_sequences,
    split_lines,
)


def lcs_length(a: list[int], b: list[int]) -> int:
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0]
        for j, y in enumerate(b):
            current.append(previous[j] + 1 if x == y else max(previous[j + 1], current[j]))
        previous = current
    return previous[-1]


def apply_blocks(a: list[int], b: list[int], blocks: list[EditBlock]) -> list[int]:
    out: list[int] = []
    at = 0
    for block in blocks:
        assert block.old_start >= at
        out += a[at : block.old_start] + b[block.new_start : block.new_end]
        at = block.old_end
    return out + a[at:]


def assert_consistent(a: list[int], b: list[int], blocks: list[EditBlock]) -> None:
    """Blocks are ordered, separated by equal runs, and turn a into b."""
    i = j = 0
    for block in blocks:
        assert block.removed or block.added
        assert block.old_start - i == block.new_start - j
        assert a[i : block.old_start] == b[j : block.new_start]
        i, j = block.old_end, block.new_end
    assert a[i:] == b[j:]
    assert apply_blocks(a, b, blocks) == b


def test_small_random_inputs_give_minimal_diffs() -> None:
    rng = random.Random(7)
    for _ in range(1500):
        alphabet = rng.randint(1, 8)
        a = [rng.randrange(alphabet) for _ in range(rng.randint(0, 25))]
        b = [rng.randrange(alphabet) for _ in range(rng.randint(0, 25))]
        blocks = diff_sequences(a, b)
        assert_consistent(a, b, blocks)
        edits = sum(x.removed + x.added for x in blocks)
        assert edits == len(a) + len(b) - 2 * lcs_length(a, b)


def test_large_inputs_with_scattered_edits_find_exactly_those_edits() -> None:
    rng = random.Random(3)
    a = list(range(60_000))
    b = list(a)
    changed = sorted(rng.sample(range(60_000), 300))
    for index in changed:
        b[index] = -index - 1
    blocks = diff_sequences(a, b)
    assert_consistent(a, b, blocks)
    # Every replaced line is unique, so the anchors pin everything else down.
    assert sum(x.removed for x in blocks) == 300
    assert sum(x.added for x in blocks) == 300


@pytest.mark.parametrize(("old_size", "new_size"), [(30_000, 400), (400, 30_000), (5_000, 5_000)])
def test_large_random_edits_on_unequal_sides_stay_correct(old_size: int, new_size: int) -> None:
    # Mixed unique and repeated lines, so every path (anchors from either side, repeated-line
    # anchors, bounded Myers, whole replacement) is taken somewhere.
    rng = random.Random(old_size * 7 + new_size)

    def line() -> int:
        return rng.randrange(50) if rng.random() < 0.3 else rng.randrange(10**9)

    common = [line() for _ in range(min(old_size, new_size))]
    a = list(common)
    b = list(common)
    for _ in range(abs(old_size - new_size)):
        target = a if old_size > new_size else b
        target.insert(rng.randrange(len(target) + 1), line())
    for _ in range(200):
        b[rng.randrange(len(b))] = line()
    blocks = diff_sequences(a, b)
    assert_consistent(a, b, blocks)
    assert sum(x.removed for x in blocks) - sum(x.added for x in blocks) == len(a) - len(b)


def test_repetitive_input_without_anchors_stays_correct() -> None:
    # Only three distinct lines, in different counts: no line can anchor the diff.
    rng = random.Random(11)
    a = [rng.randrange(3) for _ in range(20_000)]
    b = [rng.randrange(3) for _ in range(19_000)]
    blocks = diff_sequences(a, b)
    assert_consistent(a, b, blocks)


def test_huge_single_lines_compare_as_whole_lines() -> None:
    old = b"var a=" + b"x" * 2_000_000 + b";\n"
    new = b"var a=" + b"x" * 2_000_000 + b"y;\n"
    assert diff_bytes(old, new) == [EditBlock(0, 1, 0, 1)]


def test_last_line_without_newline_differs_from_the_same_text_with_one() -> None:
    assert diff_bytes(b"a\nb", b"a\nb\n") == [EditBlock(1, 2, 1, 2)]
    assert diff_bytes(b"a\nb", b"a\nb") == []


def test_split_lines_records_the_final_newline() -> None:
    assert split_lines(b"a\nb\n").lines == [b"a", b"b"]
    assert split_lines(b"a\nb\n").final_newline
    assert not split_lines(b"a\nb").final_newline
    assert split_lines(b"").lines == []


def numbered(count: int) -> list[int]:
    return list(range(count))


def test_hunk_headers_follow_diff_u_numbering() -> None:
    a = numbered(20)
    b = [*a[:9], 100, *a[10:]]
    (hunk,) = build_hunks(diff_sequences(a, b), len(a), len(b), 3)
    assert hunk.header() == "@@ -7,7 +7,7 @@"
    assert [tag for tag, _ in hunk.lines] == [" ", " ", " ", "-", "+", " ", " ", " "]


def test_changes_closer_than_twice_the_context_share_a_hunk() -> None:
    a = numbered(30)
    b = list(a)
    b[5], b[11] = 100, 101  # 5 equal lines apart: within 2 * 3
    assert len(build_hunks(diff_sequences(a, b), 30, 30, 3)) == 1
    b[11], b[12] = 11, 102  # 6 apart: still merged (git merges up to 2 * context)
    assert len(build_hunks(diff_sequences(a, b), 30, 30, 3)) == 1
    b[12], b[13] = 12, 103  # 7 apart: split
    assert len(build_hunks(diff_sequences(a, b), 30, 30, 3)) == 2


@pytest.mark.parametrize(
    ("a", "b", "header"),
    [
        ([], [1, 2, 3], "@@ -0,0 +1,3 @@"),
        ([1, 2, 3], [], "@@ -1,3 +0,0 @@"),
        ([1], [2], "@@ -1 +1 @@"),
        ([1, 2, 3, 4, 5], [1, 2, 3, 4, 5, 6], "@@ -3,3 +3,4 @@"),
        ([0, 1, 2, 3, 4, 5], [1, 2, 3, 4, 5], "@@ -1,4 +1,3 @@"),
    ],
)
def test_edge_hunks(a: list[int], b: list[int], header: str) -> None:
    (hunk,) = build_hunks(diff_sequences(a, b), len(a), len(b), 3)
    assert hunk.header() == header


def test_zero_context_hunks_hold_only_changes() -> None:
    a = numbered(10)
    b = [*a[:2], 50, *a[3:7], *a[8:]]
    hunks = build_hunks(diff_sequences(a, b), len(a), len(b), 0)
    assert [h.header() for h in hunks] == ["@@ -3 +3 @@", "@@ -8 +7,0 @@"]
    assert isinstance(hunks[0], Hunk)
