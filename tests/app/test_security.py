"""Security defaults: headers, CSRF on every form, authorisation, secrets from the environment."""

from __future__ import annotations

import re

import pytest

from app.config import ConfigError, from_environment
from course.db import Role
from course.services.accounts import create_user
from tests.conftest import csrf_token, enable_two_factor, make_app


def test_every_page_sends_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


PAGE_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin", "X-Frame-Options": "DENY",
                "Cross-Origin-Opener-Policy": "same-origin",
                "Permissions-Policy": "camera=(), microphone=(), geolocation=()"}


def test_pages_static_files_and_views_own_headers_each_get_theirs(app, client):
    """Every answer has the full set once; pages are never cached, static files may be; a header a view
    sets itself (its own caching, its own policy) is kept, not overwritten or doubled."""
    from flask import Response

    @app.route("/eigen-kopregels")
    def own_headers() -> Response:
        return Response("x", headers={"cache-control": "no-cache, private", "Content-Security-Policy": "sandbox"})

    page, static, own = client.get("/"), client.get("/static/css/leerlijn.css"), client.get("/eigen-kopregels")
    for response in (page, static, own):
        assert {name: response.headers[name] for name in PAGE_HEADERS} == PAGE_HEADERS
        assert len(response.headers) == len({name.lower() for name, _ in response.headers})
    assert page.headers["Cache-Control"] == "no-store" and "no-store" not in static.headers.get("Cache-Control", "")
    assert page.headers["Content-Security-Policy"] == static.headers["Content-Security-Policy"]
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    assert own.headers["Cache-Control"] == "no-cache, private" and own.headers["Content-Security-Policy"] == "sandbox"


def test_a_new_secret_key_ends_old_sessions_unless_kept_as_fallback(app, client):
    """Rotating SECRET_KEY makes old session cookies worthless at once (the signing is not kept past a
    key change); an old key listed in SECRET_KEY_FALLBACKS still opens them."""
    client.post("/taal", data={"locale": "en", "next": "/"})
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)
    old = app.secret_key
    app.config["SECRET_KEY"] = "another-secret-key-with-enough-length-0000"
    assert '<html lang="nl">' in client.get("/").get_data(as_text=True)
    app.config["SECRET_KEY_FALLBACKS"] = [old]
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)


def test_a_login_keeps_the_browser_fingerprint_and_a_copied_cookie_elsewhere_is_no_longer_fresh(client, auth):
    """Session protection still works although visitors' requests no longer compute the fingerprint."""
    auth.register()
    with client.session_transaction() as cookie:
        assert re.fullmatch(r"[0-9a-f]{128}", cookie["_id"]) and cookie["_fresh"] is True
    assert client.get("/voortgang", headers={"User-Agent": "Elders/1.0"}).status_code == 200
    with client.session_transaction() as cookie:
        assert cookie["_fresh"] is False


def test_the_same_browser_at_another_address_is_no_longer_fresh_either(client, auth):
    """The fingerprint is kept per address and browser (app/auth): the address counts as much as the browser."""
    auth.register()
    for _ in range(2):  # the second from the fingerprint kept for this address and browser
        assert client.get("/voortgang").status_code == 200
        with client.session_transaction() as cookie:
            assert cookie["_fresh"] is True
    assert client.get("/voortgang", environ_base={"REMOTE_ADDR": "192.0.2.7"}).status_code == 200
    with client.session_transaction() as cookie:
        assert cookie["_fresh"] is False


def test_https_sites_tell_browsers_to_keep_to_https(connection, valid_catalog, tmp_path, client):
    """HSTS wherever cookies are Secure (production's default), and not on plain-HTTP development."""
    secure = make_app(connection, valid_catalog, tmp_path, SESSION_COOKIE_SECURE=True).test_client()
    assert secure.get("/").headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert "Strict-Transport-Security" not in client.get("/").headers


TOKEN_PROTECTED = {"quiz.answer", "casus.answer"}  # CSRF-exempt: a per-attempt/run work token instead
# CSRF-exempt: the JSON API takes an organisation token in the Authorization header and ignores cookies, so a
# forged cross-site request carries nothing it accepts (below: a logged-in browser's POST is refused, 401).
API_TOKEN_ONLY = {"api.create_assignment"}


