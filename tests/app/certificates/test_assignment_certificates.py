"""Certificates for an organisation's assignment with a stricter rule: issued once when the learner meets
that rule (not before), a PDF naming the organisation, the assignment and what it asked, a verification page
with the requirement and nothing more; no accreditation points, so the course certificate's standing,
reminders and points export leave it alone."""

from __future__ import annotations

import io
import json
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from course.catalog import Catalog
from course.db import (
    Assignment,
    Certificate,
    CertificateKind,
    Membership,
    Organisation,
    QuizAttempt,
    Role,
    User,
    utcnow,
)
from course.services import assignment_certificates as service
from course.services import certificates as course_certificates
from course.services.privacy import export_personal_data
from course.services.progress import record_visit
from course.studyload import casus_load
from tests.app.certificates.conftest import complete_course, pass_quizzes, walk_casus
from tests.app.org.conftest import Org, logged_in, make_org, make_user
from tests.conftest import enable_two_factor, real_database_app

DUE = date(2099, 12, 31)


@pytest.fixture
def org(session: Session) -> Org:
    return make_org(session, "jeugdzorg-noord", "Jeugdzorg Noord")


def assign(session: Session, org: Org, title: str = "Basistraining 2027", *, modules: tuple[str, ...] = (),
           min_quiz_percent: int | None = None, casuses: tuple[str, ...] = ()) -> Assignment:
    assignment = Assignment(organisation_id=org.organisation.id, title=title, module_ids=list(modules),
                            casus_ids=list(casuses), min_quiz_percent=min_quiz_percent, due_on=DUE)
    session.add(assignment)
    session.commit()
    return assignment


def read_module(session: Session, catalog: Catalog, user_id: int, module_id: str) -> None:
    module = catalog.module(module_id)
    assert module is not None
    for page in module.pages:
        record_visit(session, user_id, page, read=True)


def score(session: Session, user_id: int, quiz_id: str, value: float) -> None:
    """Every handed-in attempt at ``quiz_id`` scored ``value`` (0..1), passed by the quiz's own mark."""
    session.execute(update(QuizAttempt).where(QuizAttempt.user_id == user_id, QuizAttempt.quiz_id == quiz_id)
                    .values(score=value, passed=True))
    session.commit()


def assignment_certificates(session: Session) -> list[Certificate]:
    return list(session.scalars(select(Certificate).where(Certificate.kind == CertificateKind.ASSIGNMENT)
                                .order_by(Certificate.id)))


def pdf_text(data: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages)


def test_79_percent_is_not_enough_for_an_80_percent_rule_and_80_is(app, session, org, cert_catalog):
    """A knowledge check at 79 % issues no certificate for the organisation's 80 % rule (the course certificate
    still comes); at 80 % the learner's next visit issues it, with a snapshot of what was asked."""
    learner = org.members[0]
    assign(session, org, min_quiz_percent=80)
    complete_course(session, cert_catalog, learner.id)
    score(session, learner.id, "eerste-toets", 0.79)
    client = logged_in(app, session, learner)
    page = client.get("/certificaten/").get_data(as_text=True)
    assert "Gefeliciteerd: je certificaat staat klaar." in page  # the course's own
    assert "voor de opdracht" not in page and assignment_certificates(session) == []

    score(session, learner.id, "eerste-toets", 0.80)
    page = client.get("/certificaten/").get_data(as_text=True)
    assert "Gefeliciteerd: je certificaat voor de opdracht ‘Basistraining 2027’ staat klaar." in page
    assert "Opdracht ‘Basistraining 2027’ van Jeugdzorg Noord" in page
    assert "Eis van de organisatie: alle modules; kennischecks minimaal 80 %" in " ".join(page.split())
    (certificate,) = assignment_certificates(session)
    assert certificate.user_id == learner.id and certificate.organisation_name == "Jeugdzorg Noord"
    assert certificate.assignment_title == "Basistraining 2027" and certificate.learner_name == learner.name
    assert certificate.requirement == {"modules": [], "min_quiz_percent": 80, "casuses": []}
    assert certificate.study_minutes == cert_catalog.study_load.total.minutes
    assert certificate.accreditation == [] and certificate.valid_until is None
    completed_at = max(session.scalars(select(QuizAttempt.submitted_at).where(QuizAttempt.user_id == learner.id)))
    assert certificate.completed_on == course_certificates.local_day(completed_at)
    # Visiting again issues nothing more; the snapshot cannot be edited.
    client.get("/certificaten/")
    assert len(assignment_certificates(session)) == 1
    certificate.assignment_title = "Iets anders"
    with pytest.raises(ValueError, match="immutable"):
        session.commit()
    session.rollback()


