"""Fixtures for the API tests: the organisation tests' two organisations, and a token for each."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from course.db import ApiScope, Assignment, Certificate, CertificateKind, utcnow
from course.services import api_tokens
from course.services.certificates import new_code
from tests.app.org import conftest as org_fixtures
from tests.app.org.conftest import Org

# The organisation tests' fixtures, shared rather than copied.
admin, org, other_org = org_fixtures.admin, org_fixtures.org, org_fixtures.other_org

ALL_SCOPES = [s.value for s in ApiScope]


def new_token(session: Session, org: Org, scopes: list[str] | None = None, name: str = "HR-koppeling") -> str:
    return api_tokens.create_token(session, org.admin.id, org.slug, name=name,
                                   scopes=ALL_SCOPES if scopes is None else scopes).secret


@pytest.fixture
def token(session: Session, org: Org) -> str:
    return new_token(session, org)


@pytest.fixture
def call(client: FlaskClient) -> Callable[..., object]:
    """GET an API path with a token (or none)."""
    def get(path: str, token: str | None, **query: object):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return client.get(path, headers=headers, query_string=query)
    return get


def add_work(session: Session, org: Org, valid_catalog) -> tuple[Assignment, list[Certificate]]:
    """An assignment for the organisation's first team, and certificates of its first member: one valid,
    one expired, one revoked."""
    assignment = Assignment(organisation_id=org.organisation.id, title=f"Meldcode {org.slug}", module_ids=[],
                            casus_ids=[], team_id=next(iter(org.teams.values())).id, due_on=date(2030, 1, 1))
    member = org.members[0]

    def certificate(**extra: object) -> Certificate:
        return Certificate(code=new_code(), user_id=member.id, organisation_id=org.organisation.id,
                           course_id=valid_catalog.course.id, course_title=valid_catalog.course.title,
                           learner_name=member.name, organisation_name=org.organisation.name,
                           completed_on=date(2026, 3, 2), study_minutes=90, **extra)
    certificates = [certificate(valid_until=date(2099, 1, 1)), certificate(valid_until=date(2020, 1, 1)),
                    certificate(valid_until=None, revoked_at=utcnow(), revoked_reason="Dubbel")]
    session.add_all([assignment, *certificates])
    session.commit()
    return assignment, certificates


def add_assignment_certificates(session: Session, org: Org, assignment: Assignment, valid_catalog
                                ) -> list[Certificate]:
    """Two certificates for assignments with a stricter rule, of the organisation's first member: one for
    ``assignment`` and one for an assignment since withdrawn (its link gone, its title kept)."""
    member = org.members[0]

    def certificate(assignment_id: int | None, title: str) -> Certificate:
        return Certificate(code=new_code(), user_id=member.id, organisation_id=org.organisation.id,
                           course_id=valid_catalog.course.id, course_title=valid_catalog.course.title,
                           learner_name=member.name, organisation_name=org.organisation.name,
                           completed_on=date(2026, 3, 4), study_minutes=60, kind=CertificateKind.ASSIGNMENT,
                           assignment_id=assignment_id, assignment_title=title,
                           requirement={"modules": [], "min_quiz_percent": 80, "casuses": []})
    certificates = [certificate(assignment.id, assignment.title), certificate(None, "Ingetrokken opdracht")]
    session.add_all(certificates)
    session.commit()
    return certificates
