"""Certificates for assignments with a stricter rule: issued once per learner and assignment, when the
learner's standing on it becomes completed.

An organisation that asks more than the course does (every knowledge check of the modules at a minimum
score, named casussen done) gets proof of exactly that: the certificate names the organisation, the
assignment and what it asked. It carries no accreditation points and never expires (see
course.db.certificates.CertificateKind), so the course certificate's standing, refresher, expiry reminders
and points export leave it alone.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from course.assignments import AssignmentStatus
from course.catalog import Catalog
from course.db import Assignment, Certificate, CertificateKind, User, utcnow
from course.db.upsert import insert_for
from course.errors import N_, NotFound
from course.services.assignments import progress_of, requirement, set_for
from course.services.certificates import local_day, new_code
from course.services.ownership import lock_learner
from course.studyload import casus_load


def _open_assignments(session: Session, user_id: int) -> list[tuple[Assignment, str]]:
    """The assignments set for the user (active memberships) that carry a stricter rule and have no
    certificate for them yet, with the organisation's name (one query)."""
    issued = select(Certificate.id).where(Certificate.assignment_id == Assignment.id,
                                          Certificate.user_id == user_id).exists()
    rows = session.execute(set_for(user_id).where(~issued).order_by(Assignment.id)).all()
    # The JSON list of casussen is easier to test for emptiness here than in SQL on both databases.
    return [(a, name) for a, name in rows if requirement(a).stricter]


def study_minutes(catalog: Catalog, module_ids: tuple[str, ...], casus_ids: tuple[str, ...]) -> int:
    """The measured study load of what an assignment asks: the whole course's figure when it asks every
    module; else its modules' figures plus the casussen it names from other modules."""
    if not module_ids:
        return catalog.study_load.total.minutes
    loads = [load.total for m in module_ids if (load := catalog.study_load.module(m)) is not None]
    loads += [casus_load(catalog.casuses[c]) for c in casus_ids
              if c in catalog.casuses and catalog.casuses[c].module not in module_ids]
    return sum(load.minutes for load in loads)


def requirement_snapshot(catalog: Catalog, assignment: Assignment) -> dict[str, Any]:
    """What the assignment asks, in titles as they are now (course.db.certificates.Certificate.requirement)."""
    titles = {m.id: m.title for m in catalog.modules}
    return {"modules": [titles.get(m, m) for m in assignment.module_ids or ()],
            "min_quiz_percent": assignment.min_quiz_percent,
            "casuses": [catalog.casuses[c].title if c in catalog.casuses else c for c in assignment.casus_ids or ()]}


def issue_for_assignments(session: Session, catalog: Catalog, user_id: int, now: datetime | None = None
                          ) -> list[Certificate]:
    """Issue a certificate for every assignment with a stricter rule the learner has now completed.

    Returns the certificates issued by this call (committed), oldest assignment first; usually none.
    Safe to call after every step: one query when nothing is open, at most eight more when something may be due,
    whatever the number of assignments. The unique index on (assignment, learner) makes two parallel calls
    issue once: the second one's insert does nothing.
    """
    now = now or utcnow()
    candidates = _open_assignments(session, user_id)
    if not candidates:
        return []
    mine = progress_of(session, catalog, [user_id])[user_id]
    today = local_day(now)
    completed = [(a, org, s.completed_at or now) for a, org in candidates
                 if (s := mine.standing(requirement(a), today)).status == AssignmentStatus.COMPLETED]
    if not completed:
        return []
    # The same lock as the course certificate's, so the two never wait on each other in opposite orders.
    lock_learner(session, user_id)
    user = session.get(User, user_id)
    if user is None:  # pragma: no cover - the caller holds a signed-in user
        raise NotFound(N_("Dit account bestaat niet."))
    rows = [dict(code=new_code(), user_id=user_id, kind=CertificateKind.ASSIGNMENT, assignment_id=a.id,
                 assignment_title=a.title, requirement=requirement_snapshot(catalog, a),
                 organisation_id=a.organisation_id, organisation_name=org, course_id=catalog.course.id,
                 course_title=catalog.course.title, learner_name=user.name, completed_on=local_day(done_at),
                 issued_at=now, study_minutes=study_minutes(catalog, tuple(a.module_ids or ()),
                                                            tuple(a.casus_ids or ())),
                 accreditation=[], register_numbers={}, valid_until=None)
            for a, org, done_at in completed]
    table = Certificate.__table__
    inserted = session.scalars(
        insert_for(session, table).values(rows)
        .on_conflict_do_nothing(index_elements=["assignment_id", "user_id"],
                                index_where=table.c.assignment_id.is_not(None))
        .returning(table.c.id)).all()
    session.commit()
    if not inserted:
        return []
    return list(session.scalars(select(Certificate).where(Certificate.id.in_(inserted))
                                .order_by(Certificate.assignment_id)))


def certificates_for(session: Session, assignment: Assignment) -> dict[int, Certificate]:
    """User id → their certificate for ``assignment`` (one query), for the organisation's page of it; the
    caller has checked the viewer may see the assignment."""
    rows = session.scalars(select(Certificate).where(Certificate.assignment_id == assignment.id))
    return {c.user_id: c for c in rows}
