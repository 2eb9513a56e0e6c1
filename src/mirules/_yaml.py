"""A line-aware, deliberately small YAML reader for rulesets.

PyYAML composes the document into nodes (which carry line marks); we then build plain values
ourselves, keeping each value's line. Only the JSON-like core is accepted: mappings with
string keys, sequences, strings, numbers, booleans and null. Aliases, merge keys, custom tags
(``!!python/...``) and duplicate keys are errors, so alias bombs and object construction are
impossible by construction.
"""

from __future__ import annotations

import re
from typing import Any

import attrs
import yaml

from ._errors import RulesetError

MAX_YAML_BYTES = 1_000_000
_SAFE_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}


class _Yaml12Loader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 booleans: only true/false, so ``on:`` and ``no`` stay strings."""


_Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


@attrs.frozen
class YScalar:
    value: Any
    line: int


@attrs.frozen
class YSeq:
    items: tuple[YValue, ...]
    line: int


@attrs.frozen
class YMap:
    """A mapping; ``items`` maps each key to (line of the key, value)."""

    items: dict[str, tuple[int, YValue]]
    line: int

    def plain(self) -> dict[str, Any]:
        return {k: to_plain(v) for k, (_, v) in self.items.items()}


YValue = YScalar | YSeq | YMap


def to_plain(value: YValue) -> Any:
    if isinstance(value, YScalar):
        return value.value
    if isinstance(value, YSeq):
        return [to_plain(v) for v in value.items]
    return value.plain()


class _Builder:
    def __init__(self, loader: _Yaml12Loader, filename: str) -> None:
        self.loader = loader
        self.filename = filename
        self.seen: set[int] = set()

    def error(self, node: yaml.Node, message: str) -> RulesetError:
        return RulesetError(message, file=self.filename, line=node.start_mark.line + 1)

    def build(self, node: yaml.Node) -> YValue:
        if id(node) in self.seen:
            raise self.error(node, "YAML aliases (*name) are not allowed in rulesets")
        self.seen.add(id(node))
        line = node.start_mark.line + 1
        if isinstance(node, yaml.ScalarNode):
            if node.tag not in _SAFE_TAGS:
                raise self.error(node, f"YAML tag {node.tag!r} is not allowed in rulesets")
            try:
                value = self.loader.construct_object(node)
            except yaml.YAMLError as exc:
                raise self.error(node, f"bad YAML value: {exc}") from None
            return YScalar(value, line)
        if isinstance(node, yaml.SequenceNode):
            if node.tag != "tag:yaml.org,2002:seq":
                raise self.error(node, f"YAML tag {node.tag!r} is not allowed in rulesets")
            return YSeq(tuple(self.build(item) for item in node.value), line)
        if isinstance(node, yaml.MappingNode):
            if node.tag != "tag:yaml.org,2002:map":
                raise self.error(node, f"YAML tag {node.tag!r} is not allowed in rulesets")
            items: dict[str, tuple[int, YValue]] = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    raise self.error(key_node, "YAML merge keys (<<) are not allowed in rulesets")
                key = self.build(key_node)
                if not isinstance(key, YScalar) or not isinstance(key.value, str):
                    raise self.error(key_node, "mapping keys must be plain strings")
                if key.value in items:
                    raise self.error(key_node, f"duplicate key {key.value!r}")
                items[key.value] = (key.line, self.build(value_node))
            return YMap(items, line)
        raise self.error(node, "unsupported YAML node")  # pragma: no cover


def load_yaml(text: str | bytes, filename: str) -> YValue | None:
    """Parse one YAML document into located values. Raises RulesetError on any problem."""
    if isinstance(text, bytes):
        if len(text) > MAX_YAML_BYTES:
            raise RulesetError(f"file is larger than {MAX_YAML_BYTES} bytes", file=filename)
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise RulesetError(f"not valid UTF-8 at byte {exc.start}", file=filename) from None
    if len(text) > MAX_YAML_BYTES:
        raise RulesetError(f"file is larger than {MAX_YAML_BYTES} bytes", file=filename)
    try:
        loader = _Yaml12Loader(text)
    except yaml.YAMLError as exc:  # e.g. a control character the reader refuses
        raise RulesetError(f"YAML error: {exc}", file=filename) from None
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        return _Builder(loader, filename).build(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or "invalid YAML"
        lines = text.splitlines()
        if mark is not None and mark.line < len(lines) and "\t" in lines[mark.line]:
            problem += " (tabs are not allowed for indentation: use spaces)"
        raise RulesetError(f"YAML error: {problem}", file=filename, line=line) from None
    except yaml.YAMLError as exc:
        raise RulesetError(f"YAML error: {exc}", file=filename) from None
    except RecursionError:
        raise RulesetError("YAML nested too deeply", file=filename) from None
    finally:
        loader.dispose()
