"""Two-step verification (TOTP): set-up with a QR code, the code at login, recovery codes, required for admins."""

from __future__ import annotations

import re
import time

import pyotp
from sqlalchemy import select

from course.db import EventKind, Membership, Organisation, Role, SecurityEvent, User
from tests.conftest import enable_two_factor

PASSWORD = "een-lang-wachtwoord"


def _user(session, email="sanne@example.org"):
    return session.scalar(select(User).where(User.email == email))


def test_setting_up_two_factor_with_the_qr_code(client, auth, session):
    """A learner scans the QR code, types the app's code and gets ten recovery codes, shown once."""
    auth.register()
    page = client.get("/account/tweestaps").get_data(as_text=True)
    assert '<svg role="img"' in page and 'autocomplete="one-time-code"' in page
    secret = re.search(r'<code class="totp-secret">([A-Z2-7]+)</code>', page)[1]
    assert client.post("/account/tweestaps", data={"code": "000000"}).status_code == 400
    response = client.post("/account/tweestaps", data={"code": pyotp.TOTP(secret).now()})
    codes = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", response.get_data(as_text=True))
    assert len(codes) == 10 and len(set(codes)) == 10
    user = _user(session)
    session.refresh(user)
    assert user.two_factor_enabled and not any(code in str(user.recovery_code_hashes) for code in codes)
    assert "Staat aan" in client.get("/account").get_data(as_text=True)
    assert EventKind.TWO_FACTOR_ENABLED in session.scalars(select(SecurityEvent.kind)).all()


def test_login_asks_for_the_code_after_the_password(client, auth, session):
    """With two-step verification on, the password alone does not log in; the code does, once."""
    auth.register()
    secret = enable_two_factor(session, _user(session).id)
    auth.logout()
    response = auth.login()
    assert response.headers["Location"] == "/inloggen/code"
    assert client.get("/voortgang").status_code == 302  # not logged in yet
    assert client.post("/inloggen/code", data={"code": "123456"}).status_code == 200
    code = pyotp.TOTP(secret).now()
    assert client.post("/inloggen/code", data={"code": code}).status_code == 302
    assert client.get("/voortgang").status_code == 200
    auth.logout()
    auth.login()
    page = client.post("/inloggen/code", data={"code": code}).get_data(as_text=True)
    assert "Deze code klopt niet" in page  # the same code does not work twice
    kinds = session.scalars(select(SecurityEvent.kind)).all()
    assert EventKind.TWO_FACTOR_FAILED in kinds


def test_a_recovery_code_works_once(client, auth, session):
    auth.register()
    enable_two_factor(session, _user(session).id)
    client.get("/account")
    from course.services import two_factor
    [code, *_] = two_factor.new_recovery_codes(session, _user(session).id)
    auth.logout()
    auth.login()
    response = client.post("/inloggen/code", data={"code": code.upper()}, follow_redirects=True)
    assert "Je hebt een herstelcode gebruikt" in response.get_data(as_text=True)
    auth.logout()
    auth.login()
    assert client.post("/inloggen/code", data={"code": code}).status_code == 200
    assert EventKind.RECOVERY_CODE_USED in session.scalars(select(SecurityEvent.kind)).all()


def test_guessing_codes_is_rate_limited(client, auth, session):
    auth.register()
    secret = enable_two_factor(session, _user(session).id)
    auth.logout()
    auth.login()
    statuses = [client.post("/inloggen/code", data={"code": f"{i:06d}"}).status_code for i in range(6)]
    assert statuses[:5] == [200] * 5 and statuses[5] == 429
    assert client.post("/inloggen/code", data={"code": pyotp.TOTP(secret).now()}).status_code == 429


def test_the_code_step_expires(client, auth, session, monkeypatch):
    auth.register()
    secret = enable_two_factor(session, _user(session).id)
    auth.logout()
    auth.login()
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 600)
    response = client.post("/inloggen/code", data={"code": pyotp.TOTP(secret).now()})
    assert response.headers["Location"] == "/inloggen"


def test_site_admins_must_set_up_two_factor_first(client, auth, session):
    """An administrator without two-step verification reaches nothing but its set-up page."""
    auth.register()
    user = _user(session)
    user.role = Role.SITE_ADMIN
    session.commit()
    response = client.get("/beheer/gebruikers")
    assert response.status_code == 302 and response.headers["Location"] == "/account/tweestaps"
    assert client.get("/voortgang").headers["Location"] == "/account/tweestaps"
    assert client.get("/account/tweestaps").status_code == 200
    enable_two_factor(session, user.id)
    assert client.get("/beheer/gebruikers").status_code == 200


def test_organisation_admins_must_set_up_two_factor_too(client, auth, session):
    auth.register()
    organisation = Organisation(slug="wijkteam", name="Wijkteam")
    session.add(Membership(user_id=_user(session).id, organisation=organisation, role=Role.ORG_ADMIN))
    session.commit()
    assert client.get("/voortgang").headers["Location"] == "/account/tweestaps"


def test_admins_cannot_turn_two_factor_off_learners_can(client, auth, session):
    auth.register()
    user = _user(session)
    secret = enable_two_factor(session, user.id)
    page = client.get("/account/tweestaps").get_data(as_text=True)
    assert "Tweestapsverificatie uitzetten" in page and 'id="off-code"' in page and 'id="codes-code"' in page
    client.post("/account/tweestaps/uitzetten", data={"off-code": pyotp.TOTP(secret).now()})
    session.refresh(user)
    assert not user.two_factor_enabled and user.totp_secret is None
    assert EventKind.TWO_FACTOR_DISABLED in session.scalars(select(SecurityEvent.kind)).all()
    secret = enable_two_factor(session, user.id)
    user.role = Role.SITE_ADMIN
    session.commit()
    response = client.post("/account/tweestaps/uitzetten", data={"off-code": pyotp.TOTP(secret).now()},
                           follow_redirects=True)
    assert "uitzetten kan niet" in response.get_data(as_text=True)
    session.refresh(user)
    assert user.two_factor_enabled


def test_enabling_two_factor_gives_a_new_session_id(client, auth, session):
    """A change of privileges starts a new session: the cookie from before stops working."""
    auth.register()
    page = client.get("/account/tweestaps").get_data(as_text=True)
    secret = re.search(r'<code class="totp-secret">([A-Z2-7]+)</code>', page)[1]
    with client.session_transaction() as flask_session:
        before = flask_session["_user_id"]
    client.post("/account/tweestaps", data={"code": pyotp.TOTP(secret).now()})
    with client.session_transaction() as flask_session:
        after = flask_session["_user_id"]
    assert before != after
    assert client.get("/voortgang").status_code == 200
    old = client.application.test_client()
    with old.session_transaction() as flask_session:
        flask_session["_user_id"] = before
        flask_session["_fresh"] = True
    assert old.get("/voortgang").status_code == 302


def test_the_data_export_holds_no_two_factor_secret(client, auth, session):
    """Downloading one's data never hands out the TOTP secret or the recovery codes' hashes."""
    auth.register()
    secret = enable_two_factor(session, _user(session).id)
    export = client.post("/account/gegevens").get_data(as_text=True)
    assert '"email": "sanne@example.org"' in export
    assert secret not in export and "recovery_code_hashes" not in export and "totp_secret" not in export
