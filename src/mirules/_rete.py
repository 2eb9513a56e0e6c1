"""The ``rete`` matcher (DESIGN §6): durable_rules 2.0.28 used statelessly and defensively.

How it works: every mirules rule becomes one durable_rules rule whose condition is the
rule's ``on`` and ``when`` compiled to durable_rules' JSON form. For each event, features and
event fields travel inside one *fact* (null values left out, so a missing field means null),
posted with a fresh ``id`` under one fixed session id, asserted and immediately retracted.
Facts, unlike events, fire every matching rule; each rule's action records its rule into a
ContextVar, so matches are collected synchronously. Explanations still come from mirules' own
AST evaluator.

Measured hazards of durable_rules 2.0.28 and how each is guarded (tests in tests/test_rete.py):

* live session ids are limited (~1024, then MemoryError and a segfault) and compared by a
  32-bit hash: one fixed sid is used, never one per client;
* a posted *event* fires only the top-priority rule: facts are asserted and retracted;
* an unmatched post raises ``MessageNotHandledException``: it means "no match";
* every ``Host`` starts two never-ending threads and has no ``close()``: our Host subclass
  starts none, and ``close()`` deletes the native ruleset;
* ``set_rulesets`` mutates the dict it is given: it always gets a deep copy;
* an action writing a matching field into session state loops forever: actions never touch
  state, and every condition requires a marker field the state document never has;
* >=512 equality alternatives on one field hang, >64 tests satisfied by one fact raise error
  303, and >255 rules below one node raise error 108 (256 hang): :func:`check_limits`
  refuses such rulesets at compile time with a RulesetError;
* no release imports on Python 3.13; on 3.12 actions emit DeprecationWarnings, which are
  filtered around each call, never globally.
"""

from __future__ import annotations

import contextlib
import contextvars
import copy
import itertools
import json
import sys
import threading
import warnings
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from types import ModuleType
from typing import Any

from ._conditions import (
    And,
    Compare,
    Const,
    IsSet,
    Member,
    Node,
    Not,
    Operand,
    Or,
    Predicate,
    Ref,
    Truthy,
    compile_node,
)
from ._errors import MatcherUnavailable, MirulesError, RulesetError
from ._events import Event
from ._matchers import RuleEnv, RuleMatch
from ._rulesets import Rule, Ruleset

SID = "mirules"
RULESET_NAME = "mirules"
MARKER = "mirules__fact"
MAX_EQUALITY_VALUES = 511  # 512 equality alternatives on one field hang
MAX_SIBLING_TESTS = 64  # 65 tests satisfied by one fact raise error 303
MAX_RULES_PER_CONDITION = 255  # 256 rules below one node hang, 257 raise error 108

_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}
_NEGATE = {"==": "!=", "!=": "==", "<": ">=", "<=": ">", ">": "<=", ">=": "<"}
_OPS = {"!=": "$neq", "<": "$lt", "<=": "$lte", ">": "$gt", ">=": "$gte"}

_collected: contextvars.ContextVar[list[int]] = contextvars.ContextVar("mirules_rete_matches")


class MatcherError(MirulesError):
    """durable_rules failed while matching (its bare errors never escape)."""


def _quiet() -> warnings.catch_warnings[None]:
    """Silence durable_rules' DeprecationWarnings (Python 3.12) for one call only."""
    ctx = warnings.catch_warnings()
    ctx.__enter__()
    warnings.simplefilter("ignore", DeprecationWarning)
    warnings.simplefilter("ignore", SyntaxWarning)
    return ctx


def load_durable() -> tuple[ModuleType, ModuleType]:
    """Import durable_rules, or say how to get it."""
    if sys.version_info >= (3, 13):
        raise MatcherUnavailable(
            "the rete matcher needs durable_rules, which does not support Python 3.13 "
            f"(this is {sys.version.split()[0]}); use matcher='python' or Python 3.11/3.12"
        )
    ctx = _quiet()
    try:
        import durable_rules_engine
        from durable import engine
    except ImportError:
        raise MatcherUnavailable(
            'the rete matcher needs durable_rules: pip install "mirules[rete]"'
        ) from None
    finally:
        ctx.__exit__(None, None, None)
    return engine, durable_rules_engine


