"""The Engine: one event in, one explained Decision out (DESIGN §2)."""

from __future__ import annotations

import hashlib
import itertools
import zlib
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import timedelta
from os import PathLike
from types import TracebackType
from typing import Any, Self

import attrs

from . import _events as ev
from ._convert import EventSchema
from ._errors import (
    InvalidEvent,
    MirulesError,
    PluginError,
    RulesetError,
    StoreError,
    TemplateError,
)
from ._features import FeatureSet
from ._fidelity import Fidelity
from ._log import debug_enabled, get_logger
from ._matchers import Matcher, RuleEnv, matcher_for
from ._model import ConditionResult, Decision, Intervention, Suppressed
from ._pipeline import Pipeline
from ._plugins import PluginHost, PluginInfo
from ._reduce import reduce_history
from ._registry import Registry
from ._render import build_context, clean_value
from ._rulesets import LoadContext, Ruleset, load_ruleset
from ._screens import Screen, ScreenHit
from ._select import Candidate, Selection, SelectionPolicy
from ._state import MAX_INTERVENTIONS, MAX_RULE_MEMORY, ClientState, InterventionRecord, RuleMemory
from ._stores import MemoryStore, Store
from ._strategies import Strategy

RulesetSource = str | PathLike[str] | Ruleset
RawEvent = Mapping[str, Any] | str | bytes | ev.Event
SAFETY_RULESET = "safety"


@attrs.frozen
class Failure:
    """An event that ``process_many`` could not process (nothing of it was stored)."""

    index: int
    event_id: str | None
    error: MirulesError


@attrs.frozen
class _InFlight:
    """A batch handed to the writer process (``batch`` None: it had nothing to write)."""

    batch: int | None
    chunk: list[tuple[int, RawEvent]]
    done: list[tuple[int, RawEvent, Decision]]


class _Lookahead:
    """Events read ``window`` at a time ahead of the write-behind loop and parsed, so that one
    query answers which of them were stored before (``Pipeline.prefetch``). A window is whole
    batches, so each is fetched only once everything taken before it was decided."""

    def __init__(
        self,
        engine: Engine,
        pipeline: Pipeline,
        items: Iterator[tuple[int, RawEvent]],
        window: int,
    ) -> None:
        self._engine, self._pipeline, self._items, self._window = engine, pipeline, items, window
        self._buffer: deque[tuple[int, RawEvent, ev.Event | MirulesError]] = deque()

    def take(self, count: int) -> list[tuple[int, RawEvent, ev.Event | MirulesError]]:
        if not self._buffer:
            self._fill()
        return [self._buffer.popleft() for _ in range(min(count, len(self._buffer)))]

    def _fill(self) -> None:
        for index, raw in itertools.islice(self._items, self._window):
            parsed: ev.Event | MirulesError
            try:
                parsed = self._engine.parse_event(raw)
            except MirulesError as exc:
                parsed = exc
            self._buffer.append((index, raw, parsed))
        self._pipeline.prefetch(
            [(p.client_id, p.id) for _, _, p in self._buffer if isinstance(p, ev.Event)]
        )

    def rest(self) -> Iterator[tuple[int, RawEvent]]:
        """What was not taken: the buffered events, then the unread ones."""
        return itertools.chain(((i, r) for i, r, _ in self._buffer), self._items)


@attrs.frozen
class BatchResult:
    decisions: tuple[Decision, ...]
    failures: tuple[Failure, ...]


def _raw_id(raw: object) -> str | None:
    if isinstance(raw, ev.Event):
        return raw.id
    if isinstance(raw, Mapping):
        value = raw.get("id")
        return value if isinstance(value, str) else None
    return None


@attrs.frozen
class EngineConfig:
    """Engine settings. ``max_backwards``: refuse an event whose ``at`` is earlier than the
    client's latest event by more than this (``None``, the default, accepts any order)."""

    policy: SelectionPolicy = attrs.field(factory=SelectionPolicy)
    max_backwards: timedelta | None = None


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("mirules")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "0+unknown"


