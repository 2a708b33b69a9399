"""Every kept page, first recorded by one learner, then shown to people who differ from them in one respect
each, in the same app with the check on (FRAGMENT_CACHE_VERIFY): each of their pages is rendered the normal
way too and compared, so a kept page that showed them anything of the first learner's, or that missed a
part of their own (a trainer's menu, an English text, the idle warning, an assignment), fails here.

The other tests of kept pages mostly start from an empty cache, where a page is only ever compared with
itself; here the second person always comes to a warm one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from course.catalog import Catalog, load_catalog
from course.db import Membership, Role, utcnow
from course.services import assignments
from course.services.accounts import create_user
from tests.app.org.conftest import logged_in, make_org
from tests.app.quiz.conftest import QuizHelper, build_course
from tests.conftest import AuthActions, enable_two_factor, make_app

PASSWORD = "een-lang-wachtwoord"
PAGES = {
    "module page": "/modules/eerste/begin",
    "page with a practice question": "/modules/eerste/oefenen",
    "last page": "/modules/tweede/enige",
    "module index": "/modules/eerste/",
    "course overview": "/",
    "dashboard": "/voortgang",
    "interventions guide": "/interventies",
    "quiz overview": "/quiz/eerste-toets/",
    "quiz overview with attempts": "/quiz/tweede-toets/",
}


@pytest.fixture(scope="module")
def practice_catalog(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    return load_catalog(build_course(tmp_path_factory.mktemp("matrix") / "course"))


@pytest.fixture
def app(connection, practice_catalog, tmp_path) -> Flask:
    app = make_app(connection, practice_catalog, tmp_path)
    assert app.extensions["leerlijn.skeletons"].verify
    return app


def _login(app: Flask, session: Session, email: str, *, role: Role = Role.LEARNER, name: str = "Iemand",
           remember: bool = False) -> FlaskClient:
    user = create_user(session, email=email, name=name, password=PASSWORD, role=role)
    secret = enable_two_factor(session, user.id) if role == Role.SITE_ADMIN else None
    client = app.test_client()
    response = AuthActions(client).login(email=email, password=PASSWORD, remember=remember, totp_secret=secret)
    assert response.status_code == 302 and "/inloggen" not in response.headers["Location"]
    with client.session_transaction() as cookie:
        cookie.pop("_flashes", None)
    return client


def _with_history(app: Flask, session: Session, client: FlaskClient) -> None:
    """A handed-in attempt at the second quiz (the overview's table of attempts) and pages read."""
    quiz = QuizHelper(client, session)
    attempt = quiz.start("tweede-toets")
    assert quiz.post(attempt, quiz.answers(attempt, right=1), action="submit").status_code == 302
    client.post("/modules/eerste/begin/gelezen")


def _visit_all(client: FlaskClient, query: str = "", *, message: bool = False) -> dict[str, str]:
    pages = {}
    for name, path in PAGES.items():
        if message:  # a message waiting for this page (a page shows it once)
            with client.session_transaction() as cookie:
                cookie["_flashes"] = [("success", "Opgeslagen om 10:12.")]
        response = client.get(path + query)
        assert response.status_code == 200, f"{name}: {response.status_code}"
        pages[name] = response.get_data(as_text=True)
    return pages


def _another_learner(app, session):
    return _login(app, session, "tweede@example.org", name="Tweede <Leerling>")


def _english(app, session):
    client = _login(app, session, "engels@example.org", name="Engels")
    client.post("/taal", data={"locale": "en", "next": "/"})
    return client


def _remembered(app, session):
    return _login(app, session, "blijft@example.org", remember=True)


def _trainer(app, session):
    return _login(app, session, "trainer@example.org", role=Role.TRAINER, name="Trainer")


def _site_admin(app, session):
    return _login(app, session, "beheer@example.org", role=Role.SITE_ADMIN, name="Beheer")


def _member(app, session, *, with_assignment: bool):
    org = make_org(session, "matrix", "Matrix")
    member = org.members[0]
    if with_assignment:
        today = utcnow().date()
        assignments.create_assignment(session, app.extensions["leerlijn.catalog"], org.admin.id, org.slug,
                                      title="Meldcode", module_ids=["eerste"], target="person",
                                      email=member.email, due_on=today + timedelta(days=10), today=today)
    return logged_in(app, session, member)


def _former_member(app, session):
    org = make_org(session, "vroeger", "Vroeger")
    member = org.members[0]
    membership = session.query(Membership).filter_by(user_id=member.id).one()
    membership.deactivated_at = utcnow()
    session.commit()
    return logged_in(app, session, member)


PEOPLE: dict[str, Callable[..., FlaskClient]] = {
    "another learner (other name and progress)": _another_learner,
    "a learner in English": _english,
    "a learner who stays logged in (no idle warning)": _remembered,
    "a trainer": _trainer,
    "a site administrator": _site_admin,
    "a member of an organisation with an assignment": lambda a, s: _member(a, s, with_assignment=True),
    "a member of an organisation without one": lambda a, s: _member(a, s, with_assignment=False),
    "a former member": _former_member,
}
MESSAGE_WAITING = "a learner with a message waiting"
PEOPLE[MESSAGE_WAITING] = lambda a, s: _login(a, s, "bericht@example.org")


@pytest.mark.parametrize("person", PEOPLE)
def test_every_kept_page_shows_each_kind_of_person_their_own_page(app, session, person):
    first = _login(app, session, "eerste@example.org", name="Eerste Leerling")
    _with_history(app, session, first)
    recorded = _visit_all(first)
    assert all("Eerste Leerling" in html for html in recorded.values())

    other = PEOPLE[person](app, session)
    _with_history(app, session, other)
    seen = _visit_all(other, message=person == MESSAGE_WAITING)  # each page also rendered normally, compared
    assert not any("Eerste Leerling" in html for html in seen.values())
    if person == MESSAGE_WAITING:
        assert all("Opgeslagen om 10:12." in html for html in seen.values())


def test_a_query_string_reaches_the_page_only_where_it_belongs(app, session):
    """The address with its query string is the page's own (the language form returns to it); the kept page
    recorded without one is not shown with the first learner's address, nor the other way round."""
    first = _login(app, session, "eerste@example.org", name="Eerste Leerling")
    _visit_all(first, "?van=eerste")
    other = _login(app, session, "tweede@example.org", name="Tweede")
    for name, html in _visit_all(other).items():
        assert "van=eerste" not in html, name
