"""The course as the platform holds it in memory: frozen, validated, Markdown already rendered."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from course.content.markdown import Heading

if TYPE_CHECKING:
    from course.casus.model import Casus
    from course.content.interventions import Intervention
    from course.content.trainer_guides import TrainerGuide
    from course.quiz.model import Quiz


class PagesRule(StrEnum):
    ALL = "all"
    NONE = "none"


class QuizRule(StrEnum):
    PASSED = "passed"
    ATTEMPTED = "attempted"
    NONE = "none"


class CasusesRule(StrEnum):
    ALL = "all"
    NONE = "none"


@dataclass(frozen=True)
class CompletionRules:
    """What completes a module (from the course manifest)."""

    pages: PagesRule = PagesRule.ALL
    quiz: QuizRule = QuizRule.PASSED
    casuses: CasusesRule = CasusesRule.ALL


@dataclass(frozen=True)
class Source:
    id: str
    citation: str
    url: str | None = None


Segment = tuple[str, str]  # ("html", markup) or ("question", "quiz-id/question-id")


@dataclass(frozen=True)
class Page:
    id: str
    module_id: str
    order: int
    title: str
    summary: str | None
    minutes: int
    segments: tuple[Segment, ...]
    headings: tuple[Heading, ...]
    words: int
    path: str  # relative to the content root, for messages

    @property
    def key(self) -> str:
        """The stable id progress rows refer to: ``module/page``."""
        return f"{self.module_id}/{self.id}"


@dataclass(frozen=True)
class Module:
    id: str
    order: int
    title: str
    summary: str
    minutes: int
    objectives: tuple[str, ...]
    sources: tuple[Source, ...]
    intro_html: str
    pages: tuple[Page, ...]
    words: int

    def page(self, page_id: str) -> Page | None:
        return next((p for p in self.pages if p.id == page_id), None)

    def neighbours(self, page: Page) -> tuple[Page | None, Page | None]:
        """The pages before and after ``page`` within this module."""
        i = self.pages.index(page)
        return (self.pages[i - 1] if i else None, self.pages[i + 1] if i + 1 < len(self.pages) else None)


@dataclass(frozen=True)
class Course:
    id: str
    title: str
    summary: str
    content_note_html: str
    completion: CompletionRules
    bank_factor: int = 2  # every quiz bank holds at least this many times the questions of one attempt


@dataclass(frozen=True)
class Catalog:
    """Everything loaded from the content directory; looked up by views, never re-parsed."""

    root: Path
    course: Course
    modules: tuple[Module, ...]
    quizzes: MappingProxyType[str, Quiz]
    casuses: MappingProxyType[str, Casus]
    interventions: tuple[Intervention, ...]
    media: MappingProxyType[tuple[str, str], Path]  # (module id, relative path) -> file
    # Module id -> how to teach it to a group (shown to trainers only); modules may have none.
    trainer_guides: MappingProxyType[str, TrainerGuide] = field(default_factory=lambda: MappingProxyType({}))

    def module(self, module_id: str) -> Module | None:
        return next((m for m in self.modules if m.id == module_id), None)

    def quiz_for_module(self, module_id: str) -> Quiz | None:
        return next((q for q in self.quizzes.values() if q.module == module_id), None)

    def casuses_for_module(self, module_id: str) -> tuple[Casus, ...]:
        return tuple(c for c in self.casuses.values() if c.module == module_id)

    def practice_question(self, quiz_id: str, question_id: str) -> Any | None:
        """A practice question pages may embed, or None (graded bank questions are never embedded)."""
        quiz = self.quizzes.get(quiz_id)
        return quiz.practice_question(question_id) if quiz else None

    @property
    def pages(self) -> tuple[Page, ...]:
        return tuple(p for m in self.modules for p in m.pages)
