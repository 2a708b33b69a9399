"""The API's routes. Every request carries an organisation token (``Authorization: Bearer``); the token's
organisation is the only one it sees, and each request made with it is recorded."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort, g, jsonify, request, url_for
from flask_limiter.util import get_remote_address
from pydantic import BaseModel, ValidationError
from werkzeug.wrappers import Response

from app.api import bp
from app.api.openapi import document, operation
from app.api.schemas import Assignment as AssignmentOut
from app.api.schemas import (
    AssignmentPage,
    CertificatePage,
    CertificateStatus,
    CertifiedAssignment,
    Completion,
    CompletionPage,
    CompletionQuery,
    ListQuery,
    Member,
    MemberPage,
    NewAssignment,
    TeamPage,
)
from app.api.schemas import Certificate as CertificateOut
from app.api.schemas import Team as TeamOut
from app.content import catalog
from app.db import db_session
from app.i18n import domain_message
from app.limits import configured, limiter
from course.assignments import local_today
from course.db import ApiScope, ApiToken, Assignment, Certificate, CertificateKind, Team, utcnow
from course.errors import DomainError, NotFound
from course.services import api_tokens
from course.services import assignments as assignment_service
from course.services.orgs import OrgAccess

F = TypeVar("F", bound=Callable[..., Any])
Q = TypeVar("Q", bound=BaseModel)
R = TypeVar("R")


def _token_key() -> str:
    """Rate limits count per token (an HR system behind a shared address is not slowed by another). The
    limiter runs before authentication, so the key is a hash of what the request presents."""
    presented = request.headers.get("Authorization", "")
    if not presented:  # the public document, or a client that forgot its token: per address, not one bucket
        return f"api-address:{get_remote_address()}"
    return "api-token:" + api_tokens.hash_token(presented)[:32]


@bp.before_request
def _authenticate() -> None:
    g.api_token = None
    if request.endpoint == "api.openapi":
        return
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    try:
        token = api_tokens.authenticate(db_session, secret.strip()) if scheme.lower() == "bearer" else None
    except api_tokens.ExpiredToken as expired:
        g.expired_api_token = expired.token  # recorded: "last used" tells the admin a system still tries it
        abort(401, f"This token expired on {expired.expired_at:%Y-%m-%d}; an admin of the organisation can make "
                   "a new one.")
    if token is None:
        abort(401, "A valid organisation API token is needed: Authorization: Bearer <token>.")
    g.api_token = token


@bp.after_request
def _record(response: Response) -> Response:
    token: ApiToken | None = g.get("api_token") or g.get("expired_api_token")
    if token is None and response.status_code == 429:  # refused by the limiter before authentication
        _scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
        try:
            token = api_tokens.authenticate(db_session, secret.strip())
        except api_tokens.ExpiredToken as expired:
            token = expired.token
    if token is not None:
        api_tokens.record_use(db_session, token.id, method=request.method, path=request.path,
                              status=response.status_code)
    if response.status_code == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="leerlijn"' + (
            ', error="invalid_token", error_description="The token expired"' if g.get("expired_api_token") else "")
    return response


limiter.limit(configured("API_LIMIT_PER_TOKEN"), key_func=_token_key)(bp)
# Only refusals of the token count here (deducted after the answer), so a working integration never meets it.
limiter.limit(configured("API_LIMIT_REFUSED_PER_ADDRESS"), key_func=lambda: f"api-refused:{get_remote_address()}",
              deduct_when=lambda response: response.status_code == 401)(bp)


def needs(scope: ApiScope) -> Callable[[F], F]:
    def wrap(view: F) -> F:
        @wraps(view)
        def checked(*args: Any, **kwargs: Any) -> Any:
            if scope.value not in g.api_token.scopes:
                abort(403, f"This token lacks the scope {scope.value}.")
            return view(*args, **kwargs)
        return checked  # type: ignore[return-value]
    return wrap


def _problems(error: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors()) or "invalid"


def _query(model: type[Q]) -> Q:
    try:
        return model.model_validate(request.args.to_dict())
    except ValidationError as error:
        abort(400, _problems(error))


def _after(cursor: str | None) -> int:
    """The id a cursor continues after (0: from the start). Opaque to clients; a cursor not ours: 400."""
    if not cursor:
        return 0
    try:
        kind, _, value = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode().partition(":")
        after = int(value) if kind == "after" else -1
    except (binascii.Error, UnicodeDecodeError, ValueError):
        after = -1
    if not 0 < after <= 2**31 - 1:
        abort(400, "cursor: not a cursor this API gave out")
    return after


def _cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"after:{last_id}".encode()).decode().rstrip("=")


def _listing(query_model: type[Q], page_model: type[BaseModel],
             fetch: Callable[[OrgAccess, Q, int], tuple[list[R], bool]],
             item: Callable[[R], BaseModel], last_id: Callable[[R], int]) -> Response:
    """One page of a list: the query string checked, the rows after the cursor fetched for the token's
    organisation (``fetch(access, query, after)``), each turned into its schema, and the cursor of the next."""
    query = _query(query_model)
    access = api_tokens.token_access(db_session, g.api_token)
    rows, more = fetch(access, query, _after(query.cursor))
    page = page_model(items=[item(row) for row in rows], next_cursor=_cursor(last_id(rows[-1])) if more else None)
    return jsonify(page.model_dump(mode="json"))


@bp.route("/members")
@operation("/members", summary="The organisation's members, active and deactivated, by id",
           query=ListQuery, response=MemberPage, scope=ApiScope.READ_MEMBERS.value)
@needs(ApiScope.READ_MEMBERS)
def members() -> Response:
    return _listing(
        ListQuery, MemberPage,
        lambda access, query, after: api_tokens.member_page(db_session, access, after=after, limit=query.limit,
                                                            updated_since=query.updated_since),
        lambda m: Member(id=m.id, name=m.name, email=m.email, role=m.role, team=m.team, team_id=m.team_id,
                         active=m.deactivated_at is None, joined_at=m.joined_at, deactivated_at=m.deactivated_at),
        lambda m: m.id)


@bp.route("/teams")
@operation("/teams", summary="The organisation's teams (departments, locations), by id, with their active "
           "members", query=ListQuery, response=TeamPage, scope=ApiScope.READ_MEMBERS.value)
@needs(ApiScope.READ_MEMBERS)
def teams() -> Response:
    return _listing(
        ListQuery, TeamPage,
        lambda access, query, after: api_tokens.team_page(db_session, access, after=after, limit=query.limit,
                                                          updated_since=query.updated_since),
        lambda t: TeamOut(id=t.id, name=t.name, active_members=t.active_members, created_at=t.created_at),
        lambda t: t.id)


@bp.route("/completions")
@operation("/completions", summary="Per active member: status and completion of the course or an assignment, "
           "as in the completion report", query=CompletionQuery, response=CompletionPage,
           scope=ApiScope.READ_COMPLETIONS.value)
@needs(ApiScope.READ_COMPLETIONS)
def completions() -> Response:
    return _listing(
        CompletionQuery, CompletionPage,
        lambda access, query, after: api_tokens.completion_page(
            db_session, catalog(), access, local_today(utcnow()), after=after, limit=query.limit,
            assignment_id=query.assignment_id, updated_since=query.updated_since),
        lambda r: Completion(member_id=r.user_id, name=r.name, email=r.email, team=r.team or None, status=r.status,
                             modules_done=r.modules_done, modules_total=r.modules_total,
                             casuses_done=r.casuses_done, casuses_total=r.casuses_total,
                             minutes_on_task=r.minutes_on_task, completed_at=r.completed_at),
        lambda r: r.user_id)


def _assignment_out(a: Assignment, team: str | None) -> AssignmentOut:
    return AssignmentOut(id=a.id, title=a.title, module_ids=a.module_ids, casus_ids=a.casus_ids, team=team,
                         member_id=a.user_id, due_on=a.due_on, min_quiz_percent=a.min_quiz_percent,
                         created_at=a.created_at)


@bp.route("/assignments")
@operation("/assignments", summary="The organisation's assignments (work set with a deadline), by id",
           query=ListQuery, response=AssignmentPage, scope=ApiScope.READ_COMPLETIONS.value)
@needs(ApiScope.READ_COMPLETIONS)
def assignments() -> Response:
    return _listing(
        ListQuery, AssignmentPage,
        lambda access, query, after: api_tokens.assignment_page(db_session, access, after=after, limit=query.limit,
                                                                updated_since=query.updated_since),
        lambda row: _assignment_out(*row),
        lambda row: row[0].id)


@bp.route("/assignments", methods=["POST"])
@operation("/assignments", method="post", summary="Set work for everyone, a team or one member, by a deadline",
           body=NewAssignment, response=AssignmentOut, status="201", scope=ApiScope.WRITE_ASSIGNMENTS.value)
@needs(ApiScope.WRITE_ASSIGNMENTS)
def create_assignment() -> tuple[Response, int]:
    try:
        new = NewAssignment.model_validate_json(request.get_data())
    except ValidationError as error:
        abort(400, _problems(error))
    access = api_tokens.token_access(db_session, g.api_token)
    try:
        made = assignment_service.create_assignment(
            db_session, catalog(), None, access.organisation.slug, title=new.title, module_ids=new.module_ids,
            target=new.target, team_id=new.team_id, email=new.member_email, due_on=new.due_on,
            min_quiz_percent=new.min_quiz_percent, casus_ids=new.casus_ids, today=local_today(utcnow()),
            api_token_id=g.api_token.id)
    except NotFound:
        raise
    except DomainError as error:
        field = {"modules": "module_ids", "casuses": "casus_ids", "team": "team_id", "email": "member_email"}.get(
            error.field or "", error.field)
        abort(422, f"{field}: {domain_message(error)}" if field else domain_message(error))
    team = db_session.get(Team, made.team_id).name if made.team_id else None
    return jsonify(_assignment_out(made, team).model_dump(mode="json")), 201


@bp.route("/certificates")
@operation("/certificates", summary="Certificates the organisation's members earned within it, with their "
           "validity today", query=ListQuery, response=CertificatePage, scope=ApiScope.READ_COMPLETIONS.value)
@needs(ApiScope.READ_COMPLETIONS)
def certificates() -> Response:
    today = local_today(utcnow())

    def status(c: Certificate) -> CertificateStatus:
        if c.revoked_at is not None:
            return CertificateStatus.REVOKED
        return CertificateStatus.EXPIRED if c.valid_until is not None and c.valid_until < today \
            else CertificateStatus.VALID

    return _listing(
        ListQuery, CertificatePage,
        lambda access, query, after: api_tokens.certificate_page(db_session, access, after=after, limit=query.limit,
                                                                 updated_since=query.updated_since),
        lambda c: CertificateOut(id=c.id, member_id=c.user_id, course_id=c.course_id, course_title=c.course_title,
                                 completed_on=c.completed_on, issued_at=c.issued_at, valid_until=c.valid_until,
                                 status=status(c), revoked_at=c.revoked_at,
                                 assignment=CertifiedAssignment(id=c.assignment_id, title=c.assignment_title)
                                 if c.kind == CertificateKind.ASSIGNMENT else None),
        lambda c: c.id)


@bp.route("/openapi.json")
def openapi() -> Response:
    """The OpenAPI 3.1 document of this API (public: it says what exists, nothing of anyone's data)."""
    return jsonify(document(url_for("api.openapi", _external=True).removesuffix("/openapi.json")))


