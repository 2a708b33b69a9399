"""Conversation step: one exchange in a dialogue. The other person says something, the learner chooses
what to say, and the other person answers according to that choice and to how the run has gone so far.

A dialogue is a chain of conversation steps (each ``next`` leads to the following exchange), so every
exchange is a decision the debrief can show beside the recommended one. What the other person says is a
line, or a list of lines with conditions (``when``) of which the first that holds is said; the last line
has no condition. A reply is chosen with the variables *after* the option's effects, and kept with the
decision, so the feedback and the debrief show the reply the learner actually heard.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import Field

from course.casus.conditions import Condition, Value
from course.casus.effects import apply_effects
from course.casus.kinds.base import Answer, Compiler, InputError, Outcome, RawInput, StepKind, single
from course.casus.kinds.choice import RECOMMENDED, FrameworkNumber, Judgement, Option
from course.casus.model import Step
from course.casus.schema import Effects, NextDef, Slug, StepDef, Text, next_targets
from course.content.validation import Frozen
from course.content.yamlfile import Loc
from course.errors import N_, DomainError


class LineDef(Frozen):
    when: Text | None = None
    text: Text


# A plain line, or conditional lines of which the first that holds is said (the last without `when`).
Lines = Text | Annotated[list[LineDef], Field(min_length=1)]


class ConversationOptionDef(Frozen):
    id: Slug
    text: Text  # what the learner says
    judgement: Judgement
    feedback: Text  # why this is (not) a good thing to say
    reply: Lines  # what the other person answers
    effects: Effects = Field(default_factory=dict)
    next: NextDef


class ConversationDef(StepDef):
    kind: Literal["conversation"]
    speaker: Text  # whom the learner talks with, e.g. "Sandra (moeder van Daan)"
    says: Lines | None = None  # what the speaker says before the learner answers
    prompt: Text | None = None  # an instruction for the learner; the page asks "Wat zeg je?" without it
    meldcode_step: FrameworkNumber | None = None
    afweging: FrameworkNumber | None = None
    options: Annotated[list[ConversationOptionDef], Field(min_length=2)]

    def targets(self) -> Iterator[tuple[str, Loc]]:
        for i, option in enumerate(self.options):
            yield from next_targets(option.next, ("options", i, "next"))


@dataclass(frozen=True)
class Line:
    """One thing the speaker may say, when ``condition`` holds (None: always)."""

    html: str
    condition: Condition | None = None


def pick_line(lines: Sequence[Line], variables: Mapping[str, Value]) -> int:
    """The index of the first line whose condition holds (validation makes the last one unconditional)."""
    for n, line in enumerate(lines):
        if line.condition is None or line.condition.holds(variables):
            return n
    return len(lines) - 1


@dataclass(frozen=True)
class ConversationOption(Option):
    reply: tuple[Line, ...]


@dataclass(frozen=True)
class ConversationStep(Step):
    speaker: str
    says: tuple[Line, ...]
    prompt_html: str
    meldcode_step: int | None
    afweging: int | None
    options: tuple[ConversationOption, ...]

    def option(self, option_id: str) -> ConversationOption:
        """The option ``option_id``; raises DomainError if this step has none by that id."""
        for option in self.options:
            if option.id == option_id:
                return option
        raise DomainError("Deze keuze bestaat niet bij deze stap.", field="option")

    @property
    def recommended(self) -> tuple[ConversationOption, ...]:
        return tuple(o for o in self.options if o.judgement == RECOMMENDED)

    def says_for(self, variables: Mapping[str, Value]) -> str:
        """What the speaker says first in this run (HTML), or "" when the step has no opening line."""
        return self.says[pick_line(self.says, variables)].html if self.says else ""


@dataclass(frozen=True)
class ConversationFeedback:
    """What the learner said, what they heard back, and the recommended line(s) beside it."""

    speaker: str
    chosen: ConversationOption
    reply_html: str
    recommended: tuple[ConversationOption, ...]

    @property
    def followed_recommendation(self) -> bool:
        return self.chosen.recommended


def chosen_option_id(answer: Answer) -> str:
    """The option id of a conversation answer (``{"option": id, "reply": n}``, or a bare id while parsing)."""
    return str(answer["option"]) if isinstance(answer, Mapping) else str(answer)


class ConversationKind(StepKind[ConversationDef, ConversationStep]):
    name = "conversation"
    definition = ConversationDef
    template = "casus/steps/conversation.html"

    def compile(self, definition: ConversationDef, compiler: Compiler) -> ConversationStep:
        compiler.unique_ids(definition.options, ("options",))
        if not any(o.judgement == RECOMMENDED for o in definition.options):
            compiler.error(("options",), "at least one option must be 'aanbevolen': the debrief shows it as "
                                         "the recommended line")
        options = tuple(
            ConversationOption(o.id, compiler.inline(o.text), o.judgement,
                               compiler.markdown(o.feedback, ("options", i, "feedback")),
                               compiler.effects(o.effects, ("options", i, "effects")),
                               compiler.next(o.next, ("options", i, "next")),
                               self._lines(o.reply, ("options", i, "reply"), compiler))
            for i, o in enumerate(definition.options))
        says = self._lines(definition.says, ("says",), compiler) if definition.says is not None else ()
        prompt = compiler.markdown(definition.prompt, ("prompt",)) if definition.prompt else ""
        return ConversationStep(definition.id, self.name, definition.title, definition.revisit,
                                definition.speaker, says, prompt, definition.meldcode_step, definition.afweging,
                                options)

    @staticmethod
    def _lines(spec: str | list[LineDef], rel: Loc, compiler: Compiler) -> tuple[Line, ...]:
        if isinstance(spec, str):
            return (Line(compiler.markdown(spec, rel)),)
        lines = []
        for i, line in enumerate(spec):
            last = i == len(spec) - 1
            if line.when is None and not last:
                compiler.error((*rel, i), "only the last line may leave out 'when'")
            if line.when is not None and last:
                compiler.error((*rel, i, "when"), "the last line must have no 'when', so something is always said")
            condition = compiler.condition(line.when, (*rel, i, "when")) if line.when is not None else None
            lines.append(Line(compiler.markdown(line.text, (*rel, i, "text")), condition))
        return tuple(lines)

    def parse(self, step: ConversationStep, raw: RawInput) -> Answer:
        option_id = single(raw, "option")
        if not option_id:
            raise InputError(N_("Kies wat je zegt."), field="option")
        return step.option(option_id).id

    def apply(self, step: ConversationStep, answer: Answer, variables: Mapping[str, Value]) -> Outcome:
        option = step.option(chosen_option_id(answer))
        after = apply_effects(option.effects, variables)
        reply = pick_line(option.reply, after)
        return Outcome(after, option.next.resolve(after), answer={"option": option.id, "reply": str(reply)})

    def feedback(self, step: ConversationStep, answer: Answer) -> ConversationFeedback:
        option = step.option(chosen_option_id(answer))
        index = _reply_index(answer, option)
        return ConversationFeedback(step.speaker, option, option.reply[index].html, step.recommended)

    def recorded_ids(self, step: ConversationStep, answer: Answer) -> tuple[str, ...]:
        return (chosen_option_id(answer),)

    def load(self, step: ConversationStep, data: Any) -> Answer:
        if not isinstance(data, Mapping) or not isinstance(data.get("option"), str):
            raise DomainError("Opgeslagen keuze past niet bij deze stap.")
        option = step.option(data["option"])
        reply = data.get("reply")
        if not isinstance(reply, str) or not reply.isdigit() or int(reply) >= len(option.reply):
            raise DomainError("Opgeslagen keuze past niet bij deze stap.")
        return {"option": option.id, "reply": reply}


def _reply_index(answer: Answer, option: ConversationOption) -> int:
    if isinstance(answer, Mapping) and str(answer.get("reply", "")).isdigit():
        return min(int(answer["reply"]), len(option.reply) - 1)
    return len(option.reply) - 1
