"""Self-service through mail: confirming a new account, a forgotten password, a new email address.

Mails go to a real SMTP server on this machine (aiosmtpd) in the tests that check delivery, and to the
outbox folder otherwise (the development default).
"""

from __future__ import annotations

import socket
import time
from email import message_from_bytes
from email import policy as email_policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from course.db import EventKind, SecurityEvent, User
from tests.conftest import link_in, outbox, without_csrf_tokens

PASSWORD = "een-lang-wachtwoord"
NEW_PASSWORD = "een-heel-nieuw-wachtwoord"


class Inbox:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=email_policy.default)
        self.messages.append((envelope.rcpt_tos, message))
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 5.0) -> list:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.messages


@pytest.fixture
def smtp(app, monkeypatch):
    """A real SMTP server on 127.0.0.1 that the app sends to; yields its inbox."""
    inbox = Inbox()
    with socket.socket() as probe:  # a free port (aiosmtpd checks its own start by connecting to it)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
        monkeypatch.setitem(app.config, "MAIL_PORT", port)
        monkeypatch.setitem(app.config, "MAIL_USE_TLS", False)
        yield inbox
    finally:
        controller.stop()


def _register(client, email="sanne@example.org", password=PASSWORD):
    return client.post("/registreren", data={"name": "Sanne", "email": email, "password": password,
                                             "password_repeat": password})


def test_registration_sends_a_confirmation_over_smtp_and_the_link_logs_in(client, smtp, session):
    """A new learner gets a mail from the SMTP server; its link (after a button) confirms and logs in."""
    response = _register(client)
    assert "Kijk in je mailbox" in response.get_data(as_text=True)
    assert client.get("/voortgang").status_code == 302  # not logged in before confirming
    [(recipients, message)] = smtp.wait_for(1)
    assert recipients == ["sanne@example.org"] and "Bevestig je e-mailadres" in message["Subject"]
    link = link_in(message, "/account-bevestigen/")
    assert "Bevestigen en inloggen" in client.get(link).get_data(as_text=True)  # opening changes nothing
    assert session.scalar(select(User.email_confirmed_at)) is None
    client.post(link)
    assert client.get("/voortgang").status_code == 200
    assert client.post(link).status_code == 400  # used once


def _register_over_smtp(client, smtp):
    _register(client)
    client.post(link_in(smtp.wait_for(1)[-1][1], "/account-bevestigen/"))


def test_registering_a_taken_address_mails_its_owner_instead(app, client, auth, smtp):
    _register_over_smtp(client, smtp)
    auth.logout()
    _register(app.test_client(), password="iets-heel-anders-123")
    messages = smtp.wait_for(2)
    assert len(messages) == 2
    recipients, message = messages[-1]
    assert recipients == ["sanne@example.org"] and "al een account" in message["Subject"]
    assert "/wachtwoord-herstellen/" in message.get_body(("plain",)).get_content()
    auth.login()  # the attempt changed nothing: the old password still works
    assert client.get("/voortgang").status_code == 200


def test_an_unconfirmed_account_cannot_log_in_and_gets_the_link_again(app, client):
    _register(client)
    response = client.post("/inloggen", data={"email": "sanne@example.org", "password": PASSWORD})
    assert "nog niet bevestigd" in response.get_data(as_text=True)
    assert client.get("/voortgang").status_code == 302
    assert len(outbox(app, "sanne@example.org")) == 2


def test_password_reset_by_mail_is_single_use_and_ends_every_login(app, client, auth, smtp, session):
    """The reset link sets a new password once, logs out every device, and then stops working."""
    _register_over_smtp(client, smtp)
    other = app.test_client()
    other.post("/inloggen", data={"email": "sanne@example.org", "password": PASSWORD, "remember": "y"})
    auth.logout()
    response = client.post("/wachtwoord-vergeten", data={"email": "Sanne@Example.org"})
    assert "Als er een account is" in response.get_data(as_text=True)
    _, message = smtp.wait_for(2)[-1]
    link = link_in(message, "/wachtwoord-herstellen/")
    assert PASSWORD not in message.as_string()
    response = client.post(link, data={"password": NEW_PASSWORD, "password_repeat": NEW_PASSWORD})
    assert response.headers["Location"] == "/inloggen"
    assert other.get("/voortgang").status_code == 302
    again = client.post(link, data={"password": "nog-een-ander-wachtwoord", "password_repeat":
                                    "nog-een-ander-wachtwoord"})
    assert again.status_code == 400 and "al gebruikt" in again.get_data(as_text=True)
    assert auth.login(password=PASSWORD).status_code == 200
    assert auth.login(password=NEW_PASSWORD).status_code == 302
    kinds = session.scalars(select(SecurityEvent.kind)).all()
    assert EventKind.PASSWORD_RESET_REQUESTED in kinds and EventKind.PASSWORD_RESET in kinds
    details = session.scalars(select(SecurityEvent.detail)).all()
    assert not any(link.rsplit("/", 1)[1] in str(d) for d in details)


