"""Rulesets (DESIGN §5): the YAML format, its loader and the checks it runs.

The loader collects every mistake it can find in one pass and raises them together as
:class:`RulesetErrors`; each names the file, line, rule id and key.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import timedelta
from os import PathLike
from pathlib import Path
from typing import Any

import attrs

from ._conditions import Condition, NameType, Ref, guaranteed_set
from ._convert import EventSchema
from ._errors import ConditionError, RulesetError, RulesetErrors, TemplateError
from ._features import FeatureSet
from ._registry import Registry
from ._render import PLACEHOLDERS, Template, may_be_null, parse_template
from ._strategies import (
    ALLOWED_CODES,
    AUDIENCES,
    INDICATORS,
    PROCESSES,
    REFUSED_CODES,
    Strategy,
)
from ._timeutil import format_duration, parse_duration
from ._yaml import YMap, YScalar, YSeq, YValue, load_yaml, to_plain

TOP_KEYS = (
    "ruleset",
    "version",
    "description",
    "extends",
    "drop",
    "defaults",
    "rules",
    "invariants",
)
MAX_EXTENDS_DEPTH = 8
RULE_KEYS = (
    "id",
    "on",
    "when",
    "strategy",
    "process",
    "codes",
    "say",
    "audience",
    "indicator",
    "priority",
    "cooldown",
    "why",
)
DEFAULT_KEYS = ("audience", "cooldown", "priority", "indicator")
INVARIANT_KEYS = ("name", "never")
RULE_ATTRS: Mapping[str, NameType] = {
    "process": NameType("string", (*PROCESSES, "safety")),
    "strategy": NameType("string"),
    "audience": NameType("string", AUDIENCES),
    "indicator": NameType("string", INDICATORS),
    "priority": NameType("number"),
    "rule": NameType("string"),
    "ruleset": NameType("string"),
}
_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,99}$")
BUILTIN_DEFAULTS: Mapping[str, Any] = {
    "audience": "client",
    "cooldown": "24h",
    "priority": 50,
    "indicator": "info",
}


@attrs.frozen
class Rule:
    id: str
    on: tuple[str, ...]
    when: Condition | None
    strategy: str
    process: str
    codes: tuple[str, ...]
    say: tuple[Template, ...]
    audience: str
    indicator: str
    priority: int
    cooldown: timedelta
    why: str
    line: int | None = None

    @property
    def specificity(self) -> int:
        return self.when.specificity if self.when is not None else 0

    def attributes(self, ruleset: str) -> dict[str, Any]:
        """The values invariants may read about this rule."""
        return {
            "process": self.process,
            "strategy": self.strategy,
            "audience": self.audience,
            "indicator": self.indicator,
            "priority": self.priority,
            "rule": self.id,
            "ruleset": ruleset,
        }


@attrs.frozen
class Invariant:
    """``never`` must not hold for any intervention the ruleset emits."""

    name: str
    never: Condition
    line: int | None = None


@attrs.frozen
class Ruleset:
    name: str
    version: str
    description: str
    rules: tuple[Rule, ...]
    invariants: tuple[Invariant, ...] = ()
    source: str = "<memory>"

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)


@attrs.frozen
class LoadContext:
    """What a ruleset is checked against: one engine's features, events and strategies."""

    features: FeatureSet
    events: EventSchema
    strategies: Registry[Strategy]


class _Names:
    """The namespace of one condition: features, ``event.<field>`` of ``on``, rule attributes."""

    def __init__(self, ctx: LoadContext, on: tuple[str, ...], *, rule_attrs: bool) -> None:
        self.ctx = ctx
        self.on = on
        self.rule_attrs = rule_attrs

    def lookup(self, ref: Ref) -> NameType:
        if ref.scope == "rule":
            return RULE_ATTRS[ref.name]
        if ref.scope == "feature":
            feature = self.ctx.features.get(ref.name)
            if feature is None:
                raise ConditionError(f"unknown feature {ref.name!r}", column=ref.column)
            return NameType(feature.kind, feature.choices)
        if not self.on:
            if ref.name == "type":
                return NameType("string", tuple(self.ctx.events.types))
            raise ConditionError(
                f"event.{ref.name}: invariants may read only event.type", column=ref.column
            )
        types = []
        for event_type in self.on:
            ftype = self.ctx.events.field_type(event_type, ref.name)
            if ftype is None:
                raise ConditionError(
                    f"unknown event field event.{ref.name} for event type {event_type!r}",
                    column=ref.column,
                )
            types.append(ftype)
        if any(t.kind != types[0].kind for t in types):
            raise ConditionError(
                f"event.{ref.name} has different types across 'on'", column=ref.column
            )
        if types[0].kind == "timestamp":
            raise ConditionError(
                f"event.{ref.name} is a timestamp; conditions cannot compare timestamps",
                column=ref.column,
            )
        return types[0]


