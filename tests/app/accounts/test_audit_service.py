"""The audit log keeps events of a deleted account, without anything that names the person."""

from __future__ import annotations

from sqlalchemy import select

from course.db import EventKind, SecurityEvent, User
from course.services.audit import anonymise_events, list_events, record_event


def test_anonymised_events_keep_what_happened_but_not_who(session):
    learner = User(email="l@example.org", name="L", password_hash="x")
    admin = User(email="a@example.org", name="A", password_hash="x")
    session.add_all([learner, admin])
    session.flush()
    record_event(session, EventKind.LOGIN, user_id=learner.id, ip="192.0.2.1")
    record_event(session, EventKind.ADMIN_ACTION, user_id=admin.id, actor_id=learner.id, ip="192.0.2.2",
                 action="test")
    assert anonymise_events(session, learner.id) == 2
    session.delete(learner)
    session.commit()
    events = session.scalars(select(SecurityEvent).order_by(SecurityEvent.id)).all()
    assert [(e.kind, e.user_id, e.actor_id, e.ip) for e in events] == [
        (EventKind.LOGIN, None, None, None), (EventKind.ADMIN_ACTION, admin.id, None, "192.0.2.2")]
    page = list_events(session)
    assert [line.user_email for line in page.lines] == ["a@example.org", None]
