"""The course as the platform holds it in memory: frozen, validated, Markdown already rendered."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property

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
class RegisterAccreditation:
    register: str  # a key of course.registers.REGISTERS
    number: str  # the course's accreditation number at that register
    points: int


@dataclass(frozen=True)
class EarningRule:
    """What earns the certificate on top of completing the course (see course.certification)."""

    min_quiz_percent: int | None = None  # every knowledge check at least this; None: its own pass mark
    casuses: tuple[str, ...] | None = None  # casus ids to complete; None: every casus of the course
    min_minutes: int = 0  # recorded time on task


@dataclass(frozen=True)
class Accreditation:
    """The course manifest's ``accreditation``: registers and points, the earning rule, validity, refresher."""

    registers: tuple[RegisterAccreditation, ...] = ()
    rule: EarningRule = EarningRule()
    valid_months: int | None = None  # None: a certificate never expires
    remind_days_before: int = 60
    refresher_casuses: tuple[str, ...] | None = None  # None: every casus of the course


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

    @property
    def has_questions(self) -> bool:
        """Whether practice questions are embedded in the page."""
        return any(kind == "question" for kind, _ in self.segments)


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

    @cached_property
    def page_ids(self) -> frozenset[str]:
        """The ids of its pages (every learner's progress in the module is matched against them)."""
        return frozenset(p.id for p in self.pages)

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
    # Without an accreditation section, completing the course earns a certificate that never expires.
    accreditation: Accreditation = Accreditation()