class _Loader:
    def __init__(self, ctx: LoadContext, filename: str, chain: tuple[str, ...] = ()) -> None:
        self.ctx = ctx
        self.file = filename
        self.chain = chain
        self.errors: list[RulesetError] = []

    def err(
        self, message: str, line: int | None, rule: str | None = None, key: str | None = None
    ) -> None:
        self.errors.append(RulesetError(message, file=self.file, line=line, rule=rule, key=key))

    # -- helpers ---------------------------------------------------------------------------
    def scalar(
        self,
        value: YValue,
        types: tuple[type, ...],
        what: str,
        line: int,
        rule: str | None,
        key: str,
    ) -> Any:
        if (
            isinstance(value, YScalar)
            and isinstance(value.value, types)
            and not (bool not in types and isinstance(value.value, bool))
        ):
            return value.value
        got = _yaml_kind(value)
        self.err(f"must be {what}, got {got}", line, rule, key)
        return None

    def string_list(self, value: YValue, line: int, rule: str | None, key: str) -> list[str] | None:
        if isinstance(value, YScalar) and isinstance(value.value, str):
            return [value.value]
        if isinstance(value, YSeq) and all(
            isinstance(v, YScalar) and isinstance(v.value, str) for v in value.items
        ):
            return [v.value for v in value.items if isinstance(v, YScalar)]
        self.err(f"must be a string or a list of strings, got {_yaml_kind(value)}", line, rule, key)
        return None

    def unknown_keys(
        self, mapping: YMap, allowed: Iterable[str], rule: str | None, where: str
    ) -> None:
        allowed = tuple(allowed)
        for key, (line, _) in mapping.items.items():
            if key not in allowed:
                hint = _suggest(key, allowed)
                self.err(
                    f"unknown key in {where}{hint}; allowed: {', '.join(allowed)}", line, rule, key
                )

    # -- the document ----------------------------------------------------------------------
    def load(self, root: YValue | None) -> Ruleset | None:
        if not isinstance(root, YMap):
            self.err(
                "a ruleset must be a YAML mapping with 'ruleset', 'version' and 'rules'",
                root.line if root else 1,
            )
            return None
        self.unknown_keys(root, TOP_KEYS, None, "the ruleset")
        name = self.required_text(root, "ruleset", None)
        if name is not None and not _NAME.match(name):
            self.err(
                "must be lowercase letters, digits, '-', '_' or '.'",
                root.items["ruleset"][0],
                None,
                "ruleset",
            )
        version = self.required_text(root, "version", None)
        description = ""
        if "description" in root.items:
            line, value = root.items["description"]
            description = self.scalar(value, (str,), "a string", line, None, "description") or ""
        defaults = self.defaults(root)
        base = self.base(root)
        if base is not None and name == base.name:
            self.err(
                f"a ruleset cannot extend one with its own name {name!r}",
                root.items["extends"][0],
                None,
                "extends",
            )
        rules = self.rules(root, defaults, base)
        invariants = [*(base.invariants if base else ()), *self.invariants(root)]
        if self.errors or name is None or version is None:
            return None
        if base is not None and not description:
            description = base.description
        return Ruleset(name, version, description, tuple(rules), tuple(invariants), self.file)

    def base(self, root: YMap) -> Ruleset | None:
        """The ruleset named by ``extends``: a path relative to this file, or a name looked
        up beside this file, then among the shipped rulesets."""
        if "extends" not in root.items:
            if "drop" in root.items:
                self.err("'drop' needs 'extends'", root.items["drop"][0], None, "drop")
            return None
        line, value = root.items["extends"]
        target = self.scalar(value, (str,), "a ruleset name or path", line, None, "extends")
        if target is None:
            return None
        path = _resolve_base(target, Path(self.file).parent)
        if path is None:
            self.err(f"cannot find ruleset {target!r} to extend", line, None, "extends")
            return None
        key = str(Path(path).resolve())
        if key in self.chain or len(self.chain) >= MAX_EXTENDS_DEPTH:
            self.err(
                f"'extends' forms a cycle or is nested too deeply at {target!r}",
                line,
                None,
                "extends",
            )
            return None
        try:
            return load_ruleset(path, self.ctx, _chain=(*self.chain, key))
        except RulesetError as exc:
            self.err(f"the base ruleset {target!r} has errors:\n{exc}", line, None, "extends")
            return None

    def required_text(self, mapping: YMap, key: str, rule: str | None) -> str | None:
        if key not in mapping.items:
            self.err(f"required key {key!r} is missing", mapping.line, rule, key)
            return None
        line, value = mapping.items[key]
        if (
            isinstance(value, YScalar)
            and isinstance(value.value, int | float)
            and not isinstance(value.value, bool)
        ):
            self.err(
                f"must be a quoted string (YAML read {value.value!r} as a number)", line, rule, key
            )
            return None
        text = self.scalar(value, (str,), "a string", line, rule, key)
        if text is not None and not text.strip():
            self.err("must not be empty", line, rule, key)
            return None
        return text  # type: ignore[no-any-return]

    def defaults(self, root: YMap) -> dict[str, Any]:
        defaults = dict(BUILTIN_DEFAULTS)
        if "defaults" not in root.items:
            return defaults
        line, value = root.items["defaults"]
        if not isinstance(value, YMap):
            self.err(f"must be a mapping, got {_yaml_kind(value)}", line, None, "defaults")
            return defaults
        self.unknown_keys(value, DEFAULT_KEYS, None, "defaults")
        for key, (_, item) in value.items.items():
            if key in DEFAULT_KEYS:
                defaults[key] = to_plain(item)
        return defaults

    def rules(self, root: YMap, defaults: dict[str, Any], base: Ruleset | None) -> list[Rule]:
        inherited = {rule.id: rule for rule in base.rules} if base else {}
        for rule_id in self.dropped(root, inherited):
            inherited.pop(rule_id, None)
        if "rules" not in root.items:
            if base is None:
                self.err("required key 'rules' is missing", root.line, None, "rules")
            return list(inherited.values())
        line, value = root.items["rules"]
        if not isinstance(value, YSeq) or (not value.items and base is None):
            self.err("must be a non-empty list of rules", line, None, "rules")
            return list(inherited.values())
        own: list[Rule] = []
        seen: dict[str, int] = {}
        for item in value.items:
            override = _inherited(item, inherited)
            rule = self.rule(_merge_rule(override, item) if override else item, defaults)
            if rule is None:
                continue
            if rule.id in seen:
                self.err(
                    f"duplicate rule id (first defined at line {seen[rule.id]})",
                    rule.line,
                    rule.id,
                    "id",
                )
                continue
            seen[rule.id] = rule.line or 0
            if override is not None:
                inherited[rule.id] = rule
            else:
                own.append(rule)
        return [*inherited.values(), *own]

    def dropped(self, root: YMap, inherited: dict[str, Rule]) -> list[str]:
        if "drop" not in root.items:
            return []
        line, value = root.items["drop"]
        ids = self.string_list(value, line, None, "drop") or []
        for rule_id in ids:
            if rule_id not in inherited:
                self.err(f"cannot drop {rule_id!r}: the base has no such rule", line, None, "drop")
        return ids

    def rule(self, item: YValue, defaults: dict[str, Any]) -> Rule | None:
        if not isinstance(item, YMap):
            self.err(f"each rule must be a mapping, got {_yaml_kind(item)}", item.line)
            return None
        before = len(self.errors)
        rule_id = self.required_text(item, "id", None)
        if rule_id is not None and not _NAME.match(rule_id):
            self.err(
                "must be lowercase letters, digits, '-', '_' or '.'",
                item.items["id"][0],
                rule_id,
                "id",
            )
        rid = rule_id or f"<rule at line {item.line}>"
        self.unknown_keys(item, RULE_KEYS, rid, "a rule")
        get = item.items.get

        on = self.on(item, rid)
        strategy = self.strategy(item, rid)
        process = self.choice(
            item, "process", PROCESSES, strategy.process if strategy else None, rid
        )
        audience = self.choice(item, "audience", AUDIENCES, defaults["audience"], rid)
        indicator = self.choice(item, "indicator", INDICATORS, defaults["indicator"], rid)
        if strategy and audience and strategy.audience not in ("any", audience):
            self.err(
                f"strategy {strategy.name!r} is {strategy.audience}-facing only",
                item.line,
                rid,
                "audience",
            )
        priority = self.priority(get("priority"), defaults["priority"], rid)
        cooldown = self.cooldown(get("cooldown"), defaults["cooldown"], rid)
        codes = self.codes(get("codes"), strategy, rid, item.line)
        when = None
        if "when" in item.items:
            line, value = item.items["when"]
            text = self.scalar(value, (str,), "a condition string", line, rid, "when")
            if text is not None and on is not None:
                when = self.condition(
                    text, _Names(self.ctx, tuple(on), rule_attrs=False), line, rid, "when"
                )
        say = self.say(item, strategy, rid, on, when)
        why = ""
        if "why" not in item.items:
            self.err(
                "required key 'why' is missing: every rule needs a rationale", item.line, rid, "why"
            )
        else:
            why = self.required_text(item, "why", rid) or ""
        if len(self.errors) > before or rule_id is None or on is None or strategy is None:
            return None
        assert process is not None
        assert audience is not None
        assert indicator is not None
        assert priority is not None
        assert cooldown is not None
        return Rule(
            rule_id,
            tuple(on),
            when,
            strategy.name,
            process,
            tuple(codes or ()),
            tuple(say),
            audience,
            indicator,
            priority,
            cooldown,
            why,
            item.line,
        )

    def on(self, item: YMap, rid: str) -> list[str] | None:
        if "on" not in item.items:
            self.err("required key 'on' is missing (a list of event types)", item.line, rid, "on")
            return None
        line, value = item.items["on"]
        types = self.string_list(value, line, rid, "on")
        if types is None:
            return None
        if not types:
            self.err("must name at least one event type", line, rid, "on")
            return None
        ok = True
        for name in types:
            if name not in self.ctx.events.types:
                hint = _suggest(name, tuple(self.ctx.events.types))
                self.err(f"unknown event type {name!r}{hint}", line, rid, "on")
                ok = False
        if len(set(types)) != len(types):
            self.err("lists an event type twice", line, rid, "on")
            ok = False
        return types if ok else None

    def strategy(self, item: YMap, rid: str) -> Strategy | None:
        if "strategy" not in item.items:
            self.err("required key 'strategy' is missing", item.line, rid, "strategy")
            return None
        line, value = item.items["strategy"]
        name = self.scalar(value, (str,), "a strategy name", line, rid, "strategy")
        if name is None:
            return None
        strategy = self.ctx.strategies.get(name)
        if strategy is None:
            hint = _suggest(name, self.ctx.strategies.names())
            self.err(f"unknown strategy {name!r}{hint}", line, rid, "strategy")
        return strategy

    def choice(
        self, item: YMap, key: str, allowed: tuple[str, ...], default: Any, rid: str
    ) -> str | None:
        if key not in item.items:
            if default is None or default not in allowed:
                if default is not None:
                    self.err(
                        f"default {default!r} is not one of {', '.join(allowed)}",
                        item.line,
                        rid,
                        key,
                    )
                return None
            return str(default)
        line, value = item.items[key]
        text = self.scalar(value, (str,), "a string", line, rid, key)
        if text is not None and text not in allowed:
            self.err(f"unknown {key} {text!r}; allowed: {', '.join(allowed)}", line, rid, key)
            return None
        return text  # type: ignore[no-any-return]

    def priority(self, entry: tuple[int, YValue] | None, default: Any, rid: str) -> int | None:
        line, value = entry if entry else (None, YScalar(default, 0))
        number = value.value if isinstance(value, YScalar) else None
        if isinstance(number, bool) or not isinstance(number, int) or not 0 <= number <= 100:
            self.err(f"must be an integer 0..100, got {to_plain(value)!r}", line, rid, "priority")
            return None
        return number

    def cooldown(
        self, entry: tuple[int, YValue] | None, default: Any, rid: str
    ) -> timedelta | None:
        line, value = entry if entry else (None, YScalar(default, 0))
        try:
            return parse_duration(value.value if isinstance(value, YScalar) else to_plain(value))
        except (ValueError, TypeError):
            self.err(
                f"bad cooldown {to_plain(value)!r}: use a number with m, h or d (90m, 24h, 3d)",
                line,
                rid,
                "cooldown",
            )
            return None

    def codes(
        self, entry: tuple[int, YValue] | None, strategy: Strategy | None, rid: str, rule_line: int
    ) -> list[str] | None:
        if entry is None:
            if strategy is not None and strategy.codes:
                return list(strategy.codes)
            self.err(
                "required key 'codes' is missing (MITI behaviour codes)", rule_line, rid, "codes"
            )
            return None
        line, value = entry
        codes = self.string_list(value, line, rid, "codes")
        if codes is None:
            return None
        if not codes:
            self.err("must list at least one MITI code", line, rid, "codes")
        for code in codes:
            if code in REFUSED_CODES:
                self.err(f"code {code!r} is refused: {REFUSED_CODES[code]}", line, rid, "codes")
            elif code not in ALLOWED_CODES:
                hint = _suggest(code, ALLOWED_CODES)
                self.err(f"unknown MITI code {code!r}{hint}", line, rid, "codes")
        return codes

    def condition(
        self, text: str, names: _Names, line: int, rid: str | None, key: str
    ) -> Condition | None:
        try:
            return Condition.parse(
                text, names, rule_attrs=frozenset(RULE_ATTRS) if names.rule_attrs else frozenset()
            )
        except ConditionError as exc:
            self.err(f"{exc}: {text!r}" if len(text) < 120 else str(exc), line, rid, key)
            return None

    def say(
        self,
        item: YMap,
        strategy: Strategy | None,
        rid: str,
        on: list[str] | None,
        when: Condition | None,
    ) -> list[Template]:
        if "say" not in item.items:
            if strategy is not None and strategy.composer is None:
                self.err(
                    f"required key 'say' is missing and strategy {strategy.name!r} has no composer",
                    item.line,
                    rid,
                    "say",
                )
            return []
        line, value = item.items["say"]
        variants = self.string_list(value, line, rid, "say")
        if variants is None:
            return []
        if not variants and (strategy is None or strategy.composer is None):
            self.err("is empty and the strategy has no composer", line, rid, "say")
        guaranteed = self.ctx.features.implied(guaranteed_set(when.ast if when else None))
        nullable = {f.name: f.nullable for f in self.ctx.features}
        templates: list[Template] = []
        for index, text in enumerate(variants):
            vline = value.items[index].line if isinstance(value, YSeq) else line
            try:
                template = parse_template(text, vline)
            except TemplateError as exc:
                self.err(f"variant {index + 1}: {exc}", vline, rid, "say")
                continue
            for name in dict.fromkeys(template.placeholders):
                if may_be_null(name, frozenset(on or ()), guaranteed, nullable):
                    guard = PLACEHOLDERS[name].guard
                    self.err(
                        f"variant {index + 1}: placeholder {{{name}}} may be null when this rule "
                        f"fires; add '{guard} is set' to 'when'"
                        + (" or limit 'on' to action events" if name == "action" else ""),
                        vline,
                        rid,
                        "say",
                    )
            templates.append(template)
        return templates

    def invariants(self, root: YMap) -> list[Invariant]:
        if "invariants" not in root.items:
            return []
        line, value = root.items["invariants"]
        if not isinstance(value, YSeq):
            self.err(f"must be a list, got {_yaml_kind(value)}", line, None, "invariants")
            return []
        result: list[Invariant] = []
        for item in value.items:
            if not isinstance(item, YMap):
                self.err(
                    "each invariant must be a mapping with 'name' and 'never'",
                    item.line,
                    None,
                    "invariants",
                )
                continue
            self.unknown_keys(item, INVARIANT_KEYS, None, "an invariant")
            name = self.required_text(item, "name", None)
            never_text = self.required_text(item, "never", None)
            if name is None or never_text is None:
                continue
            cond = self.condition(
                never_text,
                _Names(self.ctx, (), rule_attrs=True),
                item.items["never"][0],
                None,
                "never",
            )
            if cond is not None:
                result.append(Invariant(name, cond, item.line))
        return result