class Engine:
    """Evaluates events against rulesets. Each Engine owns its plugin manager, matcher and store.

    :param rulesets: ruleset files (or loaded Rulesets). ``None`` uses every ruleset plugins
        register, which includes the shipped ones.
    :param plugins: extra plugin objects to register (modules or objects with hookimpls).
    :param store: where state lives; a fresh :class:`MemoryStore` by default.
    :param config: an :class:`EngineConfig`.
    :param matcher: ``"python"`` (default) or ``"rete"``.
    :param block_plugins: names of built-in or entry-point plugins not to load.
    :param load_entry_points: load third-party plugins from the ``mirules`` entry-point group
        (filtered by ``MIRULES_LOAD_PLUGINS`` / ``MIRULES_DISABLE_PLUGINS``).
    """

    def __init__(
        self,
        rulesets: Iterable[RulesetSource] | None = None,
        *,
        plugins: Sequence[object] = (),
        store: Store | None = None,
        config: EngineConfig | None = None,
        matcher: str = "python",
        block_plugins: Iterable[str] = (),
        load_entry_points: bool = True,
    ) -> None:
        self.config = config or EngineConfig()
        self._plugins = PluginHost(plugins, block=block_plugins, entry_points=load_entry_points)
        self.events = EventSchema(types=())
        self._plugins.collect("mirules_register_event_types", self._register_event_type)
        self.features = FeatureSet()
        self._plugins.collect("mirules_register_features", self.features.register)
        self.strategies: Registry[Strategy] = Registry("strategy", Strategy)
        self._plugins.collect("mirules_register_strategies", self.strategies.register)
        self.screens: Registry[Screen] = Registry("screen", Screen)
        self._plugins.collect("mirules_register_screens", self.screens.register)
        self.rulesets = self._load_rulesets(rulesets)
        self.matcher: Matcher = matcher_for(matcher, self.rulesets)
        self.store: Store = store if store is not None else MemoryStore()
        self._version = _version()
        self._closed = False

    @classmethod
    def default(cls, **kwargs: Any) -> Engine:
        """Built-in plugins, the shipped rulesets and a MemoryStore."""
        return cls(**kwargs)

    # -- construction helpers ------------------------------------------------------------
    def _register_event_type(self, item: type[ev.Event] | ev.EventField, *, plugin: str) -> None:
        try:
            if isinstance(item, ev.EventField):
                self.events.add_field(item)
            else:
                self.events.add_type(item)
        except PluginError as exc:
            raise PluginError(f"plugin {plugin!r}: {exc}") from None

    def _load_rulesets(self, sources: Iterable[RulesetSource] | None) -> tuple[Ruleset, ...]:
        ctx = LoadContext(self.features, self.events, self.strategies)
        items: list[tuple[RulesetSource, str]] = []
        if sources is None:
            self._plugins.collect(
                "mirules_register_rulesets", lambda s, plugin: items.append((s, plugin))
            )
        else:
            items = [(s, "(passed to Engine)") for s in sources]
        loaded: list[Ruleset] = []
        owners: dict[str, str] = {}
        for source, plugin in items:
            if isinstance(source, Ruleset):
                ruleset = source
            elif isinstance(source, str | PathLike):
                ruleset = load_ruleset(source, ctx)
            else:
                raise PluginError(f"plugin {plugin!r} registered {source!r}, not a path or Ruleset")
            if ruleset.name in owners:
                raise RulesetError(
                    f"ruleset name {ruleset.name!r} is used twice "
                    f"({owners[ruleset.name]} and {ruleset.source})",
                    file=ruleset.source,
                    key="ruleset",
                )
            owners[ruleset.name] = ruleset.source
            loaded.append(ruleset)
        return tuple(loaded)

    def load_ruleset(
        self, path: str | PathLike[str], *, text: str | bytes | None = None
    ) -> Ruleset:
        """Load and check a ruleset against this engine's features, events and strategies."""
        return load_ruleset(
            path, LoadContext(self.features, self.events, self.strategies), text=text
        )

    def plugins(self) -> list[PluginInfo]:
        return self._plugins.info()

    # -- the pipeline --------------------------------------------------------------------
    def parse_event(self, raw: Mapping[str, Any] | str | bytes | ev.Event) -> ev.Event:
        """Validate ``raw`` (a dict, a JSON line or an Event). Raises InvalidEvent."""
        if isinstance(raw, str | bytes):
            return self.events.parse_json(raw)
        return self.events.parse(raw)

    def process(self, raw: Mapping[str, Any] | str | bytes | ev.Event) -> Decision:
        """Validate, dedupe, evaluate, commit and notify. Idempotent on (client_id, event id)."""
        self._check_open()
        event = self.parse_event(raw)
        decision = self._decide(event)
        self._notify(decision)
        return decision

    def process_many(
        self,
        events: Iterable[Mapping[str, Any] | str | bytes | ev.Event],
        *,
        batch_size: int = 100,
        stop_on_error: bool = False,
    ) -> BatchResult:
        """Process events with group commit: ``batch_size`` events per durable transaction.

        Each event keeps its own atomicity: an event that fails (bad input, a broken plugin)
        rolls back only its own effects and is reported in ``failures``; the others commit.
        If a batch's transaction itself fails (a busy or full database), every event it had
        decided is reported in ``failures`` with that StoreError, and the next batch is tried.
        With ``stop_on_error`` processing stops at the first failure (earlier events commit).
        Notifications run after each batch is committed.

        With ``SQLiteStore(..., writer="process")`` each batch is committed by a writer process
        while the next one is evaluated (write-behind); the results are the same.
        """
        self._check_open()
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        decisions: list[Decision] = []
        failures: list[Failure] = []
        items: Iterator[tuple[int, RawEvent]] = iter(enumerate(events))
        start_pipeline = getattr(self.store, "pipeline", None)
        pipeline = start_pipeline() if callable(start_pipeline) else None
        if pipeline is not None:
            with pipeline:
                items = self._write_behind(
                    pipeline, items, batch_size, stop_on_error, decisions, failures
                )
        self._group_commit(items, batch_size, stop_on_error, decisions, failures)
        return BatchResult(tuple(decisions), tuple(failures))

    def _group_commit(
        self,
        items: Iterator[tuple[int, RawEvent]],
        batch_size: int,
        stop_on_error: bool,
        decisions: list[Decision],
        failures: list[Failure],
    ) -> None:
        while chunk := list(itertools.islice(items, batch_size)):
            done: list[tuple[int, RawEvent, Decision]] = []
            batch_failures: list[Failure] = []
            try:
                with self.store.batch():
                    for index, raw in chunk:
                        try:
                            done.append((index, raw, self._decide(self.parse_event(raw))))
                        except MirulesError as exc:
                            batch_failures.append(Failure(index, _raw_id(raw), exc))
                            if stop_on_error:
                                break
            except MirulesError as exc:
                # The batch's own transaction failed (say, a full disk at COMMIT): nothing of
                # it is stored, so each event it decided fails with that error. Duplicates
                # needed no write and keep their decisions.
                batch_failures += [
                    Failure(index, _raw_id(raw), exc)
                    for index, raw, decision in done
                    if not decision.duplicate
                ]
                done = [item for item in done if item[2].duplicate]
            failures += sorted(batch_failures, key=lambda f: f.index)
            self._deliver(done, decisions)
            if failures and stop_on_error:
                return

    def _write_behind(
        self,
        pipeline: Pipeline,
        items: Iterator[tuple[int, RawEvent]],
        batch_size: int,
        stop_on_error: bool,
        decisions: list[Decision],
        failures: list[Failure],
    ) -> Iterator[tuple[int, RawEvent]]:
        """Group commit through a writer process: evaluate batch n+1 while batch n commits.

        Returns the events left for the ordinary path: none, unless a batch failed (a
        conflict with another writer, a SQLite error, the writer gone). Then that batch and
        every later one are handed back whole, to be decided again on the stored state."""
        depth = max(2, 16 // batch_size)  # batches in flight
        ahead = _Lookahead(self, pipeline, items, batch_size * -(-64 // batch_size))
        waiting: deque[_InFlight] = deque()
        retry: list[tuple[int, RawEvent]] = []
        stopped = False
        try:
            while not (stopped or retry):
                chunk = ahead.take(batch_size)
                if not chunk:
                    break
                done: list[tuple[int, RawEvent, Decision]] = []
                for index, raw, parsed in chunk:
                    try:
                        done.append((index, raw, self._decide_staged(pipeline, parsed)))
                    except MirulesError as exc:
                        failures.append(Failure(index, _raw_id(raw), exc))
                        if stop_on_error:
                            stopped = True
                            break
                waiting.append(_InFlight(pipeline.submit(), [(i, r) for i, r, _ in chunk], done))
                self._settle(pipeline, waiting, retry, decisions, block=pipeline.in_flight >= depth)
            while waiting:
                self._settle(pipeline, waiting, retry, decisions, block=True)
        except BaseException:
            pipeline.reset()  # what committed stays committed (and pending in the outbox)
            raise
        if not retry:
            return iter(())
        failures[:] = [f for f in failures if f.index < retry[0][0]]
        pipeline.reset()
        return itertools.chain(retry, ahead.rest())

    def _decide_staged(self, pipeline: Pipeline, parsed: ev.Event | MirulesError) -> Decision:
        if isinstance(parsed, MirulesError):
            raise parsed
        event, client_id = parsed, parsed.client_id
        version, state = pipeline.load(client_id)
        if pipeline.seen(client_id, event.id):
            return Decision(
                event.id, client_id, True, (), (), state or ClientState.empty(client_id)
            )
        decision = self.evaluate(state, event)
        pipeline.stage(version, decision.state, event.id, decision.interventions)
        return decision

    def _settle(
        self,
        pipeline: Pipeline,
        waiting: deque[_InFlight],
        retry: list[tuple[int, RawEvent]],
        decisions: list[Decision],
        *,
        block: bool,
    ) -> None:
        """Deliver the batches at the head of ``waiting`` that committed, in order (waiting for
        one if ``block``); after a failed one, move it and all later ones to ``retry``."""
        answered: dict[int, str | None] = {}
        while waiting:
            head = waiting[0]
            if not retry and head.batch is not None and head.batch not in answered:
                try:
                    acks = pipeline.acks(block=block)
                except StoreError:  # the writer is gone: decide everything in flight again
                    acks = [(head.batch, "error", "")]
                if not acks:
                    return
                answered.update((batch, reason) for batch, reason, _ in acks)
                block = False
                continue
            waiting.popleft()
            if retry or (head.batch is not None and answered[head.batch] is not None):
                retry.extend(head.chunk)
            else:
                self._deliver(head.done, decisions)

    def _deliver(
        self, done: list[tuple[int, RawEvent, Decision]], decisions: list[Decision]
    ) -> None:
        for _, _, decision in done:
            self._notify(decision)
            decisions.append(decision)

    def _decide(self, event: ev.Event) -> Decision:
        """Dedupe, evaluate and commit one event under the client's store lock."""
        with self.store.lock(event.client_id):
            if self.store.seen(event.client_id, event.id):
                state = self.store.load(event.client_id) or ClientState.empty(event.client_id)
                decision = Decision(event.id, event.client_id, True, (), (), state)
            else:
                decision = self.evaluate(self.store.load(event.client_id), event)
                self.store.commit(decision.state, event.id, decision.interventions)
        if debug_enabled():
            get_logger(client_id=event.client_id, event_id=event.id).debug(
                "duplicate event" if decision.duplicate else "decided",
                interventions=[i.rule for i in decision.interventions],
                suppressed=len(decision.suppressed),
            )
        return decision

    def pending_interventions(self, limit: int | None = None) -> list[Intervention]:
        """The outbox: committed interventions not yet marked delivered, oldest first."""
        return self.store.pending(limit)

    def mark_delivered(self, ids: Iterable[str]) -> int:
        """Mark interventions delivered (they leave the outbox); returns how many changed."""
        return self.store.mark_delivered(ids)

    def evaluate(
        self, state: ClientState | None, raw: Mapping[str, Any] | str | bytes | ev.Event
    ) -> Decision:
        """Reduce, screen, match, select and render without touching the store (pure)."""
        event = self.parse_event(raw)
        state = state if state is not None else ClientState.empty(event.client_id)
        if state.client_id != event.client_id:
            raise InvalidEvent(
                "client_id",
                f"event is for {event.client_id!r}, state for {state.client_id!r}",
                event_id=event.id,
            )
        self._check_order(state, event)
        reduced = self._reduce(state, event)
        features = reduced.features
        env = RuleEnv(features, event)

        hits = [(screen, hit) for screen in self.screens if (hit := screen.check(event, reduced))]
        candidates = [
            Candidate(m.ruleset, m.rule, m.rule.when.explain(env) if m.rule.when else (), m.order)
            for m in self.matcher.match(event, features)
        ]
        suppressed: list[Suppressed] = []
        candidates = self._screen_out(candidates, hits, suppressed)
        candidates = self._check_invariants(candidates, features, event, suppressed)
        selection = self._select(candidates, state, event)
        suppressed.extend(selection.suppressed)
        chosen = [
            _with_variant(c, reduced, event.client_id)
            for c in selection.chosen
            if not (hits and c.audience == "client")
        ]

        interventions = [self._escalation(screen, hit, event) for screen, hit in hits]
        if chosen:
            context = build_context(reduced, event, features)
            interventions += [self._render(c, reduced, event, context) for c in chosen]
        final = self._remember(reduced, event, chosen, interventions)
        return Decision(
            event.id, event.client_id, False, tuple(interventions), tuple(suppressed), final
        )

    def _reduce(self, state: ClientState, event: ev.Event) -> ClientState:
        """The built-in reducer, then every feature (DESIGN §2 "reduce")."""
        reduced = reduce_history(state, event, self._talk(event, state))
        return attrs.evolve(reduced, features=self.features.compute(reduced, event))

    def _check_order(self, state: ClientState, event: ev.Event) -> None:
        limit = self.config.max_backwards
        if (
            limit is not None
            and state.last_event_at is not None
            and event.at < state.last_event_at - limit
        ):
            raise InvalidEvent(
                "at",
                f"{event.at.isoformat()} is earlier than the client's latest event "
                f"({state.last_event_at.isoformat()}) by more than the allowed {limit}",
                event_id=event.id,
            )

    def _talk(self, event: ev.Event, state: ClientState) -> str | None:
        if not isinstance(event, ev.Message):
            return None
        if event.talk is not None:
            return event.talk
        talk = self._plugins.hook.mirules_classify_message(text=event.text, state=state)
        if talk not in ev.TALK_VALUES:
            raise PluginError(
                f"mirules_classify_message returned {talk!r}; expected one of {ev.TALK_VALUES}"
            )
        return str(talk)

    @staticmethod
    def _screen_out(
        candidates: list[Candidate],
        hits: list[tuple[Screen, ScreenHit]],
        suppressed: list[Suppressed],
    ) -> list[Candidate]:
        if not hits:
            return candidates
        names = ", ".join(screen.name for screen, _ in hits)
        kept = []
        for cand in candidates:
            if cand.audience == "client":
                suppressed.append(
                    cand.suppressed(
                        "safety", f"safety screen {names} fired: no automated client message"
                    )
                )
            else:
                kept.append(cand)
        return kept

    @staticmethod
    def _check_invariants(
        candidates: list[Candidate],
        features: Mapping[str, Any],
        event: ev.Event,
        suppressed: list[Suppressed],
    ) -> list[Candidate]:
        kept = []
        for cand in candidates:
            env = RuleEnv(features, event, cand.rule.attributes(cand.ruleset.name))
            broken = next((inv for inv in cand.ruleset.invariants if inv.never(env)), None)
            if broken is None:
                kept.append(cand)
            else:
                suppressed.append(
                    cand.suppressed("invariant", f"would break invariant {broken.name!r}")
                )
        return kept

    def _select(
        self, candidates: list[Candidate], state: ClientState, event: ev.Event
    ) -> Selection:
        selection = self._plugins.hook.mirules_select(
            candidates=tuple(candidates), state=state, event=event, policy=self.config.policy
        )
        if not isinstance(selection, Selection):
            raise PluginError(
                f"mirules_select returned {selection!r}; expected a mirules.Selection"
            )
        known = {c.key for c in candidates}
        chosen_keys = {c.key for c in selection.chosen}
        if not chosen_keys <= known:
            raise PluginError(
                f"mirules_select chose rules that did not match: {sorted(chosen_keys - known)}"
            )
        accounted = chosen_keys | {f"{s.ruleset}/{s.rule}" for s in selection.suppressed}
        missing = tuple(
            c.suppressed("plugin", "left out by a selection plugin")
            for c in candidates
            if c.key not in accounted
        )
        return Selection(selection.chosen, selection.suppressed + missing)

    def _render(
        self, cand: Candidate, state: ClientState, event: ev.Event, context: dict[str, Any]
    ) -> Intervention:
        rule, ruleset = cand.rule, cand.ruleset
        message = self._plugins.hook.mirules_render(candidate=cand, context=dict(context))
        if message is None:
            composer = self.strategies[rule.strategy].composer
            if composer is None:
                raise TemplateError(
                    f"{cand.key}: nothing rendered a message and strategy has no composer"
                )
            message = composer(dict(context))
        if not isinstance(message, str) or not message.strip():
            raise PluginError(f"rendering {cand.key} produced {message!r}; expected non-empty text")
        alternatives = tuple(t.render(context) for i, t in enumerate(rule.say) if i != cand.variant)
        return Intervention(
            id=_intervention_id(event, cand.key),
            client_id=event.client_id,
            event_id=event.id,
            at=event.at,
            ruleset=ruleset.name,
            ruleset_version=ruleset.version,
            rule=rule.id,
            strategy=rule.strategy,
            process=rule.process,
            codes=rule.codes,
            audience=rule.audience,  # type: ignore[arg-type]
            indicator=rule.indicator,  # type: ignore[arg-type]
            message=message,
            alternatives=alternatives,
            why=rule.why,
            explanation=cand.explanation,
        )

    def _escalation(self, screen: Screen, hit: ScreenHit, event: ev.Event) -> Intervention:
        key = f"{SAFETY_RULESET}/screen-{screen.name}"
        return Intervention(
            id=_intervention_id(event, key),
            client_id=event.client_id,
            event_id=event.id,
            at=event.at,
            ruleset=SAFETY_RULESET,
            ruleset_version=self._version,
            rule=f"screen-{screen.name}",
            strategy="escalate_to_coach",
            process="safety",
            codes=("giving_information",),
            audience="coach",
            indicator="critical",
            message=hit.message,
            alternatives=(),
            why=(
                f"Possible {hit.reason} risk: automated MI stops for this event and a human "
                "coach takes over (MI.md §5)."
            ),
            explanation=(
                ConditionResult(
                    f"safety screen {screen.name!r}", True, {"matched": clean_value(hit.matched)}
                ),
            ),
        )

    @staticmethod
    def _remember(
        state: ClientState,
        event: ev.Event,
        chosen: list[Candidate],
        interventions: list[Intervention],
    ) -> ClientState:
        if not interventions:
            return state
        records = [
            InterventionRecord(i.id, i.at, i.ruleset, i.rule, i.audience, i.strategy, i.codes)
            for i in interventions
        ]
        memory = dict(state.rule_memory)
        for cand in chosen:
            memory.pop(cand.key, None)
            memory[cand.key] = RuleMemory(event.at, cand.variant)
        while len(memory) > MAX_RULE_MEMORY:
            memory.pop(next(iter(memory)))
        history = (*state.interventions, *records)[-MAX_INTERVENTIONS:]
        fidelity = state.fidelity + Fidelity.of(interventions)
        return attrs.evolve(state, interventions=history, rule_memory=memory, fidelity=fidelity)

    def _notify(self, decision: Decision) -> None:
        for impl in self._plugins.hook.mirules_on_decision.get_hookimpls():
            try:
                impl.function(decision=decision)
            except Exception:
                get_logger(plugin=impl.plugin_name, event_id=decision.event_id).exception(
                    "mirules_on_decision failed; the decision stays committed"
                )

    # -- inspection ----------------------------------------------------------------------
    def explain(
        self, state: ClientState | None, raw: Mapping[str, Any] | str | bytes | ev.Event
    ) -> list[tuple[Ruleset, Any, bool, tuple[ConditionResult, ...]]]:
        """For every rule listening to the event's type: whether it matched, with each
        condition's values (rules that did not match included)."""
        event = self.parse_event(raw)
        state = state if state is not None else ClientState.empty(event.client_id)
        env = RuleEnv(self._reduce(state, event).features, event)
        rows = []
        for ruleset in self.rulesets:
            for rule in ruleset.rules:
                if event.type in rule.on:
                    held = rule.when is None or rule.when(env)
                    rows.append((ruleset, rule, held, rule.when.explain(env) if rule.when else ()))
        return rows

    def state(self, client_id: str) -> ClientState | None:
        return self.store.load(client_id)

    def fidelity(self, client_id: str) -> Fidelity:
        """MITI fidelity signals over this client's client-facing interventions."""
        state = self.store.load(client_id)
        return state.fidelity if state is not None else Fidelity()

    # -- lifecycle -----------------------------------------------------------------------
    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError("this Engine is closed")

    def close(self) -> None:
        """Release the matcher and the store. Safe to call twice."""
        if self._closed:
            return
        self._closed = True
        self.matcher.close()
        self.store.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _with_variant(cand: Candidate, state: ClientState, client_id: str) -> Candidate:
    """Deterministic variant choice: the next variant after the one this client saw last
    for this rule; the first time, one chosen by a stable hash of client and rule."""
    count = len(cand.rule.say)
    if not count:
        return cand
    memory = state.rule_memory.get(cand.key)
    if memory is not None:
        variant = (memory.variant + 1) % count
    else:
        variant = zlib.crc32(f"{client_id}/{cand.key}".encode()) % count
    return attrs.evolve(cand, variant=variant)


def _intervention_id(event: ev.Event, key: str) -> str:
    digest = hashlib.sha256(f"{event.client_id}\0{event.id}\0{key}".encode()).hexdigest()
    return "iv-" + digest[:20]