def test_a_missing_casus_holds_the_certificate_back_until_it_is_done(app, session, org, cert_catalog):
    """Some modules plus a casus from another module: finishing the modules is not enough; the step that
    completes the casus issues it, with the modules' and the casus's study load."""
    learner = org.members[0]
    assign(session, org, "Tweede module en de oefencasus", modules=("tweede",), casuses=("oefencasus",))
    read_module(session, cert_catalog, learner.id, "tweede")
    pass_quizzes(session, cert_catalog, learner.id)
    assert service.issue_for_assignments(session, cert_catalog, learner.id) == []
    walk_casus(session, cert_catalog, learner.id)
    (certificate,) = service.issue_for_assignments(session, cert_catalog, learner.id)
    assert certificate.requirement == {"modules": ["Tweede module"], "min_quiz_percent": None,
                                       "casuses": ["Een oefencasus"]}
    tweede = cert_catalog.study_load.module("tweede")
    assert tweede is not None
    casus = cert_catalog.casuses["oefencasus"]
    assert certificate.study_minutes == tweede.total.minutes + casus_load(casus).minutes
    # The course is not complete: no course certificate, and the assignment's does not stand in for it.
    standing = course_certificates.standing(session, cert_catalog, learner.id)
    assert standing.latest is None and standing.assessment is not None and not standing.assessment.earned


def test_the_step_that_meets_the_rule_issues_it(app, session, org, cert_catalog):
    """Reading the module's last page, which completes the assignment, issues the certificate right away."""
    learner = org.members[0]
    assign(session, org, "Alleen de tweede module", modules=("tweede",), min_quiz_percent=50)
    pass_quizzes(session, cert_catalog, learner.id)
    module = cert_catalog.module("tweede")
    assert module is not None
    *before, last = module.pages
    for page in before:
        record_visit(session, learner.id, page, read=True)
    client = logged_in(app, session, learner)
    response = client.post(f"/modules/tweede/{last.id}/gelezen", follow_redirects=True)
    assert "je certificaat voor de opdracht ‘Alleen de tweede module’ staat klaar" in response.get_data(as_text=True)
    assert len(assignment_certificates(session)) == 1


def test_no_certificate_for_an_assignment_without_a_stricter_rule(session, org, cert_catalog):
    """Work that asks only what the course asks earns the course certificate, not a second one."""
    learner = org.members[0]
    assign(session, org)
    complete_course(session, cert_catalog, learner.id)
    assert service.issue_for_assignments(session, cert_catalog, learner.id) == []
    assert course_certificates.issue_if_earned(session, cert_catalog, learner.id) is not None
    assert assignment_certificates(session) == []


def test_one_per_assignment_even_when_the_check_saw_none(session, org, cert_catalog, monkeypatch):
    """The unique index decides, not the look-up: a call that still believes nothing was issued (as a
    parallel one does) inserts nothing and reports nothing."""
    learner = org.members[0]
    assignment = assign(session, org, min_quiz_percent=60)
    complete_course(session, cert_catalog, learner.id)
    stale = service._open_assignments(session, learner.id)
    assert [a.id for a, _name in stale] == [assignment.id]
    assert len(service.issue_for_assignments(session, cert_catalog, learner.id)) == 1
    monkeypatch.setattr(service, "_open_assignments", lambda _session, _user_id: stale)
    assert service.issue_for_assignments(session, cert_catalog, learner.id) == []
    assert len(assignment_certificates(session)) == 1


def test_queries_do_not_grow_with_the_assignments(session, org, cert_catalog, count_queries):
    """Issuing after a step costs one query when nothing is due, and as many for three assignments as for one."""
    first, second = org.members[0], org.members[1]
    complete_course(session, cert_catalog, first.id)
    complete_course(session, cert_catalog, second.id)
    with count_queries() as idle:
        service.issue_for_assignments(session, cert_catalog, first.id)
    assert idle.count == 1
    assign(session, org, "Eén", min_quiz_percent=60)
    with count_queries() as one:
        assert len(service.issue_for_assignments(session, cert_catalog, first.id)) == 1
    for title in ("Twee", "Drie", "Vier"):
        assign(session, org, title, min_quiz_percent=60)
    with count_queries() as three:
        assert len(service.issue_for_assignments(session, cert_catalog, first.id)) == 3
    assert one.count == three.count <= 9, one.statements