def _yaml_kind(value: YValue) -> str:
    if isinstance(value, YMap):
        return "a mapping"
    if isinstance(value, YSeq):
        return "a list"
    v = value.value
    if v is None:
        return "nothing (null)"
    return {bool: "a boolean", int: "a number", float: "a number", str: "a string"}.get(
        type(v), type(v).__name__
    )


def _suggest(word: str, options: Iterable[str]) -> str:
    import difflib

    close = difflib.get_close_matches(word, list(options), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _inherited(item: YValue, inherited: dict[str, Rule]) -> Rule | None:
    """The inherited rule that ``item`` overrides (same id), if any."""
    if isinstance(item, YMap) and "id" in item.items:
        value = item.items["id"][1]
        if isinstance(value, YScalar) and isinstance(value.value, str):
            return inherited.get(value.value)
    return None


def _resolve_base(target: str, here: Path) -> Path | None:
    candidates = [here / target]
    if not target.endswith((".yaml", ".yml")) and "/" not in target:
        candidates.append(here / f"{target}.yaml")
        from .plugins.rulesets import shipped_rulesets

        shipped = shipped_rulesets().get(target)
        if shipped is not None:
            candidates.append(shipped)
    return next((c for c in candidates if c.is_file()), None)


def _merge_rule(base: Rule, override: YValue) -> YValue:
    """The raw mapping of an inherited rule with the keys ``override`` gives replaced."""
    assert isinstance(override, YMap)
    line = base.line or 0

    def scalars(values: Iterable[str]) -> YSeq:
        return YSeq(tuple(YScalar(v, line) for v in values), line)

    items: dict[str, tuple[int, YValue]] = {
        "id": (line, YScalar(base.id, line)),
        "on": (line, scalars(base.on)),
        "strategy": (line, YScalar(base.strategy, line)),
        "process": (line, YScalar(base.process, line)),
        "codes": (line, scalars(base.codes)),
        "audience": (line, YScalar(base.audience, line)),
        "indicator": (line, YScalar(base.indicator, line)),
        "priority": (line, YScalar(base.priority, line)),
        "cooldown": (line, YScalar(format_duration(base.cooldown), line)),
        "why": (line, YScalar(base.why, line)),
    }
    if base.when is not None:
        items["when"] = (line, YScalar(base.when.source, line))
    if base.say:
        items["say"] = (line, scalars(t.source for t in base.say))
    items.update(override.items)
    return YMap(items, override.line)


def load_ruleset(
    source: str | PathLike[str],
    ctx: LoadContext,
    *,
    text: str | bytes | None = None,
    _chain: tuple[str, ...] = (),
) -> Ruleset:
    """Load and check one ruleset from a file (or from ``text``, reported as ``source``).

    A ruleset may ``extends:`` another (docs/rulesets.md): it inherits the base's rules and
    invariants, overrides rules that reuse an id (only the keys it gives), drops the ids listed
    in ``drop:`` and adds its own rules after the inherited ones.
    """
    filename = str(source)
    if text is None:
        try:
            text = Path(source).read_bytes()
        except OSError as exc:
            raise RulesetError(
                f"cannot read ruleset: {exc.strerror or exc}", file=filename
            ) from None
    loader = _Loader(ctx, filename, _chain or (str(Path(filename).resolve()),))
    ruleset = loader.load(load_yaml(text, filename))
    if loader.errors:
        raise loader.errors[0] if len(loader.errors) == 1 else RulesetErrors(loader.errors)
    assert ruleset is not None
    return ruleset
