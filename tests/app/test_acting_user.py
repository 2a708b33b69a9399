"""acting_user(): current_user without its proxy, the same user at every moment of a request."""

from __future__ import annotations

from flask import Flask
from flask_login import current_user, login_user, logout_user

from app.acting_user import acting_user
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
