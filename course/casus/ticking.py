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

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass

from course.casus.conditions import Value
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


def _freeze(variables: dict[str, Value]) -> tuple[tuple[str, Value], ...]:
    return tuple(sorted(variables.items()))


def remarks_rewarding_ticking_everything(casus: Casus) -> list[RewardedTicking]:
    """Every debrief remark (by debrief step id and index) that some run ticking everything meets just as
    the run ticking exactly the right items does. Returns [] when no step has a wrong item to tick."""
    ticked_vars = {e.variable for s in casus.steps if _ticking(s) is not None for e in getattr(s, "effects", ())}
    if not ticked_vars:
        return []
    start = casus.initial_variables()
    queue = deque([(casus.start, _freeze(start), _freeze(start), False)])
    seen = set(queue)
    found: set[tuple[str, int]] = set()
    while queue and len(seen) < MAX_STATES:
        step_id, everything, exact, differed = queue.popleft()
        step = casus.step(step_id)
        if isinstance(step, DebriefStep):
            if differed:
                for n, remark in enumerate(step.remarks):
                    if (remark.condition.variables & ticked_vars and remark.condition.holds(dict(everything))
                            and remark.condition.holds(dict(exact))):
                        found.add((step.id, n))
            continue
        kind = kind_of(step)
        for all_input, exact_input in _inputs(step):
            answer = kind.parse(step, all_input)
            outcome = kind.apply(step, answer, dict(everything))
            exact_outcome = kind.apply(step, kind.parse(step, exact_input or all_input), dict(exact))
            state = (outcome.next, _freeze(dict(outcome.variables)), _freeze(dict(exact_outcome.variables)),
                     differed or _ticking(step) is not None)
            if state not in seen:
                seen.add(state)
                queue.append(state)
    return [RewardedTicking(step_id, n) for step_id, n in sorted(found)]
