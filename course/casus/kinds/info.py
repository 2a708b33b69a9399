"""Info step: new information arrives ("Twee weken later belt moeder…"), then the learner continues."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from course.casus.conditions import Value
from course.casus.kinds.base import Answer, Compiler, Outcome, RawInput, StepKind
from course.casus.model import Next, Step
from course.casus.schema import NextDef, StepDef, Text, next_targets
from course.content.yamlfile import Loc


class InfoDef(StepDef):
    kind: Literal["info"]
    text: Text
    next: NextDef

    def targets(self) -> Iterator[tuple[str, Loc]]:
        return next_targets(self.next, ("next",))


@dataclass(frozen=True)
class InfoStep(Step):
    text_html: str
    next: Next


class InfoKind(StepKind[InfoDef, InfoStep]):
    name = "info"
    definition = InfoDef
    template = "casus/steps/info.html"

    def compile(self, definition: InfoDef, compiler: Compiler) -> InfoStep:
        return InfoStep(definition.id, self.name, definition.title, definition.revisit,
                        compiler.markdown(definition.text, ("text",)), compiler.next(definition.next, ("next",)))

    def parse(self, step: InfoStep, raw: RawInput) -> Answer:
        return None  # "Verder" carries no answer; anything else posted is ignored

    def apply(self, step: InfoStep, answer: Answer, variables: Mapping[str, Value]) -> Outcome:
        return Outcome(variables, step.next.resolve(variables))

    def load(self, step: InfoStep, data: Any) -> Answer:
        return None
