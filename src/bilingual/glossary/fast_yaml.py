"""Reading glossary YAML fast: PyYAML's C parser, events turned into data that keeps its lines.

The round-trip parser (ruamel.yaml) keeps comments and layout, which `glossary add` needs to
edit a file byte for byte, but costs about 5.7 s and 112 MB per 20,000 entries. Loading only
needs the values and the line of each key and item, so this module walks PyYAML's parse events
(libyaml when it is installed) and builds dicts and lists that answer the same `.lc.key(k)`,
`.lc.item(i)` and `.lc.line` questions as ruamel's nodes. Anything it does not read exactly as
the round-trip parser would (a syntax error, a duplicate key, a tag, a merge key, a timestamp,
several documents, a `%YAML` directive) raises `NotFast`, and the caller parses the file with
ruamel.yaml instead, so messages and values stay those of one parser, YAML 1.2's.
"""

from __future__ import annotations

from typing import Any

__all__ = ["NotFast", "load"]

_STR = "tag:yaml.org,2002:str"
_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"


class NotFast(Exception):
    """The fast reader cannot vouch for this file; parse it with the round-trip parser."""


class _Mapping(dict):
    """A YAML mapping: the 0-based line of the mapping and of each key, in key order."""

    __slots__ = ("key_lines", "line")
    key_lines: list[int]
    line: int

    @property
    def lc(self) -> _MappingLines:
        return _MappingLines(self)


class _Sequence(list):
    """A YAML sequence: the 0-based line of each item, and of the alias an item came through."""

    __slots__ = ("aliases", "item_lines", "line")
    aliases: Any
    item_lines: list[int]
    line: int

    @property
    def lc(self) -> _SequenceLines:
        return _SequenceLines(self)


class _MappingLines:
    __slots__ = ("_node",)

    def __init__(self, node: _Mapping) -> None:
        self._node = node

    @property
    def line(self) -> int:
        return self._node.line

    def key(self, key: Any) -> tuple[int, int]:
        for k, line in zip(self._node, self._node.key_lines, strict=True):
            if k == key and type(k) is type(key):
                return line, 0
        raise KeyError(key)


class _SequenceLines:
    __slots__ = ("_node",)

    def __init__(self, node: _Sequence) -> None:
        self._node = node

    @property
    def line(self) -> int:
        return self._node.line

    def item(self, index: int) -> tuple[int, int]:
        return self._node.item_lines[index], 0


_resolver: Any = None
_resolved_first: frozenset[str] | None = None


def _resolve(value: str) -> Any:
    """A plain scalar's value as YAML 1.2 (ruamel's resolver) reads it; NotFast if unusual."""
    global _resolver, _resolved_first
    if _resolver is None:
        from ruamel.yaml.nodes import ScalarNode
        from ruamel.yaml.resolver import VersionedResolver

        resolver = VersionedResolver()
        _resolver = lambda text: str(resolver.resolve(ScalarNode, text, (True, False)))  # noqa: E731
        try:
            _resolved_first = frozenset(k for k in resolver.versioned_resolver if k)
        except (AttributeError, TypeError):  # another ruamel: ask it about every plain scalar
            _resolved_first = None
    if _resolved_first is not None and value[0] not in _resolved_first:
        return value  # no implicit type starts with this character: a string
    tag = _resolver(value)
    if tag == _STR:
        return value
    if tag == _NULL:
        return None
    if tag == _BOOL:
        return value.lower() == "true"
    digits = value.replace("_", "")
    try:
        if tag == _INT:
            body = digits.lstrip("+-")
            if body[:2].lower() in ("0x", "0o", "0b"):
                return int(digits, 0)
            return int(digits, 10)
        if tag == _FLOAT:
            lowered = digits.lower()
            if lowered.lstrip("+-") in (".inf", ".nan"):
                return float(lowered.replace(".", ""))
            return float(digits)
    except ValueError:
        raise NotFast(value) from None
    raise NotFast(tag)  # timestamps, merge keys and the like


_NO_KEY = object()


def load(text: str) -> Any:
    """The data of one YAML document, containers carrying their lines; NotFast if unsure."""
    import yaml
    from yaml import events

    loader_class = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader
    loader = loader_class(text)
    scalar_event, alias_event = events.ScalarEvent, events.AliasEvent
    mapping_start, sequence_start = events.MappingStartEvent, events.SequenceStartEvent
    mapping_end, sequence_end = events.MappingEndEvent, events.SequenceEndEvent
    document_start, stream_end = events.DocumentStartEvent, events.StreamEndEvent

    # Each frame: [container, pending key (mappings), lines of keys or items, anchor, mapping?].
    stack: list[list[Any]] = []
    anchors: dict[str, Any] = {}
    root: Any = None
    documents = 0

    def add(value: Any, line: int, alias: int | None = None) -> None:
        nonlocal root
        if not stack:
            root = value
            return
        frame = stack[-1]
        container = frame[0]
        if frame[4]:
            key = frame[1]
            if key is _NO_KEY:
                if isinstance(value, (dict, list)) or value in container:
                    raise NotFast("a duplicate or complex key")
                frame[1] = value
                frame[2].append(line)
            else:
                container[key] = value
                frame[1] = _NO_KEY
        else:
            if alias is not None:
                if container.aliases is None:
                    container.aliases = {}
                container.aliases[len(container)] = alias
            container.append(value)
            frame[2].append(line)

    try:
        get = loader.get_event
        while True:
            event = get()
            kind = type(event)
            if kind is scalar_event:
                if event.tag not in (None, "!"):
                    raise NotFast("a tag")
                value = event.value
                if event.implicit[0]:
                    value = _resolve(value) if value else None
                if event.anchor is not None:
                    anchors[event.anchor] = value
                if not stack:
                    add(value, event.start_mark.line)
                    continue
                # add(), inlined: scalars are most events, and always hashable keys.
                frame = stack[-1]
                if frame[4]:
                    key = frame[1]
                    if key is _NO_KEY:
                        if value in frame[0]:
                            raise NotFast("a duplicate key")
                        frame[1] = value
                        frame[2].append(event.start_mark.line)
                    else:
                        frame[0][key] = value
                        frame[1] = _NO_KEY
                else:
                    frame[0].append(value)
                    frame[2].append(event.start_mark.line)
            elif kind is mapping_start or kind is sequence_start:
                if event.tag not in (None, "!"):
                    raise NotFast("a tag")
                node: Any
                if kind is mapping_start:
                    node = _Mapping()
                else:
                    node = _Sequence()
                    node.aliases = None
                node.line = event.start_mark.line
                stack.append([node, _NO_KEY, [], event.anchor, kind is mapping_start])
            elif kind is mapping_end or kind is sequence_end:
                node, _, lines, anchor, _ = stack.pop()
                if kind is mapping_end:
                    node.key_lines = tuple(lines)
                else:
                    node.item_lines = lines
                if anchor is not None:
                    anchors[anchor] = node
                # ruamel gives an item the line of its own start (the anchor's, for an alias).
                add(node, node.line)
            elif kind is alias_event:
                if event.anchor not in anchors:
                    raise NotFast("an alias to an unfinished node")
                value = anchors[event.anchor]
                line = event.start_mark.line
                own = getattr(value, "line", line)
                add(value, own, alias=line)
            elif kind is document_start:
                documents += 1
                if documents > 1 or event.version is not None or event.tags:
                    raise NotFast("several documents or a directive")
            elif kind is stream_end:
                return root
    except yaml.YAMLError:
        raise NotFast("a YAML error") from None
    except RecursionError:
        raise NotFast("too deep") from None
    finally:
        loader.dispose()
