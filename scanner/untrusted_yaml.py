"""Reading YAML an attacker may have written (pnpm-lock.yaml, pnpm-workspace.yaml), bounded.

PyYAML's loaders compose a node graph for the whole document (hundreds of bytes per value) and
expand nothing, so an alias bomb ("billion laughs") loads in a blink and then hands every later
stage an exponentially large tree. Here the values are built straight from libyaml's event
stream instead, with what the YAML spec and ``yaml.safe_load`` give (the same implicit types via
PyYAML's resolver, the same scalar constructors, ``<<`` merge keys), and with limits checked as
each value is built:

- nesting depth (libyaml itself stops at 1,000);
- the number of values, counting each alias as the size of what it points to, so an alias bomb
  is refused after at most :data:`MAX_NODES` values whatever it claims to expand to;
- the number of aliases;
- numbers of more than :data:`~scanner.untrusted.MAX_NUMBER_DIGITS` characters.

Collection tags other than the default ones (``!!set``, ``!!omap``, application tags) and
recursive aliases are refused: no lockfile format writes them. Built from events, documents load
about twice as fast as with ``CSafeLoader`` and need only the memory of the values themselves.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scanner.errors import DepscanError
from scanner.memory_ceiling import OUT_OF_MEMORY
from scanner.untrusted import MAX_JSON_DEPTH, MAX_NUMBER_DIGITS

if TYPE_CHECKING:
    from collections.abc import Callable

MAX_NODES = 4_000_000
"""Values in one file, aliases counted expanded. pnpm writes about 10 per lockfile line; the
largest real lockfile seen (200 kB, 756 packages) has about 20,000."""
MAX_ALIASES = 1_000
"""pnpm never writes anchors or aliases; a hand-written pnpm-workspace.yaml may use a few."""

_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_MERGE = "tag:yaml.org,2002:merge"
_VALUE = "tag:yaml.org,2002:value"
_NUMBERS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
_SCALAR_TAGS = frozenset(
    {
        "tag:yaml.org,2002:null",
        "tag:yaml.org,2002:bool",
        *_NUMBERS,
        "tag:yaml.org,2002:binary",
        "tag:yaml.org,2002:timestamp",
    }
)


class _Refused(Exception):
    """A limit or rule of this reader was hit; carries the message and the line."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


class _Open:
    """A mapping or sequence whose end event has not come yet."""

    __slots__ = ("anchor", "key", "merges", "pending", "start", "value")

    def __init__(self, value: dict[Any, Any] | list[Any], anchor: str | None, start: int) -> None:
        self.value = value
        self.anchor = anchor
        self.start = start
        """The node count when it opened: its size, for aliases, is the count at its end less
        this."""
        self.pending = False
        """A mapping that has read a key and waits for its value."""
        self.key: object = None
        self.merges: list[dict[Any, Any]] = []


def load_documents(
    text: str,
    *,
    subject: str,
    error: type[DepscanError] = DepscanError,
    max_nodes: int = MAX_NODES,
    max_aliases: int = MAX_ALIASES,
    max_depth: int = MAX_JSON_DEPTH,
) -> list[object]:
    """Every document of a YAML stream, as ``yaml.safe_load_all`` would give them, bounded.

    Anything malformed, over a limit or not representable raises ``error`` with one line:
    ``not valid YAML at line N: <what>``.
    """
    import yaml  # only callers with a YAML file pay for the import

    try:
        return _Builder(yaml, max_nodes, max_aliases, max_depth).run(text)
    except _Refused as refused:
        where = f" at line {refused.line}" if refused.line is not None else ""
        raise error(f"not valid YAML{where}: {refused.message}", subject=subject) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or " ".join(str(exc).split())
        raise error(f"not valid YAML{where}: {problem}", subject=subject) from None
    except RecursionError:
        raise error(f"YAML nested deeper than {max_depth} levels", subject=subject) from None
    except (ValueError, TypeError, OverflowError) as exc:
        reason = " ".join(str(exc).split())[:200]
        raise error(f"not valid YAML: {reason}", subject=subject) from None
    except MemoryError:
        raise error(f"YAML {OUT_OF_MEMORY}", subject=subject) from None


def load_document(
    text: str, *, subject: str, error: type[DepscanError] = DepscanError
) -> object:
    """The one document of a YAML file (``None`` for an empty file), like ``yaml.safe_load``."""
    documents = load_documents(text, subject=subject, error=error)
    if len(documents) > 1:
        raise error("not valid YAML: expected a single document, found several", subject=subject)
    return documents[0] if documents else None


