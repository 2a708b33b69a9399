"""Does a debrief reward ticking everything? A check over every run of a casus.

A learner who ticks every item of every multi_select and checklist step must not earn the praise meant for
a learner who ticked exactly the right ones ("je liet je niet afleiden"). For each path through the casus
this walks two runs in lockstep, taking the same options at every choice: one that ticks *everything*,
one that ticks *exactly the right items*. A debrief remark that holds at the end of both — while the two
differed somewhere, and the remark reads a variable a ticking step changed — treats the indiscriminate
learner like the precise one. Remarks that only the indiscriminate run meets (criticism of wrong ticks) and
remarks about other decisions are fine.
"""

from __future__ import annotations

import dataclasses
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from course.casus.conditions import Condition, Value
from course.casus.kinds import ChecklistStep, DebriefStep, MultiSelectStep, PlanStep, ReflectionStep, kind_of
from course.casus.model import Casus, Step

MAX_STATES = 20_000  # a casus has far fewer; the bound only keeps a pathological file from hanging a check


@dataclass(frozen=True)
class RewardedTicking:
    """Remark ``index`` of debrief ``step_id`` is met by ticking everything."""

    step_id: str
    index: int


def _ticking(step: Step) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """(all ids, the right ids) of a ticking step that has a wrong item; None for any other step."""
    if isinstance(step, MultiSelectStep):
        entries = [(i.id, i.correct) for i in step.items]
    elif isinstance(step, ChecklistStep):
        entries = [(c.id, c.correct) for c in step.criteria]
    else:
        return None
    if all(correct for _, correct in entries):
        return None
    return tuple(i for i, _ in entries), tuple(i for i, ok in entries if ok)


def _inputs(step: Step) -> Iterator[tuple[dict[str, list[str]], dict[str, list[str]]]]:
    """The posted values of the two runs at ``step``: the same choice for both, or all vs the right items."""
    ticking = _ticking(step)
    if ticking is not None:
        key = "item" if isinstance(step, MultiSelectStep) else "criterion"
        yield {key: list(ticking[0])}, {key: list(ticking[1])}
        return
    options = getattr(step, "options", None)
    if options is not None:
        for option in options:
            yield {"option": [option.id]}, {"option": [option.id]}
    elif isinstance(step, MultiSelectStep):
        right = [i.id for i in step.items if i.correct]
        yield {"item": right}, {"item": right}
    elif isinstance(step, ChecklistStep):
        right = [c.id for c in step.criteria if c.correct]
        yield {"criterion": right}, {"criterion": right}
    elif isinstance(step, ReflectionStep):
        yield {"answer": ["."]}, {}  # what is written changes no variable
    elif isinstance(step, PlanStep):
        yield {f.input_name: ["."] for f in step.fields}, {}
    else:
        yield {}, {}


def _conditions(value: object) -> Iterator[Condition]:
    """Every condition inside a step's definition (its branches, its options' branches, replies...)."""
    if isinstance(value, Condition):
        yield value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            yield from _conditions(getattr(value, f.name))
    elif isinstance(value, tuple | list):
        for item in value:
            yield from _conditions(item)


class _States:
    """Variables as hashable states and back. Only the variables that can matter are kept: those a condition
    on the way reads (which step follows, which reply is given) or a debrief remark of interest reads. An
    effect only ever reads the variable it changes, so the others can never steer the walk or a remark;
    keeping them made runs that differ only in, say, a tally nobody reads into different states, and the real
    casussen into more than MAX_STATES. The values in a fixed order are cheap to hash and compare."""

    def __init__(self, start: Mapping[str, Value], relevant: frozenset[str]):
        self.start = dict(start)
        self.names = tuple(n for n in start if n in relevant)
        self._values = itemgetter(*self.names) if len(self.names) > 1 else (lambda v: tuple(v[n] for n in self.names))

    def freeze(self, variables: Mapping[str, Value]) -> tuple[Any, ...]:
        if len(variables) == len(self.start):  # effects only set declared variables: the same names
            return (True, self._values(variables))
        return (False, tuple(sorted(variables.items())))

    def thaw(self, state: tuple[Any, ...]) -> dict[str, Value]:
        if not state[0]:
            return dict(state[1])
        return {**self.start, **dict(zip(self.names, state[1], strict=True))}


def remarks_rewarding_ticking_everything(casus: Casus) -> list[RewardedTicking]:
    """Every debrief remark (by debrief step id and index) that some run ticking everything meets just as
    the run ticking exactly the right items does. Returns [] when no step has a wrong item to tick."""
    ticked_vars = {e.variable for s in casus.steps if _ticking(s) is not None for e in getattr(s, "effects", ())}
    if not ticked_vars:
        return []
    # Per step, what the walk needs there, worked out once instead of in every state that reaches it:
    # a debrief's remarks that read a ticked variable; any other step's kind, whether it is a ticking
    # step, and the two runs' parsed answers.
    remarks: dict[str, list[tuple[int, object]]] = {}
    moves: dict[str, tuple[object, bool, list[tuple[object, object]]]] = {}
    for step in casus.steps:
        if isinstance(step, DebriefStep):
            remarks[step.id] = [(n, r.condition) for n, r in enumerate(step.remarks)
                                if r.condition.variables & ticked_vars]
        else:
            kind = kind_of(step)
            moves[step.id] = (kind, _ticking(step) is not None,
                              [(kind.parse(step, all_input), kind.parse(step, exact_input or all_input))
                               for all_input, exact_input in _inputs(step)])
    start = casus.initial_variables()
    read = {name for step in casus.steps if not isinstance(step, DebriefStep)
            for condition in _conditions(step) for name in condition.variables}
    read |= {name for conditions in remarks.values() for _, condition in conditions
             for name in condition.variables}  # type: ignore[attr-defined]
    states = _States(start, frozenset(read))
    queue = deque([(casus.start, states.freeze(start), states.freeze(start), False)])
    seen = set(queue)
    found: set[tuple[str, int]] = set()
    # Kinds return new variables or, for a step without effects, the very mapping they were given: that
    # state is the one the walk already holds, so it is not frozen again (nor is the mapping copied: apply
    # never changes what it is given).
    while queue and len(seen) < MAX_STATES:
        step_id, everything, exact, differed = queue.popleft()
        step = casus.step(step_id)
        everything_vars, exact_vars = states.thaw(everything), states.thaw(exact)
        if isinstance(step, DebriefStep):
            if differed:
                for n, condition in remarks[step.id]:
                    if (condition.holds(everything_vars)  # type: ignore[attr-defined]
                            and condition.holds(exact_vars)):  # type: ignore[attr-defined]
                        found.add((step.id, n))
            continue
        kind, ticks, answers = moves[step.id]
        for answer, exact_answer in answers:
            outcome = kind.apply(step, answer, everything_vars)  # type: ignore[attr-defined]
            exact_outcome = kind.apply(step, exact_answer, exact_vars)  # type: ignore[attr-defined]
            after = everything if outcome.variables is everything_vars else states.freeze(outcome.variables)
            exact_after = exact if exact_outcome.variables is exact_vars else states.freeze(exact_outcome.variables)
            state = (outcome.next, after, exact_after, differed or ticks)
            size = len(seen)
            seen.add(state)  # hashed once: a state is a long tuple
            if len(seen) > size:
                queue.append(state)
    return [RewardedTicking(step_id, n) for step_id, n in sorted(found)]
