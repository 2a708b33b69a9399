"""The audit log keeps events of a deleted account, without anything that names the person."""

from __future__ import annotations

from sqlalchemy import select

from course.db import EventKind, SecurityEvent, User
from course.services.audit import list_events, record_event
from course.services.privacy import erase_account, export_personal_data


def test_a_deleted_accounts_events_keep_what_happened_but_not_who(session):
    """After 'delete my account' the log still says what happened, but no longer to whom or from where."""
    learner = User(email="l@example.org", name="L", password_hash="x")
    admin = User(email="a@example.org", name="A", password_hash="x")
    session.add_all([learner, admin])
    session.flush()
    record_event(session, EventKind.LOGIN, user_id=learner.id, ip="192.0.2.1")
    record_event(session, EventKind.ADMIN_ACTION, user_id=admin.id, actor_id=learner.id, ip="192.0.2.2",
                 action="test")
    export = export_personal_data(session, learner.id)
    assert [e["kind"] for e in export["security_events"]] == ["login"]
    assert [e["kind"] for e in export["security_events_as_actor"]] == ["admin_action"]
    erase_account(session, learner.id)
    events = session.scalars(select(SecurityEvent).order_by(SecurityEvent.id)).all()
    assert [(e.kind, e.user_id, e.actor_id, e.ip) for e in events] == [
        (EventKind.LOGIN, None, None, None), (EventKind.ADMIN_ACTION, admin.id, None, None)]
    page = list_events(session)
    assert [line.user_email for line in page.lines] == ["a@example.org", None]


def test_export_and_deletion_are_logged_without_naming_the_deleted_person(client, auth, session):
    """Downloading one's data and deleting the account both appear in the security log."""
    auth.register()
    assert client.post("/account/gegevens").status_code == 200
    response = client.post("/account/verwijderen", data={"password": "een-lang-wachtwoord", "confirm": "y"})
    assert response.status_code == 302
    assert client.get("/voortgang").status_code == 302
    events = session.execute(select(SecurityEvent.kind, SecurityEvent.user_id, SecurityEvent.ip)
                             .order_by(SecurityEvent.id)).all()
    assert [e.kind for e in events][-2:] == [EventKind.DATA_EXPORTED, EventKind.ACCOUNT_DELETED]
    assert all(e.user_id is None for e in events)
    assert [e.ip for e in events] == [None] * len(events)  # nor where they were
