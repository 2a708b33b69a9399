"""Choice step: a fork. The learner picks one option; each has a judgement, feedback and its own next step."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import Field

from course.casus.conditions import Value
from course.casus.effects import apply_effects
from course.casus.kinds.base import Answer, Compiler, InputError, Outcome, RawInput, StepKind, single
from course.casus.model import Effect, Next, Step
from course.casus.schema import Effects, NextDef, Slug, StepDef, Text, next_targets
from course.content.validation import Frozen
from course.content.yamlfile import Loc
from course.errors import N_, DomainError

Judgement = Literal["aanbevolen", "verdedigbaar", "riskant"]
RECOMMENDED: Judgement = "aanbevolen"
FrameworkNumber = Annotated[int, Field(ge=1, le=5)]


class OptionDef(Frozen):
    id: Slug
    text: Text
    judgement: Judgement
    feedback: Text
    effects: Effects = Field(default_factory=dict)
    next: NextDef


class ChoiceDef(StepDef):
    kind: Literal["choice"]
    prompt: Text
    meldcode_step: FrameworkNumber | None = None  # which of the five meldcode steps this fork exercises
    afweging: FrameworkNumber | None = None  # which of the five afwegingskader questions
    options: Annotated[list[OptionDef], Field(min_length=2)]

    def targets(self) -> Iterator[tuple[str, Loc]]:
        for i, option in enumerate(self.options):
            yield from next_targets(option.next, ("options", i, "next"))


@dataclass(frozen=True)
class Option:
    id: str
    text_html: str
    judgement: Judgement
    feedback_html: str
    effects: tuple[Effect, ...]
    next: Next

    @property
    def recommended(self) -> bool:
        return self.judgement == RECOMMENDED


@dataclass(frozen=True)
class ChoiceStep(Step):
    prompt_html: str
    meldcode_step: int | None
    afweging: int | None
    options: tuple[Option, ...]

    def option(self, option_id: str) -> Option:
        """The option ``option_id``; raises DomainError if this step has none by that id."""
        for option in self.options:
            if option.id == option_id:
                return option
        raise DomainError("Deze keuze bestaat niet bij deze stap.", field="option")

    @property
    def recommended(self) -> tuple[Option, ...]:
        return tuple(o for o in self.options if o.recommended)


@dataclass(frozen=True)
class ChoiceFeedback:
    """The option chosen, beside the recommended one(s)."""

    chosen: Option
    recommended: tuple[Option, ...]

    @property
    def followed_recommendation(self) -> bool:
        return self.chosen.recommended


class ChoiceKind(StepKind[ChoiceDef, ChoiceStep]):
    name = "choice"
    definition = ChoiceDef
    template = "casus/steps/choice.html"

    def compile(self, definition: ChoiceDef, compiler: Compiler) -> ChoiceStep:
        compiler.unique_ids(definition.options, ("options",))
        if not any(o.judgement == RECOMMENDED for o in definition.options):
            compiler.error(("options",), "at least one option must be 'aanbevolen': the debrief shows it as "
                                         "the recommended path")
        options = tuple(
            Option(o.id, compiler.inline(o.text), o.judgement,
                   compiler.markdown(o.feedback, ("options", i, "feedback")),
                   compiler.effects(o.effects, ("options", i, "effects")),
                   compiler.next(o.next, ("options", i, "next")))
            for i, o in enumerate(definition.options))
        return ChoiceStep(definition.id, self.name, definition.title, definition.revisit,
                          compiler.markdown(definition.prompt, ("prompt",)), definition.meldcode_step,
                          definition.afweging, options)

    def parse(self, step: ChoiceStep, raw: RawInput) -> Answer:
        option_id = single(raw, "option")
        if not option_id:
            raise InputError(N_("Kies een van de mogelijkheden."), field="option")
        return step.option(option_id).id

    def apply(self, step: ChoiceStep, answer: Answer, variables: Mapping[str, Value]) -> Outcome:
        option = step.option(str(answer))
        after = apply_effects(option.effects, variables)
        return Outcome(after, option.next.resolve(after))

    def feedback(self, step: ChoiceStep, answer: Answer) -> ChoiceFeedback:
        return ChoiceFeedback(step.option(str(answer)), step.recommended)

    def recorded_ids(self, step: ChoiceStep, answer: Answer) -> tuple[str, ...]:
        return (str(answer),)

    def load(self, step: ChoiceStep, data: Any) -> Answer:
        if not isinstance(data, str):
            raise DomainError("Opgeslagen keuze past niet bij deze stap.")
        return step.option(data).id
