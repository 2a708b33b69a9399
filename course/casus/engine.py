"""The pure casus engine: an immutable run state and the transitions between states.

Nothing here touches a database or a request: services store ``RunState.to_json()`` and call
``advance`` with plain posted values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from course.casus.conditions import Value
from course.casus.kinds import Answer, RawInput, kind_of
from course.casus.kinds.conversation import chosen_option_id
from course.casus.model import Casus, Step
from course.errors import DomainError

STATE_VERSION = 1


class StepNotCurrent(DomainError):
    """An answer to a step that is not the run's current step (a stale page, a double submit, a forgery)."""


@dataclass(frozen=True)
class Decision:
    """One answered step of a run. ``answer`` is kind-specific (see ``StepKind.parse``)."""

    step: str
    answer: Answer


@dataclass(frozen=True)
class RunState:
    """Where a run is: the current step, the variables, and every decision so far, in order."""

    current: str
    variables: Mapping[str, Value]
    path: tuple[Decision, ...] = ()

    def to_json(self, casus: Casus) -> dict[str, Any]:
        """The state as JSON-able data, for storing with the run."""
        return {
            "version": STATE_VERSION,
            "current": self.current,
            "variables": dict(self.variables),
            "path": [{"step": d.step, "answer": kind_of(casus.step(d.step)).dump(d.answer)} for d in self.path],
        }

    @classmethod
    def from_json(cls, casus: Casus, data: Any) -> RunState:
        """The state stored by ``to_json``, checked against ``casus``.

        Variables declared since the run was stored get their initial value. Raises DomainError when the
        data does not fit the casus any more (a step or option removed since), so the caller can offer a
        fresh start instead of crashing.
        """
        if not isinstance(data, dict) or data.get("version") != STATE_VERSION:
            raise DomainError("De opgeslagen stand van deze casus is onleesbaar.")
        current, stored_vars, stored_path = data.get("current"), data.get("variables"), data.get("path")
        if not isinstance(current, str) or not isinstance(stored_vars, dict) or not isinstance(stored_path, list):
            raise DomainError("De opgeslagen stand van deze casus is onleesbaar.")
        casus.step(current)
        variables = casus.initial_variables()
        for name, value in stored_vars.items():
            if name in variables and casus.variable(name).accepts(value):
                variables[name] = value
        path = []
        for entry in stored_path:
            if not isinstance(entry, dict) or not isinstance(entry.get("step"), str):
                raise DomainError("De opgeslagen stand van deze casus is onleesbaar.")
            step = casus.step(entry["step"])
            path.append(Decision(step.id, kind_of(step).load(step, entry.get("answer"))))
        return cls(current, MappingProxyType(variables), tuple(path))


def start(casus: Casus) -> RunState:
    """A fresh run of ``casus``: at the start step, every variable at its initial value."""
    return RunState(casus.start, MappingProxyType(casus.initial_variables()))


def current_step(casus: Casus, state: RunState) -> Step:
    """The step the learner is at; DomainError if the casus no longer has it."""
    return casus.step(state.current)


def is_complete(casus: Casus, state: RunState) -> bool:
    """True once the run has reached a debrief."""
    return kind_of(casus.step(state.current)).ends_run


def advance(casus: Casus, state: RunState, step_id: str, raw_input: RawInput) -> tuple[RunState, Any]:
    """Answer the current step with posted plain values.

    Returns the new state and the feedback on this answer (a kind-specific object, or None for an info
    step). Raises StepNotCurrent when ``step_id`` is not the current step, and DomainError for an unknown
    step, a finished run, or input the step refuses (unknown option ids, too long a text, ...). ``state``
    itself is never changed.
    """
    step = casus.step(step_id)
    if step.id != state.current:
        raise StepNotCurrent("Deze stap is niet (meer) aan de beurt.", field="step")
    kind = kind_of(step)
    if kind.ends_run:
        raise DomainError("Deze casus is afgerond; er valt niets meer te beantwoorden.", field="step")
    answer = kind.parse(step, raw_input)
    outcome = kind.apply(step, answer, state.variables)
    if outcome.answer is not None:
        answer = outcome.answer
    new_state = RunState(outcome.next, MappingProxyType(dict(outcome.variables)),
                         (*state.path, Decision(step.id, answer)))
    return new_state, kind.feedback(step, answer)


def repeats_last(casus: Casus, state: RunState, step_id: str, raw_input: RawInput) -> bool:
    """Whether answering ``step_id`` with ``raw_input`` repeats the run's last decision exactly.

    A double click or a resent form posts the step just answered again: the caller then shows the same
    result instead of refusing it as a stale page. Returns False for anything else (never raises).
    """
    if not state.path or state.path[-1].step != step_id:
        return False
    step = casus.step(step_id)
    try:
        answer = kind_of(step).parse(step, raw_input)
    except DomainError:
        return False
    last = state.path[-1].answer
    if step.kind == "conversation":  # the answer stored keeps the reply drawn as well
        return chosen_option_id(last) == chosen_option_id(answer)
    return bool(answer == last)


def feedback_for(casus: Casus, decision: Decision) -> Any:
    """The feedback the learner saw for ``decision`` (to show it again, e.g. on the next page)."""
    step = casus.step(decision.step)
    return kind_of(step).feedback(step, decision.answer)


def last_feedback(casus: Casus, state: RunState) -> tuple[Step, Any] | None:
    """The last answered step and its feedback, or None at the start of a run."""
    if not state.path:
        return None
    decision = state.path[-1]
    return casus.step(decision.step), feedback_for(casus, decision)


def recorded_ids(casus: Casus, decision: Decision) -> tuple[str, ...]:
    """The option/item ids of ``decision`` that may be aggregated across learners (never free text)."""
    step = casus.step(decision.step)
    return kind_of(step).recorded_ids(step, decision.answer)
