"""The session cookie, opened once per worker: what a browser sees must be what Flask's own sessions give.

``app/sessions.py`` remembers a cookie that verified, with what it holds. These tests hold it to Flask's
rules: a changed byte is refused every time, an old cookie expires, one request's changes never reach
another request with the same cookie, and a session holding lists is not shared at all.
"""

from __future__ import annotations

import time
from datetime import timedelta

from flask import Flask, flash, session
from flask.testing import FlaskClient
from itsdangerous import TimestampSigner

from tests.conftest import AuthActions


def _cookie(client: FlaskClient) -> str:
    return client.get_cookie("session").value


def test_a_learners_cookie_opens_their_session_every_time_and_a_changed_byte_never(app, client, auth):
    auth.register(name="Eerste")
    cookie = _cookie(client)
    for _ in range(2):  # the second time from what the worker remembered
        assert client.get("/voortgang").status_code == 200
    payload, timestamp, signature = cookie.rsplit(".", 2)
    # The signature's first character: all six of its bits count (the last one's lowest bits are padding).
    forged = f"{payload}.{timestamp}.{'A' if signature[0] != 'A' else 'B'}{signature[1:]}"
    stranger = app.test_client()
    stranger.set_cookie("session", forged)
    for _ in range(2):
        response = stranger.get("/voortgang")
        assert response.status_code == 302 and "/inloggen" in response.headers["Location"]


def test_the_session_is_found_among_other_cookies_and_each_header_opens_its_own(app):
    """A worker keeps an opened session by the whole Cookie header: the same session cookie beside other
    cookies, another learner's beside the same others, and the others alone each open what they hold."""
    first, second = app.test_client(), app.test_client()
    AuthActions(first).register(name="Eerste", email="eerste@example.org")
    AuthActions(second).register(name="Tweede", email="tweede@example.org")
    for client in (first, second):
        client.set_cookie("voorkeur", "donker")
    for _ in range(2):  # the second time from what the worker kept
        assert "Eerste" in first.get("/voortgang").get_data(as_text=True)
        assert "Tweede" in second.get("/voortgang").get_data(as_text=True)
    first.set_cookie("voorkeur", "licht")  # a new header around the same session cookie
    assert "Eerste" in first.get("/voortgang").get_data(as_text=True)
    first.delete_cookie("session")
    response = first.get("/voortgang")
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]


def test_a_remembered_cookie_still_expires_with_the_session_lifetime(app, client, auth, monkeypatch):
    """Checked against the signer's clock (itsdangerous's own), not the system's: the test client would
    otherwise drop the expired cookie itself."""
    auth.register()
    for _ in range(2):  # the first shows (and so removes) the welcome message: the cookie is then kept as is
        assert client.get("/voortgang").status_code == 200
    lifetime = app.permanent_session_lifetime
    now = time.time()
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda _self: int(now + lifetime.total_seconds() + 5))
    response = client.get("/voortgang")
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]


def test_a_cookie_signed_in_the_future_is_refused_like_itsdangerous_does(app, client, auth, monkeypatch):
    auth.register()
    for _ in range(2):
        assert client.get("/voortgang").status_code == 200
    now = time.time()
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda _self: int(now - 60))
    assert client.get("/voortgang").status_code == 302


def test_what_one_request_changes_in_the_session_is_not_seen_by_the_next_with_the_same_cookie(app: Flask):
    app.permanent_session_lifetime = timedelta(days=1)
    interface = app.session_interface
    with app.test_request_context("/"):
        session["locale"] = "en"
        response = app.make_response("")
        interface.save_session(app, session, response)
    cookie = response.headers["Set-Cookie"].split(";")[0].split("=", 1)[1]
    opened = []
    for _ in range(2):
        with app.test_request_context("/", headers={"Cookie": f"session={cookie}"}) as context:
            opened.append(interface.open_session(app, context.request))
    opened[0]["locale"] = "nl"
    opened[0]["extra"] = 1
    assert dict(opened[1]) == {"locale": "en"}


def test_flashed_messages_in_a_session_are_not_shared_between_requests(app: Flask):
    interface = app.session_interface
    with app.test_request_context("/"):
        flash("Opgeslagen.", "info")
        response = app.make_response("")
        interface.save_session(app, session, response)
    cookie = response.headers["Set-Cookie"].split(";")[0].split("=", 1)[1]
    with app.test_request_context("/", headers={"Cookie": f"session={cookie}"}) as context:
        one = interface.open_session(app, context.request)
    one["_flashes"].append(("info", "Nog een."))  # as flash() does, in place
    with app.test_request_context("/", headers={"Cookie": f"session={cookie}"}) as context:
        other = interface.open_session(app, context.request)
    assert other["_flashes"] == [("info", "Opgeslagen.")]


def test_a_new_secret_key_forgets_every_remembered_cookie(app, client, auth):
    auth.register()
    for _ in range(2):
        assert client.get("/voortgang").status_code == 200
    app.config["SECRET_KEY"] = "another-secret-key-with-enough-length-0000"
    assert client.get("/voortgang").status_code == 302



def _journey(client: FlaskClient, email: str) -> list[tuple[str, list[str], str | None]]:
    """Each step's session cookie (set or deleted: its value differs with its signing second) and Vary."""
    auth = AuthActions(client)
    steps = [("anonymous page", lambda: client.get("/over-deze-cursus")),
             ("register", lambda: auth.register(name="Cookie", email=email)),
             ("a page", lambda: client.get("/voortgang")),
             ("the same page", lambda: client.get("/voortgang")),
             ("the language", lambda: client.post("/taal", data={"language": "en", "next": "/"})),
             ("log out", lambda: client.post("/uitloggen")),
             ("after", lambda: client.get("/"))]
    seen = []
    for name, step in steps:
        response = step()
        cookies = ["deleted" if "Expires=Thu, 01 Jan 1970" in c else "set"
                   for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
        seen.append((name, cookies, response.headers.get("Vary")))
    return seen


def test_the_session_cookie_is_written_exactly_when_flasks_own_sessions_write_it(app, connection, valid_catalog,
                                                                                 tmp_path):
    """Our save_session skips Flask's work when nothing changed: a journey through registering, pages, the
    language switch and logging out sets, keeps and deletes the cookie (and says Vary) as Flask's does."""
    from flask.sessions import SecureCookieSessionInterface

    from tests.conftest import make_app

    flasks_app = make_app(connection, valid_catalog, tmp_path / "flask")
    flasks_app.session_interface = SecureCookieSessionInterface()

    ours = _journey(app.test_client(), "ours@example.org")
    flasks = _journey(flasks_app.test_client(), "flasks@example.org")

    assert ours == flasks
    assert ("the same page", [], "Cookie") in ours and ("register", ["set"], "Cookie") in ours
