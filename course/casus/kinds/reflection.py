"""Reflection step: an open question answered in the learner's own words, then a model answer.

The answer is private to the learner: it is kept in their run, never in the aggregated decisions.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from course.casus.conditions import Value
from course.casus.kinds.base import Answer, Compiler, InputError, Outcome, RawInput, StepKind, stored_text, text
from course.casus.model import Next, Step
from course.casus.schema import NextDef, StepDef, Text, next_targets
from course.content.yamlfile import Loc
from course.errors import N_

ANSWER_FIELD = "answer"


class ReflectionDef(StepDef):
    kind: Literal["reflection"]
    prompt: Text
    model_answer: Text  # Markdown: a model answer, or points to consider
    next: NextDef

    def targets(self) -> Iterator[tuple[str, Loc]]:
        return next_targets(self.next, ("next",))


@dataclass(frozen=True)
class ReflectionStep(Step):
    prompt_html: str
    model_answer_html: str
    next: Next


@dataclass(frozen=True)
class ReflectionFeedback:
    answer: str  # the learner's own text: render escaped
    model_answer_html: str


class ReflectionKind(StepKind[ReflectionDef, ReflectionStep]):
    name = "reflection"
    definition = ReflectionDef
    template = "casus/steps/reflection.html"

    def compile(self, definition: ReflectionDef, compiler: Compiler) -> ReflectionStep:
        return ReflectionStep(definition.id, self.name, definition.title, definition.revisit,
                              compiler.markdown(definition.prompt, ("prompt",)),
                              compiler.markdown(definition.model_answer, ("model_answer",)),
                              compiler.next(definition.next, ("next",)))

    def parse(self, step: ReflectionStep, raw: RawInput) -> Answer:
        answer = text(raw, ANSWER_FIELD)
        if not answer:
            raise InputError(N_("Schrijf eerst je antwoord op; daarna zie je de punten om over na te denken."),
                              field=ANSWER_FIELD)
        return answer

    def apply(self, step: ReflectionStep, answer: Answer, variables: Mapping[str, Value]) -> Outcome:
        return Outcome(variables, step.next.resolve(variables))

    def feedback(self, step: ReflectionStep, answer: Answer) -> ReflectionFeedback:
        return ReflectionFeedback(str(answer or ""), step.model_answer_html)

    def load(self, step: ReflectionStep, data: Any) -> Answer:
        return stored_text(data)