# ------------------------------------------------------------------ compiling


def key(ref: Ref) -> str:
    """The fact field of a condition name: features ``f__name``, event fields ``e__name``."""
    return ("e__" if ref.scope == "event" else "f__") + ref.name


def _exists(refs: Sequence[Operand], present: bool = True) -> list[dict[str, Any]]:
    op = "$ex" if present else "$nex"
    return [{op: {key(r): 1}} for r in refs if isinstance(r, Ref)]


def _flat(op: str, tests: list[dict[str, Any]]) -> dict[str, Any]:
    """``{op: tests}`` with nested ``op`` groups inlined and repeated tests dropped: durable_rules
    refuses some nested groups (error 113, found by the differential test)."""
    items: list[dict[str, Any]] = []
    seen: set[str] = set()
    for test in tests:
        for item in test[op] if set(test) == {op} else [test]:
            text = json.dumps(item, sort_keys=True)
            if text not in seen:
                seen.add(text)
                items.append(item)
    return items[0] if len(items) == 1 else {op: items}


def _all(tests: list[dict[str, Any]]) -> dict[str, Any]:
    return _flat("$and", tests)


def _any(tests: list[dict[str, Any]]) -> dict[str, Any]:
    return _flat("$or", tests)


def _test(op: str, field: str, value: Any) -> dict[str, Any]:
    return {field: value} if op == "==" else {_OPS[op]: {field: value}}


def _compare(op: str, left: Operand, right: Operand) -> dict[str, Any]:
    if isinstance(left, Const):  # constants go on the right
        op, left, right = _FLIP[op], right, left
    assert isinstance(left, Ref)
    assert isinstance(right, Const)
    # A missing field must make the comparison false, as in the python matcher.
    return _all([*_exists([left]), _test(op, key(left), right.value)])


class Compiler:
    """Compiles conditions to durable_rules' JSON form, in negation normal form (durable_rules
    has no ``$not``), with the python matcher's null semantics.

    durable_rules cannot compare two fields of the same fact (``{"m": field}`` does not refer to
    the fact being tested; the differential test found ``x != x`` matching). Comparisons of two
    names are therefore evaluated in Python when the fact is built, into a boolean field
    ``d__N``, and the rule tests that field.
    """

    def __init__(self) -> None:
        self.derived: dict[str, Compare] = {}

    def _derived_key(self, node: Compare) -> str:
        for name, known in self.derived.items():
            if known == node:
                return name
        name = f"d__{len(self.derived)}"
        self.derived[name] = node
        return name

    def condition(self, node: Node, negate: bool = False) -> dict[str, Any]:
        if isinstance(node, Not):
            return self.condition(node.item, not negate)
        if isinstance(node, And | Or):
            parts = [self.condition(item, negate) for item in node.items]
            conjunction = isinstance(node, And) != negate
            return _all(parts) if conjunction else _any(parts)
        if isinstance(node, Compare):
            if isinstance(node.left, Ref) and isinstance(node.right, Ref):
                return {self._derived_key(node): not negate}
            if not negate:
                return _compare(node.op, node.left, node.right)
            # not (a op c): a is null, or the opposite comparison holds.
            missing = _exists([node.left, node.right], present=False)
            return _any([*missing, _compare(_NEGATE[node.op], node.left, node.right)])
        if isinstance(node, Member):
            # x in V: x set and equal to one of V; x not in V: x set and equal to none.
            # Under a negation the null case flips to true, as in the python matcher.
            assert isinstance(node.operand, Ref)
            field = key(node.operand)
            values = [c.value for c in node.values]
            if node.negated == negate:
                core = _all([{"$ex": {field: 1}}, _any([{field: v} for v in values])])
            else:
                core = _all([{"$ex": {field: 1}}, *({"$neq": {field: v}} for v in values)])
            return _any([{"$nex": {field: 1}}, core]) if negate else core
        if isinstance(node, IsSet):
            present = node.negated == negate
            return {("$ex" if present else "$nex"): {key(node.operand): 1}}
        assert isinstance(node, Truthy)
        assert isinstance(node.operand, Ref)
        field = key(node.operand)
        if negate:
            return _any([{"$nex": {field: 1}}, {"$neq": {field: True}}])
        return _all([{"$ex": {field: 1}}, {field: True}])

    def rule(self, rule: Rule) -> dict[str, Any]:
        tests: list[dict[str, Any]] = [{"$ex": {MARKER: 1}}]
        tests.append(_any([{"e__type": t} for t in rule.on]))
        if rule.when is not None:
            tests.append(self.condition(rule.when.ast))
        return {"all": [{"m": _all(tests)}]}


