"""Fixtures for the privacy and ASVS tests: the fixture course with quizzes and a casus, and a learner
who has used every part of it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from course.catalog import Catalog, load_catalog
from course.db import (
    Assignment,
    Certificate,
    EventKind,
    Group,
    GroupMember,
    LiveSession,
    LiveSource,
    Membership,
    Organisation,
    QuizAttempt,
    RegisterNumber,
    Role,
    SentReminder,
    SsoIdentity,
    Team,
    User,
    utcnow,
)
from course.live.items import ItemKind
from course.live.sources import prompt_item
from course.quiz import Paper
from course.services import casuses as casus_service
from course.services import live as live_service
from course.services import quizzes as quiz_service
from course.services import two_factor
from course.services.accounts import create_user, start_login
from course.services.audit import record_event
from course.services.certificates import new_code as new_certificate_code
from course.services.groups import new_code
from tests.app.quiz.conftest import build_course, paper_fields, perfect_raw
from tests.conftest import RECOVERY_CODES, enable_two_factor, make_app

PASSWORD = "een-lang-wachtwoord"
REFLECTION = "Ik werk in het wijkteam en overleg eerst met de aandachtsfunctionaris."


@pytest.fixture(scope="session")
def full_catalog(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    """The valid fixture course with quizzes: a module page, an embedded question, two quizzes, a casus."""
    return load_catalog(build_course(tmp_path_factory.mktemp("asvscourse") / "course"))


@pytest.fixture
def app(connection: Connection, full_catalog: Catalog, tmp_path: Path) -> Flask:
    return make_app(connection, full_catalog, tmp_path)


@dataclass
class Learner:
    """Someone with a row in every table of the register; ids of what they own."""

    id: int
    email: str
    attempt_id: int
    run_id: int
    group_id: int = 0  # a group they run, and are a member of
    join_code: str = ""
    live_id: int = 0  # a live session they run, and take part in
    live_code: str = ""
    org_slug: str = ""  # an organisation of their own (see ORG_ROLES), with a team and another member
    team_id: int = 0
    org_member_id: int = 0  # the other member's membership
    assignment_id: int = 0  # work for their team in that organisation
    certificate_id: int = 0  # a certificate of theirs
    certificate_code: str = ""


def make_learner(session: Session, catalog: Catalog, email: str, role: Role = Role.LEARNER) -> Learner:
    """An account that read a page, submitted a quiz, finished a casus with a reflection, and joined an
    organisation: a row in every table of course/privacy.py. A new table in the register gets a row here."""
    from course.services.progress import record_visit
    user = create_user(session, email=email, name=email.split("@")[0].title(), password=PASSWORD, role=role)
    record_visit(session, user.id, catalog.pages[0], read=True, catalog=catalog)  # and its module summary
    quiz = catalog.quizzes["eerste-toets"]
    attempt = quiz_service.start_attempt(session, user.id, quiz)
    paper = Paper.from_snapshot(session.scalar(select(QuizAttempt.snapshot).where(QuizAttempt.id == attempt.id)))
    form = {name: values for pq in paper.questions
            for name, values in paper_fields(paper, pq.question.id, perfect_raw(pq.question)).items()}
    quiz_service.submit_attempt(session, user.id, attempt.id, form)
    quiz_service.keep_embedded_check(session, user.id, "eerste-toets", "oefenen", {"": ["a"]})
    casuses = catalog.casuses
    run = casus_service.start_or_resume(session, user.id, casuses["oefencasus"])
    for step, raw in [("melding", {}), ("signalen", {"item": ["slaan"]}), ("overleg", {"option": ["afsluiten"]}),
                      ("reflectie", {"answer": [REFLECTION]})]:
        casus_service.submit_step(session, user.id, run.id, step, raw, casuses=casuses)
    casus_service.save_draft(session, user.id, run.id, "plan", {"zorgen": "Concept van mijn plan"},
                             casuses=casuses)
    organisation = session.scalar(select(Organisation).where(Organisation.slug == "wijkteam"))
    if organisation is None:
        organisation = Organisation(slug="wijkteam", name="Wijkteam Noord")
        session.add(organisation)
    session.add(Membership(user_id=user.id, organisation=organisation))
    session.flush()
    # Work the organisation set for them by name, and work they set (as if they were its admin).
    session.add(Assignment(organisation_id=organisation.id, title="Meldcode basis", module_ids=[], casus_ids=[],
                           user_id=user.id, created_by_id=user.id, due_on=date(2030, 1, 1)))
    session.add(SentReminder(user_id=user.id, key=f"due14:{email}"))
    if role == Role.SITE_ADMIN:
        enable_two_factor(session, user.id)
        RECOVERY_CODES[user.email] = two_factor.new_recovery_codes(session, user.id)
    session.add(SsoIdentity(user_id=user.id, issuer="https://login.wijkteam.example.org", subject=f"sub-{email}"))
    start_login(session, user, remember=True, lifetime=timedelta(days=1), user_agent="Firefox on Linux")
    record_event(session, EventKind.LOGIN, user_id=user.id, ip="192.0.2.7")
    record_event(session, EventKind.ADMIN_ACTION, user_id=None, actor_id=user.id, ip="192.0.2.7", action="test")
    # A group and a live session of their own (as trainer), and taking part in it with the account.
    group = Group(trainer_id=user.id, name="Eigen groep", join_code=new_code(8))
    session.add(group)
    session.flush()
    session.add(GroupMember(group_id=group.id, user_id=user.id))
    live = LiveSession(trainer_id=user.id, group_id=group.id, code=new_code(6), title="Eigen sessie",
                       source=LiveSource.PROMPTS, items=[prompt_item(1, ItemKind.OPEN, "Wat raakte je?").to_json()],
                       state={"phase": "running", "index": 0, "answering": True})
    session.add(live)
    session.commit()
    participant = live_service.join(session, live, f"token-{email}", user.id)
    live_service.answer(session, live, participant, "p-1", ["Het stille kind"])
    # A certificate, with their SKJ number on it (made directly: the fixture course is not completed here).
    session.add(RegisterNumber(user_id=user.id, register="SKJ", number="110012345"))
    certificate = Certificate(code=new_certificate_code(), user_id=user.id, course_id=catalog.course.id,
                              course_title=catalog.course.title, learner_name=user.name,
                              completed_on=date(2026, 3, 2), study_minutes=90, register_numbers={"SKJ": "110012345"},
                              accreditation=[{"register": "SKJ", "number": "K-1", "points": 4}], valid_until=None)
    # One issued twice, which they revoked themselves (as an administrator would).
    doubled = Certificate(code=new_certificate_code(), user_id=user.id, course_id=catalog.course.id,
                          course_title=catalog.course.title, learner_name=user.name, completed_on=date(2026, 3, 2),
                          study_minutes=90, valid_until=None, revoked_at=utcnow(), revoked_by_id=user.id,
                          revoked_reason="Dubbel uitgegeven")
    session.add_all([doubled, certificate])
    session.commit()
    return Learner(user.id, user.email, attempt.id, run.id, group.id, group.join_code, live.id, live.code,
                   certificate_id=certificate.id, certificate_code=certificate.code)


@pytest.fixture
def learner(session: Session, full_catalog: Catalog) -> Learner:
    return make_learner(session, full_catalog, "sanne@example.org")


@pytest.fixture
def other(session: Session, full_catalog: Catalog) -> Learner:
    return make_learner(session, full_catalog, "jan@example.org")


# The roles a signed-in person can have, each played by an account of its own: the account's role.
ROLES: Mapping[str, Role] = {"learner": Role.LEARNER, "trainer": Role.TRAINER, "site_admin": Role.SITE_ADMIN,
                             "org_admin": Role.LEARNER, "team_lead": Role.LEARNER}
# The role within their own organisation (others are plain members of theirs). The victim administers one:
# the other organisation whose pages an admin must not reach.
ORG_ROLES: Mapping[str, Role] = {"org_admin": Role.ORG_ADMIN, "team_lead": Role.TEAM_LEAD, "victim": Role.ORG_ADMIN}


def give_organisation(session: Session, learner: Learner, name: str) -> None:
    """An organisation of the actor's own: their membership (role per ORG_ROLES) in its team, and another member."""
    organisation = Organisation(slug=f"org-{name.replace('_', '-')}", name=f"Organisatie {name}")
    session.add(organisation)
    session.flush()
    team = Team(organisation_id=organisation.id, name=f"Team {name}")
    session.add(team)
    session.flush()
    session.add(Membership(user_id=learner.id, organisation_id=organisation.id, team_id=team.id,
                           role=ORG_ROLES.get(name, Role.LEARNER)))
    other = create_user(session, email=f"collega-{name}@example.org", name=f"Collega {name}", password=PASSWORD)
    colleague = Membership(user_id=other.id, organisation_id=organisation.id, team_id=team.id)
    session.add(colleague)
    assignment = Assignment(organisation_id=organisation.id, title=f"Opdracht {name}", module_ids=[], casus_ids=[],
                            team_id=team.id, due_on=date(2030, 1, 1))
    session.add(assignment)
    session.commit()
    if name == "org_admin":
        enable_two_factor(session, learner.id)
        RECOVERY_CODES[learner.email] = two_factor.new_recovery_codes(session, learner.id)
    learner.org_slug, learner.team_id, learner.org_member_id = organisation.slug, team.id, colleague.id
    learner.assignment_id = assignment.id


@dataclass
class Actor:
    """A role's account and what it owns: an open quiz attempt and a casus run in progress."""

    learner: Learner
    open_attempt_id: int


@pytest.fixture
def actors(session: Session, full_catalog: Catalog) -> dict[str, Actor]:
    """An account per role and a victim, each with a row in every table and an open quiz attempt."""
    actors = {}
    for name, role in {**ROLES, "victim": Role.LEARNER}.items():
        learner = make_learner(session, full_catalog, f"{name}@example.org", role=role)
        give_organisation(session, learner, name)
        attempt = quiz_service.start_attempt(session, learner.id, full_catalog.quizzes["tweede-toets"])
        actors[name] = Actor(learner, attempt.id)
    return actors


def log_in(client: FlaskClient, email: str, password: str = PASSWORD) -> None:
    response = client.post("/inloggen", data={"email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)
    if response.headers["Location"] == "/inloggen/code":
        response = client.post("/inloggen/code", data={"code": RECOVERY_CODES[email].pop()})
        assert response.status_code == 302, response.get_data(as_text=True)


def user_count(session: Session) -> int:
    return len(session.scalars(select(User.id)).all())
