"""Organisation admins download the accreditation points to award as CSV, one row per certificate and
register, in the documented columns; only their own organisation's, never a revoked certificate's."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from course.db import Certificate, CertificateKind, EventKind, RegisterNumber, SecurityEvent, User, utcnow
from course.services.certificates import new_code
from tests.app.org.conftest import Org, logged_in, make_org, membership
from tests.app.trainer.conftest import text
from tests.conftest import without_csrf_tokens

ACCREDITATION = [{"register": "SKJ", "number": "K-2026-0147", "points": 8},
                 {"register": "BIG", "number": "VVN-118822", "points": 6}]
@pytest.fixture
def org(session: Session) -> Org:
    return make_org(session, "jeugdzorg-noord", "Jeugdzorg Noord")


@pytest.fixture
def other_org(session: Session) -> Org:
    return make_org(session, "ggz-zuid", "GGZ Zuid")


HEADER = ["register", "registratienummer", "naam", "accreditatienummer", "punten", "datum_afgerond",
          "certificaatcode"]


def certificate(session: Session, org: Org, user: User, completed_on: date, numbers: dict[str, str] | None = None,
                name: str | None = None) -> Certificate:
    row = Certificate(code=new_code(), user_id=user.id, organisation_id=org.organisation.id,
                      organisation_name=org.organisation.name, course_id="testcursus", course_title="Meldcode",
                      learner_name=name or user.name, completed_on=completed_on, study_minutes=240,
                      accreditation=ACCREDITATION, register_numbers=numbers or {}, valid_until=date(2029, 1, 1))
    session.add(row)
    session.commit()
    return row


def download(client: FlaskClient, slug: str, query: str = "") -> list[list[str]]:
    response = client.get(f"/organisatie/{slug}/accreditatiepunten.csv{query}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="accreditatiepunten-')
    data = response.get_data(as_text=True)
    assert data.startswith("\ufeff")  # Excel reads it as UTF-8
    return list(csv.reader(io.StringIO(data[1:]), delimiter=";"))


def test_points_per_register_in_the_documented_columns(app: Flask, session: Session, org: Org, other_org: Org) -> None:
    """Every certificate of a member gives one row per register; revoked ones, other organisations' and
    those of people who left give none; a number recorded after the certificate was issued is used."""
    first, second, revoked_holder = org.members
    a = certificate(session, org, first, date(2027, 2, 1), {"SKJ": "110012345"})
    b = certificate(session, org, second, date(2027, 3, 5))
    session.add(RegisterNumber(user_id=second.id, register="BIG", number="19012345601"))  # recorded later
    revoked = certificate(session, org, revoked_holder, date(2027, 1, 1))
    revoked.revoked_at, revoked.revoked_reason = utcnow(), "Fraude"
    certificate(session, other_org, other_org.members[0], date(2027, 1, 2))
    left = certificate(session, org, org.lead, date(2027, 1, 3))
    session.delete(membership(session, org, org.lead))  # the lead left the organisation
    session.commit()
    rows = download(logged_in(app, session, org.admin), org.slug)
    assert rows == [
        HEADER,
        ["SKJ", "110012345", first.name, "K-2026-0147", "8", "2027-02-01", a.code],
        ["BIG", "", first.name, "VVN-118822", "6", "2027-02-01", a.code],
        ["SKJ", "", second.name, "K-2026-0147", "8", "2027-03-05", b.code],
        ["BIG", "19012345601", second.name, "VVN-118822", "6", "2027-03-05", b.code],
    ]
    assert left.code not in str(rows)
    event = session.scalar(select(SecurityEvent).where(SecurityEvent.kind == EventKind.ADMIN_ACTION))
    assert event.detail["action"] == "org.points_export" and event.detail["rows"] == 4


def test_one_register_at_a_time_and_an_unknown_register_is_not_found(app: Flask, session: Session, org: Org) -> None:
    """The upload of one register takes only its own rows; a register that does not exist answers 404."""
    certificate(session, org, org.members[0], date(2027, 2, 1), {"SKJ": "110012345", "BIG": "19012345601"})
    client = logged_in(app, session, org.admin)
    rows = download(client, org.slug, "?register=SKJ")
    assert [r[:2] for r in rows] == [["register", "registratienummer"], ["SKJ", "110012345"]]
    assert client.get(f"/organisatie/{org.slug}/accreditatiepunten.csv?register=XYZ").status_code == 404


def test_an_empty_export_has_the_heading_line(app: Flask, session: Session, org: Org) -> None:
    """Before anyone has a certificate, the file still has its columns."""
    assert download(logged_in(app, session, org.admin), org.slug) == [HEADER]


def test_formula_like_cells_are_defused(app: Flask, session: Session, org: Org) -> None:
    """A name a spreadsheet would run as a formula starts with an apostrophe (CSV injection)."""
    for i, name in enumerate(("=HYPERLINK(\"http://x\")", "+31 6", "-2+3", "@SUM(A1)")):
        certificate(session, org, org.members[i % 3], date(2027, 2, 1 + i), name=name)
    rows = download(logged_in(app, session, org.admin), org.slug, "?register=SKJ")
    assert [r[2] for r in rows[1:]] == ["'=HYPERLINK(\"http://x\")", "'+31 6", "'-2+3", "'@SUM(A1)"]


def test_only_the_organisations_own_admin_gets_the_export(app: Flask, session: Session, org: Org,
                                                          other_org: Org) -> None:
    """Another organisation's admin, a team lead and a member get the same 404 as for a missing one."""
    certificate(session, org, org.members[0], date(2027, 2, 1))
    path = f"/organisatie/{org.slug}/accreditatiepunten.csv"
    for user in (other_org.admin, org.lead, org.members[0]):
        client = logged_in(app, session, user)
        response = client.get(path)
        assert response.status_code == 404
        missing = client.get("/organisatie/bestaat-niet/accreditatiepunten.csv").get_data(as_text=True)
        assert without_csrf_tokens(response.get_data(as_text=True)) == without_csrf_tokens(
            missing.replace("bestaat-niet", org.slug))  # the URL is in it
    # A deactivated admin is no admin any more.
    membership(session, org, org.admin).deactivated_at = utcnow()
    session.commit()
    assert logged_in(app, session, org.admin).get(path).status_code == 404


