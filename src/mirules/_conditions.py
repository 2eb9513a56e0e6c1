"""The condition language of DESIGN §5: tokenizer, recursive-descent parser, type checker,
compiler to closures, and the explaining evaluator. Nothing here calls ``eval``.

Grammar::

    expr     := and_expr ("or" and_expr)*
    and_expr := not_expr ("and" not_expr)*
    not_expr := "not" not_expr | atom
    atom     := "(" expr ")" | test
    test     := operand (CMP operand | "in" list | "not" "in" list | "is" ["not"] "set")?
    operand  := NAME | "event." NAME | NUMBER | STRING | "true" | "false"
    list     := "[" [literal ("," literal)*] "]"

Semantics: a comparison or membership test with a ``null`` operand is false; ``is set``
tests for non-null; ``not`` negates the result of its operand (so ``not (x > 1)`` is true when
``x`` is null). A bare operand must be boolean and means ``operand == true``.
"""

from __future__ import annotations

import json
import operator
import re
from collections.abc import Callable, Mapping
from typing import Any, Literal, Protocol

import attrs

from ._errors import ConditionError
from ._model import ConditionResult

MAX_CONDITION_LENGTH = 4000
MAX_DEPTH = 50

# ---------------------------------------------------------------- tokens

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<number>\d+(?:\.\d+)?)
  | (?P<string>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?)
  | (?P<op>==|!=|<=|>=|<|>)
  | (?P<punct>[()\[\],-])
    """,
    re.VERBOSE,
)
KEYWORDS = frozenset({"and", "or", "not", "in", "is", "set", "true", "false", "null", "none"})


@attrs.frozen
class Token:
    kind: str
    text: str
    column: int


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            char = text[pos]
            hint = " (use == to compare)" if char == "=" else ""
            if char in "\"'":
                raise ConditionError("unterminated string", column=pos + 1)
            raise ConditionError(f"unexpected character {char!r}{hint}", column=pos + 1)
        kind = match.lastgroup
        assert kind is not None
        if kind != "ws":
            word = match.group(0)
            if (kind == "name" and word in KEYWORDS) or kind == "punct":
                kind = word
            tokens.append(Token(kind, word, pos + 1))
        pos = match.end()
    tokens.append(Token("end", "", len(text) + 1))
    return tokens


# ---------------------------------------------------------------- AST

Kind = Literal["number", "string", "bool", "timestamp", "any"]
Scope = Literal["feature", "event", "rule"]
CompareOp = Literal["==", "!=", "<", "<=", ">", ">="]


@attrs.frozen
class Ref:
    """A name read from the environment: a feature, ``event.<field>``, or a rule attribute."""

    name: str
    column: int
    scope: Scope = "feature"

    @property
    def label(self) -> str:
        return f"event.{self.name}" if self.scope == "event" else self.name


@attrs.frozen
class Const:
    value: float | int | str | bool
    column: int


Operand = Ref | Const


@attrs.frozen
class Compare:
    op: CompareOp
    left: Operand
    right: Operand


@attrs.frozen
class Member:
    operand: Operand
    values: tuple[Const, ...]
    negated: bool = False


@attrs.frozen
class IsSet:
    operand: Ref
    negated: bool = False


@attrs.frozen
class Truthy:
    operand: Operand


@attrs.frozen
class And:
    items: tuple[Node, ...]


@attrs.frozen
class Or:
    items: tuple[Node, ...]


@attrs.frozen
class Not:
    item: Node


Atom = Compare | Member | IsSet | Truthy
Node = Atom | And | Or | Not


# ---------------------------------------------------------------- parser


class _Parser:
    def __init__(self, text: str, rule_attrs: frozenset[str]) -> None:
        self.tokens = tokenize(text)
        self.pos = 0
        self.depth = 0
        self.rule_attrs = rule_attrs

    @property
    def tok(self) -> Token:
        return self.tokens[self.pos]

    def take(self, kind: str | None = None) -> Token:
        tok = self.tok
        if kind is not None and tok.kind != kind:
            raise self.error(f"expected {_describe(kind)}")
        self.pos += 1
        return tok

    def error(self, message: str) -> ConditionError:
        found = "end of condition" if self.tok.kind == "end" else repr(self.tok.text)
        return ConditionError(f"{message}, found {found}", column=self.tok.column)

    def parse(self) -> Node:
        if self.tok.kind == "end":
            raise ConditionError("empty condition", column=1)
        node = self.expr()
        if self.tok.kind != "end":
            raise self.error("expected 'and', 'or' or the end of the condition")
        return node

    def expr(self) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ConditionError(
                f"condition nested deeper than {MAX_DEPTH} levels", column=self.tok.column
            )
        items = [self.and_expr()]
        while self.tok.kind == "or":
            self.take()
            items.append(self.and_expr())
        self.depth -= 1
        return items[0] if len(items) == 1 else Or(tuple(items))

    def and_expr(self) -> Node:
        items = [self.not_expr()]
        while self.tok.kind == "and":
            self.take()
            items.append(self.not_expr())
        return items[0] if len(items) == 1 else And(tuple(items))

    def not_expr(self) -> Node:
        if self.tok.kind == "not":
            self.take()
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise ConditionError(
                    f"condition nested deeper than {MAX_DEPTH} levels", column=self.tok.column
                )
            negated = Not(self.not_expr())
            self.depth -= 1
            return negated
        if self.tok.kind == "(":
            self.take()
            node = self.expr()
            self.take(")")
            return node
        return self.test()

    def test(self) -> Node:
        left = self.operand()
        kind = self.tok.kind
        if kind == "op":
            op = self.take().text
            return Compare(op, left, self.operand())  # type: ignore[arg-type]
        if kind == "in":
            self.take()
            return Member(left, self.literal_list())
        if kind == "not" and self.tokens[self.pos + 1].kind == "in":
            self.pos += 2
            return Member(left, self.literal_list(), negated=True)
        if kind == "is":
            self.take()
            negated = self.tok.kind == "not"
            if negated:
                self.take()
            if self.tok.kind != "set":
                raise self.error("expected 'set' after 'is'" + (" not" if negated else ""))
            self.take()
            if not isinstance(left, Ref):
                raise ConditionError("'is set' needs a name on its left", column=left.column)
            return IsSet(left, negated)
        return Truthy(left)

    def operand(self) -> Operand:
        tok = self.tok
        if tok.kind == "name":
            self.take()
            if "." in tok.text:
                scope, _, field = tok.text.partition(".")
                if scope != "event":
                    raise ConditionError(
                        f"{tok.text!r}: only event.<field> may contain a dot", column=tok.column
                    )
                return Ref(field, tok.column, "event")
            scope_name: Scope = "rule" if tok.text in self.rule_attrs else "feature"
            return Ref(tok.text, tok.column, scope_name)
        if tok.kind in ("null", "none"):
            raise ConditionError(
                "null is not a value here: write 'x is set' or 'x is not set'", column=tok.column
            )
        return self.literal()

    def literal(self) -> Const:
        tok = self.tok
        if tok.kind == "-":
            self.take()
            number = self.take("number")
            return Const(-_number(number.text), tok.column)
        if tok.kind == "number":
            self.take()
            return Const(_number(tok.text), tok.column)
        if tok.kind == "string":
            self.take()
            return Const(_unquote(tok), tok.column)
        if tok.kind in ("true", "false"):
            self.take()
            return Const(tok.kind == "true", tok.column)
        raise self.error("expected a name, a number, a quoted string, true or false")

    def literal_list(self) -> tuple[Const, ...]:
        self.take("[")
        values: list[Const] = []
        if self.tok.kind != "]":
            values.append(self.literal())
            while self.tok.kind == ",":
                self.take()
                values.append(self.literal())
        self.take("]")
        if not values:
            raise ConditionError("an 'in' list must not be empty", column=self.tok.column)
        return tuple(values)


def _describe(kind: str) -> str:
    return {"end": "the end of the condition", "number": "a number"}.get(kind, repr(kind))


def _number(text: str) -> int | float:
    return float(text) if "." in text else int(text)


def _unquote(tok: Token) -> str:
    body = tok.text[1:-1]
    out: list[str] = []
    chars = iter(body)
    for char in chars:
        if char == "\\":
            nxt = next(chars, "")
            if nxt not in ("\\", '"', "'"):
                raise ConditionError(f"unknown escape '\\{nxt}' in string", column=tok.column)
            out.append(nxt)
        else:
            out.append(char)
    return "".join(out)


# ---------------------------------------------------------------- types


@attrs.frozen
class NameType:
    kind: Kind
    choices: tuple[str, ...] = ()


class Namespace(Protocol):
    """What a condition may read, with types. ``lookup`` raises ConditionError for unknown names."""

    def lookup(self, ref: Ref) -> NameType: ...


def _const_kind(value: object) -> Kind:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    return "string"


def _kind_of(operand: Operand, names: Namespace) -> NameType:
    if isinstance(operand, Const):
        return NameType(_const_kind(operand.value))
    return names.lookup(operand)


def _check_choice(ref_type: NameType, const: Operand, label: str) -> None:
    if isinstance(const, Const) and ref_type.choices and const.value not in ref_type.choices:
        raise ConditionError(
            f"{label} is one of {', '.join(ref_type.choices)}; {const.value!r} can never match",
            column=const.column,
        )


def _label(operand: Operand) -> str:
    return operand.label if isinstance(operand, Ref) else json.dumps(operand.value)


def typecheck(node: Node, names: Namespace) -> None:
    """Raise ConditionError for unknown names and type mismatches."""
    if isinstance(node, And | Or):
        for item in node.items:
            typecheck(item, names)
    elif isinstance(node, Not):
        typecheck(node.item, names)
    elif isinstance(node, Compare):
        left, right = _kind_of(node.left, names), _kind_of(node.right, names)
        if isinstance(node.left, Const) and isinstance(node.right, Const):
            raise ConditionError("comparison of two constants", column=node.left.column)
        if "any" not in (left.kind, right.kind) and left.kind != right.kind:
            raise ConditionError(
                f"type mismatch: {_label(node.left)} is a {left.kind}, "
                f"{_label(node.right)} is a {right.kind}",
                column=node.right.column,
            )
        if (
            node.op not in ("==", "!=")
            and "number" not in (left.kind, right.kind)
            and "any" not in (left.kind, right.kind)
        ):
            raise ConditionError(
                f"'{node.op}' compares numbers only, not {left.kind}s", column=node.left.column
            )
        _check_choice(left, node.right, _label(node.left))
        _check_choice(right, node.left, _label(node.right))
    elif isinstance(node, Member):
        kind = _kind_of(node.operand, names)
        if isinstance(node.operand, Const):
            raise ConditionError("'in' needs a name on its left", column=node.operand.column)
        for const in node.values:
            ckind = _const_kind(const.value)
            if kind.kind != "any" and ckind != kind.kind:
                raise ConditionError(
                    f"type mismatch: {_label(node.operand)} is a {kind.kind}, "
                    f"{json.dumps(const.value)} is a {ckind}",
                    column=const.column,
                )
            _check_choice(kind, const, _label(node.operand))
    elif isinstance(node, IsSet):
        names.lookup(node.operand)
    elif isinstance(node, Truthy):
        kind = _kind_of(node.operand, names)
        if kind.kind not in ("bool", "any"):
            raise ConditionError(
                f"{_label(node.operand)} is a {kind.kind}, not a boolean: "
                "compare it with something",
                column=node.operand.column,
            )


# ---------------------------------------------------------------- evaluation


class Env(Protocol):
    """The values a condition reads. ``features`` is read directly on the hot path."""

    @property
    def features(self) -> Mapping[str, Any]: ...

    def get(self, ref: Ref) -> Any: ...


@attrs.frozen
class MappingEnv:
    """An environment over plain mappings: features, event fields, rule attributes."""

    features: Mapping[str, Any]
    event: Mapping[str, Any] = attrs.field(factory=dict)
    rule: Mapping[str, Any] = attrs.field(factory=dict)

    def get(self, ref: Ref) -> Any:
        source = (
            self.features
            if ref.scope == "feature"
            else self.event
            if ref.scope == "event"
            else self.rule
        )
        return source.get(ref.name)


_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}

Getter = Callable[[Env], Any]
Predicate = Callable[[Env], bool]


def _getter(operand: Operand) -> Getter:
    if isinstance(operand, Const):
        value = operand.value
        return lambda env: value
    if operand.scope == "feature":
        name = operand.name
        return lambda env: env.features.get(name)
    return lambda env: env.get(operand)


def _same_kind(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool)
    if isinstance(a, int | float):
        return isinstance(b, int | float)
    return type(a) is type(b)


def _compare(op: Callable[[Any, Any], bool], a: Any, b: Any) -> bool:
    # null, or a value of an unexpected type at run time, makes a comparison false.
    if a is None or b is None or not _same_kind(a, b):
        return False
    return bool(op(a, b))


def _member(value: Any, values: tuple[Any, ...]) -> bool:
    return any(_compare(operator.eq, value, v) for v in values)


def _kinds_like(value: object) -> tuple[type, ...]:
    """The run-time types a value compares with (bool is not a number here)."""
    if isinstance(value, bool):
        return (bool,)
    if isinstance(value, int | float):
        return (int, float)
    return (type(value),)


def _compare_const(
    op: Callable[[Any, Any], bool], get: Getter, const: Any, flipped: bool
) -> Predicate:
    """A comparison of a name with a constant: the hot path, specialised."""
    kinds = _kinds_like(const)
    if flipped:
        return lambda env: type(v := get(env)) in kinds and op(const, v)
    return lambda env: type(v := get(env)) in kinds and op(v, const)


def _all_of(parts: list[Predicate]) -> Predicate:
    if len(parts) == 2:
        first, second = parts
        return lambda env: first(env) and second(env)
    return lambda env: all(p(env) for p in parts)


def _any_of(parts: list[Predicate]) -> Predicate:
    if len(parts) == 2:
        first, second = parts
        return lambda env: first(env) or second(env)
    return lambda env: any(p(env) for p in parts)


def compile_node(node: Node) -> Predicate:
    """Compile an AST to a closure ``env -> bool`` (the python matcher's fast path)."""
    if isinstance(node, And):
        return _all_of([compile_node(item) for item in node.items])
    if isinstance(node, Or):
        return _any_of([compile_node(item) for item in node.items])
    if isinstance(node, Not):
        inner = compile_node(node.item)
        return lambda env: not inner(env)
    if isinstance(node, Compare):
        op = _OPS[node.op]
        if isinstance(node.right, Const):
            return _compare_const(op, _getter(node.left), node.right.value, flipped=False)
        if isinstance(node.left, Const):
            return _compare_const(op, _getter(node.right), node.left.value, flipped=True)
        left, right = _getter(node.left), _getter(node.right)
        return lambda env: _compare(op, left(env), right(env))
    if isinstance(node, Member):
        get, values = _getter(node.operand), tuple(c.value for c in node.values)
        if node.negated:
            return lambda env: (v := get(env)) is not None and not _member(v, values)
        return lambda env: _member(get(env), values)
    if isinstance(node, IsSet):
        get = _getter(node.operand)
        if node.negated:
            return lambda env: get(env) is None
        return lambda env: get(env) is not None
    get = _getter(node.operand)
    return lambda env: get(env) is True


def atoms(node: Node) -> list[Atom]:
    if isinstance(node, And | Or):
        return [a for item in node.items for a in atoms(item)]
    if isinstance(node, Not):
        return atoms(node.item)
    return [node]


def refs(node: Node) -> list[Ref]:
    found: list[Ref] = []
    for atom in atoms(node):
        operands: tuple[Operand, ...]
        if isinstance(atom, Compare):
            operands = (atom.left, atom.right)
        elif isinstance(atom, Member | IsSet | Truthy):
            operands = (atom.operand,)
        found.extend(o for o in operands if isinstance(o, Ref))
    return found


def format_node(node: Node, top: bool = True) -> str:
    """Canonical text of a condition (used in explanations)."""
    if isinstance(node, And | Or):
        word = " and " if isinstance(node, And) else " or "
        text = word.join(format_node(i, False) for i in node.items)
        return text if top else f"({text})"
    if isinstance(node, Not):
        return f"not {format_node(node.item, False)}"
    if isinstance(node, Compare):
        return f"{_label(node.left)} {node.op} {_label(node.right)}"
    if isinstance(node, Member):
        values = ", ".join(json.dumps(c.value) for c in node.values)
        return f"{_label(node.operand)} {'not in' if node.negated else 'in'} [{values}]"
    if isinstance(node, IsSet):
        return f"{node.operand.label} is {'not ' if node.negated else ''}set"
    return _label(node.operand)


def guaranteed_set(node: Node | None) -> frozenset[str]:
    """Labels of names that cannot be null whenever ``node`` holds."""
    if node is None:
        return frozenset()
    if isinstance(node, And):
        return frozenset().union(*(guaranteed_set(i) for i in node.items))
    if isinstance(node, Or):
        return frozenset.intersection(*(guaranteed_set(i) for i in node.items))
    if isinstance(node, Not):
        inner = node.item
        if isinstance(inner, IsSet) and inner.negated:
            return frozenset({inner.operand.label})
        return frozenset()
    if isinstance(node, IsSet):
        return frozenset() if node.negated else frozenset({node.operand.label})
    if isinstance(node, Member | Truthy):
        return frozenset({node.operand.label}) if isinstance(node.operand, Ref) else frozenset()
    return frozenset(_label(o) for o in (node.left, node.right) if isinstance(o, Ref))


@attrs.frozen(eq=False)
class Condition:
    """A parsed, type-checked condition with its source text."""

    source: str
    ast: Node
    predicate: Predicate = attrs.field(repr=False)
    #: Each comparison's text, compiled test and the names it reads, for ``explain``.
    parts: tuple[tuple[str, Predicate, tuple[Ref, ...]], ...] = attrs.field(repr=False, init=False)

    @parts.default
    def _parts(self) -> tuple[tuple[str, Predicate, tuple[Ref, ...]], ...]:
        return tuple(
            (format_node(atom), compile_node(atom), tuple(refs(atom))) for atom in atoms(self.ast)
        )

    @classmethod
    def parse(
        cls, text: str, names: Namespace | None = None, *, rule_attrs: frozenset[str] = frozenset()
    ) -> Condition:
        if not isinstance(text, str):
            raise ConditionError(f"a condition must be text, got {type(text).__name__}")
        if len(text) > MAX_CONDITION_LENGTH:
            raise ConditionError(f"condition is longer than {MAX_CONDITION_LENGTH} characters")
        ast = _Parser(text, rule_attrs).parse()
        if names is not None:
            typecheck(ast, names)
        return cls(text, ast, compile_node(ast))

    def __call__(self, env: Env) -> bool:
        return self.predicate(env)

    @property
    def specificity(self) -> int:
        return len(self.ast.items) if isinstance(self.ast, And) else 1

    def explain(self, env: Env) -> tuple[ConditionResult, ...]:
        """Every comparison with whether it held and the actual values it read."""
        return tuple(
            ConditionResult(text, test(env), {ref.label: env.get(ref) for ref in names})
            for text, test, names in self.parts
        )

    def __str__(self) -> str:
        return format_node(self.ast)
