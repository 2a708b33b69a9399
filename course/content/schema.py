"""The shape of the course manifest and of module and page front matter, as authors write them."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, HttpUrl

from course.content.model import CasusesRule, PagesRule, QuizRule
from course.content.validation import SLUG_PATTERN, Frozen

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


class CourseManifest(Frozen):
    id: Slug
    title: Text
    summary: Text
    content_note: Text
    modules: Annotated[list[Slug], Field(min_length=1)]
    completion: CompletionSpec = CompletionSpec()
    assessment: AssessmentSpec = AssessmentSpec()


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
