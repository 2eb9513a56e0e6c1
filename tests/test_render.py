from __future__ import annotations

import pytest

from mirules import TemplateError
from mirules._render import PLACEHOLDERS, clean_value, parse_template


def test_render_fills_placeholders() -> None:
    template = parse_template("Missing {action} once is normal. You did {last_success} before.")
    assert template.placeholders == ("action", "last_success")
    text = template.render({"action": "a walk", "last_success": "a swim"})
    assert text == "Missing a walk once is normal. You did a swim before."


def test_client_values_never_expand_into_placeholders() -> None:
    template = parse_template("You planned {action}.")
    text = template.render({"action": "{goal} {0} {action.__class__} %s"})
    assert "{" not in text
    assert "}" not in text
    assert "goal" in text  # inserted as text, not expanded


def test_values_are_cleaned() -> None:
    assert clean_value("a\nb\tc\x00d") == "a b c d"
    assert clean_value("x" * 200).endswith("…")
    assert len(clean_value("x" * 200)) == 80
    assert clean_value("{}") == "that"


def test_render_refuses_null() -> None:
    with pytest.raises(TemplateError, match="has no value"):
        parse_template("Hi {confidence}").render({"confidence": None})


def test_first_letter_capitalised() -> None:
    assert parse_template("{action} is done.").render({"action": "a walk"}) == "A walk is done."


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Hi {nope}", "unknown placeholder"),
        ("Hi {action.title}", "only plain names"),
        ("Hi {action[0]}", "only plain names"),
        ("Hi {0}", "only plain names"),
        ("Hi {}", "only plain names"),
        ("Hi {action:>10}", "format specs"),
        ("Hi {action!s}", "conversions"),
        ("Hi {action", "malformed"),
        ("Hi }", "malformed|literal braces"),
        ("Hi {{", "literal braces"),
        ("   ", "must not be empty"),
    ],
)
def test_bad_templates(text: str, message: str) -> None:
    with pytest.raises(TemplateError, match=message):
        parse_template(text)


def test_documented_placeholders_are_in_docs() -> None:
    from pathlib import Path

    doc = (Path(__file__).parents[1] / "docs" / "rulesets.md").read_text()
    for name in PLACEHOLDERS:
        assert f"`{{{name}}}`" in doc
