"""Assignments: an organisation sets the course or some modules for everyone, a team or one person, with a
deadline; coordinators see each member's status and learners see their deadlines on the overview."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from course.assignments import AssignmentStatus, local_today
from course.db import Assignment, EventKind, SecurityEvent, utcnow
from course.services import assignments as service
from course.services.orgs import org_access
from course.services.progress import course_progress_with_moments, record_visit
from tests.app.org.conftest import Org, logged_in, make_user, membership
from tests.app.trainer.conftest import text

FUTURE = (date.today() + timedelta(days=30)).isoformat()


def read_module(session: Session, catalog, user_id: int, module_id: str, read: bool = True) -> None:
    for page in catalog.module(module_id).pages:
        record_visit(session, user_id, page, read=read)


def create(admin: FlaskClient, org: Org, **data: str):
    form = {"title": "Meldcode basis", "scope": "modules", "modules": "tweede", "target": "organisation",
            "due_on": FUTURE, **data}
    return admin.post(f"/organisatie/{org.slug}/opdrachten/nieuw", data=form)


def assignment_id(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def test_the_admin_sets_work_and_sees_every_members_status(app: Flask, admin: FlaskClient, session: Session,
                                                          org: Org, valid_catalog) -> None:
    done, busy = org.members[0], org.members[1]
    read_module(session, valid_catalog, done.id, "tweede")
    read_module(session, valid_catalog, busy.id, "tweede", read=False)
    found = assignment_id(create(admin, org))
    page = text(admin.get(f"/organisatie/{org.slug}/opdrachten/{found}"))
    assert "Meldcode basis" in page and "iedereen in de organisatie" in page and "Tweede module" in page
    # The day in the Netherlands, as the page shows it (between 23:00 and 24:00 UTC it is already tomorrow).
    assert f"{done.name} Jeugdzorg Noord Oost afgerond {local_today(utcnow()).day}" in page
    assert f"{busy.name} Jeugdzorg Noord Oost bezig –" in page
    assert f"{org.members[2].name} Jeugdzorg Noord West niet begonnen –" in page
    only_done = text(admin.get(f"/organisatie/{org.slug}/opdrachten/{found}?status=completed"))
    assert "1 lid" in only_done and busy.name not in only_done
    listing = text(admin.get(f"/organisatie/{org.slug}/opdrachten/"))
    # Not started, in progress, completed, overdue: the admin and the team lead have not started either.
    assert "Meldcode basis iedereen" in listing and "3 1 1 0" in listing
    events = session.scalars(select(SecurityEvent).where(SecurityEvent.kind == EventKind.ADMIN_ACTION)).all()
    assert [e.detail["action"] for e in events] == ["org.assignment.create"]


def test_after_the_deadline_what_is_not_done_is_overdue(session: Session, org: Org, valid_catalog) -> None:
    read_module(session, valid_catalog, org.members[0].id, "tweede")
    today = date.today()
    service.create_assignment(session, valid_catalog, org.admin.id, org.slug, title="Vandaag af",
                              module_ids=["tweede"], target="organisation", due_on=today, today=today)
    access = org_access(session, org.admin.id, org.slug)
    (overview,) = service.overviews(session, valid_catalog, access, today + timedelta(days=1))
    statuses = {row.member.name: row.standing.status for row in overview.standings}
    assert statuses[org.members[0].name] == AssignmentStatus.COMPLETED
    assert statuses[org.members[1].name] == AssignmentStatus.OVERDUE


def test_team_and_person_assignments_reach_only_them(app: Flask, admin: FlaskClient, session: Session, org: Org,
                                                     valid_catalog) -> None:
    west = org.teams["Jeugdzorg Noord West"].id
    team_work = assignment_id(create(admin, org, title="Voor West", target="team", team=str(west)))
    person_work = assignment_id(create(admin, org, title="Voor Lid 1", target="person",
                                       email=org.members[1].email.upper()))
    assert "1 lid" in text(admin.get(f"/organisatie/{org.slug}/opdrachten/{team_work}"))
    page = text(admin.get(f"/organisatie/{org.slug}/opdrachten/{person_work}"))
    assert "1 lid" in page and org.members[1].name in page and org.members[0].name not in page
    # The team lead of Oost sees the person in their team, not West's work.
    lead = logged_in(app, session, org.lead)
    listing = text(lead.get(f"/organisatie/{org.slug}/opdrachten/"))
    assert "Voor Lid 1" in listing and "Voor West" not in listing and "Nieuwe opdracht" not in listing
    assert lead.get(f"/organisatie/{org.slug}/opdrachten/{team_work}").status_code == 404
    assert lead.get(f"/organisatie/{org.slug}/opdrachten/nieuw").status_code == 404


def test_bad_input_says_what_is_wrong_and_saves_nothing(admin: FlaskClient, session: Session, org: Org,
                                                        other_org: Org) -> None:
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    cases = [({"due_on": yesterday}, "De deadline ligt in het verleden."),
             ({"target": "person", "email": other_org.members[0].email}, "Er is geen actief lid met dit e-mailadres."),
             ({"target": "team", "team": ""}, "Kies een team van de organisatie."),
             ({"min_quiz_percent": "0"}, "Een percentage ligt tussen 1 en 100."),
             ({"title": ""}, "Geef de opdracht een titel.")]
    for data, message in cases:
        response = create(admin, org, **data)
        assert response.status_code == 422 and message in text(response), (data, text(response)[:3000])
    other_team = next(iter(other_org.teams.values())).id
    assert create(admin, org, target="team", team=str(other_team)).status_code == 422
    assert session.scalars(select(Assignment)).all() == []


def test_the_learner_sees_their_assignments_and_deadlines_on_the_overview(
        app: Flask, admin: FlaskClient, session: Session, org: Org, valid_catalog) -> None:
    learner = org.members[2]
    create(admin, org, title="Voor iedereen")
    create(admin, org, title="Voor West", target="team", team=str(org.teams["Jeugdzorg Noord West"].id))
    create(admin, org, title="Voor Oost", target="team", team=str(org.teams["Jeugdzorg Noord Oost"].id))
    client = logged_in(app, session, learner)
    page = text(client.get("/"))
    assert "Mijn opdrachten" in page and "Voor iedereen (Jeugdzorg Noord) – nog niet begonnen; deadline" in page
    assert "Voor West" in page and "Voor Oost" not in page
    read_module(session, valid_catalog, learner.id, "tweede")
    assert "Voor West (Jeugdzorg Noord) – afgerond op" in text(client.get("/"))
    membership(session, org, learner).deactivated_at = membership(session, org, learner).created_at
    session.commit()
    assert "Mijn opdrachten" not in text(client.get("/"))


def test_a_members_overview_judges_their_work_on_the_progress_it_shows_within_five_queries(
        app: Flask, admin: FlaskClient, session: Session, org: Org, valid_catalog, count_queries) -> None:
    """A member with work set sees the same standings as the organisation's own count gives, and the
    overview still runs at most five queries (the progress it shows serves the assignments too)."""
    learner = org.members[2]
    create(admin, org, title="Tweede module")
    create(admin, org, title="Hele cursus", scope="course")
    create(admin, org, title="Eerste module", modules="eerste")
    read_module(session, valid_catalog, learner.id, "tweede")
    record_visit(session, learner.id, valid_catalog.module("eerste").pages[0])  # opened, not finished
    today = date.today()
    expected = service.my_assignments(session, valid_catalog, learner.id, today)
    given = service.my_assignments(session, valid_catalog, learner.id, today,
                                   progress=course_progress_with_moments(session, valid_catalog, learner.id))
    assert given == expected and len(given) == 3
    client = logged_in(app, session, learner)
    client.get("/")
    with count_queries() as counter:
        page = text(client.get("/"))
    assert "Tweede module (Jeugdzorg Noord) – afgerond op" in page and "Hele cursus" in page
    assert counter.count <= 5, counter.statements


def test_statuses_cost_the_same_queries_for_three_or_thirty_members(session: Session, org: Org, valid_catalog,
                                                                    count_queries) -> None:
    today = date.today()
    for title in ("Een", "Twee"):
        service.create_assignment(session, valid_catalog, org.admin.id, org.slug, title=title, module_ids=[],
                                  target="organisation", due_on=today, today=today)
    access = org_access(session, org.admin.id, org.slug)
    with count_queries() as few:
        service.overviews(session, valid_catalog, access, today)
    from course.db import Membership
    for i in range(27):
        user = make_user(session, f"extra{i}@example.org")
        session.add(Membership(user_id=user.id, organisation_id=org.organisation.id))
        read_module(session, valid_catalog, user.id, "tweede")
    session.commit()
    with count_queries() as many:
        (first, _second) = service.overviews(session, valid_catalog, access, today)
    assert len(first.standings) == 32 and first.count(AssignmentStatus.IN_PROGRESS) == 27
    assert many.count == few.count <= 7, many.statements


def test_withdrawing_an_assignment_keeps_progress(admin: FlaskClient, session: Session, org: Org) -> None:
    found = assignment_id(create(admin, org))
    response = admin.post(f"/organisatie/{org.slug}/opdrachten/{found}/verwijderen")
    assert response.status_code == 302
    assert "Er zijn nog geen opdrachten." in text(admin.get(response.headers["Location"]))
    assert admin.get(f"/organisatie/{org.slug}/opdrachten/{found}").status_code == 404
