"""Accounts: registering, logging in and out, remember me."""

from __future__ import annotations

import re

from sqlalchemy import select

from course.db import User


def test_register_logs_in_and_shows_the_course(client, auth, session):
    """A new user registers and lands on the course overview, logged in."""
    response = auth.register()
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "Sanne de Vries" in page and "Verder waar je was" not in page and "Voordat je begint" in page
    user = session.scalar(select(User).where(User.email == "sanne@example.org"))
    assert user is not None and user.password_hash.startswith("scrypt:")


def test_register_answers_the_same_for_a_taken_email(app, client, auth):
    """Registration never says whether an address has an account (finding 7): the mail says it instead."""
    form = {"name": "Sanne", "password": "een-lang-wachtwoord", "password_repeat": "een-lang-wachtwoord"}
    new = app.test_client().post("/registreren", data={**form, "email": "nieuw@example.org"})
    auth.register()
    taken = app.test_client().post("/registreren", data={**form, "email": "SANNE@example.org "})
    assert new.status_code == taken.status_code == 200

    def page(response, email):  # each visitor has a CSRF token of their own: that says nothing about the address
        html = response.get_data(as_text=True).replace(email, "ADDRESS")
        return re.sub(r'name="csrf_token" type="hidden" value="[^"]+"', "TOKEN", html)
    assert page(new, "nieuw@example.org") == page(taken, "SANNE@example.org")
    assert "Er bestaat al een account" not in taken.get_data(as_text=True)


def test_register_form_errors_are_listed_and_linked(client):
    response = client.post("/registreren", data={"name": "", "email": "geen-mail", "password": "kort",
                                                 "password_repeat": "anders"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="error-summary"' in html and 'href="#email"' in html
    assert 'aria-invalid="true"' in html


def test_login_error_does_not_say_which_part_was_wrong(client, auth):
    auth.register()
    auth.logout()
    wrong_password = auth.login(password="helemaal-fout-wachtwoord").get_data(as_text=True)
    unknown_email = auth.login(email="niemand@example.org").get_data(as_text=True)
    message = "Deze combinatie van e-mailadres en wachtwoord kennen we niet."
    assert message in wrong_password and message in unknown_email


def test_a_login_for_an_unknown_address_costs_the_same_key_derivation_as_for_an_account():
    """A failed login's time does not tell whether the address has an account: the stand-in hash it checks
    against has the cost parameters (and length) of the hash a new password gets."""
    from werkzeug.security import check_password_hash, generate_password_hash

    from tests.conftest import PRODUCTION_PASSWORD_HASHING
    method, dummy_hash = PRODUCTION_PASSWORD_HASHING  # the suite itself hashes at a lower cost
    fresh = generate_password_hash("een-lang-wachtwoord", method=method)
    assert dummy_hash.split("$")[0] == fresh.split("$")[0] == "scrypt:32768:8:1"
    assert len(dummy_hash) == len(fresh)
    assert not check_password_hash(dummy_hash, "een-lang-wachtwoord")


def test_logout_needs_post_and_ends_the_session(client, auth):
    auth.register()
    assert client.get("/uitloggen").status_code == 405
    auth.logout()
    assert client.get("/voortgang").status_code == 302


def test_remember_me_sets_a_lasting_cookie(client, auth):
    auth.register()
    auth.logout()
    auth.login(remember=True)
    assert client.get_cookie("remember_token") is not None


def test_without_remember_me_no_lasting_cookie(client, auth):
    auth.register()
    auth.logout()
    auth.login()
    assert client.get_cookie("remember_token") is None


def test_login_redirects_only_to_local_pages(client, auth):
    auth.register()
    auth.logout()
    response = client.post("/inloggen", data={"email": "sanne@example.org", "password": "een-lang-wachtwoord",
                                              "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"
    auth.logout()
    response = client.post("/inloggen", data={"email": "sanne@example.org", "password": "een-lang-wachtwoord",
                                              "next": "/voortgang"})
    assert response.headers["Location"] == "/voortgang"


def test_form_fields_have_labels_and_autocomplete(client):
    html = client.get("/registreren").get_data(as_text=True)
    for field, autocomplete in [("name", "name"), ("email", "email"), ("password", "new-password")]:
        assert f'<label for="{field}">' in html
        assert f'autocomplete="{autocomplete}"' in html