def test_every_post_route_refuses_a_missing_csrf_token(connection, valid_catalog, tmp_path):
    """With CSRF on (as in production), no state-changing route accepts a form without its token."""
    app = make_app(connection, valid_catalog, tmp_path, WTF_CSRF_ENABLED=True)
    client = app.test_client()
    session = app.extensions["leerlijn.db"].sessionmaker()
    create_user(session, email="s@example.org", name="Sanne", password="een-lang-wachtwoord")
    session.close()
    page = client.get("/inloggen").get_data(as_text=True)
    client.post("/inloggen", data={"csrf_token": csrf_token(page), "email": "s@example.org",
                                   "password": "een-lang-wachtwoord"})
    assert client.get("/voortgang").status_code == 200
    post_rules = [rule for rule in app.url_map.iter_rules() if "POST" in (rule.methods or set())]
    assert post_rules, "no POST routes found"
    for rule in post_rules:
        url = rule.rule
        for argument in rule.arguments:
            url = url.replace(f"<{argument}>", "x").replace(f"<int:{argument}>", "1").replace(
                f"<path:{argument}>", "x")
        if rule.endpoint == "learn.mark_read":
            url = "/modules/eerste/begin/gelezen"
        response = client.post(url, data={})
        if rule.endpoint in API_TOKEN_ONLY:
            assert response.status_code == 401 and response.get_json()["error"]["status"] == 401, rule.endpoint
            continue
        # Refused by the CSRF check itself (not by a 404 that would hide a route without one); the two
        # answer routes are exempt from it because their own work token protects them.
        assert response.status_code == 400, f"{rule.endpoint} did not refuse a POST without CSRF token"
        expected = "Dit formulier is verlopen" if rule.endpoint in TOKEN_PROTECTED else "Het formulier was verlopen"
        assert expected in response.get_data(as_text=True), rule.endpoint
    assert {rule.endpoint for rule in post_rules} >= TOKEN_PROTECTED


def test_admin_user_list_is_for_site_admins_only(client, auth, session):
    auth.register()
    assert client.get("/beheer/gebruikers").status_code == 403
    auth.logout()
    admin = create_user(session, email="beheer@example.org", name="Beheer", password="nog-een-lang-wachtwoord",
                        role=Role.SITE_ADMIN)
    secret = enable_two_factor(session, admin.id)
    auth.login(email="beheer@example.org", password="nog-een-lang-wachtwoord", totp_secret=secret)
    html = client.get("/beheer/gebruikers").get_data(as_text=True)
    assert "sanne@example.org" in html and "Sitebeheerder" in html


def test_anonymous_visitors_are_sent_to_login_from_private_pages(client):
    for url in ["/voortgang", "/modules/eerste/", "/account", "/interventies", "/beheer/gebruikers"]:
        response = client.get(url)
        assert response.status_code == 302 and "/inloggen" in response.headers["Location"], url


def test_production_refuses_to_start_without_a_secret_key(monkeypatch, tmp_path):
    monkeypatch.setenv("LEERLIJN_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError):
        from_environment(tmp_path)
    monkeypatch.setenv("SECRET_KEY", "short")
    with pytest.raises(ConfigError):
        from_environment(tmp_path)
    monkeypatch.setenv("SECRET_KEY", "x" * 48)
    config = from_environment(tmp_path)
    assert config["SESSION_COOKIE_SECURE"] is True


def test_development_secret_is_generated_once_and_kept(monkeypatch, tmp_path):
    monkeypatch.delenv("LEERLIJN_ENV", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = from_environment(tmp_path)["SECRET_KEY"]
    assert len(first) >= 32 and from_environment(tmp_path)["SECRET_KEY"] == first


def test_a_password_change_ends_other_sessions(client, auth, session):
    """A password changed elsewhere (another device, a reset) logs this browser out."""
    from sqlalchemy import select

    from course.db import User
    from course.services.accounts import change_password
    auth.register()
    assert client.get("/voortgang").status_code == 200
    user = session.scalar(select(User).where(User.email == "sanne@example.org"))
    change_password(session, user.id, current="een-lang-wachtwoord", new="een-ander-lang-wachtwoord")
    assert client.get("/voortgang").status_code == 302
