"""Reminder mails: 14 and 3 days before a deadline to the learner, overdue to the team lead, a weekly digest
to the admin; never the same reminder twice, also when two runs overlap; a learner can turn them off."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from course.db import Assignment, SentReminder, User
from course.services import api_tokens, reminders
from course.services.certificates import local_day
from course.services.progress import record_visit
from tests.app.org.conftest import Org, logged_in
from tests.app.trainer.conftest import text
from tests.conftest import outbox

DUE = date(2027, 3, 15)


def setup_work(session: Session, org: Org, valid_catalog) -> None:
    for page in valid_catalog.module("tweede").pages:
        record_visit(session, org.members[0].id, page, read=True)
    session.add(Assignment(organisation_id=org.organisation.id, title="Meldcode basis", module_ids=["tweede"],
                           casus_ids=[], due_on=DUE))
    session.commit()


def send(app: Flask, day: date) -> str:
    result = app.test_cli_runner().invoke(args=["reminders", "send", "--today", day.isoformat()])
    assert result.exit_code == 0, result.output
    return result.output


def subjects(app: Flask, to: str) -> list[str]:
    return [str(m["Subject"]) for m in outbox(app, to)]


def test_learners_are_reminded_14_and_3_days_before_and_never_twice(app: Flask, session: Session, org: Org,
                                                                    valid_catalog) -> None:
    setup_work(session, org, valid_catalog)
    done, todo = org.members[0], org.members[1]
    assert "reminder(s) sent for 2027-02-28" in send(app, DUE - timedelta(days=15))
    assert subjects(app, todo.email) == []
    send(app, DUE - timedelta(days=14))
    assert subjects(app, todo.email) == ["Deadline Meldcode basis nadert"]
    assert "Over 14 dagen is de deadline" in outbox(app, todo.email)[0].get_body().get_content()
    assert subjects(app, done.email) == []  # completed: nothing to remind
    assert "0 reminder(s) sent" in send(app, DUE - timedelta(days=14))  # the same day again
    send(app, DUE - timedelta(days=10))
    assert len(subjects(app, todo.email)) == 1
    send(app, DUE - timedelta(days=3))
    send(app, DUE - timedelta(days=1))
    assert len(subjects(app, todo.email)) == 2
    assert "Over 3 dagen is de deadline" in outbox(app, todo.email)[1].get_body().get_content()


def test_the_team_lead_hears_of_overdue_members_and_the_admin_gets_a_weekly_digest(
        app: Flask, session: Session, org: Org, valid_catalog) -> None:
    setup_work(session, org, valid_catalog)
    send(app, DUE + timedelta(days=1))
    lead = subjects(app, org.lead.email)
    # Oost: Lid 1 is overdue (Lid 0 completed); West's member is not the lead's; never about oneself.
    assert lead == [f"{org.members[1].name} heeft Meldcode basis nog niet af"]
    assert "de deadline was" in outbox(app, org.lead.email)[0].get_body().get_content()
    (digest,) = outbox(app, org.admin.email)
    assert digest["Subject"] == "Weekoverzicht Jeugdzorg Noord"
    body = digest.get_body().get_content()
    assert "Meldcode basis" in body and "1 afgerond" in body and "4 te laat" in body
    send(app, DUE + timedelta(days=2))  # the same ISO week: no second digest, no second overdue mail
    assert len(outbox(app, org.admin.email)) == 1 and len(outbox(app, org.lead.email)) == 1
    send(app, DUE + timedelta(days=8))  # next week
    assert len(outbox(app, org.admin.email)) == 2


def test_two_overlapping_runs_send_each_reminder_once(session: Session, org: Org, valid_catalog) -> None:
    """Both runs plan before either sends: the unique constraint, not the plan, decides who sends."""
    setup_work(session, org, valid_catalog)
    day = DUE - timedelta(days=3)
    first = reminders.planned(session, valid_catalog, day)
    second = reminders.planned(session, valid_catalog, day)
    assert first == second and len(first) == 5  # four learners who are not done, and the digest
    claimed = [reminders.claim(session, r) for r in first] + [reminders.claim(session, r) for r in second]
    assert claimed.count(True) == 5 and claimed.count(False) == 5
    assert session.scalar(select(func.count()).select_from(SentReminder)) == 5


def test_a_learner_turns_reminders_off_on_the_account_page(app: Flask, session: Session, org: Org,
                                                          valid_catalog) -> None:
    setup_work(session, org, valid_catalog)
    learner = org.members[1]
    client = logged_in(app, session, learner)
    response = client.post("/organisatie/herinneringen", data={"wanted": "0"})
    assert response.status_code == 302
    assert "Je krijgt geen herinneringen over opdrachten meer." in text(client.get(response.headers["Location"]))
    session.expire_all()
    assert session.get(User, learner.id).reminder_mail is False
    send(app, DUE - timedelta(days=3))
    assert subjects(app, learner.email) == [] and len(subjects(app, org.members[2].email)) == 1
    assert client.post("/organisatie/herinneringen", data={"wanted": "ja"}).status_code == 400


def test_admins_hear_a_month_and_a_week_before_an_api_key_ends_once_each_also_with_reminders_off(
        app: Flask, session: Session, org: Org) -> None:
    """The system using the key would stop without warning: each admin is mailed 30 and 7 days ahead (with a
    link to make a new one), never twice; a revoked key or a team lead gets nothing."""
    made = api_tokens.create_token(session, org.admin.id, org.slug, name="AFAS koppeling", scopes=["read:members"],
                                   valid_days=90)
    gone = api_tokens.create_token(session, org.admin.id, org.slug, name="Oud", scopes=["read:members"],
                                   valid_days=90)
    api_tokens.revoke_token(session, org.admin.id, org.slug, gone.token.id)
    session.get(User, org.admin.id).reminder_mail = False
    session.commit()
    last_day = local_day(made.token.expires_at)

    send(app, last_day - timedelta(days=31))
    assert subjects(app, org.admin.email) == []
    send(app, last_day - timedelta(days=30))
    send(app, last_day - timedelta(days=29))
    assert subjects(app, org.admin.email) == ["API-sleutel AFAS koppeling van Jeugdzorg Noord verloopt binnenkort"]
    body = outbox(app, org.admin.email)[0].get_body().get_content()
    assert "werkt nog 30 dagen" in body and f"/organisatie/{org.slug}/api-sleutels" in body
    send(app, last_day - timedelta(days=7))
    send(app, last_day - timedelta(days=1))
    assert len(subjects(app, org.admin.email)) == 2
    assert "werkt nog 7 dagen" in outbox(app, org.admin.email)[1].get_body().get_content()
    assert all(subjects(app, m.email) == [] for m in org.members)