def test_forgot_password_answers_the_same_for_unknown_addresses(app, client, auth):
    auth.register()
    auth.logout()
    fresh = app.test_client()
    known = fresh.post("/wachtwoord-vergeten", data={"email": "sanne@example.org"}).get_data(as_text=True)
    unknown = fresh.post("/wachtwoord-vergeten", data={"email": "niemand@example.org"}).get_data(as_text=True)
    assert without_csrf_tokens(known.replace("sanne@example.org", "X")) == without_csrf_tokens(
        unknown.replace("niemand@example.org", "X"))
    assert outbox(app, "niemand@example.org") == []


def test_a_reset_link_stops_working_when_the_password_changes_another_way(app, client, auth):
    auth.register()
    client.post("/wachtwoord-vergeten", data={"email": "sanne@example.org"})
    link = link_in(outbox(app, "sanne@example.org")[-1], "/wachtwoord-herstellen/")
    client.post("/account/wachtwoord", data={"current_password": PASSWORD, "password": NEW_PASSWORD,
                                             "password_repeat": NEW_PASSWORD})
    response = client.post(link, data={"password": "nog-een-ander-wachtwoord",
                                       "password_repeat": "nog-een-ander-wachtwoord"})
    assert response.status_code == 400


def test_an_expired_or_forged_reset_link_is_refused(app, client, auth, monkeypatch):
    auth.register()
    client.post("/wachtwoord-vergeten", data={"email": "sanne@example.org"})
    link = link_in(outbox(app, "sanne@example.org")[-1], "/wachtwoord-herstellen/")
    assert client.get(link + "x").status_code == 400
    monkeypatch.setattr(time, "time", lambda: 10**10)  # far in the future: the token has expired
    assert client.get(link).status_code == 400


def test_change_email_only_after_confirming_from_the_new_address(app, client, auth, session):
    """A new address takes effect through the link sent to it; the old address is told."""
    auth.register()
    response = client.post("/account/e-mailadres", data={"change-email-email": "nieuw@example.org",
                                                         "change-email-current_password": PASSWORD},
                           follow_redirects=True)
    assert "pas als je op die link klikt" in response.get_data(as_text=True)
    assert session.scalar(select(User.email)) == "sanne@example.org"
    link = link_in(outbox(app, "nieuw@example.org")[-1], "/e-mailadres-bevestigen/")
    client.post(link)
    assert session.scalar(select(User.email)) == "nieuw@example.org"
    assert "nieuw@example.org" in outbox(app, "sanne@example.org")[-1].get_body(("plain",)).get_content()
    auth.logout()
    assert auth.login(email="nieuw@example.org").status_code == 302


def test_change_email_to_a_taken_address_changes_nothing_and_says_nothing(app, client, auth, session):
    auth.register(name="Ander", email="ander@example.org")
    auth.logout()
    auth.register()
    response = client.post("/account/e-mailadres", data={"change-email-email": "ander@example.org",
                                                         "change-email-current_password": PASSWORD},
                           follow_redirects=True)
    assert "pas als je op die link klikt" in response.get_data(as_text=True)
    [note] = [m for m in outbox(app, "ander@example.org") if "Iemand wilde" in m["Subject"]]
    assert "/e-mailadres-bevestigen/" not in note.get_body(("plain",)).get_content()


def test_change_email_needs_the_password(client, auth):
    auth.register()
    response = client.post("/account/e-mailadres", data={"change-email-email": "nieuw@example.org",
                                                         "change-email-current_password": "fout-fout-fout"})
    assert response.status_code == 400 and "Je huidige wachtwoord klopt niet." in response.get_data(as_text=True)


def test_an_email_change_link_is_void_after_a_password_reset(app, client, auth):
    auth.register()
    client.post("/account/e-mailadres", data={"change-email-email": "nieuw@example.org",
                                              "change-email-current_password": PASSWORD})
    link = link_in(outbox(app, "nieuw@example.org")[-1], "/e-mailadres-bevestigen/")
    client.post("/account/wachtwoord", data={"current_password": PASSWORD, "password": NEW_PASSWORD,
                                             "password_repeat": NEW_PASSWORD})
    assert client.post(link).status_code == 400


def test_without_mail_server_mails_go_to_the_outbox(app, client):
    _register(client)
    [message] = outbox(app)
    assert message["To"] == "sanne@example.org" and message["From"]
