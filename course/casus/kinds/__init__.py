"""The registry of casus step kinds: name -> a small class with one interface (see ``base.StepKind``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Annotated, Any, Union

from pydantic import Field

from course.casus.kinds.base import MAX_TEXT_LENGTH, Answer, Compiler, InputError, Outcome, RawInput, StepKind
from course.casus.kinds.checklist import ChecklistFeedback, ChecklistKind, ChecklistStep, Criterion
from course.casus.kinds.choice import ChoiceFeedback, ChoiceKind, ChoiceStep, Judgement, Option
from course.casus.kinds.conversation import (
    ConversationFeedback,
    ConversationKind,
    ConversationOption,
    ConversationStep,
    chosen_option_id,
)
from course.casus.kinds.debrief import DebriefKind, DebriefStep, Remark
from course.casus.kinds.info import InfoKind, InfoStep
from course.casus.kinds.multi_select import Item, ItemResult, MultiSelectFeedback, MultiSelectKind, MultiSelectStep
from course.casus.kinds.plan import PlanFeedback, PlanField, PlanKind, PlanStep
from course.casus.kinds.reflection import ReflectionFeedback, ReflectionKind, ReflectionStep
from course.casus.model import Step


def _registry(kinds: Iterable[StepKind[Any, Any]]) -> Mapping[str, StepKind[Any, Any]]:
    result: dict[str, StepKind[Any, Any]] = {}
    for kind in kinds:
        if kind.name in result:
            raise RuntimeError(f"two casus step kinds are named {kind.name!r}")
        result[kind.name] = kind
    return MappingProxyType(result)


KINDS = _registry([InfoKind(), ChoiceKind(), ConversationKind(), MultiSelectKind(), ReflectionKind(),
                   ChecklistKind(), PlanKind(), DebriefKind()])


def kind_of(step: Step | str) -> StepKind[Any, Any]:
    """The kind of ``step`` (or the kind named so); KeyError if no such kind is registered."""
    return KINDS[step if isinstance(step, str) else step.kind]


def step_definition_type(kinds: Mapping[str, StepKind[Any, Any]] = KINDS) -> Any:
    """The pydantic type of one step in a casus file: a union of the kinds' definitions on ``kind``."""
    definitions = tuple(k.definition for k in kinds.values())
    return Annotated[Union[definitions], Field(discriminator="kind")]  # noqa: UP007 - built at run time


__all__ = [
    "KINDS",
    "MAX_TEXT_LENGTH",
    "Answer",
    "ChecklistFeedback",
    "ChecklistStep",
    "ChoiceFeedback",
    "ChoiceStep",
    "Compiler",
    "ConversationFeedback",
    "ConversationOption",
    "ConversationStep",
    "Criterion",
    "DebriefStep",
    "InfoStep",
    "InputError",
    "Item",
    "ItemResult",
    "Judgement",
    "MultiSelectFeedback",
    "MultiSelectStep",
    "Option",
    "Outcome",
    "PlanFeedback",
    "PlanField",
    "PlanStep",
    "RawInput",
    "ReflectionFeedback",
    "ReflectionStep",
    "Remark",
    "StepKind",
    "chosen_option_id",
    "kind_of",
    "step_definition_type",
]
