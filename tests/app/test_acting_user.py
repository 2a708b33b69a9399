"""acting_user(): current_user without its proxy, the same user at every moment of a request; and
login_required, which answers as Flask-Login's does."""

from __future__ import annotations

import flask_login
import pytest
from flask import Flask
from flask_login import current_user, login_user, logout_user

from app.acting_user import acting_user, login_required
from course.db import Role
from course.services.accounts import create_user
from tests.conftest import registered_learner


def test_it_is_current_user_before_the_login_after_it_and_after_logging_out(app: Flask, session):
    user = create_user(session, email="actor@example.org", name="Actor", password="een-lang-wachtwoord",
                       role=Role.LEARNER)
    user.login_secret = "geheim"
    with app.test_request_context("/"):
        assert not acting_user().is_authenticated  # nobody in the session: Flask-Login's anonymous user
        assert acting_user() is current_user._get_current_object()
        login_user(user)
        assert acting_user() is user is current_user._get_current_object()
        logout_user()
        assert not acting_user().is_authenticated
        assert acting_user() is current_user._get_current_object()


def test_a_learners_pages_show_their_own_name_and_progress(app: Flask):
    """Two learners by turns on the pages that look the user up this way: each sees only their own."""
    anna = registered_learner(app, "Anna Jansen", "anna@example.org")
    bram = registered_learner(app, "Bram Bakker", "bram@example.org")
    anna.post("/modules/eerste/begin/gelezen")
    for _ in range(2):
        for client, name, other, read in ((anna, "Anna Jansen", "Bram Bakker", "1 van"),
                                          (bram, "Bram Bakker", "Anna Jansen", "0 van")):
            for path in ("/", "/modules/eerste/", "/modules/eerste/begin", "/voortgang", "/interventies"):
                html = client.get(path).get_data(as_text=True)
                assert name in html and other not in html, path
                assert read in html, path


@pytest.mark.parametrize("login_disabled", [False, True])
def test_login_required_answers_every_request_as_flask_logins_does(app: Flask, login_disabled: bool):
    """Anonymous GET, POST and OPTIONS, a logged-in GET, with LOGIN_DISABLED off and on: the same status,
    the same place to log in (with the page to return to), the same message."""
    app.config["LOGIN_DISABLED"] = login_disabled
    app.add_url_rule("/ours", "ours", login_required(lambda: "binnen"), methods=["GET", "POST", "OPTIONS"])
    app.add_url_rule("/theirs", "theirs", flask_login.login_required(lambda: "binnen"),
                     methods=["GET", "POST", "OPTIONS"])

    def answers(client) -> list[tuple[int, str | None, bytes]]:
        seen = []
        for method in ("GET", "POST", "OPTIONS"):
            for path in ("/ours", "/theirs"):
                response = client.open(path, method=method)
                location = response.headers.get("Location", "").replace("theirs", "ours")
                seen.append((response.status_code, location, response.get_data().replace(b"theirs", b"ours")))
        return seen

    anonymous = answers(app.test_client())
    assert anonymous[0::2] == anonymous[1::2]  # ours beside theirs, per method
    expected_get = 200 if login_disabled else 302
    assert anonymous[0][0] == expected_get and anonymous[4][0] == 200  # OPTIONS always passes
    learner = registered_learner(app, "Binnen", "binnen@example.org")
    logged_in = answers(learner)
    assert logged_in[0::2] == logged_in[1::2] and logged_in[0][0] == 200
