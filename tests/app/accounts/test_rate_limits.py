"""Brute-force protection (issue 9, finding 6): failed logins are limited per account and per address."""

from __future__ import annotations

from sqlalchemy import select

from app.config import from_environment
from course.db import EventKind, SecurityEvent, User

PASSWORD = "een-lang-wachtwoord"


def _login(client, email="sanne@example.org", password=PASSWORD, ip="127.0.0.1"):
    return client.post("/inloggen", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": ip})


def test_after_many_wrong_passwords_even_the_right_one_must_wait(client, auth, session):
    """50 wrong guesses, then the right password: refused with 429, a message and Retry-After."""
    auth.register()
    auth.logout()
    statuses = [_login(client, password=f"geraden-wachtwoord-{i}").status_code for i in range(50)]
    assert statuses[:5] == [200] * 5 and set(statuses[5:]) == {429}
    response = _login(client)
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert "Te veel pogingen achter elkaar" in response.get_data(as_text=True)
    assert client.get("/voortgang").status_code == 302
    user_id = session.scalar(select(User.id))
    lockouts = session.scalars(select(SecurityEvent).where(SecurityEvent.kind == EventKind.LOCKOUT)).all()
    assert lockouts and all(e.user_id == user_id for e in lockouts)


def test_the_account_limit_holds_across_addresses(app, client, auth, monkeypatch):
    """Spreading guesses over many addresses does not help: the account itself is limited."""
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_PER_ACCOUNT", "5 per hour")  # no window ends mid-test
    auth.register()
    auth.logout()
    for i in range(5):
        assert _login(client, password="fout-fout-fout-fout", ip=f"192.0.2.{i}").status_code == 200
    assert _login(client, ip="192.0.2.99").status_code == 429


def test_one_address_guessing_many_accounts_is_limited(app, client, monkeypatch):
    """Trying one password on many accounts from one address is cut off too."""
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_PER_ADDRESS", "10 per hour")  # no window ends mid-test
    statuses = [_login(client, email=f"iemand{i}@example.org").status_code for i in range(11)]
    assert statuses[:10] == [200] * 10 and statuses[10] == 429


def test_successful_logins_from_one_address_do_not_count(app, client, auth, monkeypatch):
    """A training group behind one office address can all log in: only failures count."""
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_PER_ADDRESS", "3 per minute")
    auth.register()
    auth.logout()
    for _ in range(6):
        assert _login(client).status_code == 302
        auth.logout()


def test_counters_go_to_redis_when_redis_url_is_set(monkeypatch, tmp_path):
    monkeypatch.delenv("REDIS_URL", raising=False)
    assert from_environment(tmp_path)["RATELIMIT_STORAGE_URI"] == "memory://"
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    assert from_environment(tmp_path)["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"


def test_registrations_from_one_address_are_limited(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "REGISTER_LIMIT_PER_ADDRESS", "2 per hour")
    statuses = [client.post("/registreren", data={"name": "N", "email": f"n{i}@example.org", "password": PASSWORD,
                                                  "password_repeat": PASSWORD}).status_code for i in range(3)]
    assert statuses[2] == 429


def test_with_rate_limits_switched_off_the_app_starts_and_logins_are_not_counted(connection, valid_catalog,
                                                                                tmp_path):
    """LEERLIJN_RATE_LIMITS=0 (tests, benchmarks, an install behind its own limiter) still serves pages."""
    from tests.conftest import AuthActions, make_app

    client = make_app(connection, valid_catalog, tmp_path, RATELIMIT_ENABLED=False).test_client()
    AuthActions(client).register()
    AuthActions(client).logout()
    statuses = [_login(client, password=f"geraden-wachtwoord-{i}").status_code for i in range(8)]
    assert statuses == [200] * 8
    assert _login(client).status_code == 302

