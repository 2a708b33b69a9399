"""Fixtures for the organisation web tests: two organisations, each with an admin (two-step verification on,
as admins must), teams, a team lead and members; a logged-in client per role."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from course.db import Membership, Organisation, Role, Team, User, utcnow
from course.services import accounts, two_factor
from tests.conftest import enable_two_factor

PASSWORD = "een-lang-wachtwoord"


# One hash for every account these tests make: hashing (scrypt) is the slow part of making accounts.
_HASH = generate_password_hash(PASSWORD, method=accounts._PASSWORD_METHOD)


def make_user(session: Session, email: str, name: str | None = None) -> User:
    user = User(email=email.lower(), name=name or email.split("@")[0].title(), password_hash=_HASH,
                email_confirmed_at=utcnow())
    session.add(user)
    session.commit()
    return user


def logged_in(app: Flask, session: Session, user: User) -> FlaskClient:
    """A client logged in as ``user``; an admin passes the second step with a fresh recovery code."""
    client = app.test_client()
    response = client.post("/inloggen", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    if response.headers["Location"] == "/inloggen/code":
        code = two_factor.new_recovery_codes(session, user.id)[0]
        response = client.post("/inloggen/code", data={"code": code})
        assert response.status_code == 302, response.get_data(as_text=True)
    with client.session_transaction() as cookie:
        cookie.pop("_flashes", None)  # "you used a recovery code" is not what the tests look at
    return client


@dataclass
class Org:
    organisation: Organisation
    admin: User
    teams: dict[str, Team]
    lead: User  # team lead of the first team
    members: list[User]  # plain members: two in the first team, one in the second

    @property
    def slug(self) -> str:
        return self.organisation.slug


def membership(session: Session, org: Org, user: User) -> Membership:
    return session.query(Membership).filter_by(organisation_id=org.organisation.id, user_id=user.id).one()


def make_org(session: Session, slug: str, name: str) -> Org:
    organisation = Organisation(slug=slug, name=name)
    session.add(organisation)
    session.flush()
    teams = {t: Team(organisation_id=organisation.id, name=t) for t in (f"{name} Oost", f"{name} West")}
    session.add_all(teams.values())
    session.flush()
    east, west = teams.values()
    admin = make_user(session, f"beheer@{slug}.example.org", f"Beheerder {name}")
    lead = make_user(session, f"lead@{slug}.example.org", f"Leider {name}")
    members = [make_user(session, f"lid{i}@{slug}.example.org", f"Lid {i} {name}") for i in range(3)]
    session.add(Membership(user_id=admin.id, organisation_id=organisation.id, role=Role.ORG_ADMIN))
    session.add(Membership(user_id=lead.id, organisation_id=organisation.id, role=Role.TEAM_LEAD, team_id=east.id))
    for user, team in zip(members, (east, east, west), strict=True):
        session.add(Membership(user_id=user.id, organisation_id=organisation.id, team_id=team.id))
    session.commit()
    enable_two_factor(session, admin.id)
    return Org(organisation, admin, teams, lead, members)


@pytest.fixture
def org(session: Session) -> Org:
    return make_org(session, "jeugdzorg-noord", "Jeugdzorg Noord")


@pytest.fixture
def other_org(session: Session) -> Org:
    return make_org(session, "ggz-zuid", "GGZ Zuid")


@pytest.fixture
def admin(app: Flask, session: Session, org: Org) -> FlaskClient:
    return logged_in(app, session, org.admin)
