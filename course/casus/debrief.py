"""The debrief of a run: the learner's path beside the recommended path, fork by fork, with the reasoning,
the framework each fork exercises, and the remarks that apply to how the run went."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from course.casus.conditions import Value
from course.casus.engine import RunState, feedback_for, is_complete
from course.casus.kinds import ChoiceStep, ConversationStep, DebriefStep, Option, chosen_option_id
from course.casus.model import Casus, Step, Variable
from course.errors import DomainError


@dataclass(frozen=True)
class Fork:
    """One choice (or conversation) step passed: what the learner chose beside what is recommended, and why."""

    step: ChoiceStep | ConversationStep
    chosen: Option
    recommended: tuple[Option, ...]

    @property
    def followed_recommendation(self) -> bool:
        return self.chosen.recommended

    @property
    def meldcode_step(self) -> int | None:
        return self.step.meldcode_step

    @property
    def afweging(self) -> int | None:
        return self.step.afweging


@dataclass(frozen=True)
class PathEntry:
    """One answered step of the run, with the feedback it gave (for the history and the print view)."""

    step: Step
    feedback: Any


@dataclass(frozen=True)
class Debrief:
    step: DebriefStep
    forks: tuple[Fork, ...]
    remarks: tuple[str, ...]  # HTML of each remark whose condition holds
    variables: tuple[tuple[Variable, Value], ...]  # labelled variables and their final values
    path: tuple[PathEntry, ...]

    @property
    def recommended_count(self) -> int:
        return sum(1 for f in self.forks if f.followed_recommendation)


def path_entries(casus: Casus, state: RunState) -> tuple[PathEntry, ...]:
    """Every answered step of ``state`` in order, with its feedback."""
    return tuple(PathEntry(casus.step(d.step), feedback_for(casus, d)) for d in state.path)


def debrief(casus: Casus, state: RunState) -> Debrief:
    """The debrief of a finished run.

    Returns the forks (each choice decision beside the recommended option(s), in the order taken; a
    revisited fork appears once per pass), the debrief remarks whose conditions hold, and the labelled
    variables. Raises DomainError if the run has not reached a debrief yet.
    """
    if not is_complete(casus, state):
        raise DomainError("De nabespreking komt pas aan het eind van de casus.")
    step = casus.step(state.current)
    assert isinstance(step, DebriefStep)  # noqa: S101 - is_complete() means the kind ends the run
    forks = []
    for decision in state.path:
        fork_step = casus.step(decision.step)
        if isinstance(fork_step, ChoiceStep):
            forks.append(Fork(fork_step, fork_step.option(str(decision.answer)), fork_step.recommended))
        elif isinstance(fork_step, ConversationStep):
            forks.append(Fork(fork_step, fork_step.option(chosen_option_id(decision.answer)),
                              fork_step.recommended))
    remarks = tuple(r.text_html for r in step.remarks if r.condition.holds(state.variables))
    variables = tuple((v, state.variables[v.name]) for v in casus.variables if v.label)
    return Debrief(step, tuple(forks), remarks, variables, path_entries(casus, state))
