"""The live session's state machine: which item is on the screen, whether answering is open, what the
group may see. Pure: services load the state from the database, apply one action, and store the result.

A session moves lobby → running → ended. While running, the current item is either open (participants
answer) or locked; results and the recommended answer are revealed by the trainer, and hidden again when
the session moves on.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from course.errors import N_, DomainError


class Phase(StrEnum):
    LOBBY = "lobby"  # participants join; nothing is asked yet
    RUNNING = "running"
    ENDED = "ended"


class Action(StrEnum):
    START = "start"
    OPEN = "open"
    LOCK = "lock"
    SHOW_RESULTS = "show_results"
    HIDE_RESULTS = "hide_results"
    SHOW_ANSWER = "show_answer"
    NEXT = "next"
    PREVIOUS = "previous"
    END = "end"


class TransitionError(DomainError):
    """An action that does not fit the session's state (a stale console, a double click)."""


@dataclass(frozen=True)
class LiveState:
    phase: Phase = Phase.LOBBY
    index: int = 0  # the current item
    answering: bool = False
    results_shown: bool = False
    answer_shown: bool = False


def _refuse(message: str) -> TransitionError:
    return TransitionError(message)


def apply(state: LiveState, action: Action, item_count: int, *, answerable: bool = True,
          can_go_back: bool = True) -> LiveState:
    """The state after ``action`` in a session of ``item_count`` items.

    ``answerable`` says whether the current item takes answers (a casus situation does not);
    ``can_go_back`` is False for a live casus, whose path only moves forward. Raises TransitionError
    for an action that does not fit (e.g. "next" on the last item, anything after the end).
    """
    if state.phase == Phase.ENDED:
        raise _refuse(N_("Deze sessie is afgelopen."))
    if action == Action.END:
        return replace(state, phase=Phase.ENDED, answering=False)
    if state.phase == Phase.LOBBY:
        if action != Action.START:
            raise _refuse(N_("Start de sessie eerst."))
        return LiveState(Phase.RUNNING, 0, answering=answerable)
    if action == Action.START:
        raise _refuse(N_("De sessie loopt al."))
    if action == Action.OPEN:
        if not answerable:
            raise _refuse(N_("Bij deze stap valt niets te beantwoorden."))
        return replace(state, answering=True)
    if action == Action.LOCK:
        return replace(state, answering=False)
    if action == Action.SHOW_RESULTS:
        return replace(state, results_shown=True)
    if action == Action.HIDE_RESULTS:
        return replace(state, results_shown=False)
    if action == Action.SHOW_ANSWER:
        # The recommended answer closes answering: nobody should answer after seeing it.
        return replace(state, answer_shown=True, results_shown=True, answering=False)
    if action == Action.NEXT:
        if state.index + 1 >= item_count:
            raise _refuse(N_("Dit was de laatste vraag."))
        return LiveState(Phase.RUNNING, state.index + 1)
    if action == Action.PREVIOUS:
        if not can_go_back:
            raise _refuse(N_("Een casus gaat alleen vooruit."))
        if state.index == 0:
            raise _refuse(N_("Dit is de eerste vraag."))
        return LiveState(Phase.RUNNING, state.index - 1)
    raise _refuse(N_("Onbekende actie."))
