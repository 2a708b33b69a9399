"""What the API answers and accepts, as pydantic models: the views validate with them and the OpenAPI
document is generated from them (app/api/openapi.py), so the two cannot drift apart."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from course.assignments import AssignmentStatus
from course.db import Role

MAX_LIMIT = 100  # rows per page at most: a larger ``limit`` is cut to this
DEFAULT_LIMIT = 50
MAX_ID = 2**31 - 1  # the largest id any database column holds
# RFC 3339 date-time (what OpenAPI's format date-time means); date-only or Unix times are refused, not guessed.
RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,6})?([Zz]|[+-]\d{2}:\d{2})?")


def _moment(value: Any) -> datetime:
    if not isinstance(value, str) or not RFC3339.fullmatch(value):
        raise ValueError("expected an ISO 8601 date and time, e.g. 2027-01-31T00:00:00Z")
    moment = datetime.fromisoformat(value.replace("z", "Z"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # no offset: UTC, as the data is


Moment = Annotated[datetime, BeforeValidator(_moment)]


def _whole(value: Any) -> Any:
    # JSON Schema counts 4.0 as an integer; pydantic's strict mode would not. Text and true stay refused.
    return int(value) if isinstance(value, float) and value.is_integer() else value


# The bounds before the validator, so that they reach the JSON Schema as minimum and maximum.
TeamId = Annotated[int, Field(ge=1, le=MAX_ID), BeforeValidator(_whole)]
Percent = Annotated[int, Field(ge=1, le=100), BeforeValidator(_whole)]


class ListQuery(BaseModel):
    """The query string of every list: cursor pagination and a date filter. An unknown parameter is refused:
    a misspelt filter must not quietly answer with everything."""

    model_config = ConfigDict(extra="forbid")

    limit: int = Field(DEFAULT_LIMIT, ge=1, description=f"Rows per page; more than {MAX_LIMIT} gives {MAX_LIMIT}.")
    cursor: str | None = Field(None, max_length=200, description="The next_cursor of the page before; opaque.")
    updated_since: Moment | None = Field(None, description="Only rows changed at or after this moment (ISO 8601; "
                                                           "without an offset: UTC).")

    @field_validator("limit")
    @classmethod
    def _cap(cls, value: int) -> int:
        return min(value, MAX_LIMIT)


class CompletionQuery(ListQuery):
    assignment_id: int | None = Field(None, ge=1, le=MAX_ID, description="An assignment of the organisation: "
                                      "status and completion for it; without: for the whole course.")


class Member(BaseModel):
    id: int = Field(description="The member's account id; the same in completions.")
    name: str
    email: str
    role: Role
    team: str | None
    team_id: int | None = Field(description="The team's id, as in /teams and for a new assignment's team_id.")
    active: bool = Field(description="False once an organisation admin deactivated the membership.")
    joined_at: datetime
    deactivated_at: datetime | None


class MemberPage(BaseModel):
    items: list[Member]
    next_cursor: str | None = Field(description="Pass as cursor for the next page; null on the last page.")


class Team(BaseModel):
    id: int = Field(description="Pass as team_id to set an assignment for this team.")
    name: str
    active_members: int = Field(description="Members of the team whose membership is active.")
    created_at: datetime


class TeamPage(BaseModel):
    items: list[Team]
    next_cursor: str | None = Field(description="Pass as cursor for the next page; null on the last page.")


class Completion(BaseModel):
    member_id: int
    name: str
    email: str
    team: str | None
    status: AssignmentStatus
    modules_done: int
    modules_total: int
    casuses_done: int
    casuses_total: int
    minutes_on_task: int = Field(description="Recorded time on task, counted as for certificates.")
    completed_at: datetime | None


class CompletionPage(BaseModel):
    items: list[Completion]
    next_cursor: str | None = Field(description="Pass as cursor for the next page; null on the last page.")


class ErrorBody(BaseModel):
    status: int
    message: str


class Error(BaseModel):
    error: ErrorBody


class Assignment(BaseModel):
    id: int
    title: str
    module_ids: list[str] = Field(description="Module slugs; empty: the whole course.")
    casus_ids: list[str] = Field(description="Casussen that must be completed too.")
    team: str | None = Field(description="The team it is for; null with member_id null: everyone.")
    member_id: int | None = Field(description="The one member it is for, if any.")
    due_on: date
    min_quiz_percent: int | None = Field(description="Every knowledge check of the modules at least this score.")
    created_at: datetime


class AssignmentPage(BaseModel):
    items: list[Assignment]
    next_cursor: str | None = Field(description="Pass as cursor for the next page; null on the last page.")


class CertificateStatus(StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    REVOKED = "revoked"


class CertifiedAssignment(BaseModel):
    id: int | None = Field(description="The assignment's id; null once the organisation withdrew it.")
    title: str = Field(description="Its title when the certificate was issued.")


class Certificate(BaseModel):
    id: int
    member_id: int
    course_id: str
    course_title: str
    completed_on: date
    issued_at: datetime
    valid_until: date | None = Field(description="The last valid day; null: it does not expire.")
    status: CertificateStatus
    revoked_at: datetime | None
    assignment: CertifiedAssignment | None = Field(
        description="The organisation's assignment (with a stricter rule) this certificate is for; it carries no "
                    "accreditation points. Null: the course certificate.")


class CertificatePage(BaseModel):
    items: list[Certificate]
    next_cursor: str | None = Field(description="Pass as cursor for the next page; null on the last page.")


class NewAssignment(BaseModel):
    """Work to set, as an organisation admin sets it on the assignments page."""

    model_config = ConfigDict(extra="forbid", strict=True)

    title: str = Field(min_length=1, max_length=200)
    target: Literal["organisation", "team", "person"] = Field(description="Everyone, one team (team_id) or one "
                                                                          "member (member_email).")
    due_on: date = Field(description="The deadline; not in the past.")
    module_ids: list[Annotated[str, Field(max_length=64)]] = Field(
        default_factory=list, max_length=100, description="Module slugs; empty: the whole course.")
    casus_ids: list[Annotated[str, Field(max_length=64)]] = Field(default_factory=list, max_length=100)
    team_id: TeamId | None = None
    member_email: str | None = Field(None, max_length=254)
    min_quiz_percent: Percent | None = None
