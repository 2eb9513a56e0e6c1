"""The rete matcher (DESIGN §6): compilation, and a regression test per measured hazard."""

from __future__ import annotations

import gc
import sys
import threading
import warnings

import pytest

from conftest import MISS
from mirules import Engine, MatcherUnavailable, RulesetError
from mirules._conditions import Condition
from mirules._rete import (
    MARKER,
    SID,
    MatcherError,
    compile_condition,
    load_durable,
)

try:
    load_durable()
    HAVE_DURABLE = True
except MatcherUnavailable:
    HAVE_DURABLE = False

needs_durable = pytest.mark.skipif(not HAVE_DURABLE, reason='needs the extra "mirules[rete]"')


def compiled(text: str, engine) -> dict:
    from mirules._rulesets import LoadContext, _Names

    ctx = LoadContext(engine.features, engine.events, engine.strategies)
    names = _Names(ctx, ("confidence_rated",), rule_attrs=False)
    return compile_condition(Condition.parse(text, names).ast)


def test_compiles_every_operator(mirules_engine) -> None:
    ex = {"$ex": {"f__confidence": 1}}
    assert compiled("confidence < 3", mirules_engine) == {
        "$and": [ex, {"$lt": {"f__confidence": 3}}]
    }
    assert compiled("confidence <= 3", mirules_engine)["$and"][1] == {"$lte": {"f__confidence": 3}}
    assert compiled("confidence > 3", mirules_engine)["$and"][1] == {"$gt": {"f__confidence": 3}}
    assert compiled("confidence >= 3", mirules_engine)["$and"][1] == {"$gte": {"f__confidence": 3}}
    assert compiled("confidence != 3", mirules_engine)["$and"][1] == {"$neq": {"f__confidence": 3}}
    assert compiled("confidence == 3", mirules_engine)["$and"][1] == {"f__confidence": 3}
    assert compiled("3 > confidence", mirules_engine)["$and"][1] == {"$lt": {"f__confidence": 3}}
    # two names: evaluated in Python into a derived boolean field (see Compiler)
    assert compiled("confidence < importance", mirules_engine) == {"d__0": True}
    assert compiled("not confidence < importance", mirules_engine) == {"d__0": False}
    assert compiled("event.value >= 2", mirules_engine)["$and"][1] == {"$gte": {"e__value": 2}}
    assert compiled("confidence is set", mirules_engine) == ex
    assert compiled("confidence is not set", mirules_engine) == {"$nex": {"f__confidence": 1}}
    assert compiled("confidence in [1, 2]", mirules_engine) == {
        "$and": [ex, {"$or": [{"f__confidence": 1}, {"f__confidence": 2}]}]
    }
    assert compiled("confidence == 1 or importance == 2", mirules_engine)["$or"]


def test_negation_normal_form_keeps_null_semantics(mirules_engine) -> None:
    # not (x > 3) holds when x is null: "missing, or x <= 3"
    assert compiled("not confidence > 3", mirules_engine) == {
        "$or": [
            {"$nex": {"f__confidence": 1}},
            {"$and": [{"$ex": {"f__confidence": 1}}, {"$lte": {"f__confidence": 3}}]},
        ]
    }
    # De Morgan: not (a and b) = (not a) or (not b)
    assert "$or" in compiled("not (confidence > 3 and importance > 3)", mirules_engine)
    assert compiled("not not confidence is set", mirules_engine) == {"$ex": {"f__confidence": 1}}


@needs_durable
def test_rete_and_python_agree_on_the_examples(engine_factory) -> None:
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "examples"
    for stream in sorted(root.glob("*.jsonl")):
        lines = stream.read_text().splitlines()
        py, rete = engine_factory(), engine_factory(matcher="rete")
        for line in lines:
            assert py.process(line) == rete.process(line)


@needs_durable
def test_one_fixed_session_id_and_no_leftover_facts(engine_factory) -> None:
    engine = engine_factory(matcher="rete")
    for i in range(
        2000
    ):  # 2,000 clients: far past the ~1,024 live-sid limit if sids were per client
        engine.process({**MISS, "id": f"e{i}", "client_id": f"client-{i}"})
    matcher = engine.matcher
    assert matcher.session_state() == {"sid": SID, "id": f"sid-{SID}", "$s": 1}
    assert matcher._host.get_facts("mirules", SID) == []


@needs_durable
def test_no_match_is_an_empty_list(engine_factory) -> None:
    engine = engine_factory(matcher="rete")
    event = engine.parse_event(
        {"id": "t", "client_id": "c", "type": "tick", "at": "2026-03-02T08:00:00Z"}
    )
    assert engine.matcher.match(event, {"days_since_last_event": None}) == []


@needs_durable
def test_close_leaves_no_threads_and_frees_the_ruleset() -> None:
    before = threading.active_count()
    for _ in range(200):
        engine = Engine(matcher="rete", load_entry_points=False)
        engine.process(MISS)
        engine.close()
    gc.collect()
    assert threading.active_count() == before
    with pytest.raises(MatcherError, match="closed"):
        engine.matcher.match(engine.parse_event(MISS), {})


@needs_durable
def test_durable_gets_a_deep_copy(mirules_engine) -> None:
    from mirules._rete import ReteMatcher, compile_rulesets

    matcher = ReteMatcher(mirules_engine.rulesets)
    expected = {name: d for name, (_, _, d) in compile_rulesets(mirules_engine.rulesets)[0].items()}
    assert matcher.definition == expected  # durable_rules deleted 'run' from its own copy only
    assert all("run" not in d for d in matcher.definition.values())
    again = ReteMatcher(mirules_engine.rulesets)  # a reload is a new Host, same definition
    assert again.definition == matcher.definition
    matcher.close()
    again.close()


