"""Every file analysed by the behaviour tests is analysed twice: with the pre-filter (what the
test sees) and without it, and the two must agree (tests/behaviour/equivalence.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from scanner.behaviour import analyse as analyse_module

from .equivalence import differences


@pytest.fixture
def single_analysis() -> None:
    """For tests that count parses or walks: each file is analysed once, as in the product."""


@pytest.fixture(autouse=True)
def _pre_filter_agrees_with_the_full_analysis(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    if "single_analysis" in request.fixturenames:
        yield
        return
    real = analyse_module._analyse

    def checked(*args: object, prefilter: bool = True) -> analyse_module.FileAnalysis:
        result = real(*args, prefilter=prefilter)  # type: ignore[arg-type]
        if prefilter:
            full = real(*args, prefilter=False)  # type: ignore[arg-type]
            found = differences(result, full)
            assert not found, found
        return result

    monkeypatch.setattr(analyse_module, "_analyse", checked)
    analyse_module._memo.clear()
    yield
    analyse_module._memo.clear()
