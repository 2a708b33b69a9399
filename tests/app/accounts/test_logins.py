"""Logins per device: logout ends the login on the server, cookies cannot outlive it (issue 9, finding 1)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from course.db import EventKind, LoginSession, SecurityEvent, User, utcnow

PASSWORD = "een-lang-wachtwoord"


def _cookie(client, name):
    cookie = client.get_cookie(name)
    return cookie.value if cookie else None


def test_logout_after_remember_me_really_logs_out(client, auth):
    """After logging in with 'Ingelogd blijven', logging out leaves the learner logged out."""
    auth.register()
    auth.logout()
    auth.login(remember=True)
    assert client.get("/voortgang").status_code == 200
    auth.logout()
    assert client.get("/voortgang").status_code == 302
    assert client.get_cookie("remember_token") is None


def test_a_copied_remember_cookie_stops_working_at_logout(app, client, auth):
    """Someone who copied the remember-me cookie is locked out as soon as its owner logs out."""
    auth.register()
    auth.logout()
    auth.login(remember=True)
    stolen = _cookie(client, "remember_token")
    thief = app.test_client()
    thief.set_cookie("remember_token", stolen)
    assert thief.get("/voortgang").status_code == 200  # the cookie works while its login does
    auth.logout()
    thief = app.test_client()
    thief.set_cookie("remember_token", stolen)
    assert thief.get("/voortgang").status_code == 302


def test_a_copied_session_cookie_stops_working_at_logout(app, client, auth):
    """A copy of the session cookie is worth nothing once the learner has logged out."""
    auth.register()
    stolen = _cookie(client, "session")
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    assert thief.get("/voortgang").status_code == 200
    auth.logout()
    assert thief.get("/voortgang").status_code == 302


def test_login_starts_a_new_session(app, client, auth):
    """What was in the session before logging in (e.g. planted by someone else) is gone after it."""
    auth.register()
    auth.logout()
    with client.session_transaction() as flask_session:
        flask_session["planted"] = "by an attacker"
        flask_session["locale"] = "en"
    auth.login()
    with client.session_transaction() as flask_session:
        assert "planted" not in flask_session
        assert flask_session["locale"] == "en"  # the language choice survives


def test_the_cookies_carry_no_user_id_and_the_database_no_secret(client, auth, session):
    """The session holds a random login secret; the table holds only its hash."""
    auth.register()
    with client.session_transaction() as flask_session:
        secret = flask_session["_user_id"]
    assert len(secret) >= 40
    login = session.scalars(select(LoginSession)).one()
    assert secret not in login.secret_hash and len(login.secret_hash) == 64


def test_log_out_on_all_devices(app, client, auth, session):
    """'Op alle apparaten uitloggen' on the account page ends the logins of every browser."""
    auth.register()
    other = app.test_client()
    other.post("/inloggen", data={"email": "sanne@example.org", "password": PASSWORD, "remember": "y"})
    assert other.get("/voortgang").status_code == 200
    page = client.get("/account").get_data(as_text=True)
    assert "Ingelogde apparaten" in page and page.count('class="login-device"') == 2
    response = client.post("/account/overal-uitloggen")
    assert response.headers["Location"] == "/inloggen"
    assert other.get("/voortgang").status_code == 302
    assert client.get("/voortgang").status_code == 302
    assert session.scalar(select(func.count()).select_from(LoginSession)) == 0
    kinds = session.scalars(select(SecurityEvent.kind)).all()
    assert EventKind.LOGOUT_EVERYWHERE in kinds


def test_a_login_without_remember_me_ends_after_the_idle_timeout(client, auth, session):
    """A login left idle for longer than the idle timeout is over; the next page asks to log in."""
    auth.register()
    assert client.get("/voortgang").status_code == 200
    login = session.scalars(select(LoginSession)).one()
    login.last_seen_at = utcnow() - timedelta(minutes=31)
    session.commit()
    response = client.get("/voortgang")
    assert response.status_code == 302 and response.headers["Location"].startswith("/inloggen")
    assert session.scalar(select(func.count()).select_from(LoginSession)) == 0


def test_remember_me_has_no_idle_timeout_but_does_expire(app, client, auth, session):
    """'Ingelogd blijven' survives a quiet afternoon, but not its end date."""
    auth.register()
    auth.logout()
    auth.login(remember=True)
    login = session.scalars(select(LoginSession)).one()
    login.last_seen_at = utcnow() - timedelta(hours=5)
    session.commit()
    assert client.get("/voortgang").status_code == 200
    cookie = _cookie(client, "remember_token")
    login.expires_at = utcnow() - timedelta(seconds=1)
    session.commit()
    fresh = app.test_client()
    fresh.set_cookie("remember_token", cookie)
    assert fresh.get("/voortgang").status_code == 302


def test_activity_keeps_a_login_alive(client, auth, session):
    """Working on pages (or the page's keepalive) moves the idle timeout forward."""
    auth.register()
    login = session.scalars(select(LoginSession)).one()
    login.last_seen_at = utcnow() - timedelta(minutes=25)
    session.commit()
    response = client.post("/sessie/verlengen", headers={"Accept": "application/json"})
    assert response.status_code == 200 and response.get_json() == {"active": True}
    session.refresh(login)
    assert utcnow() - login.last_seen_at < timedelta(minutes=1)


def test_keepalive_after_the_login_ended_says_so(client, auth):
    auth.register()
    auth.logout()
    response = client.post("/sessie/verlengen", headers={"Accept": "application/json"})
    assert response.status_code == 401 and response.get_json() == {"active": False}


def test_a_disabled_account_is_logged_out_everywhere(client, auth, session):
    """Disabling an account ends its logins at once, and it cannot log in again."""
    auth.register()
    user = session.scalar(select(User))
    user.disabled_at = utcnow()
    session.commit()
    assert client.get("/voortgang").status_code == 302
    auth.login()
    assert client.get("/voortgang").status_code == 302


def test_login_and_failed_login_are_in_the_audit_log(client, auth, session):
    auth.register()
    auth.logout()
    auth.login(password="helemaal-verkeerd-123")
    auth.login()
    events = session.execute(select(SecurityEvent.kind, SecurityEvent.user_id, SecurityEvent.ip)
                             .order_by(SecurityEvent.id)).all()
    user_id = session.scalar(select(User.id))
    assert [(e.kind, e.user_id) for e in events] == [
        (EventKind.REGISTERED, user_id), (EventKind.EMAIL_CONFIRMED, user_id), (EventKind.LOGIN, user_id),
        (EventKind.LOGOUT, user_id), (EventKind.LOGIN_FAILED, user_id), (EventKind.LOGIN, user_id)]
    assert all(e.ip == "127.0.0.1" for e in events)


def test_pages_warn_before_an_idle_login_ends_and_the_warning_works_without_script(client, auth):
    """A login without 'remember me' carries the idle warning; its button keeps the login and returns."""
    auth.register()
    html = client.get("/voortgang").get_data(as_text=True)
    assert '<meta name="leerlijn-idle-seconds" content="1800">' in html
    assert 'id="idle-warning"' in html and "session-timeout.js" in html
    response = client.post("/sessie/verlengen", data={"next": "/voortgang"})
    assert response.status_code == 302 and response.headers["Location"] == "/voortgang"


def test_remembered_logins_have_no_idle_warning(client, auth):
    auth.register()
    auth.logout()
    auth.login(remember=True)
    html = client.get("/voortgang").get_data(as_text=True)
    assert "leerlijn-idle-seconds" not in html and 'id="idle-warning"' not in html


def test_the_warnings_log_in_again_link_returns_to_the_page_and_junk_addresses_do_not_pile_up(client, auth):
    """The link after an idle logout leads back to this very page, query string and all; an account asking
    for many long made-up addresses fills no memory (the links are kept per address, least recently used out)."""
    from app.templating import _login_again_link
    auth.register()
    html = client.get("/voortgang?x=1&y=%C3%A9").get_data(as_text=True)
    assert 'href="/inloggen?next=/voortgang?x%3D1%26y%3D%25C3%25A9">Log opnieuw in' in html
    _login_again_link.cache_clear()
    for n in range(600):
        assert client.get(f"/bestaat-niet-{n}?{'q' * 2000}").status_code == 404
    assert _login_again_link.cache_info().currsize == 512