@needs_durable
def test_session_state_never_matches(engine_factory) -> None:
    engine = engine_factory(matcher="rete")
    matcher = engine.matcher
    assert all(
        d["all"][0]["m"]["$and"][0] == {"$ex": {MARKER: 1}} for d in matcher.definition.values()
    )
    from mirules._rete import _collected

    token = _collected.set([])
    try:
        # A state document carrying fields that match a rule: without the marker guard this
        # would fire (and an action writing it back would loop forever).
        matcher._host.update_state(
            "mirules", {"sid": SID, "f__missed_streak": 1, "e__type": "action_missed"}
        )
        assert _collected.get() == []
    finally:
        _collected.reset(token)
    assert [
        m.rule.id
        for m in matcher.match(engine.parse_event(MISS), {"missed_streak": 1, "missed_total": 1})
    ] == ["lapse-first-miss"]


def _rules(count: int, when) -> str:
    rules = [
        f"  - id: r{i}\n    on: [check_in]\n    strategy: express_empathy\n    why: w\n"
        f'    when: {when(i)}\n    say: ["It sounds like a lot."]\n    codes: [simple_reflection]\n'
        for i in range(count)
    ]
    return 'ruleset: big\nversion: "1"\nrules:\n' + "".join(rules)


@needs_durable
@pytest.mark.parametrize(
    ("count", "when", "message"),
    [
        (
            1,
            lambda i: "missed_total in [" + ", ".join(str(n) for n in range(512)) + "]",
            "more than 511 equality",
        ),
        (512, lambda i: f"missed_total == {i}", "more than 511 equality"),
        (65, lambda i: f"missed_total < {1000 + i}", "more than 64 distinct tests for 'check_in'"),
        (256, lambda i: "missed_total == 1", "more than 255 rules share this exact condition"),
    ],
)
def test_rulesets_beyond_durable_limits_are_refused(
    engine_factory, tmp_path, count, when, message
) -> None:
    path = tmp_path / "big.yaml"
    path.write_text(_rules(count, when))
    engine_factory(rulesets=[path])  # the python matcher takes it
    with pytest.raises(RulesetError, match=message) as info:
        engine_factory(rulesets=[path], matcher="rete")
    assert info.value.rule is not None
    assert "use matcher='python'" in str(info.value)


@needs_durable
def test_limits_allow_what_durable_handles(engine_factory, tmp_path) -> None:
    path = tmp_path / "ok.yaml"
    path.write_text(_rules(64, lambda i: f"missed_total < {1000 + i}"))
    engine = engine_factory(rulesets=[path], matcher="rete")
    event = engine.parse_event(
        {"id": "c", "client_id": "c", "type": "check_in", "at": "2026-03-02T08:00:00Z"}
    )
    assert len(engine.matcher.match(event, {"missed_total": 0})) == 64


@needs_durable
def test_warnings_are_filtered_locally_not_globally(engine_factory) -> None:
    before = list(warnings.filters)
    engine = engine_factory(matcher="rete")
    engine.process(MISS)
    assert warnings.filters == before


def test_missing_extra_explains_how_to_install(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "durable", None)
    monkeypatch.setitem(sys.modules, "durable_rules_engine", None)
    if sys.version_info >= (3, 13):
        expected = "does not support Python 3.13"
    else:
        expected = 'pip install "mirules\\[rete\\]"'
    with pytest.raises(MatcherUnavailable, match=expected):
        Engine(matcher="rete", load_entry_points=False)


def test_python_313_is_named(monkeypatch) -> None:
    monkeypatch.setattr(sys, "version_info", (3, 13, 0, "final", 0))
    with pytest.raises(MatcherUnavailable, match="does not support Python 3.13"):
        load_durable()


def _rss_mb() -> float:
    import os

    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


@needs_durable
@pytest.mark.slow
def test_soak_100k_clients_1m_events_one_session_flat_memory(engine_factory, capsys) -> None:
    """The session-limit hazard: many clients through one engine's rete matcher, with no
    crash and flat memory (durable_rules keeps ~1,024 sessions before failing)."""
    import attrs

    engine = engine_factory(matcher="rete")
    matcher = engine.matcher
    templates = [
        engine.parse_event(MISS),
        engine.parse_event(
            {
                "id": "m",
                "client_id": "c",
                "type": "message",
                "at": "2026-03-02T08:00:00Z",
                "text": "I can't",
            }
        ),
        engine.parse_event(
            {"id": "t", "client_id": "c", "type": "tick", "at": "2026-03-02T08:00:00Z"}
        ),
        engine.parse_event(
            {
                "id": "r",
                "client_id": "c",
                "type": "confidence_rated",
                "at": "2026-03-02T08:00:00Z",
                "value": 3,
            }
        ),
    ]
    features = dict(engine.evaluate(None, MISS).state.features)
    matched = 0

    def run(start: int, stop: int) -> None:
        nonlocal matched
        for i in range(start, stop):
            event = attrs.evolve(templates[i % 4], id=f"e{i}", client_id=f"client-{i % 100_000}")
            features["missed_streak"] = i % 5
            features["talk"] = ("sustain", "change", None)[i % 3]
            features["confidence_change"] = (i % 7) - 3
            matched += len(matcher.match(event, features))

    run(0, 20_000)  # warm up
    before = _rss_mb()
    run(20_000, 1_000_000)
    after = _rss_mb()
    with capsys.disabled():
        print(f"\nrete soak: 1,000,000 events, 100,000 clients, {matched} matches; "
              f"RSS {before:.1f} MB -> {after:.1f} MB")  # fmt: skip
    assert matched > 500_000
    assert after - before < 20
    assert matcher.session_state() == {"sid": SID, "id": f"sid-{SID}", "$s": 1}
