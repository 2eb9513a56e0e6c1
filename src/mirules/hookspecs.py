"""Every mirules hook, typed and documented (DESIGN §9). This docstring set *is* the reference.

Families:

* ``mirules_register_*`` contribute things. Each receives a ``register`` callable; calling it
  twice with the same name (from any plugins) is a :class:`~mirules.PluginError` naming both.
* ``mirules_classify_message``, ``mirules_select`` and ``mirules_render`` decide. They are
  *firstresult*: the first non-``None`` answer wins, and the built-in plugin answers last
  (``trylast``), so any plugin can replace it.
* ``mirules_on_decision`` notifies. A notifier that raises is logged and never undoes the
  commit.

A plugin is any module or object with functions decorated ``@mirules.hookimpl``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import click

    from ._events import Event, EventField
    from ._features import Feature
    from ._model import Decision
    from ._rulesets import Ruleset
    from ._screens import Screen
    from ._select import Candidate, Selection, SelectionPolicy
    from ._state import ClientState
    from ._strategies import Strategy

PROJECT = "mirules"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def mirules_register_rulesets(register: Callable[[Ruleset | str], None]) -> None:
    """Contribute rulesets.

    :param register: call with a path (``str`` or ``os.PathLike``) to a YAML ruleset, or with
        an already-loaded :class:`~mirules.Ruleset`. Ruleset names must be unique.

    Rulesets registered here are used when an Engine is built without ``rulesets=``.
    """


@hookspec
def mirules_register_features(register: Callable[[Feature], None]) -> None:
    """Contribute features that conditions can read.

    :param register: call with a :class:`~mirules.Feature`. Its ``compute(state, event)`` runs
        after the built-in reducer, on the reduced state. A name clash is an error at start-up.
    """


@hookspec
def mirules_register_event_types(register: Callable[[type[Event] | EventField], None]) -> None:
    """Contribute event types, or extra fields on existing ones.

    :param register: call with a frozen attrs subclass of :class:`~mirules.Event` that sets
        ``TYPE`` (a new event type), or with an :class:`~mirules.EventField` (an extra field
        allowed on an existing type; its value appears in ``event.extensions``).
    """


@hookspec
def mirules_register_strategies(register: Callable[[Strategy], None]) -> None:
    """Contribute strategies rules can name (name, usual process, codes, optional composer).

    :param register: call with a :class:`~mirules.Strategy`.
    """


@hookspec
def mirules_register_screens(register: Callable[[Screen], None]) -> None:
    """Contribute safety screens, which run before rules on every event.

    :param register: call with a :class:`~mirules.Screen`. A screen that returns a hit forces a
        coach-facing ``critical`` escalation and stops client-facing automation for the event.
        Screens add to the built-in crisis screen; none can remove or weaken it.
    """


@hookspec
def mirules_register_commands(cli: click.Group) -> None:
    """Add subcommands to the ``mirules`` command line.

    :param cli: the root :class:`click.Group`; use ``@cli.command()``.
    """


@hookspec(firstresult=True)
def mirules_classify_message(text: str, state: ClientState) -> str | None:
    """Classify a client's message as ``change``, ``sustain``, ``neutral`` or ``discord``.

    Called for ``message`` events that carry no ``talk``. *firstresult*: return ``None`` to
    let the next plugin (finally the built-in cue classifier) decide.
    """


@hookspec(firstresult=True)
def mirules_select(
    candidates: Sequence[Candidate], state: ClientState, event: Event, policy: SelectionPolicy
) -> Selection | None:
    """Choose which matched rules become interventions.

    :param candidates: every rule that matched and passed safety and invariants, in ruleset
        order, each with its explanation.
    :param policy: cooldown, fatigue and cap settings of this engine.
    :return: a :class:`~mirules.Selection` (chosen + suppressed with reasons), or ``None`` to
        defer to the next plugin (finally the built-in policy of DESIGN §7). Candidates left
        out of both lists are recorded as suppressed with reason ``plugin``.
    """


@hookspec(firstresult=True)
def mirules_render(candidate: Candidate, context: dict[str, Any]) -> str | None:
    """Render the message of a chosen candidate.

    :param candidate: the chosen rule; ``candidate.variant`` is the variant index to use.
    :param context: the documented placeholders and their values (``None`` when unknown).
    :return: the message text, or ``None`` to defer (finally to the safe template renderer).
    """


@hookspec
def mirules_on_decision(decision: Decision) -> None:
    """Notification after a decision is committed (delivery, audit). Raising never undoes it."""