def compile_condition(node: Node) -> dict[str, Any]:
    return Compiler().condition(node)


def _atoms(test: Any) -> Iterator[tuple[str, str, Any]]:
    """(operator, field, value) of every leaf test."""
    if not isinstance(test, dict):
        return
    for op, body in test.items():
        if op in ("$and", "$or"):
            for item in body:
                yield from _atoms(item)
        elif op.startswith("$"):
            for field, value in body.items():
                yield op, field, json.dumps(value, sort_keys=True)
        else:
            yield "$eq", op, json.dumps(body, sort_keys=True)


def check_limits(compiled: Mapping[str, tuple[Ruleset, Rule, dict[str, Any]]]) -> None:
    """Refuse, before durable_rules sees them, rulesets beyond its measured limits.

    The sibling count is an approximation of durable_rules' network: it counts the distinct
    comparison tests (not the ``$ex``/``$nex`` guards, which become shared parents) of the rules
    listening to one event type. Should durable_rules still fail at run time, the failure is
    a MatcherError, never a crash.
    """
    atoms_of = {
        name: [a for a in _atoms(d["all"][0]["m"]) if a[1] not in (MARKER, "e__type")]
        for name, (_, _, d) in compiled.items()
    }
    equalities: dict[str, set[str]] = defaultdict(set)
    for name, (ruleset, rule, _) in compiled.items():
        for op, field, value in atoms_of[name]:
            if op == "$eq":
                equalities[field].add(value)
                if len(equalities[field]) > MAX_EQUALITY_VALUES:
                    limit = f"more than {MAX_EQUALITY_VALUES} equality alternatives"
                    raise _limit(ruleset, rule, f"{limit} on {field[3:]!r} (it hangs at 512)")
    per_type: dict[str, set[tuple[str, str, str]]] = defaultdict(set)
    identical: Counter[str] = Counter()
    for name, (ruleset, rule, definition) in compiled.items():
        tests = [a for a in atoms_of[name] if a[0] not in ("$ex", "$nex")]
        for event_type in rule.on:
            per_type[event_type].update(tests)
            if len(per_type[event_type]) > MAX_SIBLING_TESTS:
                raise _limit(ruleset, rule, f"more than {MAX_SIBLING_TESTS} distinct tests for "
                             f"{event_type!r} events; durable_rules fails (error 303) when more "
                             "than 64 of them hold for one event")  # fmt: skip
        text = json.dumps(definition, sort_keys=True)
        identical[text] += 1
        if identical[text] > MAX_RULES_PER_CONDITION:
            raise _limit(ruleset, rule, f"more than {MAX_RULES_PER_CONDITION} rules share this "
                         "exact condition (durable_rules error 108)")  # fmt: skip


def _limit(ruleset: Ruleset, rule: Rule, message: str) -> RulesetError:
    return RulesetError(f"the rete matcher refuses this ruleset: {message}; use matcher='python'",
                        file=ruleset.source, line=rule.line, rule=rule.id, key="when")  # fmt: skip


Compiled = dict[str, tuple[Ruleset, Rule, dict[str, Any]]]


def compile_rulesets(rulesets: Sequence[Ruleset]) -> tuple[Compiled, dict[str, Compare]]:
    """Each rule as ``r<order>`` with its definition, and the derived comparisons."""
    compiler = Compiler()
    compiled: Compiled = {}
    order = 0
    for ruleset in rulesets:
        for rule in ruleset.rules:
            compiled[f"r{order}"] = (ruleset, rule, compiler.rule(rule))
            order += 1
    check_limits(compiled)
    return compiled, compiler.derived


