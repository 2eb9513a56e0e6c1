"""The built-in strategies of DESIGN §5, each with its usual MI process and MITI codes."""

from collections.abc import Callable

from .._strategies import Strategy
from ..hookspecs import hookimpl

BUILTIN_STRATEGIES: tuple[Strategy, ...] = (
    Strategy(
        "express_empathy",
        "engaging",
        "Reflect feelings and normalise the difficulty.",
        ("simple_reflection", "question"),
    ),
    Strategy(
        "explore_barriers", "engaging", "Open questions about what got in the way.", ("question",)
    ),
    Strategy(
        "roll_with_resistance",
        "engaging",
        "Reflect the resistance without arguing.",
        ("complex_reflection", "emphasizing_autonomy"),
    ),
    Strategy(
        "repair_discord",
        "engaging",
        "Reflect the strain, apologise, hand over control.",
        ("complex_reflection", "emphasizing_autonomy"),
    ),
    Strategy(
        "remind_goal",
        "focusing",
        "Bring the client's own goal back into view.",
        ("simple_reflection", "question"),
    ),
    Strategy(
        "explore_goal_ownership",
        "focusing",
        "Ask whether a goal is the client's own.",
        ("seeking_collaboration", "question"),
    ),
    Strategy(
        "check_realism",
        "focusing",
        "Check whether the goal is realistic now.",
        ("seeking_collaboration", "question"),
    ),
    Strategy(
        "develop_discrepancy",
        "evoking",
        "Contrast actions with the client's own goals.",
        ("complex_reflection", "question"),
    ),
    Strategy(
        "evoke_change_talk", "evoking", "Ask for the client's own reasons to change.", ("question",)
    ),
    Strategy(
        "reflect_change_talk",
        "evoking",
        "Reflect change talk selectively.",
        ("complex_reflection",),
    ),
    Strategy(
        "soften_sustain_talk",
        "evoking",
        "Double-sided reflection ending on change.",
        ("complex_reflection",),
    ),
    Strategy(
        "importance_ruler", "evoking", "0-10 importance ruler with follow-ups.", ("question",)
    ),
    Strategy(
        "confidence_ruler", "evoking", "0-10 confidence ruler with follow-ups.", ("question",)
    ),
    Strategy(
        "support_self_efficacy",
        "evoking",
        "Recall a specific past success.",
        ("affirm", "question"),
    ),
    Strategy(
        "affirm_progress",
        "evoking",
        "Specific affirmation of effort or progress.",
        ("affirm", "complex_reflection"),
    ),
    Strategy(
        "recommit",
        "planning",
        "Invite the client to recommit in their own words.",
        ("emphasizing_autonomy", "question"),
    ),
    Strategy(
        "plan_small_steps",
        "planning",
        "Shrink the next step until it is easy.",
        ("seeking_collaboration", "question"),
    ),
    Strategy(
        "menu_of_options",
        "planning",
        "Offer several options; the client chooses.",
        ("persuade_with_permission", "emphasizing_autonomy"),
    ),
    Strategy(
        "reengage",
        "engaging",
        "One low-burden, autonomy-supportive check-in.",
        ("emphasizing_autonomy", "question"),
    ),
    Strategy(
        "escalate_to_coach",
        "safety",
        "Hand the situation to the human coach.",
        ("giving_information",),
        audience="coach",
    ),
)


@hookimpl
def mirules_register_strategies(register: Callable[[Strategy], None]) -> None:
    for strategy in BUILTIN_STRATEGIES:
        register(strategy)
