"""The account page: name, password, and the logins of each device."""

from __future__ import annotations

from sqlalchemy import select

from course.db import EventKind, SecurityEvent, User
from course.errors import DomainError
from course.services.accounts import check_password_policy
from tests.conftest import AuthActions, enable_two_factor

PASSWORD = "een-lang-wachtwoord"
NEW_PASSWORD = "nieuw-en-ook-lang-genoeg"


def test_account_page_needs_a_login(client):
    assert client.get("/account").headers["Location"].startswith("/inloggen")


def test_account_page_shows_every_section_with_labelled_fields(client, auth):
    """The account page has its sections, each reachable from the contents list, fields labelled."""
    auth.register()
    html = client.get("/account").get_data(as_text=True)
    for section in ("profiel", "wachtwoord", "apparaten"):
        assert f'id="{section}"' in html and f'href="#{section}"' in html
    for field_id, autocomplete in [("current_password", "current-password"), ("password", "new-password"),
                                   ("name", "name")]:
        assert f'<label for="{field_id}">' in html
        assert f'autocomplete="{autocomplete}"' in html


def test_change_name(client, auth, session):
    auth.register()
    response = client.post("/account/profiel", data={"name": "Sanne Jansen"}, follow_redirects=True)
    assert "Je naam is opgeslagen." in response.get_data(as_text=True)
    assert session.scalar(select(User.name)) == "Sanne Jansen"


def test_change_password_keeps_this_device_and_ends_the_others(app, client, auth, session):
    """After a password change the learner stays logged in here, other devices are logged out."""
    auth.register()
    other = app.test_client()
    other.post("/inloggen", data={"email": "sanne@example.org", "password": PASSWORD, "remember": "y"})
    assert other.get("/voortgang").status_code == 200
    response = client.post("/account/wachtwoord", data={
        "current_password": PASSWORD, "password": NEW_PASSWORD, "password_repeat": NEW_PASSWORD},
        follow_redirects=True)
    assert "Je wachtwoord is gewijzigd." in response.get_data(as_text=True)
    assert client.get("/voortgang").status_code == 200
    assert other.get("/voortgang").status_code == 302
    auth.logout()
    assert auth.login(password=PASSWORD).status_code == 200  # the old password no longer works
    assert auth.login(password=NEW_PASSWORD).status_code == 302
    assert EventKind.PASSWORD_CHANGED in session.scalars(select(SecurityEvent.kind)).all()


def test_change_password_needs_the_current_one(client, auth, session):
    auth.register()
    response = client.post("/account/wachtwoord", data={
        "current_password": "fout-fout-fout-fout", "password": NEW_PASSWORD, "password_repeat": NEW_PASSWORD})
    assert response.status_code == 400
    assert "Je huidige wachtwoord klopt niet." in response.get_data(as_text=True)
    auth.logout()
    assert auth.login(password=PASSWORD).status_code == 302


def test_weak_passwords_are_refused_with_a_reason(client):
    """password12 (finding 7) and a common long password are refused; the form says why."""
    response = client.post("/registreren", data={"name": "Sanne", "email": "s@example.org", "password": "password12",
                                                 "password_repeat": "password12"})
    assert "Kies een wachtwoord van minstens 12 tekens." in response.get_data(as_text=True)
    common = "qwertyuiop123"
    response = client.post("/registreren", data={"name": "Sanne", "email": "s@example.org", "password": common,
                                                 "password_repeat": common})
    assert "veelgebruikte wachtwoorden" in response.get_data(as_text=True)


def test_password_policy_in_the_domain():
    for weak in ("password12", "kort", "1234567890ab"[:11], "Password1234", "qwertyuiop123"):
        try:
            check_password_policy(weak)
        except DomainError as exc:
            assert exc.field == "password"
        else:
            raise AssertionError(f"{weak!r} was accepted")
    check_password_policy("paard-batterij-niet-meer")


def _make_admin(session, email="sanne@example.org"):
    from course.db import Role
    user = session.scalar(select(User).where(User.email == email))
    user.role = Role.SITE_ADMIN
    session.commit()
    return user


def test_denied_access_is_logged_and_the_admin_reads_the_log(app, client, auth, session):
    """A learner who tries an admin page is refused and logged; the admin sees it in the security log."""
    auth.register(name="Leerling", email="leerling@example.org")
    assert client.get("/beheer/gebruikers").status_code == 403
    assert client.get("/beheer/beveiligingslog").status_code == 403
    auth.logout()
    admin = app.test_client()
    AuthActions(admin).register(name="Beheer", email="beheer@example.org")
    user = _make_admin(session, "beheer@example.org")
    secret = enable_two_factor(session, user.id)
    AuthActions(admin).login(email="beheer@example.org", totp_secret=secret)
    html = admin.get("/beheer/beveiligingslog").get_data(as_text=True)
    assert "Toegang geweigerd" in html and "leerling@example.org" in html and "/beheer/gebruikers" in html
    assert PASSWORD not in html
    only_denied = admin.get("/beheer/beveiligingslog?soort=access_denied").get_data(as_text=True)
    assert only_denied.count("Toegang geweigerd</td>") == 2 and "Ingelogd</td>" not in only_denied


def test_the_audit_log_refuses_secrets():
    import pytest

    from course.services.audit import record_event
    with pytest.raises(ValueError, match="secrets never"):
        record_event(None, EventKind.LOGIN, password="x")  # type: ignore[arg-type]


def test_account_page_queries_do_not_grow_with_logins(app, client, auth, count_queries):
    """The account page costs the same few queries with one login or five."""
    auth.register()
    with count_queries() as one:
        client.get("/account")
    for _ in range(4):
        app.test_client().post("/inloggen", data={"email": "sanne@example.org", "password": PASSWORD})
    with count_queries() as five:
        html = client.get("/account").get_data(as_text=True)
    assert html.count('class="login-device"') == 5
    # The login, its logins, the header's progress, the person's organisations, how they sign in through one.
    assert five.count == one.count <= 5, five.statements