def test_the_report_page_offers_the_export_to_admins_only(app: Flask, session: Session, org: Org) -> None:
    """The admin sees a download per register of the course; the team lead does not see the section."""
    page = text(logged_in(app, session, org.admin).get(f"/organisatie/{org.slug}/rapport"))
    assert "Accreditatiepunten" in page and "Punten voor SKJ (CSV)" in page and "Punten voor BIG (CSV)" in page
    assert "Accreditatiepunten" not in text(logged_in(app, session, org.lead).get(f"/organisatie/{org.slug}/rapport"))


def test_an_assignment_certificate_awards_no_points(app: Flask, session: Session, org: Org) -> None:
    """A member with the course certificate and one for the organisation's stricter assignment gets the
    course's points once: the assignment's certificate gives no rows, even one carrying accreditation data."""
    member = org.members[0]
    course = certificate(session, org, member, date(2027, 2, 1))
    session.add(Certificate(code=new_code(), user_id=member.id, organisation_id=org.organisation.id,
                            organisation_name=org.organisation.name, course_id="testcursus", course_title="Meldcode",
                            learner_name=member.name, completed_on=date(2027, 2, 3), study_minutes=240,
                            accreditation=ACCREDITATION, register_numbers={}, kind=CertificateKind.ASSIGNMENT,
                            assignment_title="Basistraining", requirement={"modules": [], "min_quiz_percent": 80,
                                                                           "casuses": []}))
    session.commit()
    rows = download(logged_in(app, session, org.admin), org.slug)
    assert [r[-1] for r in rows[1:]] == [course.code, course.code]
