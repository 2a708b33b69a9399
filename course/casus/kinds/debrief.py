"""Debrief step: the end of a run. Shows the path taken beside the recommended one, and remarks whose
conditions hold for the run's variables ("je hebt gemeld zonder een collega te raadplegen")."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import Field

from course.casus.conditions import Condition, Value
from course.casus.kinds.base import Answer, Compiler, Outcome, RawInput, StepKind
from course.casus.model import Step
from course.casus.schema import StepDef, Text
from course.content.validation import Frozen
from course.errors import DomainError


class RemarkDef(Frozen):
    when: Text
    text: Text


class DebriefDef(StepDef):
    kind: Literal["debrief"]
    text: Text
    remarks: list[RemarkDef] = Field(default_factory=list)
    # Declared only to say clearly that a debrief ends the casus; any value is reported by compile().
    next: Any = None


@dataclass(frozen=True)
class Remark:
    condition: Condition
    text_html: str


@dataclass(frozen=True)
class DebriefStep(Step):
    text_html: str
    remarks: tuple[Remark, ...]


class DebriefKind(StepKind[DebriefDef, DebriefStep]):
    name = "debrief"
    definition = DebriefDef
    template = "casus/steps/debrief.html"
    ends_run = True

    def compile(self, definition: DebriefDef, compiler: Compiler) -> DebriefStep:
        if definition.next is not None:
            compiler.error(("next",), "a debrief ends the casus and has no 'next'")
        remarks = []
        for i, remark in enumerate(definition.remarks):
            condition = compiler.condition(remark.when, ("remarks", i, "when"))
            html = compiler.markdown(remark.text, ("remarks", i, "text"))
            if condition is not None:
                remarks.append(Remark(condition, html))
        return DebriefStep(definition.id, self.name, definition.title, definition.revisit,
                           compiler.markdown(definition.text, ("text",)), tuple(remarks))

    def parse(self, step: DebriefStep, raw: RawInput) -> Answer:
        raise DomainError("Deze casus is afgerond; er valt niets meer te beantwoorden.")

    def apply(self, step: DebriefStep, answer: Answer, variables: Mapping[str, Value]) -> Outcome:
        raise DomainError("Deze casus is afgerond; er valt niets meer te beantwoorden.")
