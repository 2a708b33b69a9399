"""Plan step: a structured form (e.g. a safety plan: concerns, what goes well, who does what, when, how).

The texts are private to the learner and appear in the print view of their run.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Annotated, Any, Literal

from pydantic import Field

from course.casus.conditions import Value
from course.casus.kinds.base import MAX_TEXT_LENGTH, Answer, Compiler, InputError, Outcome, RawInput, StepKind, text
from course.casus.model import Next, Step
from course.casus.schema import NextDef, Slug, StepDef, Text, next_targets
from course.content.validation import Frozen
from course.content.yamlfile import Loc
from course.errors import N_, DomainError

FIELD_PREFIX = "field-"  # posted as field-<id>, so a field id can never clash with other form names


class PlanFieldDef(Frozen):
    id: Slug
    label: Text
    hint: Text | None = None
    lines: Annotated[int, Field(ge=1, le=20)] = 4  # 1 = a single-line input


class PlanDef(StepDef):
    kind: Literal["plan"]
    prompt: Text
    fields: Annotated[list[PlanFieldDef], Field(min_length=1)]
    next: NextDef

    def targets(self) -> Iterator[tuple[str, Loc]]:
        return next_targets(self.next, ("next",))


@dataclass(frozen=True)
class PlanField:
    id: str
    label: str
    hint: str | None
    lines: int

    @property
    def input_name(self) -> str:
        return FIELD_PREFIX + self.id


@dataclass(frozen=True)
class PlanStep(Step):
    prompt_html: str
    fields: tuple[PlanField, ...]
    next: Next


@dataclass(frozen=True)
class PlanFeedback:
    entries: tuple[tuple[PlanField, str], ...]  # each field and the learner's text (render escaped)


class PlanKind(StepKind[PlanDef, PlanStep]):
    name = "plan"
    definition = PlanDef
    template = "casus/steps/plan.html"

    def compile(self, definition: PlanDef, compiler: Compiler) -> PlanStep:
        compiler.unique_ids(definition.fields, ("fields",))
        fields = tuple(PlanField(f.id, f.label, f.hint, f.lines) for f in definition.fields)
        return PlanStep(definition.id, self.name, definition.title, definition.revisit,
                        compiler.markdown(definition.prompt, ("prompt",)), fields,
                        compiler.next(definition.next, ("next",)))

    def parse(self, step: PlanStep, raw: RawInput) -> Answer:
        names = {f.input_name for f in step.fields}
        if any(key.startswith(FIELD_PREFIX) and key not in names for key in raw):
            raise DomainError("Er is een onbekend onderdeel van het plan verstuurd.")
        answer = {f.id: text(raw, f.input_name) for f in step.fields}
        if not any(answer.values()):
            raise InputError(N_("Vul minstens één onderdeel van het plan in."), field=step.fields[0].input_name)
        return MappingProxyType(answer)

    def apply(self, step: PlanStep, answer: Answer, variables: Mapping[str, Value]) -> Outcome:
        return Outcome(variables, step.next.resolve(variables))

    def feedback(self, step: PlanStep, answer: Answer) -> PlanFeedback:
        texts = answer if isinstance(answer, Mapping) else {}
        return PlanFeedback(tuple((f, texts.get(f.id, "")) for f in step.fields))

    def load(self, step: PlanStep, data: Any) -> Answer:
        ids = {f.id for f in step.fields}
        if (not isinstance(data, dict) or not set(data) <= ids
                or not all(isinstance(v, str) and len(v) <= MAX_TEXT_LENGTH for v in data.values())):
            raise DomainError("Opgeslagen plan past niet bij deze stap.")
        return MappingProxyType({f.id: data.get(f.id, "") for f in step.fields})
