from __future__ import annotations

import pytest
from click.testing import CliRunner

from mirules._cli import cli
from mirules._lint import lint_text


def checks(text: str, codes: tuple[str, ...] = ("complex_reflection",)) -> list[str]:
    return [check for check, _, _ in lint_text(text, codes)]


@pytest.mark.parametrize(
    ("text", "check"),
    [
        ("You should walk more.", "directive"),
        ("You need to plan better.", "directive"),
        ("Just go for a walk.", "imperative"),
        ("Stop skipping your walks.", "imperative"),
        ("No excuses this week.", "imperative"),
        ("Make sure you walk today.", "imperative"),
        ("If you don't walk, you will regret it.", "warning"),
        ("You'd better get moving.", "warning"),
        ("Why didn't you walk?", "blaming-question"),
        ("You said you would walk.", "inconsistency"),
        ("You still haven't walked.", "inconsistency"),
        ("Missed it again?", "inconsistency"),
        ("Yes, but it matters.", "arguing"),
        ("That's not true.", "arguing"),
        ("Being lazy happens.", "label"),
        ("You failed this week.", "label"),
        ("The facts are clear.", "lecturing"),
        ("It's easy to walk.", "lecturing"),
        ("I recommend an early walk.", "unsolicited-advice"),
        ("Have you tried walking at lunch?", "unsolicited-advice"),
        ("Think of your family.", "guilt"),
        ("Wouldn't that be great.", "guilt"),
        ("Why not a 10?", "ruler-misuse"),
        ("You broke your streak.", "all-or-nothing"),
        ("Back to zero now.", "all-or-nothing"),
    ],
)
def test_lexicon_flags(text: str, check: str) -> None:
    assert check in checks(
        text, ("complex_reflection", "question") if "?" in text else ("complex_reflection",)
    )


@pytest.mark.parametrize(
    "text",
    [
        "Would it be okay if I shared an idea? I recommend an early walk.",
        "I recommend an early walk, but it's up to you.",
        "Have you tried walking at lunch? You know yourself best.",
        "You should try a shorter walk. What do you make of that?",
    ],
)
def test_permission_and_autonomy_lift_advice_flags(text: str) -> None:
    found = checks(
        text,
        ("persuade_with_permission", "question") if "?" in text else ("persuade_with_permission",),
    )
    assert "unsolicited-advice" not in found
    assert "directive" not in found


def test_permission_does_not_lift_confrontation() -> None:
    assert "blaming-question" in checks("Why didn't you walk? It's up to you.", ("question",))


def test_reflection_of_clients_words_is_not_a_directive() -> None:
    assert checks("You feel you should walk more, and part of you resists.") == []
    assert checks("It sounds like you have to juggle a lot.") == []
    assert "directive" in checks("You have to juggle a lot.")


def test_codes_must_fit_text() -> None:
    assert "codes" in checks("A statement.", ("question",))
    assert "codes" in checks("What happened?", ("simple_reflection",))
    assert "question-stacking" in checks("What happened? Why?", ("question",))
    assert "codes" in checks("You feel stuck?", ("complex_reflection", "question"))
    assert "praise" in checks("Great job on the walk!", ("affirm",))
    assert (
        checks("You walked three times despite the rain; that took persistence.", ("affirm",)) == []
    )


def test_lint_command(tmp_path) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["lint"], catch_exceptions=False)
    assert result.exit_code == 0
    assert "no findings" in result.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        'ruleset: bad\nversion: "1"\nrules:\n  - id: r\n    on: [action_missed]\n'
        "    strategy: express_empathy\n    codes: [simple_reflection, question]\n    why: w\n"
        '    say:\n      - "Why didn\'t you do {action}?"\n      - "You missed {action}. You should plan better."\n'
    )
    result = runner.invoke(cli, ["lint", str(bad)], catch_exceptions=False)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert (
        f"{bad}:10: rule 'r': variant 1: blaming-question: a blaming question draws out sustain talk (\"Why didn't you\")"
        in lines
    )
    assert any(line.startswith(f"{bad}:11: rule 'r': variant 2: directive:") for line in lines)
    assert any("variant 2: codes: coded 'question'" in line for line in lines)
    result = runner.invoke(cli, ["check", str(bad)], catch_exceptions=False)
    assert result.exit_code == 1
    assert "blaming-question" in result.stdout


@pytest.mark.parametrize("name", ["core-mi", "physical-activity", "smoking-cessation"])
def test_every_shipped_ruleset_is_lint_clean(name: str) -> None:
    result = CliRunner().invoke(cli, ["lint", name], catch_exceptions=False)
    assert result.exit_code == 0, result.stdout
