"""The shape of the course manifest and of module and page front matter, as authors write them."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, HttpUrl, field_validator, model_validator

from course.content.model import CasusesRule, PagesRule, QuizRule
from course.content.validation import SLUG_PATTERN, Frozen
from course.registers import REGISTERS

Slug = Annotated[str, Field(pattern=SLUG_PATTERN)]
Text = Annotated[str, Field(min_length=1)]
Minutes = Annotated[int, Field(ge=1, le=600)]


class CompletionSpec(Frozen):
    pages: PagesRule = PagesRule.ALL
    quiz: QuizRule = QuizRule.PASSED
    casuses: CasusesRule = CasusesRule.ALL


class AssessmentSpec(Frozen):
    # Every quiz bank holds at least this many times the questions one attempt draws.
    bank_factor: Annotated[int, Field(ge=1, le=10)] = 2


class RegisterSpec(Frozen):
    """One register the course is accredited by."""

    # "register" as authors write it; another name in Python, as pydantic's BaseModel has a ``register``.
    register_id: str = Field(alias="register")
    # The course's accreditation number at the register: what an upload of points refers to.
    number: Text
    points: Annotated[int, Field(ge=1, le=100)]

    @field_validator("register_id")
    @classmethod
    def _known(cls, value: str) -> str:
        if value not in REGISTERS:
            raise ValueError(f"unknown register {value!r}; expected one of {sorted(REGISTERS)}")
        return value


class EarningSpec(Frozen):
    """What earns the certificate (and its points), on top of completing the course by its own rules."""

    # Every knowledge check passed with at least this percentage; None: passed by its own pass mark.
    min_quiz_percent: Annotated[int, Field(ge=1, le=100)] | None = None
    casuses: Literal["all"] | Annotated[list[Slug], Field(min_length=1)] = "all"
    # Recorded time on task (course.certification.minutes_on_task), in minutes.
    min_minutes: Annotated[int, Field(ge=0, le=6000)] = 0


class RefresherSpec(Frozen):
    """What renews a certificate: every knowledge check again, plus these casussen (default: the earning rule's)."""

    casuses: Literal["all"] | Annotated[list[Slug], Field(min_length=1)] | None = None


class AccreditationSpec(Frozen):
    registers: Annotated[list[RegisterSpec], Field(min_length=1)]
    earned_by: EarningSpec = EarningSpec()
    valid_months: Annotated[int, Field(ge=1, le=120)] | None = None  # None: the certificate never expires
    remind_days_before: Annotated[int, Field(ge=1, le=365)] = 60
    refresher: RefresherSpec = RefresherSpec()

    @model_validator(mode="after")
    def _consistent(self) -> AccreditationSpec:
        seen = [r.register_id for r in self.registers]
        doubled = sorted({r for r in seen if seen.count(r) > 1})
        if doubled:
            raise ValueError(f"register {doubled[0]!r} is listed twice")
        if self.valid_months is not None and self.remind_days_before > self.valid_months * 28:
            raise ValueError(f"remind_days_before ({self.remind_days_before}) is longer than the validity "
                             f"({self.valid_months} months)")
        return self


class CourseManifest(Frozen):
    id: Slug
    title: Text
    summary: Text
    content_note: Text
    modules: Annotated[list[Slug], Field(min_length=1)]
    completion: CompletionSpec = CompletionSpec()
    assessment: AssessmentSpec = AssessmentSpec()
    accreditation: AccreditationSpec | None = None


class SourceSpec(Frozen):
    id: Slug
    citation: Text
    url: HttpUrl | None = None


class ModuleFrontMatter(Frozen):
    title: Text
    summary: Text
    minutes: Minutes
    objectives: Annotated[list[Text], Field(min_length=1)]
    sources: Annotated[list[SourceSpec], Field(min_length=1)]


class PageFrontMatter(Frozen):
    title: Text
    minutes: Minutes
    summary: Text | None = None
