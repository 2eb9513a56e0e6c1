from __future__ import annotations

import pytest

from mirules.plugins.talk import classify


@pytest.mark.parametrize(
    ("text", "talk"),
    [
        ("I want to feel fitter", "change"),
        ("I'm going to walk tomorrow", "change"),
        ("I can do ten minutes", "change"),
        ("I can't do this", "sustain"),
        ("It's too hard right now", "sustain"),
        ("running is not for me", "sustain"),
        ("I want to, but I can't", "sustain"),
        ("I can't today, but I will tomorrow", "change"),
        ("Stop nagging me", "discord"),
        ("You don't understand, I want to", "discord"),
        ("It rained today", "neutral"),
        ("My doctor says I have to", "neutral"),
    ],
)
def test_classify(text: str, talk: str) -> None:
    assert classify(text) == talk


def test_host_can_replace_classifier(engine_factory, event) -> None:
    from mirules import hookimpl

    class AlwaysChange:
        @hookimpl
        def mirules_classify_message(self, text, state):
            return "change"

    engine = engine_factory(plugins=[AlwaysChange()])
    decision = engine.process(event("message", text="Stop nagging me"))
    assert decision.state.features["talk"] == "change"


def test_talk_given_by_host_wins(mirules_engine, event) -> None:
    decision = mirules_engine.process(event("message", text="Stop nagging me", talk="neutral"))
    assert decision.state.features["talk"] == "neutral"
