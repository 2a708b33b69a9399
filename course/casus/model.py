"""The loaded casus: frozen objects with Markdown rendered, conditions parsed and effects checked.

These are built from the file definitions in ``course.casus.schema`` and ``course.casus.kinds`` by the
loader; the engine and the web layer only ever see these.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

from course.casus.conditions import Condition, Value, VariableType
from course.errors import DomainError

VariableKind = Literal["number", "bool", "choice"]


@dataclass(frozen=True)
class Variable:
    """A piece of state a casus carries through a run (signals found, colleague consulted, ...)."""

    name: str
    type: VariableKind
    initial: Value
    label: str | None = None
    values: tuple[str, ...] = ()  # allowed values of a choice variable

    @property
    def checker_type(self) -> VariableType:
        kind = {"number": "number", "bool": "bool", "choice": "text"}[self.type]
        return VariableType(kind, self.values)  # type: ignore[arg-type]

    def accepts(self, value: object) -> bool:
        """True when ``value`` is a valid value of this variable."""
        if self.type == "bool":
            return isinstance(value, bool)
        if self.type == "number":
            return isinstance(value, int | float) and not isinstance(value, bool)
        return isinstance(value, str) and value in self.values


@dataclass(frozen=True)
class Effect:
    """A change to one variable: set it, or add ``value`` (a number, or the count of correct or wrong items)."""

    variable: str
    op: Literal["set", "add"]
    value: Value | Literal["correct", "wrong"]
    sign: int = 1  # -1 for '-='


@dataclass(frozen=True)
class Branch:
    """One arm of a conditional ``next``; ``condition`` is None for the final, unconditional arm."""

    goto: str
    condition: Condition | None = None


@dataclass(frozen=True)
class Next:
    """Where a step (or a choice option) leads: the first branch whose condition holds."""

    branches: tuple[Branch, ...]

    def resolve(self, variables: Mapping[str, Value]) -> str:
        """The id of the next step for ``variables``. Validation guarantees the last branch is unconditional."""
        for branch in self.branches:
            if branch.condition is None or branch.condition.holds(variables):
                return branch.goto
        return self.branches[-1].goto

    @property
    def targets(self) -> tuple[str, ...]:
        return tuple(branch.goto for branch in self.branches)


@dataclass(frozen=True)
class Step:
    """What every step kind has. Kind-specific fields live on the subclasses in ``course.casus.kinds``."""

    id: str
    kind: str
    title: str
    revisit: bool


@dataclass(frozen=True)
class Casus:
    """A validated casus, ready to run."""

    id: str
    module: str
    title: str
    summary: str
    minutes: int
    intro_html: str
    variables: tuple[Variable, ...]
    start: str
    steps: tuple[Step, ...]
    content_hash: str  # sha256 of the file, kept with every run so history survives content edits
    # The file's text: stored once per version (casus_versions), so a run is shown with the version it ran on.
    source: str = field(default="", repr=False, compare=False)
    _steps: Mapping[str, Step] = field(init=False, repr=False, compare=False)
    _variables: Mapping[str, Variable] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_steps", MappingProxyType({s.id: s for s in self.steps}))
        object.__setattr__(self, "_variables", MappingProxyType({v.name: v for v in self.variables}))

    def step(self, step_id: str) -> Step:
        """The step with ``step_id``; raises DomainError if the casus has none."""
        try:
            return self._steps[step_id]
        except KeyError:
            raise DomainError("Deze stap bestaat niet in deze casus.", field="step") from None

    def has_step(self, step_id: str) -> bool:
        return step_id in self._steps

    def variable(self, name: str) -> Variable:
        """The declared variable ``name``; KeyError if there is none."""
        return self._variables[name]

    def initial_variables(self) -> dict[str, Value]:
        """A fresh mapping of every variable to its initial value."""
        return {v.name: v.initial for v in self.variables}
