from __future__ import annotations

import inspect
import sys
import types
from importlib import metadata

import pytest

from mirules import Engine, Feature, PluginError, Strategy, hookimpl, hookspecs
from mirules.plugins import DEFAULT_PLUGINS

HOOKS = {
    "mirules_register_rulesets", "mirules_register_features", "mirules_register_event_types",
    "mirules_register_strategies", "mirules_register_screens", "mirules_register_commands",
    "mirules_classify_message", "mirules_select", "mirules_render", "mirules_on_decision",
}  # fmt: skip


def test_every_design_hook_is_specified_typed_and_documented() -> None:
    specs = {
        name
        for name, _ in inspect.getmembers(hookspecs, inspect.isfunction)
        if name.startswith("mirules_")
    }
    assert specs == HOOKS
    for name in HOOKS:
        fn = getattr(hookspecs, name)
        assert fn.__doc__ and len(fn.__doc__) > 40, name
        assert "return" in fn.__annotations__, name


def test_firstresult_hooks() -> None:
    for name in ("mirules_classify_message", "mirules_select", "mirules_render"):
        opts = getattr(hookspecs, name).mirules_spec
        assert opts["firstresult"] is True


def test_builtins_are_registered_like_plugins(mirules_engine) -> None:
    names = [info.name for info in mirules_engine.plugins()]
    assert names[: len(DEFAULT_PLUGINS)] == list(DEFAULT_PLUGINS)


def test_builtin_plugins_can_be_blocked(engine_factory) -> None:
    engine = engine_factory(block_plugins=["mirules.plugins.rulesets"])
    assert engine.rulesets == ()


def test_duplicate_feature_names_both_plugins(engine_factory) -> None:
    class Clash:
        @hookimpl
        def mirules_register_features(self, register):
            register(Feature("missed_streak", "number", "again", lambda s, e: 0))

    with pytest.raises(
        PluginError,
        match="feature 'missed_streak' is registered by both 'mirules.plugins.features' and",
    ):
        engine_factory(plugins=[Clash()])


def test_duplicate_strategy_names_both_plugins(engine_factory) -> None:
    class Clash:
        @hookimpl
        def mirules_register_strategies(self, register):
            register(Strategy("express_empathy", "engaging"))

    with pytest.raises(
        PluginError,
        match="strategy 'express_empathy' is registered by both 'mirules.plugins.strategies'",
    ):
        engine_factory(plugins=[Clash()])


def test_wrong_registration_type(engine_factory) -> None:
    class Wrong:
        @hookimpl
        def mirules_register_strategies(self, register):
            register("express_empathy_2")

    with pytest.raises(PluginError, match="expected a mirules.Strategy"):
        engine_factory(plugins=[Wrong()])


def test_unknown_hook_fails_check_pending(engine_factory) -> None:
    class Typo:
        @hookimpl
        def mirules_regster_features(self, register):
            pass

    with pytest.raises(PluginError, match="mirules_regster_features"):
        engine_factory(plugins=[Typo()])


def test_plugin_feature_is_usable_in_rules(engine_factory, tmp_path) -> None:
    class Sessions:
        @hookimpl
        def mirules_register_features(self, register):
            register(
                Feature(
                    "sessions_booked", "number", "Sessions booked.", lambda s, e: 3, nullable=False
                )
            )

    path = tmp_path / "r.yaml"
    path.write_text(
        'ruleset: r\nversion: "1"\nrules:\n  - id: booked\n    on: [tick]\n    when: sessions_booked >= 2\n'
        '    strategy: affirm_progress\n    why: test\n    say: ["You booked {missed_streak} sessions... nice effort."]\n'
    )
    engine = engine_factory(plugins=[Sessions()], rulesets=[path])
    decision = engine.process(
        {"id": "t", "client_id": "c", "type": "tick", "at": "2026-03-02T08:00:00Z"}
    )
    assert [i.rule for i in decision.interventions] == ["booked"]


def test_plugin_event_type_and_field(engine_factory) -> None:
    import attrs

    from mirules import Event, EventField

    @attrs.frozen(kw_only=True)
    class SessionBooked(Event):
        TYPE = "session_booked"
        session_id: str

    class Sessions:
        @hookimpl
        def mirules_register_event_types(self, register):
            register(SessionBooked)
            register(EventField("check_in", "energy", "int"))

    engine = engine_factory(plugins=[Sessions()])
    event = engine.parse_event({"id": "s", "client_id": "c", "type": "session_booked",
                                "at": "2026-03-02T08:00:00Z", "session_id": "x"})  # fmt: skip
    assert isinstance(event, SessionBooked)
    check_in = engine.parse_event({"id": "k", "client_id": "c", "type": "check_in",
                                   "at": "2026-03-02T08:00:00Z", "energy": 4})  # fmt: skip
    assert check_in.field("energy") == 4
    with pytest.raises(Exception, match="energy: must be an integer"):
        engine.parse_event({"id": "k", "client_id": "c", "type": "check_in",
                            "at": "2026-03-02T08:00:00Z", "energy": "high"})  # fmt: skip


def _fake_entry_point(monkeypatch, name: str, module: types.ModuleType) -> None:
    sys.modules[module.__name__] = module
    ep = metadata.EntryPoint(name=name, value=module.__name__, group="mirules")
    real = metadata.entry_points

    def fake(**kwargs):
        if kwargs.get("group") == "mirules":
            return metadata.EntryPoints([ep])
        return real(**kwargs)

    monkeypatch.setattr(metadata, "entry_points", fake)


def _plugin_module() -> types.ModuleType:
    module = types.ModuleType("mirules_test_ep_plugin")

    @hookimpl
    def mirules_register_strategies(register):
        register(Strategy("ep_strategy", "engaging"))

    module.mirules_register_strategies = mirules_register_strategies  # type: ignore[attr-defined]
    return module


@pytest.mark.parametrize(
    ("load", "disable", "loaded"),
    [
        (None, None, True),
        ("", None, False),
        ("sample", None, True),
        ("other", None, False),
        (None, "sample", False),
        (None, "*", False),
    ],
)
def test_entry_points_obey_environment(monkeypatch, load, disable, loaded) -> None:
    _fake_entry_point(monkeypatch, "sample", _plugin_module())
    for var, value in (("MIRULES_LOAD_PLUGINS", load), ("MIRULES_DISABLE_PLUGINS", disable)):
        if value is None:
            monkeypatch.delenv(var, raising=False)
        else:
            monkeypatch.setenv(var, value)
    with Engine(rulesets=[]) as engine:
        assert ("ep_strategy" in engine.strategies) is loaded


def test_broken_entry_point_is_a_plugin_error(monkeypatch) -> None:
    sys.modules.pop("mirules_missing_plugin", None)
    ep = metadata.EntryPoint(name="broken", value="mirules_missing_plugin", group="mirules")
    monkeypatch.setattr(metadata, "entry_points", lambda **kw: metadata.EntryPoints([ep]))
    monkeypatch.delenv("MIRULES_LOAD_PLUGINS", raising=False)
    with pytest.raises(PluginError, match="plugin 'broken' .* failed to import"):
        Engine(rulesets=[])
