"""Before a certificate runs out (the manifest's remind_days_before: 60 here), ``flask reminders send`` mails
its holder and the admins of the organisation it was issued in, once; never for a revoked or renewed one."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from course.db import Certificate, CertificateKind, SentReminder, User, utcnow
from course.services import reminders
from course.services.certificates import new_code
from tests.app.org.conftest import Org, make_org, make_user
from tests.conftest import link_in, outbox

UNTIL = date(2029, 3, 2)
WINDOW_OPENS = UNTIL - timedelta(days=60)


def certificate(session: Session, user: User, org: Org | None = None, *, until: date = UNTIL,
                renews: Certificate | None = None, kind: CertificateKind = CertificateKind.COURSE) -> Certificate:
    row = Certificate(code=new_code(), user_id=user.id, organisation_id=org.organisation.id if org else None,
                      organisation_name=org.organisation.name if org else None, course_id="testcursus",
                      course_title="Meldcode", learner_name=user.name, completed_on=until - timedelta(days=730),
                      study_minutes=240, accreditation=[], register_numbers={}, valid_until=until,
                      renews_id=renews.id if renews else None, kind=kind,
                      assignment_title="Basistraining" if kind == CertificateKind.ASSIGNMENT else None)
    session.add(row)
    session.commit()
    return row


def send(app: Flask, day: date) -> str:
    result = app.test_cli_runner().invoke(args=["reminders", "send", "--today", day.isoformat()])
    assert result.exit_code == 0, result.output
    return result.output


def subjects(app: Flask, to: str) -> list[str]:
    return [str(m["Subject"]) for m in outbox(app, to)]


def body(app: Flask, to: str) -> str:
    return " ".join(outbox(app, to)[-1].get_body().get_content().split())


def test_holder_and_organisation_admin_are_reminded_once_before_expiry(app, session, cert_catalog):
    """Nothing before the window; on its first day the holder and their organisation's admin get one mail
    each, and no later run (the same day or after) mails again."""
    assert cert_catalog.course.id == "testcursus"  # as the rows below say
    org = make_org(session, "jeugdzorg-noord", "Jeugdzorg Noord")
    holder = org.members[0]
    cert = certificate(session, holder, org)
    assert "0 reminder(s) sent" in send(app, WINDOW_OPENS - timedelta(days=1))
    assert outbox(app) == []
    assert "2 reminder(s) sent" in send(app, WINDOW_OPENS)
    assert subjects(app, holder.email) == ["Je certificaat voor Meldcode verloopt binnenkort"]
    assert "Je certificaat voor ‘Meldcode’ is geldig tot en met 2 mrt 2029." in body(app, holder.email)
    assert link_in(outbox(app, holder.email)[0], "/certificaten/") == "/certificaten/"
    assert subjects(app, org.admin.email) == [f"Certificaat van {holder.name} verloopt binnenkort"]
    assert f"Het certificaat van {holder.name} voor ‘Meldcode’ (Jeugdzorg Noord) is geldig tot en met 2 mrt 2029" \
        in body(app, org.admin.email)
    # Nobody else of the organisation hears of it.
    assert subjects(app, org.lead.email) == [] and subjects(app, org.members[1].email) == []
    assert "0 reminder(s) sent" in send(app, WINDOW_OPENS)
    assert "0 reminder(s) sent" in send(app, UNTIL)
    assert len(outbox(app)) == 2
    keys = session.scalars(select(SentReminder.key)).all()
    assert keys == [f"expiry:c{cert.id}", f"expiry:c{cert.id}"]


def test_a_late_run_still_reminds_but_not_after_expiry(app, session, cert_catalog):
    """A missed day is made up later in the window; once the certificate ran out, no reminder comes."""
    on_time, too_late = make_user(session, "op-tijd@example.org"), make_user(session, "te-laat@example.org")
    certificate(session, on_time)
    certificate(session, too_late, until=UNTIL - timedelta(days=1))
    send(app, UNTIL)
    assert subjects(app, on_time.email) == ["Je certificaat voor Meldcode verloopt binnenkort"]
    assert subjects(app, too_late.email) == []


def test_no_reminder_for_revoked_or_renewed_certificates(app, session, cert_catalog):
    """A revoked certificate and one already renewed are not reminded of; the renewal is, in its own window."""
    revoked_holder = make_user(session, "ingetrokken@example.org")
    renewed_holder = make_user(session, "verlengd@example.org")
    revoked = certificate(session, revoked_holder)
    revoked.revoked_at, revoked.revoked_reason = utcnow(), "Fraude"
    session.commit()
    old = certificate(session, renewed_holder)
    renewal = certificate(session, renewed_holder, until=UNTIL + timedelta(days=730), renews=old)
    send(app, WINDOW_OPENS + timedelta(days=1))
    assert outbox(app) == []
    send(app, renewal.valid_until - timedelta(days=30))
    assert subjects(app, renewed_holder.email) == ["Je certificaat voor Meldcode verloopt binnenkort"]
    assert subjects(app, revoked_holder.email) == []


def test_the_reminder_switch_silences_the_admin_not_the_holder(app, session, cert_catalog):
    """Turning reminders off stops the admin's mail about a member's certificate; the holder's own reminder
    about their registration still comes."""
    org = make_org(session, "ggz-zuid", "GGZ Zuid")
    holder = org.members[1]
    certificate(session, holder, org)
    for user in (holder, org.admin):
        user.reminder_mail = False
    session.commit()
    send(app, WINDOW_OPENS)
    assert len(subjects(app, holder.email)) == 1 and subjects(app, org.admin.email) == []


def test_reminders_in_english_for_an_english_account(app, session, cert_catalog):
    """The mail is in the recipient's language."""
    holder = make_user(session, "english@example.org", "Sam Smith")
    holder.locale = "en"
    session.commit()
    certificate(session, holder)
    send(app, WINDOW_OPENS)
    assert "Your certificate for ‘Meldcode’ is valid until 2 Mar 2029." in body(app, holder.email)


def test_overlapping_runs_claim_each_expiry_reminder_once(session, cert_catalog):
    """Two runs that planned at once: the unique (recipient, key) row decides who sends."""
    org = make_org(session, "jeugdzorg-noord", "Jeugdzorg Noord")
    certificate(session, org.members[0], org)
    first = reminders.planned(session, cert_catalog, WINDOW_OPENS)
    second = reminders.planned(session, cert_catalog, WINDOW_OPENS)
    assert [r.kind for r in first] == ["expiry", "expiry_admin"] and first == second
    claimed = [reminders.claim(session, r) for r in first + second]
    assert claimed == [True, True, False, False]


def test_no_expiry_reminder_for_an_assignment_certificate(app, session, cert_catalog):
    """An assignment's certificate is no course certificate to renew: even one with a last valid day in the
    window (they are issued without one) brings no reminder, while the holder's course certificate does."""
    org = make_org(session, "jeugdzorg-noord", "Jeugdzorg Noord")
    holder = org.members[0]
    course = certificate(session, holder, org)
    certificate(session, holder, org, until=UNTIL - timedelta(days=5), kind=CertificateKind.ASSIGNMENT)
    send(app, WINDOW_OPENS)
    assert subjects(app, holder.email) == ["Je certificaat voor Meldcode verloopt binnenkort"]
    assert session.scalars(select(SentReminder.key)).all() == [f"expiry:c{course.id}", f"expiry:c{course.id}"]
