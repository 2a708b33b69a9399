"""Certificates: issued on completing the course, a PDF in Dutch and English, verified publicly, revoked
by an administrator, renewed through the refresher."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from course.db import Certificate, Role, SecurityEvent
from course.services import certificates as service
from course.services.accounts import create_user
from tests.app.certificates.conftest import backdate, complete_course, pass_quizzes, walk_casus
from tests.conftest import enable_two_factor, make_app

PASSWORD = "een-lang-wachtwoord"


@pytest.fixture
def learner(session):
    return create_user(session, email="sanne@example.org", name="Sanne de Vries", password=PASSWORD)


def log_in(client, email="sanne@example.org"):
    assert client.post("/inloggen", data={"email": email, "password": PASSWORD}).status_code == 302


def pdf_text(data: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages)


def test_no_certificate_before_the_course_is_complete(client, session, learner, cert_catalog):
    """Half way, the page says what is still to do and no certificate exists."""
    log_in(client)
    page = client.get("/certificaten/").get_data(as_text=True)
    shown = " ".join(re.sub(r"<[^>]+>", "", page).split())
    quiz = next(iter(cert_catalog.quizzes.values()))
    assert f"Haal de kennistoets: {quiz.title}" in shown  # as read: a space between the words and the link
    pass_quizzes(session, cert_catalog, learner.id)
    page = client.get("/certificaten/").get_data(as_text=True)
    assert "Nog te doen voor je certificaat" in page and "Rond alle modules van de cursus af." in page
    assert "Doorloop de casus:" in page and "Haal de kennistoets" not in page
    assert session.scalar(select(Certificate)) is None


def test_completing_the_course_issues_a_certificate_with_a_snapshot(client, session, learner, cert_catalog):
    """The step that completes the course issues the certificate: name, course, hours, accreditation, numbers."""
    log_in(client)
    assert client.post("/certificaten/registernummers", data={"skj": "110 012 345", "big": ""}).status_code == 302
    for page in cert_catalog.pages:
        from course.services.progress import record_visit
        record_visit(session, learner.id, page, read=True)
    pass_quizzes(session, cert_catalog, learner.id)
    walk_casus(session, cert_catalog, learner.id)
    response = client.get("/certificaten/")
    assert "Gefeliciteerd" in response.get_data(as_text=True)
    certificate = session.scalar(select(Certificate))
    assert certificate.learner_name == "Sanne de Vries" and certificate.course_title == cert_catalog.course.title
    assert certificate.register_numbers == {"SKJ": "110012345"}
    assert certificate.accreditation == [{"register": "SKJ", "number": "K-2026-0147", "points": 8},
                                         {"register": "BIG", "number": "VVN-118822", "points": 6}]
    assert certificate.study_minutes == cert_catalog.study_load.total.minutes
    assert re.fullmatch(r"[A-Z2-7]{32}", certificate.code)
    assert certificate.valid_until is not None
    # Visiting again issues nothing more.
    client.get("/certificaten/")
    assert len(session.scalars(select(Certificate)).all()) == 1
    # An immutable record: the snapshot cannot be edited.
    certificate.learner_name = "Iemand anders"
    with pytest.raises(ValueError, match="immutable"):
        session.commit()
    session.rollback()


@pytest.mark.parametrize(("language", "expected"), [
    ("nl", ["Certificaat", "Sanne de Vries", "Hierbij verklaren wij dat", "Studiebelasting",
            "Accreditatie SKJ", "8 punten, accreditatienummer K-2026-0147", "Registratienummer SKJ", "110012345",
            "Geldig tot en met", "Verificatiecode"]),
    ("en", ["Certificate", "Sanne de Vries", "This is to certify that", "Study load", "Accreditation SKJ",
            "8 points, accreditation number K-2026-0147", "Registration number SKJ", "110012345", "Valid until",
            "Verification code"]),
])
def test_the_pdf_says_what_was_certified(client, session, learner, cert_catalog, language, expected):
    """The PDF in Dutch and English: name, course, hours, accreditation, register number, code and link."""
    service.set_register_numbers(session, learner.id, {"SKJ": "110012345"})
    complete_course(session, cert_catalog, learner.id)
    log_in(client)
    client.get("/certificaten/")
    certificate = session.scalar(select(Certificate))
    response = client.get(f"/certificaten/{certificate.id}.pdf?taal={language}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    for phrase in [*expected, cert_catalog.course.title, service.grouped(certificate.code)]:
        assert phrase in text, (phrase, text)
    assert f"/verifieren/{certificate.code}" in text.replace(" ", "")
    hours = service.certification.hours(certificate.study_minutes)
    assert (f"{hours:g}".replace(".", ",") if language == "nl" else f"{hours:g}") in text


def test_verification_shows_only_the_public_facts(client, session, learner, cert_catalog):
    """Anyone with the code sees name, course, date, validity and accreditation; not the email or numbers."""
    service.set_register_numbers(session, learner.id, {"SKJ": "110012345"})
    complete_course(session, cert_catalog, learner.id)
    certificate = service.issue_if_earned(session, cert_catalog, learner.id)
    page = client.get(f"/verifieren/{service.grouped(certificate.code).lower()}").get_data(as_text=True)
    assert "Geldig certificaat" in page and "Sanne de Vries" in page and cert_catalog.course.title in page
    assert "SKJ (K-2026-0147): 8 punten" in page
    assert "sanne@example.org" not in page and "110012345" not in page


def test_unknown_codes_all_answer_alike(client, session, learner, cert_catalog):
    """No enumeration: a malformed code and a well-formed unknown one get the same 404 page."""
    complete_course(session, cert_catalog, learner.id)
    service.issue_if_earned(session, cert_catalog, learner.id)
    paths = [f"/verifieren/{code}" for code in ("x", "A" * 32, "B" * 31, "1" * 200)]
    answers = [client.get(path) for path in paths]
    assert {r.status_code for r in answers} == {404}
    bodies = {r.get_data(as_text=True).replace(path, "") for r, path in zip(answers, paths, strict=True)}
    assert len(bodies) == 1 and "geen certificaat gevonden" in bodies.pop()


def test_verification_is_rate_limited(connection, cert_catalog, tmp_path, monkeypatch):
    """Guessing codes is cut off: after the limit, 429."""
    app = make_app(connection, cert_catalog, tmp_path, RATELIMIT_ENABLED=True)
    monkeypatch.setitem(app.config, "VERIFY_LIMIT_PER_ADDRESS", "5 per hour")
    client = app.test_client()
    statuses = [client.get(f"/verifieren/{'A' * 31}{c}").status_code for c in "ABCDEFG"]
    assert statuses == [404] * 5 + [429] * 2


def test_an_admin_revokes_with_a_reason_and_the_page_says_so(client, session, learner, cert_catalog):
    """The revocation and its reason show on the verification page; the security log has it."""
    complete_course(session, cert_catalog, learner.id)
    certificate = service.issue_if_earned(session, cert_catalog, learner.id)
    admin = create_user(session, email="beheer@example.org", name="Beheer", password=PASSWORD, role=Role.SITE_ADMIN)
    secret = enable_two_factor(session, admin.id)
    import pyotp
    client.post("/inloggen", data={"email": admin.email, "password": PASSWORD})
    client.post("/inloggen/code", data={"code": pyotp.TOTP(secret).now()})
    found = client.get("/beheer/certificaten", query_string={"code": service.grouped(certificate.code)})
    assert "Sanne de Vries" in found.get_data(as_text=True)
    refused = client.post(f"/beheer/certificaten/{certificate.id}/intrekken", data={"reason": "  "})
    assert refused.status_code == 400 and "Geef een reden op." in refused.get_data(as_text=True)
    done = client.post(f"/beheer/certificaten/{certificate.id}/intrekken",
                       data={"reason": "Toetsfraude vastgesteld"})
    assert done.status_code == 302
    page = client.get(f"/verifieren/{certificate.code}").get_data(as_text=True)
    assert "Ingetrokken certificaat" in page and "Toetsfraude vastgesteld" in page
    assert session.scalar(select(SecurityEvent).where(SecurityEvent.actor_id == admin.id,
                                                     SecurityEvent.user_id == learner.id)) is not None
    # A revoked certificate is not replaced by a new one on the learner's next visit.
    assert service.issue_if_earned(session, cert_catalog, learner.id) is None


def test_expired_certificate_says_so(client, session, learner, cert_catalog):
    """After the validity period the page says expired, with the date it ran out."""
    complete_course(session, cert_catalog, learner.id)
    backdate(session, learner.id, timedelta(days=800))
    certificate = service.issue_if_earned(session, cert_catalog, learner.id)
    page = client.get(f"/verifieren/{certificate.code}").get_data(as_text=True)
    assert "Verlopen certificaat" in page and "Verlopen op" in page


def test_the_refresher_renews_the_certificate(client, session, learner, cert_catalog):
    """Near the end of the validity: the knowledge checks and the casus again renew it, continuing the period."""
    complete_course(session, cert_catalog, learner.id)
    backdate(session, learner.id, timedelta(days=700))  # 24 months valid: about a month left
    first = service.issue_if_earned(session, cert_catalog, learner.id)
    log_in(client)
    page = client.get("/certificaten/").get_data(as_text=True)
    assert "Opfriscursus: nog te doen" in page and "Haal de kennistoets" in page
    pass_quizzes(session, cert_catalog, learner.id)
    assert service.issue_if_earned(session, cert_catalog, learner.id) is None  # the casus is still to do
    walk_casus(session, cert_catalog, learner.id, restart=True)
    renewed = service.issue_if_earned(session, cert_catalog, learner.id)
    assert renewed is not None and renewed.renews_id == first.id
    assert renewed.valid_until == service.certification.add_months(first.valid_until, 24)
    assert service.issue_if_earned(session, cert_catalog, learner.id) is None


def test_someone_elses_pdf_is_not_found(client, session, learner, cert_catalog):
    complete_course(session, cert_catalog, learner.id)
    certificate = service.issue_if_earned(session, cert_catalog, learner.id)
    create_user(session, email="jan@example.org", name="Jan", password=PASSWORD)
    log_in(client, "jan@example.org")
    assert client.get(f"/certificaten/{certificate.id}.pdf").status_code == 404


@pytest.mark.parametrize(("data", "message"), [
    ({"skj": "12345"}, "Dit nummer heeft niet de vorm van een nummer van dit register."),
    ({"big": "1901234560"}, "Dit nummer heeft niet de vorm van een nummer van dit register."),
])
def test_register_numbers_are_checked_by_format(client, session, learner, data, message):
    """A number of the wrong shape is refused with a message at the field; nothing is saved."""
    log_in(client)
    response = client.post("/certificaten/registernummers", data=data)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert service.register_numbers(session, learner.id) == {}
    assert client.post("/certificaten/registernummers", data={"skj": "110012345", "big": "190-123-456-01"}
                       ).status_code == 302
    assert service.register_numbers(session, learner.id) == {"SKJ": "110012345", "BIG": "19012345601"}
    client.post("/certificaten/registernummers", data={"skj": "", "big": "19012345601"})
    assert service.register_numbers(session, learner.id) == {"BIG": "19012345601"}