@pytest.mark.parametrize(("language", "expected"), [
    ("nl", ["Certificaat", "de opdracht van Jeugdzorg Noord heeft afgerond", "Basistraining 2027",
            "uit de e-learning Testcursus", "Eis van de organisatie",
            "module: Tweede module; kennischecks minimaal 80 %; casus: Een oefencasus",
            "Accreditatie geen punten: die staan op het certificaat van de cursus", "Geldigheid Verloopt niet",
            "Verificatiecode"]),
    ("en", ["Certificate", "completed the assignment of Jeugdzorg Noord", "Basistraining 2027",
            "of the e-learning course Testcursus", "Requirement of the organisation",
            "module: Tweede module; knowledge checks at least 80%; case: Een oefencasus",
            "Accreditation no points: they are on the course certificate", "Validity Does not expire",
            "Verification code"]),
])
def test_the_pdf_names_organisation_assignment_and_requirement(app, session, org, cert_catalog, language,
                                                                expected):
    """The PDF in Dutch and English: the organisation, the assignment's title, what it asked, one page."""
    learner = org.members[0]
    assign(session, org, modules=("tweede",), min_quiz_percent=80, casuses=("oefencasus",))
    complete_course(session, cert_catalog, learner.id)
    (certificate,) = service.issue_for_assignments(session, cert_catalog, learner.id)
    client = logged_in(app, session, learner)
    response = client.get(f"/certificaten/{certificate.id}.pdf?taal={language}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert len(PdfReader(io.BytesIO(response.data)).pages) == 1
    text = pdf_text(response.data)
    for phrase in [*expected, learner.name, course_certificates.grouped(certificate.code)]:
        assert phrase in text, (phrase, text)
    assert f"/verifieren/{certificate.code}" in text.replace(" ", "")


def test_verification_shows_the_requirement_and_nothing_more(client, session, org, cert_catalog):
    """The public page: name, course, date, validity (unlimited) and the organisation's requirement; not the
    organisation, the assignment's title or the email; a revoked one says so."""
    learner = org.members[0]
    learner.name = "Sanne de Vries"  # not the fixture's name, which holds the organisation's
    session.commit()
    assign(session, org, "Interne titel", min_quiz_percent=80, casuses=("oefencasus",))
    complete_course(session, cert_catalog, learner.id)
    (certificate,) = service.issue_for_assignments(session, cert_catalog, learner.id)
    page = " ".join(client.get(f"/verifieren/{certificate.code}").get_data(as_text=True).split())
    assert "Geldig certificaat" in page and learner.name in page and "Testcursus" in page
    assert "Onbeperkt geldig" in page
    assert "Eis van de organisatie" in page
    assert "alle modules; kennischecks minimaal 80 %; casus: <span" in page and "Een oefencasus" in page
    for private in ("Jeugdzorg Noord", "Interne titel", learner.email, "Accreditatie"):
        assert private not in page, private
    course_certificates.revoke(session, org.admin.id, certificate.id, "Fraude bij de kennischeck")
    page = client.get(f"/verifieren/{certificate.code}").get_data(as_text=True)
    assert "Ingetrokken certificaat" in page and "Fraude bij de kennischeck" in page


def test_the_course_certificate_standing_ignores_it(session, org, cert_catalog):
    """A newer assignment certificate is not the learner's latest course certificate: the course one stays
    'latest' and its refresher opens as before."""
    learner = org.members[0]
    complete_course(session, cert_catalog, learner.id)
    course = course_certificates.issue_if_earned(session, cert_catalog, learner.id)
    assert course is not None and course.valid_until is not None
    assign(session, org, min_quiz_percent=60)
    (assigned,) = service.issue_for_assignments(session, cert_catalog, learner.id,
                                                now=utcnow() + timedelta(days=1))
    later = course_certificates.refresher_since(course.valid_until, 60) + timedelta(days=1)
    standing = course_certificates.standing(session, cert_catalog, learner.id, later)
    assert standing.latest is not None and standing.latest.id == course.id and standing.refresher_open
    assert assigned.issued_at > course.issued_at


def test_the_organisation_sees_who_has_the_certificate(app, session, org, cert_catalog):
    """On the assignment's page the admin sees, per member, whether the certificate was issued."""
    learner = org.members[0]
    assignment = assign(session, org, min_quiz_percent=60)
    complete_course(session, cert_catalog, learner.id)
    service.issue_for_assignments(session, cert_catalog, learner.id)
    page = logged_in(app, session, org.admin).get(
        f"/organisatie/{org.slug}/opdrachten/{assignment.id}").get_data(as_text=True)
    assert "Wie deze opdracht afrondt, krijgt er een certificaat voor" in page
    assert page.count("uitgereikt op") == 1


def test_withdrawing_the_assignment_keeps_the_certificate(session, org, cert_catalog):
    """The organisation withdraws the assignment: the certificate stays what it was, unlinked."""
    learner = org.members[0]
    assignment = assign(session, org, min_quiz_percent=60)
    complete_course(session, cert_catalog, learner.id)
    (certificate,) = service.issue_for_assignments(session, cert_catalog, learner.id)
    session.delete(assignment)
    session.commit()
    session.refresh(certificate)
    assert certificate.assignment_id is None and certificate.assignment_title == "Basistraining 2027"
    assert certificate.kind == CertificateKind.ASSIGNMENT


def test_the_privacy_export_carries_it(session, org, cert_catalog):
    """Download all my data: the assignment certificate with its organisation, title and requirement."""
    learner = org.members[0]
    assign(session, org, min_quiz_percent=80)
    complete_course(session, cert_catalog, learner.id)
    score(session, learner.id, "eerste-toets", 0.9)
    service.issue_for_assignments(session, cert_catalog, learner.id)
    data = json.loads(json.dumps(export_personal_data(session, learner.id), default=str))
    (row,) = [c for c in data["certificates"] if c["kind"] == "assignment"]
    assert row["assignment_title"] == "Basistraining 2027" and row["organisation_name"] == "Jeugdzorg Noord"
    assert row["requirement"] == {"modules": [], "min_quiz_percent": 80, "casuses": []}


def test_two_parallel_calls_issue_it_once(tmp_path: Path, cert_catalog: Catalog) -> None:
    """Two requests finishing at once (two tabs) on a real database: one certificate, one of them reports it."""
    with real_database_app(cert_catalog, tmp_path) as app:
        engine = app.extensions["leerlijn.db"].engine
        with Session(engine) as session:
            organisation = Organisation(slug="gelijktijdig", name="Gelijktijdig")
            user = User(email="lid@example.org", name="Lid", password_hash="!", email_confirmed_at=utcnow())
            session.add_all([organisation, user])
            session.flush()
            session.add(Membership(user_id=user.id, organisation_id=organisation.id))
            session.add(Assignment(organisation_id=organisation.id, title="Streng", module_ids=[], casus_ids=[],
                                   min_quiz_percent=60, due_on=DUE))
            session.commit()
            user_id = user.id
            complete_course(session, cert_catalog, user_id)

        def issue() -> int:
            with Session(engine) as session:
                return len(service.issue_for_assignments(session, cert_catalog, user_id))

        with ThreadPoolExecutor(2) as pool:
            issued = [f.result() for f in [pool.submit(issue), pool.submit(issue)]]
        assert sorted(issued) == [0, 1]
        with Session(engine) as session:
            assert session.scalar(select(func.count()).select_from(Certificate).where(
                Certificate.kind == CertificateKind.ASSIGNMENT)) == 1


def test_a_site_admin_sees_what_they_revoke_and_it_is_not_reissued(app, session, org, cert_catalog):
    """Looked up by code, the admin sees the organisation, the assignment and its requirement; once revoked,
    the learner's next visit issues no new one for the same assignment."""
    learner = org.members[0]
    assign(session, org, min_quiz_percent=60)
    complete_course(session, cert_catalog, learner.id)
    (certificate,) = service.issue_for_assignments(session, cert_catalog, learner.id)
    admin = make_user(session, "beheer@example.org", "Beheer")
    admin.role = Role.SITE_ADMIN
    session.commit()
    enable_two_factor(session, admin.id)
    client = logged_in(app, session, admin)
    found = " ".join(client.get("/beheer/certificaten", query_string={"code": certificate.code})
                     .get_data(as_text=True).split())
    assert "Opdracht ‘Basistraining 2027’ van Jeugdzorg Noord" in found
    assert "alle modules; kennischecks minimaal 60 %" in found
    done = client.post(f"/beheer/certificaten/{certificate.id}/intrekken", data={"reason": "Toetsfraude"})
    assert done.status_code == 302
    assert service.issue_for_assignments(session, cert_catalog, learner.id) == []
    assert len(assignment_certificates(session)) == 1


def test_my_assignments_links_the_certificate_once_earned_and_not_a_revoked_one(app, session, org, cert_catalog):
    """The learner finds the certificate where the assignment is listed; another learner's is never theirs."""
    learner, other = org.members[0], org.members[1]
    assignment = assign(session, org, "Alleen de tweede module", modules=("tweede",), min_quiz_percent=50)
    client = logged_in(app, session, learner)
    assert "certificaat (pdf)" not in client.get("/").get_data(as_text=True)
    for person in (learner, other):
        pass_quizzes(session, cert_catalog, person.id)
        read_module(session, cert_catalog, person.id, "tweede")
        service.issue_for_assignments(session, cert_catalog, person.id)
    mine = session.scalar(select(Certificate).where(Certificate.user_id == learner.id,
                                                    Certificate.assignment_id == assignment.id))

    page = client.get("/").get_data(as_text=True)

    assert page.count("certificaat (pdf)") == 1
    assert f'href="/certificaten/{mine.id}.pdf">certificaat (pdf)' in page
    assert client.get(f"/certificaten/{mine.id}.pdf").status_code == 200
    mine.revoked_at = utcnow()
    session.commit()
    assert "certificaat (pdf)" not in client.get("/").get_data(as_text=True)
