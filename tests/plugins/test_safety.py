from __future__ import annotations

import pytest

from mirules import PluginError
from mirules.plugins.safety import CRISIS_LEXICON, find_crisis

CRISIS = [
    ("I want to kill myself", "suicide"),
    ("sometimes i think about suicide", "suicide"),
    ("I've been feeling suicidal", "suicide"),
    ("I just want to end it all", "suicide"),
    ("I want to die", "suicide"),
    ("everyone would be better off without me", "suicide"),
    ("I don't want to live anymore", "suicide"),
    ("I've been cutting myself again", "self-harm"),
    ("I keep hurting myself", "self-harm"),
    ("my partner hits me when he drinks", "abuse"),
    ("I'm afraid to go home", "abuse"),
]
FIGURATIVE = [
    "this workout is killing me",
    "I'm dying to try the new trail",
    "I could murder a pizza",
    "work is a nightmare but I'll manage",
    "I nearly died laughing at the video",
]


INDIRECT_AND_MISSPELT = [
    ("I've been thinking about ending things", "suicide"),
    ("nobody would even notice if I was gone", "suicide"),
    ("I won't be around much longer", "suicide"),
    ("honestly life isn't worth living", "suicide"),
    ("I just want to go to sleep and never wake up", "suicide"),
    ("I'm so tired of being alive", "suicide"),
    ("i want to kil myself", "suicide"),
    ("thinking about sucide", "suicide"),
    ("I feel suicdal", "suicide"),
    ("suiside thoughts again", "suicide"),
    ("kms", "suicide"),
    ("I've been starving myself", "self-harm"),
    ("started cutting again", "self-harm"),
    ("he threatened me last night", "abuse"),
    ("I'm scared of my husband", "abuse"),
    ("she won't let me leave the house", "abuse"),
]
HYPERBOLE = [
    "this chocolate cake is to die for",
    "I'd kill for a coffee right now",
    "I'm dying of embarrassment",
    "I want to die of embarrassment after that meeting",
    "my boss is killing me with these deadlines",
    "I could have died of shame",
    "I was dying to tell you",
    "that joke killed me",
    "I literally died when I saw the price",
    "the subsidy paperwork is endless",
    "I'm sick of this weather",
    "deadline is killing me",
]


@pytest.mark.parametrize(("text", "category"), CRISIS + INDIRECT_AND_MISSPELT)
def test_crisis_language_is_found(text: str, category: str) -> None:
    found = find_crisis(text)
    assert found is not None
    assert found[0] == category


@pytest.mark.parametrize("text", FIGURATIVE + HYPERBOLE)
def test_figurative_language_is_not_a_crisis(text: str) -> None:
    assert find_crisis(text) is None


def test_lexicon_is_documented() -> None:
    from pathlib import Path

    doc = (Path(__file__).parents[2] / "docs" / "safety.md").read_text()
    for category, _ in CRISIS_LEXICON:
        assert category in doc


def test_crisis_message_escalates_and_blocks_client_messages(mirules_engine, event) -> None:
    decision = mirules_engine.process(
        event("message", text="Stop nagging me, I want to kill myself")
    )
    assert len(decision.interventions) == 1
    escalation = decision.interventions[0]
    assert (escalation.audience, escalation.indicator) == ("coach", "critical")
    assert escalation.strategy == "escalate_to_coach"
    assert "suicide" in escalation.message
    # the discord rule matched but must not reach the client
    assert [(s.rule, s.reason) for s in decision.suppressed] == [("discord-repair", "safety")]


@pytest.mark.parametrize(
    ("event_type", "fields"),
    [
        ("check_in", {"note": "I have been self-harming"}),
        ("action_missed", {"action_id": "a", "reason": "I overdosed last night"}),
        ("goal_abandoned", {"goal_id": "g", "reason": "what's the point, I want to die"}),
    ],
)
def test_every_free_text_field_is_screened(
    mirules_engine, event, event_type: str, fields: dict
) -> None:
    decision = mirules_engine.process(event(event_type, **fields))
    assert [i.indicator for i in decision.interventions] == ["critical"]
    assert all(i.audience == "coach" for i in decision.interventions)


def test_safety_plugin_cannot_be_blocked(engine_factory) -> None:
    with pytest.raises(PluginError, match="cannot be blocked"):
        engine_factory(block_plugins=["mirules.plugins.safety"])


def test_selection_plugin_cannot_weaken_the_screen(engine_factory, event) -> None:
    from mirules import Selection, hookimpl

    class Greedy:
        @hookimpl
        def mirules_select(self, candidates, state, event, policy):
            return Selection(tuple(candidates))  # tries to send everything

    engine = engine_factory(plugins=[Greedy()])
    decision = engine.process(event("message", text="you don't get it, I want to die"))
    assert [i.audience for i in decision.interventions] == ["coach"]
