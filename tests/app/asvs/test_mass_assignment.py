"""Nobody changes what access control relies on by adding fields to a form (ASVS 4.0.3 V4.1.2)."""

from __future__ import annotations

from sqlalchemy import select

from course.db import QuizAttempt, Role, User
from tests.app.asvs.conftest import PASSWORD, log_in
from tests.conftest import link_in, outbox

ELEVATE = {"role": "site_admin", "is_site_admin": "1", "user_id": "1", "id": "1", "session_version": "99",
           "email": "beheer@example.org"}


def test_registration_ignores_a_role_or_id_slipped_into_the_form(client, session):
    response = client.post("/registreren", data={**ELEVATE, "name": "Mallory", "email": "mallory@example.org",
                                                  "password": PASSWORD, "password_repeat": PASSWORD})
    assert response.status_code == 200 and "Kijk in je mailbox" in response.get_data(as_text=True)
    client.post(link_in(outbox(client.application, "mallory@example.org")[-1], "/account-bevestigen/"))
    user = session.scalar(select(User).where(User.email == "mallory@example.org"))
    assert user.role == Role.LEARNER and not user.is_site_admin
    assert client.get("/beheer/gebruikers").status_code == 403


def test_account_forms_change_only_what_they_are_for(client, session, actors):
    learner = actors["learner"].learner
    log_in(client, learner.email)
    client.post("/account/profiel", data={**ELEVATE, "name": "Nieuwe Naam"})
    session.expire_all()
    user = session.get(User, learner.id)
    assert user.name == "Nieuwe Naam" and user.role == Role.LEARNER and user.email == learner.email


def test_an_answer_cannot_be_posted_into_someone_elses_attempt_by_naming_it(app, client, session, actors):
    """The attempt is the one in the URL and the token; a user_id or attempt_id field changes nothing."""
    learner, victim = actors["learner"], actors["victim"]
    log_in(client, learner.learner.email)
    before = session.scalar(select(QuizAttempt.last_saved_at).where(QuizAttempt.id == victim.open_attempt_id))
    page = client.get(f"/quiz/poging/{learner.open_attempt_id}").get_data(as_text=True)
    token = page.split('name="attempt_token" value="')[1].split('"')[0]
    client.post(f"/quiz/poging/{learner.open_attempt_id}", data={
        "attempt_token": token, "action": "save", "attempt_id": str(victim.open_attempt_id),
        "user_id": str(victim.learner.id)})
    session.expire_all()
    assert session.get(QuizAttempt, victim.open_attempt_id).last_saved_at == before
