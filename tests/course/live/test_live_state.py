"""The live session's state machine: what the trainer's buttons do, and what they refuse."""

from __future__ import annotations

import pytest

from course.live.state import Action, LiveState, Phase, TransitionError, apply


def running(index: int = 0, **kw: bool) -> LiveState:
    return LiveState(Phase.RUNNING, index, **kw)


def test_starting_shows_the_first_item_open_for_answers() -> None:
    assert apply(LiveState(), Action.START, 3) == LiveState(Phase.RUNNING, 0, answering=True)


def test_a_first_item_without_answers_starts_closed() -> None:
    assert apply(LiveState(), Action.START, 3, answerable=False) == LiveState(Phase.RUNNING, 0, answering=False)


@pytest.mark.parametrize("action", [a for a in Action if a not in (Action.START, Action.END)])
def test_nothing_but_start_or_end_works_in_the_lobby(action: Action) -> None:
    with pytest.raises(TransitionError):
        apply(LiveState(), action, 3)


def test_start_twice_is_refused() -> None:
    with pytest.raises(TransitionError):
        apply(running(), Action.START, 3)


def test_lock_open_and_reveal() -> None:
    state = apply(running(answering=True), Action.LOCK, 3)
    assert state == running(answering=False)
    assert apply(state, Action.OPEN, 3) == running(answering=True)
    shown = apply(state, Action.SHOW_RESULTS, 3)
    assert shown.results_shown and not shown.answer_shown
    assert not apply(shown, Action.HIDE_RESULTS, 3).results_shown


def test_revealing_the_recommended_answer_closes_answering_and_shows_results() -> None:
    state = apply(running(answering=True), Action.SHOW_ANSWER, 3)
    assert state == running(answering=False, results_shown=True, answer_shown=True)


def test_opening_an_item_without_answers_is_refused() -> None:
    with pytest.raises(TransitionError):
        apply(running(), Action.OPEN, 3, answerable=False)


def test_next_and_previous_move_and_hide_what_was_revealed() -> None:
    state = running(1, answering=False, results_shown=True, answer_shown=True)
    assert apply(state, Action.NEXT, 3) == running(2)
    assert apply(state, Action.PREVIOUS, 3) == running(0)


def test_next_on_the_last_item_and_previous_on_the_first_are_refused() -> None:
    with pytest.raises(TransitionError):
        apply(running(2), Action.NEXT, 3)
    with pytest.raises(TransitionError):
        apply(running(0), Action.PREVIOUS, 3)


def test_a_casus_only_moves_forward() -> None:
    with pytest.raises(TransitionError):
        apply(running(1), Action.PREVIOUS, 3, can_go_back=False)


def test_end_closes_answering_and_nothing_works_after_it() -> None:
    ended = apply(running(1, answering=True), Action.END, 3)
    assert ended.phase == Phase.ENDED and not ended.answering and ended.index == 1
    for action in Action:
        with pytest.raises(TransitionError):
            apply(ended, action, 3)


def test_the_lobby_can_be_ended_without_starting() -> None:
    assert apply(LiveState(), Action.END, 3).phase == Phase.ENDED
