"""Bounded YAML from libyaml's events: what yaml.safe_load gives, with limits."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import yaml

from scanner.errors import LockfileError
from scanner.untrusted_yaml import load_document, load_documents

REPO = Path(__file__).resolve().parents[2]

SAMPLES = [
    "a: 1\nb: [1, 2.5, true, null, ~, 'x', \"y\"]\n",
    "- 2020-01-02\n- 2020-01-02T10:00:00Z\n- !!binary aGVsbG8=\n- !!str 12\n- 0x1f\n- 0o17\n"
    "- 1_000\n- 190:20:30\n- .inf\n- -.Inf\n- .nan\n- yes\n- No\n- on\n",
    "base: &b {x: 1, y: 2}\nd:\n  <<: *b\n  y: 3\n",
    "a: &a {p: 1}\nb: &b {p: 2, q: 2}\nc:\n  <<: [*a, *b]\n  r: 3\n",
    "---\na: 1\n---\nb: 2\n",
    "---\n---\n",
    "",
    "# only a comment\n",
    "? complex\n: value\n",
    "a: |\n  multi\n  line\nb: >\n  folded\n  text\n",
    "x: &s scalar\ny: *s\n",
    "=: v\n",
    "lockfileVersion: '9.0'\n",
    "lockfileVersion: 5.4\n",
    "a: !!float 1\nb: !!int '3'\n",
    "{a: [b, {c: d}]}\n",
    "- - 1\n  - 2\n- {}\n- []\n",
    "dup: 1\ndup: 2\n",
]


def _comparable(value: object) -> object:
    """NaN never equals itself; dict order matters to the readers, so it is compared too."""
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    if isinstance(value, dict):
        return [(k, _comparable(v)) for k, v in value.items()]
    if isinstance(value, list):
        return [_comparable(v) for v in value]
    return value


def _pyyaml(text: str) -> list[object]:
    return [_comparable(d) for d in yaml.load_all(text, Loader=yaml.SafeLoader)]


@pytest.mark.parametrize("text", SAMPLES)
def test_same_values_as_safe_load(text: str) -> None:
    assert [_comparable(d) for d in load_documents(text, subject="t")] == _pyyaml(text)


def test_same_values_as_safe_load_on_every_pnpm_lockfile() -> None:
    paths = sorted((REPO / "tests" / "fixtures" / "lockfiles" / "pnpm").rglob("*.yaml"))
    shared = REPO.parent / "shared" / "corpus" / "pnpm"
    paths += sorted(shared.rglob("pnpm-lock.yaml")) if shared.is_dir() else []
    assert paths
    for path in paths:
        text = path.read_text(encoding="utf-8")
        assert [_comparable(d) for d in load_documents(text, subject=str(path))] == _pyyaml(text)


def test_aliases_share_the_anchored_value_as_pyyaml_does() -> None:
    (doc,) = load_documents("a: &x [1, 2]\nb: *x\n", subject="t")
    assert isinstance(doc, dict) and doc["a"] is doc["b"]


def _laughs(levels: int) -> str:
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def test_billion_laughs_is_refused_by_its_expanded_size() -> None:
    load_documents(_laughs(4), subject="t")  # 9**4 values: fine
    with pytest.raises(LockfileError) as caught:
        load_documents(_laughs(10), subject="pnpm-lock.yaml", error=LockfileError)
    assert "more than 4000000 values (aliases counted expanded)" in caught.value.message
    assert caught.value.subject == "pnpm-lock.yaml"
    with pytest.raises(LockfileError, match="more than 1000 values"):
        load_documents(_laughs(4), subject="t", error=LockfileError, max_nodes=1000)


def test_alias_count_is_capped() -> None:
    text = "a: &a x\nb: [" + ", ".join(["*a"] * 20) + "]\n"
    assert len(load_documents(text, subject="t", max_aliases=20)) == 1
    with pytest.raises(LockfileError, match="more than 19 aliases"):
        load_documents(text, subject="t", error=LockfileError, max_aliases=19)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: &a [*a]\n", "alias *a refers to no anchor before it"),
        ("a: *nowhere\n", "alias *nowhere refers to no anchor"),
        ("a: !!set {x}\n", "unsupported tag 'tag:yaml.org,2002:set'"),
        ("a: !!omap [x: 1]\n", "unsupported tag"),
        ("a: !custom x\n", "unsupported tag '!custom'"),
        ("a: !!python/object:os.system x\n", "unsupported tag"),
        ("a: <<\n", "a << merge key used as a value"),
        ("a:\n  <<: [1, 2]\n", "a << merge needs a mapping"),
        ("a: 1" + "0" * 70 + "\n", "a number of 71 characters"),
        ("a: 1" + "0" * 5000 + "\n", "a number of 5001 characters"),
        ("a: 2020-13-45\n", "month must be in 1..12"),
        ("? [a]\n: b\n", "a mapping key that is a mapping or a list"),
        ("a: " + "[" * 200 + "]" * 200 + "\n", "nested deeper than 128 levels"),
        ("a: " + "[" * 100_000 + "\n", "not valid YAML"),
        ("x: 'unterminated\n", "found unexpected end of stream"),
        ("a:\n\tb: 1\n", "at line 2"),
    ],
)
def test_pathological_yaml_is_one_line_input_error(text: str, expected: str) -> None:
    with pytest.raises(LockfileError) as caught:
        load_documents(text, subject="pnpm-lock.yaml", error=LockfileError)
    assert expected in caught.value.message
    assert "\n" not in caught.value.one_line()
    assert caught.value.one_line().startswith("pnpm-lock.yaml: ")


def test_load_document_is_safe_load() -> None:
    assert load_document("", subject="t") is None
    assert load_document("a: [1]\n", subject="t") == {"a": [1]}
    with pytest.raises(LockfileError, match="expected a single document"):
        load_document("a: 1\n---\nb: 2\n", subject="t", error=LockfileError)


def test_anchors_do_not_cross_documents() -> None:
    with pytest.raises(LockfileError, match="alias"):
        load_documents("a: &x 1\n---\nb: *x\n", subject="t", error=LockfileError)
