"""Typosquat names (scanner/verdict/similar_names.py)."""

from __future__ import annotations

import pytest

from scanner.verdict.similar_names import edit_distance, popular_names, similar_popular_name


@pytest.mark.parametrize(
    ("name", "imitates"),
    [
        ("lodahs", "lodash"),  # swapped neighbours
        ("expresss", "express"),  # inserted
        ("axois", "axios"),
        ("@types/nod", "@types/node"),  # deleted, same scope
        ("chalkk", "chalk"),
    ],
)
def test_one_or_two_edits_from_a_popular_name(name: str, imitates: str) -> None:
    assert imitates in popular_names()
    assert similar_popular_name(name) == imitates


def test_popular_names_short_names_and_scope_changes_are_not_squats() -> None:
    assert similar_popular_name("lodash") is None
    assert similar_popular_name("mz") is None  # one edit from ms, but short names collide
    assert similar_popular_name("babel-core") != "@babel/core"


def test_edit_distance_counts_a_swap_as_one_edit_and_stops_early() -> None:
    assert edit_distance("lodahs", "lodash", 2) == 1
    assert edit_distance("kitten", "sitting", 3) == 3
    assert edit_distance("abcdefgh", "zyxwvuts", 2) == 3