class _Builder:
    def __init__(self, yaml: Any, max_nodes: int, max_aliases: int, max_depth: int) -> None:
        from yaml.constructor import SafeConstructor
        from yaml.nodes import ScalarNode
        from yaml.resolver import Resolver

        self._yaml = yaml
        self._events = yaml.events
        self._resolve: Callable[..., str] = Resolver().resolve
        self._constructor = SafeConstructor()
        self._scalar_node = ScalarNode
        self._max_nodes = max_nodes
        self._max_aliases = max_aliases
        self._max_depth = max_depth
        self._nodes = 0
        self._aliases = 0
        self._anchors: dict[str, tuple[object, int]] = {}

    def run(self, text: str) -> list[object]:
        loader_class = getattr(self._yaml, "CSafeLoader", None) or self._yaml.SafeLoader
        loader = loader_class(text)
        try:
            return self._documents(loader.check_event, loader.get_event)
        finally:
            loader.dispose()

    def _documents(self, more: Callable[[], bool], next_event: Callable[[], Any]) -> list[object]:
        events = self._events
        scalar_event, alias_event = events.ScalarEvent, events.AliasEvent
        mapping_start, sequence_start = events.MappingStartEvent, events.SequenceStartEvent
        collection_end = (events.MappingEndEvent, events.SequenceEndEvent)
        document_start = events.DocumentStartEvent
        anchors = self._anchors
        max_nodes = self._max_nodes
        documents: list[object] = []
        stack: list[_Open] = []
        while more():
            event = next_event()
            kind = type(event)
            if kind is scalar_event:
                value = self._scalar(event)
                self._nodes += 1
                if event.anchor is not None:
                    anchors[event.anchor] = (value, 1)
            elif kind is mapping_start or kind is sequence_start:
                self._check_collection_tag(event, _MAP if kind is mapping_start else _SEQ)
                if len(stack) >= self._max_depth:
                    raise _Refused(f"nested deeper than {self._max_depth} levels", _line(event))
                self._nodes += 1
                container: dict[Any, Any] | list[Any] = {} if kind is mapping_start else []
                if event.anchor is not None:
                    anchors[event.anchor] = (_STILL_OPEN, 0)
                stack.append(_Open(container, event.anchor, self._nodes))
                continue
            elif kind in collection_end:
                closed = stack.pop()
                value = _merged(closed) if closed.merges else closed.value
                if closed.anchor is not None:
                    anchors[closed.anchor] = (value, self._nodes - closed.start + 1)
            elif kind is alias_event:
                value = self._alias(event)
            elif kind is document_start:
                documents.append(None)
                anchors.clear()  # anchors do not cross documents
                continue
            else:  # stream start/end, document end
                continue
            if self._nodes > max_nodes:
                raise _Refused(
                    f"more than {max_nodes} values (aliases counted expanded)", _line(event)
                )
            if not stack:
                if value is _MERGE_KEY:
                    raise _Refused("a << merge key outside a mapping", _line(event))
                documents[-1] = value
            else:
                _add(stack[-1], value, event)
        return documents

    def _alias(self, event: Any) -> object:
        self._aliases += 1
        if self._aliases > self._max_aliases:
            raise _Refused(f"more than {self._max_aliases} aliases", _line(event))
        found = self._anchors.get(event.anchor)
        if found is None or found[0] is _STILL_OPEN:
            raise _Refused(
                f"alias *{event.anchor} refers to no anchor before it (or to its own parent)",
                _line(event),
            )
        value, size = found
        self._nodes += size
        return value

    def _scalar(self, event: Any) -> object:
        value: str = event.value
        tag = event.tag
        if tag is None or tag == "!":
            tag = self._resolve(self._scalar_node, value, event.implicit)
        if tag in (_STR, _VALUE):
            return value
        if tag == _MERGE:
            return _MERGE_KEY
        if tag not in _SCALAR_TAGS:
            raise _Refused(f"unsupported tag {tag!r}", _line(event))
        if tag in _NUMBERS and len(value) > MAX_NUMBER_DIGITS:
            raise _Refused(f"a number of {len(value)} characters", _line(event))
        construct = self._constructor.yaml_constructors[tag]
        return construct(self._constructor, self._scalar_node(tag, value))

    @staticmethod
    def _check_collection_tag(event: Any, default: str) -> None:
        tag = event.tag
        if tag is not None and tag != "!" and tag != default:
            raise _Refused(f"unsupported tag {tag!r}", _line(event))


class _Marker:
    """A value that never leaves this module."""


_MERGE_KEY = _Marker()
"""The ``<<`` key: its value's entries are merged into the mapping it appears in."""
_STILL_OPEN = _Marker()
"""The anchor of a collection being built: an alias to it would make a cycle."""


def _add(parent: _Open, value: object, event: Any) -> None:
    container = parent.value
    if value is _MERGE_KEY and (isinstance(container, list) or parent.pending):
        raise _Refused("a << merge key used as a value", _line(event))
    if isinstance(container, list):
        container.append(value)
    elif not parent.pending:
        parent.key = value
        parent.pending = True
    else:
        parent.pending = False
        key = parent.key
        if key is _MERGE_KEY:
            parent.merges.extend(_merge_sources(value, event))
            return
        try:
            container[key] = value
        except TypeError:
            raise _Refused("a mapping key that is a mapping or a list", _line(event)) from None


def _merge_sources(value: object, event: Any) -> list[dict[Any, Any]]:
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list) and all(isinstance(item, dict) for item in value):
        # Earlier mappings in a merge list win, as in PyYAML: apply them last.
        return list(reversed(value))
    raise _Refused("a << merge needs a mapping or a list of mappings", _line(event))


def _merged(closed: _Open) -> dict[Any, Any]:
    """Merged entries first, then the mapping's own, which win (PyYAML's flatten_mapping)."""
    result: dict[Any, Any] = {}
    for source in closed.merges:
        result.update(source)
    result.update(closed.value)
    return result


def _line(event: Any) -> int | None:
    mark = getattr(event, "start_mark", None)
    return mark.line + 1 if mark is not None else None
