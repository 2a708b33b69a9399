"""The course as the platform holds it in memory: frozen, validated, Markdown already rendered."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from course.content.markdown import Heading


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
