from __future__ import annotations

from pathlib import Path

from scanner.behaviour.model import Capability
from scanner.behaviour.signals import SIGNAL_MODULES, all_signals

DOC = Path(__file__).resolve().parents[3] / "docs" / "behaviour.md"


def test_every_capability_has_exactly_one_signal() -> None:
    owners = [c for spec in all_signals() for c in spec.capabilities]
    assert sorted(owners) == sorted(Capability)


def test_every_signal_documents_itself() -> None:
    assert len(all_signals()) == len(SIGNAL_MODULES)
    for spec in all_signals():
        assert spec.title and spec.id
        for section in ("Detects", "Why", "Ignores"):
            assert section in spec.doc, (spec.id, section)


def test_docs_name_every_signal_and_capability() -> None:
    text = DOC.read_text()
    for spec in all_signals():
        assert f"`{spec.id}`" in text, spec.id
    for capability in Capability:
        assert capability.value in text, capability
