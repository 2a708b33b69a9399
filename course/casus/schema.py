"""The casus file as written by authors: pydantic models that check shape and types only.

Cross-references (variables named in conditions and effects, ``next`` targets, the graph) are checked
afterwards by the loader, which turns these definitions into the runtime objects of ``course.casus.model``.
Step definitions are declared with their kind in ``course.casus.kinds``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any, Literal

from pydantic import Field, PlainValidator, StrictBool, StringConstraints, model_validator

from course.content.validation import SLUG_PATTERN, Frozen
from course.content.yamlfile import Loc

Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]
Text = Annotated[str, StringConstraints(min_length=1)]


def _number(value: Any) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("must be a number")
    return value


def _effect_value(value: Any) -> bool | int | float | str:
    if not isinstance(value, bool | int | float | str):
        raise ValueError('must be true/false, a number, "+= 1", "-= 1" or a value of the variable')
    return value


# Plain validators: one clear message instead of one per member of a union, and no coercion of "3" or true.
Number = Annotated[int | float, PlainValidator(_number)]
EffectValue = Annotated[bool | int | float | str, PlainValidator(_effect_value)]
Effects = dict[str, EffectValue]


class NumberVariableDef(Frozen):
    type: Literal["number"]
    initial: Number = 0
    label: Text | None = None


class BoolVariableDef(Frozen):
    type: Literal["bool"]
    initial: StrictBool = False
    label: Text | None = None


class ChoiceVariableDef(Frozen):
    type: Literal["choice"]
    values: Annotated[list[Slug], Field(min_length=1)]
    initial: Slug
    label: Text | None = None

    @model_validator(mode="after")
    def _initial_is_a_value(self) -> ChoiceVariableDef:
        if self.initial not in self.values:
            raise ValueError(f"initial value '{self.initial}' is not one of the values: {', '.join(self.values)}")
        if len(set(self.values)) != len(self.values):
            raise ValueError("values must be unique")
        return self


VariableDef = Annotated[NumberVariableDef | BoolVariableDef | ChoiceVariableDef, Field(discriminator="type")]


class BranchDef(Frozen):
    """One arm of a conditional ``next``: ``goto`` when ``when`` holds (no ``when``: always)."""

    when: Text | None = None
    goto: Slug


NextDef = Slug | Annotated[list[BranchDef], Field(min_length=1)]


def next_targets(spec: NextDef, loc: Loc) -> Iterator[tuple[str, Loc]]:
    """Each step id ``spec`` can lead to, with where it is written (``loc`` is the ``next`` key)."""
    if isinstance(spec, str):
        yield spec, loc
    else:
        for i, branch in enumerate(spec):
            yield branch.goto, (*loc, i, "goto")


class StepDef(Frozen):
    """Keys every step has. ``revisit: true`` allows a loop back to this step ("kies opnieuw")."""

    id: Slug
    kind: str
    title: Text
    revisit: bool = False

    def targets(self) -> Iterator[tuple[str, Loc]]:
        """Each step id this step can lead to, with its location relative to the step."""
        return iter(())


class CasusFileDef(Frozen):
    """A whole ``casuses/<id>.yaml`` file. ``steps`` is typed by the loader from the kind registry."""

    id: Slug
    title: Text
    module: Slug
    summary: Text
    minutes: Annotated[int, Field(gt=0, le=600)]
    intro: Text
    variables: dict[str, VariableDef] = Field(default_factory=dict)
    start: Slug
    steps: Annotated[list[Any], Field(min_length=1)]
