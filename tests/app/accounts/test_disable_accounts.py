"""A site administrator disables an account from the admin area and enables it again (ASVS 5.0 V7.4.2:
sessions end when an account is disabled); every change is in the security log."""

from __future__ import annotations

from sqlalchemy import func, select

from course.db import EventKind, LoginSession, Role, SecurityEvent, User
from tests.conftest import AuthActions, enable_two_factor

LEARNER = "leerling@example.org"
ADMIN = "beheer@example.org"


def _user(session, email: str) -> User:
    session.expire_all()
    return session.scalar(select(User).where(User.email == email))


def _admin_client(app, session):
    admin = app.test_client()
    AuthActions(admin).register(name="Beheer", email=ADMIN)
    user = _user(session, ADMIN)
    user.role = Role.SITE_ADMIN
    session.commit()
    secret = enable_two_factor(session, user.id)
    AuthActions(admin).login(email=ADMIN, totp_secret=secret)
    return admin


def test_a_disabled_account_is_logged_out_at_once_and_can_come_back(app, client, auth, session):
    """The learner's open browser is logged out the moment the admin disables the account; enabled, they log in."""
    auth.register(name="Leerling", email=LEARNER)
    assert client.get("/voortgang").status_code == 200
    admin = _admin_client(app, session)
    learner = _user(session, LEARNER)
    response = admin.post(f"/beheer/gebruikers/{learner.id}/uitzetten")
    assert response.status_code == 302
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "Het account van Leerling staat uit" in page and "Weer aanzetten" in page
    assert _user(session, LEARNER).disabled_at is not None
    assert session.scalar(select(func.count()).select_from(LoginSession).where(
        LoginSession.user_id == learner.id)) == 0
    assert "/inloggen" in client.get("/voortgang").headers["Location"]  # the open browser: logged out
    auth.login(email=LEARNER)
    assert client.get("/voortgang").status_code == 302  # and no way back in

    response = admin.post(f"/beheer/gebruikers/{learner.id}/aanzetten")
    assert "staat weer aan" in admin.get(response.headers["Location"]).get_data(as_text=True)
    assert _user(session, LEARNER).disabled_at is None
    auth.login(email=LEARNER)
    assert client.get("/voortgang").status_code == 200

    admin_id = _user(session, ADMIN).id
    events = session.execute(select(SecurityEvent.user_id, SecurityEvent.actor_id, SecurityEvent.detail)
                             .where(SecurityEvent.kind == EventKind.ADMIN_ACTION).order_by(SecurityEvent.id)).all()
    assert [(e.user_id, e.actor_id, e.detail["action"]) for e in events] == [
        (learner.id, admin_id, "account.disable"), (learner.id, admin_id, "account.enable")]
    log = admin.get("/beheer/beveiligingslog?soort=admin_action").get_data(as_text=True)
    assert log.count("Actie van beheerder</td>") == 2 and LEARNER in log


def test_disabling_twice_or_oneself_changes_nothing(app, client, auth, session):
    auth.register(name="Leerling", email=LEARNER)
    admin = _admin_client(app, session)
    learner, me = _user(session, LEARNER), _user(session, ADMIN)
    admin.post(f"/beheer/gebruikers/{learner.id}/uitzetten")
    first = _user(session, LEARNER).disabled_at
    assert admin.post(f"/beheer/gebruikers/{learner.id}/uitzetten").status_code == 302
    assert _user(session, LEARNER).disabled_at == first
    response = admin.post(f"/beheer/gebruikers/{me.id}/uitzetten")
    assert "Je kunt je eigen account niet uitzetten." in admin.get(response.headers["Location"]).get_data(as_text=True)
    assert _user(session, ADMIN).disabled_at is None and admin.get("/beheer/gebruikers").status_code == 200
    assert session.scalar(select(func.count()).select_from(SecurityEvent).where(
        SecurityEvent.kind == EventKind.ADMIN_ACTION)) == 1
    assert admin.post("/beheer/gebruikers/2147483647/uitzetten").status_code == 404


def test_only_a_site_admin_may_disable(client, auth, session):
    auth.register(name="Leerling", email=LEARNER)
    other = AuthActions(client.application.test_client())
    other.register(name="Ander", email="ander@example.org")
    target = _user(session, "ander@example.org")
    assert client.post(f"/beheer/gebruikers/{target.id}/uitzetten").status_code == 403
    assert _user(session, "ander@example.org").disabled_at is None
    assert other.client.get("/voortgang").status_code == 200
