"""The default selection policy (DESIGN §7), answering last so a plugin can replace it."""

from collections.abc import Sequence

from .._events import Event
from .._select import Candidate, Selection, SelectionPolicy, default_selection
from .._state import ClientState
from ..hookspecs import hookimpl


@hookimpl(trylast=True)
def mirules_select(
    candidates: Sequence[Candidate], state: ClientState, event: Event, policy: SelectionPolicy
) -> Selection:
    return default_selection(candidates, state, event, policy)