def to_fact(
    event: Event,
    features: Mapping[str, Any],
    fact_id: int,
    derived: Mapping[str, Predicate] | None = None,
) -> dict[str, Any]:
    """One fact: features and event fields, null values left out (missing means null), and
    the derived comparisons of two names."""
    fact: dict[str, Any] = {"id": fact_id, "sid": SID, MARKER: 1, "e__type": event.type}
    for name, value in features.items():
        if value is not None:
            fact["f__" + name] = value
    for name, value in _event_fields(event):
        if value is not None and not isinstance(value, datetime):
            fact["e__" + name] = value
    if derived:
        env = RuleEnv(features, event)
        for name, predicate in derived.items():
            fact[name] = predicate(env)
    return fact


def _event_fields(event: Event) -> Iterator[tuple[str, Any]]:
    import attrs

    for attribute in attrs.fields(type(event)):
        if attribute.name != "extensions":
            yield attribute.name, getattr(event, attribute.name)
    yield from event.extensions.items()


# ------------------------------------------------------------------ the matcher


class ReteMatcher:
    """Matcher on a durable_rules Host owned by this matcher (never the module-level host)."""

    name = "rete"

    def __init__(self, rulesets: Sequence[Ruleset]) -> None:
        engine, native = load_durable()
        self._native = native
        self._message_not_handled = engine.MessageNotHandledException
        compiled, derived = compile_rulesets(rulesets)
        self._derived = {name: compile_node(node) for name, node in derived.items()}
        self._matches = {
            int(name[1:]): RuleMatch(ruleset, rule, int(name[1:]))
            for name, (ruleset, rule, _) in compiled.items()
        }
        #: The JSON definition, kept pristine (durable_rules mutates what it is given).
        self.definition = {name: definition for name, (_, _, definition) in compiled.items()}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._closed = False
        self._host = _quiet_host(engine)
        if not self.definition:
            self._handle = None
            return
        given = copy.deepcopy(self.definition)
        for name in given:
            given[name]["run"] = _recorder(int(name[1:]))
        ctx = _quiet()
        try:
            self._host.set_rulesets({RULESET_NAME: given})
        except Exception as exc:  # durable_rules raises bare Exception subclasses
            raise MatcherError(f"durable_rules refused the compiled rulesets: {exc}") from None
        finally:
            ctx.__exit__(None, None, None)
        self._handle = self._host.get_ruleset(RULESET_NAME)._handle

    def match(self, event: Event, features: Mapping[str, Any]) -> list[RuleMatch]:
        if self._closed:
            raise MatcherError("this rete matcher is closed")
        if self._handle is None:
            return []
        with self._lock:
            fact = to_fact(event, features, next(self._ids), self._derived)
            token = _collected.set([])
            ctx = _quiet()
            try:
                # MessageNotHandledException is durable_rules' way of saying "no match".
                with contextlib.suppress(self._message_not_handled):
                    self._host.assert_fact(RULESET_NAME, fact)
                self._retract(fact)
                found = _collected.get()
            except MirulesError:
                raise
            except Exception as exc:
                raise MatcherError(f"durable_rules failed on event {event.id!r}: {exc}") from None
            finally:
                ctx.__exit__(None, None, None)
                _collected.reset(token)
        return [self._matches[order] for order in sorted(set(found))]

    def _retract(self, fact: dict[str, Any]) -> None:
        with contextlib.suppress(self._message_not_handled):
            self._host.retract_fact(RULESET_NAME, fact)

    def session_state(self) -> dict[str, Any]:
        """The one session's state document (for tests: it must stay tiny)."""
        return dict(self._host.get_state(RULESET_NAME, SID)) if self._handle is not None else {}

    def close(self) -> None:
        """Free the native ruleset. No threads were started, so none are left behind."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            if self._handle is not None:
                self._native.delete_ruleset(self._handle)
                self._handle = None


def _recorder(order: int) -> Any:
    def action(closure: Any) -> None:
        _collected.get().append(order)  # never touches closure.s (session state)

    return action


def _quiet_host(engine: ModuleType) -> Any:
    class QuietHost(engine.Host):  # type: ignore[misc,name-defined]
        """A Host that starts no dispatch threads: mirules never uses timers or queues."""

        def _run(self) -> None:
            return None

    return QuietHost()
