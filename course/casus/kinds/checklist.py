"""Checklist step: the learner assesses their own work against criteria, then sees feedback per criterion.

A criterion is something good work meets (``correct: true``, the default) or a pitfall it should avoid
(``correct: false``). Effects may count both: ``"+= correct"`` the criteria ticked that should be, ``"+= wrong"``
the pitfalls ticked.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import Field, StrictBool

from course.casus.conditions import Value
from course.casus.effects import apply_effects
from course.casus.kinds.base import Answer, Compiler, Outcome, RawInput, StepKind, chosen_ids, stored_ids
from course.casus.model import Effect, Next, Step
from course.casus.schema import Effects, NextDef, Slug, StepDef, Text, next_targets
from course.content.validation import Frozen
from course.content.yamlfile import Loc


class CriterionDef(Frozen):
    id: Slug
    text: Text
    correct: StrictBool = True  # false: a pitfall, which good work does not show
    feedback: Text


class ChecklistDef(StepDef):
    kind: Literal["checklist"]
    prompt: Text
    criteria: Annotated[list[CriterionDef], Field(min_length=1)]
    effects: Effects = Field(default_factory=dict)
    next: NextDef

    def targets(self) -> Iterator[tuple[str, Loc]]:
        return next_targets(self.next, ("next",))


@dataclass(frozen=True)
class Criterion:
    id: str
    text_html: str
    feedback_html: str
    correct: bool = True


@dataclass(frozen=True)
class ChecklistStep(Step):
    prompt_html: str
    criteria: tuple[Criterion, ...]
    effects: tuple[Effect, ...]
    next: Next


@dataclass(frozen=True)
class ChecklistFeedback:
    results: tuple[tuple[Criterion, bool], ...]  # each criterion, and whether the learner says it is met

    @property
    def met(self) -> int:
        return sum(1 for _, met in self.results if met)

    @property
    def wrongly_ticked(self) -> int:
        """Pitfalls the learner ticked."""
        return sum(1 for criterion, met in self.results if met and not criterion.correct)

    @property
    def has_pitfalls(self) -> bool:
        return any(not criterion.correct for criterion, _ in self.results)


class ChecklistKind(StepKind[ChecklistDef, ChecklistStep]):
    name = "checklist"
    definition = ChecklistDef
    template = "casus/steps/checklist.html"

    def compile(self, definition: ChecklistDef, compiler: Compiler) -> ChecklistStep:
        compiler.unique_ids(definition.criteria, ("criteria",))
        criteria = tuple(Criterion(c.id, compiler.inline(c.text),
                                   compiler.markdown(c.feedback, ("criteria", n, "feedback")), c.correct)
                         for n, c in enumerate(definition.criteria))
        return ChecklistStep(definition.id, self.name, definition.title, definition.revisit,
                             compiler.markdown(definition.prompt, ("prompt",)), criteria,
                             compiler.effects(definition.effects, ("effects",), allow_correct=True),
                             compiler.next(definition.next, ("next",)))

    def parse(self, step: ChecklistStep, raw: RawInput) -> Answer:
        # Ticking nothing is an honest self-assessment, not an error.
        return chosen_ids(raw, "criterion", [c.id for c in step.criteria])

    def apply(self, step: ChecklistStep, answer: Answer, variables: Mapping[str, Value]) -> Outcome:
        ticked = answer if isinstance(answer, tuple) else ()
        correct = sum(1 for c in step.criteria if c.correct and c.id in ticked)
        wrong = sum(1 for c in step.criteria if not c.correct and c.id in ticked)
        after = apply_effects(step.effects, variables, correct=correct, wrong=wrong)
        return Outcome(after, step.next.resolve(after))

    def feedback(self, step: ChecklistStep, answer: Answer) -> ChecklistFeedback:
        met = answer if isinstance(answer, tuple) else ()
        return ChecklistFeedback(tuple((c, c.id in met) for c in step.criteria))

    def recorded_ids(self, step: ChecklistStep, answer: Answer) -> tuple[str, ...]:
        return answer if isinstance(answer, tuple) else ()

    def load(self, step: ChecklistStep, data: Any) -> Answer:
        return stored_ids(data, [c.id for c in step.criteria])
