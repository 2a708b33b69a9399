"""The interface every casus step kind implements, and what kinds get from the loader while compiling."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Generic, TypeVar

from course.casus import conditions
from course.casus.conditions import Condition, ConditionError, Value
from course.casus.effects import EffectError, parse_effect
from course.casus.model import Branch, Effect, Next, Step, Variable
from course.casus.schema import NextDef, StepDef
from course.content import markdown
from course.content.yamlfile import Loc, LocatedYaml, format_loc
from course.errors import N_, DomainError, ErrorReport

# What a form posts, as plain values: field name -> the values sent under it. Never the request itself.
RawInput = Mapping[str, Sequence[str]]
# A parsed answer, as kept in the run's path: None, an id, ids, a text, or field id -> text.
Answer = None | str | tuple[str, ...] | Mapping[str, str]

MAX_TEXT_LENGTH = 5000  # characters in a reflection or one plan field: room for thought, not for a dossier


class InputError(DomainError):
    """Input the learner can correct (nothing chosen, an empty or too long text): shown as a form error.

    Other DomainErrors from ``parse`` mean input no form of ours can send (unknown ids): a forgery.
    """


@dataclass
class Compiler:
    """What a kind needs while turning its definition into a runtime step: Markdown, conditions, effects,
    and a place to report problems at the right line. ``loc`` is where the step sits in the file."""

    path: Path
    doc: LocatedYaml
    report: ErrorReport
    variables: Mapping[str, Variable]
    loc: Loc
    resolve_page: Callable[[Path], str | None] = lambda _p: None  # URL of a course page linked to, or None
    ok: bool = True

    def error(self, rel: Loc, message: str) -> None:
        full = (*self.loc, *rel)
        self.report.add(self.path, self.doc.line(full), format_loc(full), message)
        self.ok = False

    def markdown(self, text: str, rel: Loc) -> str:
        """Render block Markdown written at ``rel``; problems (broken links, images) are reported."""
        line = self.doc.line((*self.loc, *rel))
        first = line + 1 if "\n" in text else line  # a block scalar starts on the line after its key
        before = len(self.report)
        html = markdown.render(text, markdown.RenderContext(self.path, first, self.report,
                                                            resolve_page=self.resolve_page))
        if len(self.report) > before:
            self.ok = False
        return html

    def inline(self, text: str) -> str:
        return markdown.render_inline(text)

    def condition(self, text: str, rel: Loc) -> Condition | None:
        """Parse and type-check a condition written at ``rel``; None after reporting a problem."""
        try:
            parsed = conditions.parse(text)
            conditions.check(parsed, {v.name: v.checker_type for v in self.variables.values()})
        except ConditionError as exc:
            self.error(rel, f"condition {text!r}: {exc}")
            return None
        return parsed

    def effects(self, raw: Mapping[str, Any], rel: Loc, allow_correct: bool = False) -> tuple[Effect, ...]:
        """Parse an ``effects`` mapping written at ``rel``, reporting each bad entry at its own line."""
        result = []
        for name, value in raw.items():
            try:
                result.append(parse_effect(name, value, self.variables, allow_correct))
            except EffectError as exc:
                self.error((*rel, name), str(exc))
        return tuple(result)

    def next(self, spec: NextDef, rel: Loc) -> Next:
        """Compile a ``next``: a step id, or branches of which only the last has no ``when``."""
        if isinstance(spec, str):
            return Next((Branch(spec),))
        branches = []
        for i, branch in enumerate(spec):
            last = i == len(spec) - 1
            if branch.when is None and not last:
                self.error((*rel, i), "only the last branch of a conditional next may leave out 'when'")
            if branch.when is not None and last:
                self.error((*rel, i, "when"),
                           "the last branch of a conditional next must have no 'when', so some step always follows")
            condition = self.condition(branch.when, (*rel, i, "when")) if branch.when is not None else None
            branches.append(Branch(branch.goto, condition))
        return Next(tuple(branches))

    def unique_ids(self, items: Sequence[Any], rel: Loc) -> None:
        """Report ids that occur more than once in ``items`` (options, items, criteria, fields)."""
        seen: set[str] = set()
        for i, item in enumerate(items):
            if item.id in seen:
                self.error((*rel, i, "id"), f"duplicate id '{item.id}'")
            seen.add(item.id)


@dataclass(frozen=True)
class Outcome:
    """What applying an answer does: the new variables and the id of the next step.

    ``answer``, when set, replaces the parsed answer in the run's path: a kind whose feedback depends on
    the state (a conversation's reply) records what it resolved, so feedback never needs the state again.
    """

    variables: Mapping[str, Value]
    next: str
    answer: Answer = None


D = TypeVar("D", bound=StepDef)
S = TypeVar("S", bound=Step)


class StepKind(ABC, Generic[D, S]):
    """One kind of casus step. Subclasses are registered by name in ``course.casus.kinds``.

    ``definition`` is the pydantic model of the step in the file; ``template`` the template the web layer
    renders the step (form and feedback) with.
    """

    name: ClassVar[str]
    definition: ClassVar[type[StepDef]]
    template: ClassVar[str]
    ends_run: ClassVar[bool] = False

    @abstractmethod
    def compile(self, definition: D, compiler: Compiler) -> S:
        """Validate what the schema cannot (references, conditions, effects) and build the runtime step."""

    def parse(self, step: S, raw: RawInput) -> Answer:
        """Turn posted plain values into this kind's answer; raises DomainError for invalid input."""
        return None

    @abstractmethod
    def apply(self, step: S, answer: Answer, variables: Mapping[str, Value]) -> Outcome:
        """Apply an answer parsed by ``parse``: the variables after its effects, and the next step."""

    def feedback(self, step: S, answer: Answer) -> Any:
        """What the learner sees after answering (a kind-specific dataclass), or None."""
        return None

    def recorded_ids(self, step: S, answer: Answer) -> tuple[str, ...]:
        """The option/item ids of an answer that may be aggregated across learners. Never free text."""
        return ()

    def dump(self, answer: Answer) -> Any:
        """The answer as JSON-able data, for storing the run."""
        if isinstance(answer, tuple):
            return list(answer)
        if isinstance(answer, Mapping):
            return dict(answer)
        return answer

    def load(self, step: S, data: Any) -> Answer:
        """The answer back from ``dump``'s data; raises DomainError if it no longer fits the step
        (the casus file changed since the run was stored)."""
        return None


# --- helpers for parsing posted values -------------------------------------------------------------


def single(raw: RawInput, key: str, field: str | None = None) -> str | None:
    """The one value posted under ``key``, None if absent; DomainError if several were posted."""
    values = list(raw.get(key, ()))
    if len(values) > 1:
        raise DomainError("Er is meer dan één waarde verstuurd.", field=field or key)
    return values[0] if values else None



def text(raw: RawInput, key: str) -> str:
    """A posted free text, with line endings normalised; InputError if it is too long."""
    value = (single(raw, key) or "").replace("\r\n", "\n").strip()
    if len(value) > MAX_TEXT_LENGTH:
        # A fixed message (not an f-string) so the web layer can translate it; 5000 is MAX_TEXT_LENGTH.
        raise InputError(N_("Je tekst is te lang: maximaal 5000 tekens."), field=key)
    return value


def chosen_ids(raw: RawInput, key: str, allowed: Sequence[str]) -> tuple[str, ...]:
    """The posted ids under ``key``, in the order of ``allowed``; DomainError for an unknown or repeated id."""
    values = list(raw.get(key, ()))
    unknown = [v for v in values if v not in allowed]
    if unknown or len(set(values)) != len(values):
        raise DomainError("Er is een onbekende of dubbele keuze verstuurd.", field=key)
    return tuple(a for a in allowed if a in values)


def stored_ids(data: Any, allowed: Sequence[str]) -> tuple[str, ...]:
    """Ids from a stored answer; DomainError if they no longer fit the step."""
    if not isinstance(data, list) or not all(isinstance(v, str) for v in data):
        raise DomainError("Opgeslagen antwoord past niet bij deze stap.")
    return chosen_ids({"ids": data}, "ids", allowed)


def stored_text(data: Any) -> str:
    """A text from a stored answer; DomainError if it is not one."""
    if not isinstance(data, str) or len(data) > MAX_TEXT_LENGTH:
        raise DomainError("Opgeslagen antwoord past niet bij deze stap.")
    return data
