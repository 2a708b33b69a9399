"""Multi-select step: "Which of these are signals or risk factors?", with feedback per item."""

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


class ItemDef(Frozen):
    id: Slug
    text: Text
    correct: StrictBool  # whether a learner should select it
    feedback: Text


class MultiSelectDef(StepDef):
    kind: Literal["multi_select"]
    prompt: Text
    items: Annotated[list[ItemDef], Field(min_length=2)]
    effects: Effects = Field(default_factory=dict)
    next: NextDef

    def targets(self) -> Iterator[tuple[str, Loc]]:
        return next_targets(self.next, ("next",))


@dataclass(frozen=True)
class Item:
    id: str
    text_html: str
    correct: bool
    feedback_html: str


@dataclass(frozen=True)
class MultiSelectStep(Step):
    prompt_html: str
    items: tuple[Item, ...]
    effects: tuple[Effect, ...]
    next: Next


@dataclass(frozen=True)
class ItemResult:
    item: Item
    selected: bool

    @property
    def right(self) -> bool:
        """Selected when it should be, left alone when it should not."""
        return self.selected == self.item.correct


@dataclass(frozen=True)
class MultiSelectFeedback:
    results: tuple[ItemResult, ...]

    @property
    def correct_selected(self) -> int:
        return sum(1 for r in self.results if r.selected and r.item.correct)

    @property
    def correct_total(self) -> int:
        return sum(1 for r in self.results if r.item.correct)

    @property
    def wrongly_selected(self) -> int:
        return sum(1 for r in self.results if r.selected and not r.item.correct)


class MultiSelectKind(StepKind[MultiSelectDef, MultiSelectStep]):
    name = "multi_select"
    definition = MultiSelectDef
    template = "casus/steps/multi_select.html"

    def compile(self, definition: MultiSelectDef, compiler: Compiler) -> MultiSelectStep:
        compiler.unique_ids(definition.items, ("items",))
        items = tuple(Item(i.id, compiler.inline(i.text), i.correct,
                           compiler.markdown(i.feedback, ("items", n, "feedback")))
                      for n, i in enumerate(definition.items))
        return MultiSelectStep(definition.id, self.name, definition.title, definition.revisit,
                               compiler.markdown(definition.prompt, ("prompt",)), items,
                               compiler.effects(definition.effects, ("effects",), allow_correct=True),
                               compiler.next(definition.next, ("next",)))

    def parse(self, step: MultiSelectStep, raw: RawInput) -> Answer:
        # Selecting nothing is a legitimate answer ("none of these is a signal").
        return chosen_ids(raw, "item", [i.id for i in step.items])

    def apply(self, step: MultiSelectStep, answer: Answer, variables: Mapping[str, Value]) -> Outcome:
        selected = answer if isinstance(answer, tuple) else ()
        correct = sum(1 for i in step.items if i.correct and i.id in selected)
        wrong = sum(1 for i in step.items if not i.correct and i.id in selected)
        after = apply_effects(step.effects, variables, correct=correct, wrong=wrong)
        return Outcome(after, step.next.resolve(after))

    def feedback(self, step: MultiSelectStep, answer: Answer) -> MultiSelectFeedback:
        selected = answer if isinstance(answer, tuple) else ()
        return MultiSelectFeedback(tuple(ItemResult(i, i.id in selected) for i in step.items))

    def recorded_ids(self, step: MultiSelectStep, answer: Answer) -> tuple[str, ...]:
        return answer if isinstance(answer, tuple) else ()

    def load(self, step: MultiSelectStep, data: Any) -> Answer:
        return stored_ids(data, [i.id for i in step.items])
