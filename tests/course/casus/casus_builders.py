"""Helpers for casus tests: load the fixtures, and answer any step with a valid posted value."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from course.casus.kinds import (
    ChecklistStep,
    ChoiceStep,
    ConversationStep,
    MultiSelectStep,
    PlanStep,
    RawInput,
    ReflectionStep,
)
from course.casus.loader import load_casuses
from course.casus.model import Casus, Step
from course.errors import ErrorReport

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "content" / "casus"
ROOT = Path(__file__).resolve().parents[3]
MODULES = frozenset({"meldcode"})


def load_dir(directory: Path, modules: frozenset[str] = MODULES) -> tuple[tuple[Casus, ...], list[str]]:
    report = ErrorReport(directory)
    return load_casuses(directory, report, modules), [str(e) for e in report]


@cache
def oefencasus() -> Casus:
    (casus,), errors = load_dir(FIXTURES / "valid")
    assert errors == []
    return casus


def valid_input(step: Step, pick: int = 0) -> RawInput:
    """A posted value the step accepts; ``pick`` varies which option or items are chosen."""
    if isinstance(step, ChoiceStep | ConversationStep):
        return {"option": [step.options[pick % len(step.options)].id]}
    if isinstance(step, MultiSelectStep):
        return {"item": [i.id for n, i in enumerate(step.items) if (pick >> n) & 1]}
    if isinstance(step, ChecklistStep):
        return {"criterion": [c.id for n, c in enumerate(step.criteria) if (pick >> n) & 1]}
    if isinstance(step, ReflectionStep):
        return {"answer": [f"Mijn gedachte nummer {pick}."]}
    if isinstance(step, PlanStep):
        return {f.input_name: [f"Tekst {pick} voor {f.label}"] for f in step.fields}
    return {}


def recommended_input(step: Step) -> RawInput:
    """The recommended option at a fork; for other steps, a plain valid answer."""
    if isinstance(step, ChoiceStep | ConversationStep):
        return {"option": [step.recommended[0].id]}
    return valid_input(step, pick=-1)
