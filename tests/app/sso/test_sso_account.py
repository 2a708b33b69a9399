"""An account made by single sign-on has no password: what stands in for it when the person deletes it."""

from __future__ import annotations

from datetime import timedelta

import requests
from sqlalchemy import select, update

from course.db import LoginSession, SsoIdentity, User, utcnow
from tests.app.sso.conftest import DOMAIN, SLUG, sso_login


def test_an_account_without_a_password_is_deleted_after_a_fresh_sign_in(app, client, session, org, provider):
    """No password to ask for: a sign-in through the organisation in the last minutes is asked instead."""
    email = f"eva@{DOMAIN}"
    provider.sign_in_as("eva", email)
    sso_login(client)
    user_id = session.scalar(select(User.id).where(User.email == email))
    # Signed in an hour ago: not fresh enough, and the page offers to sign in again.
    session.execute(update(LoginSession).where(LoginSession.user_id == user_id)
                    .values(created_at=utcnow() - timedelta(hours=1)))
    session.commit()
    page = client.get("/account/verwijderen").get_data(as_text=True)
    assert 'name="password"' not in page
    assert f"/sso/{SLUG}/login?opnieuw=1" in page
    refused = client.post("/account/verwijderen", data={"confirm": "y"})
    assert "Log voor de zekerheid eerst opnieuw in via je organisatie" in refused.get_data(as_text=True)
    assert session.get(User, user_id) is not None

    # Signing in again while logged in goes to the provider, asking it to sign the person in anew.
    again = client.get(f"/sso/{SLUG}/login?opnieuw=1&next=/account/verwijderen")
    assert again.status_code == 302 and again.headers["Location"].startswith(provider.issuer)
    back = requests.get(again.headers["Location"], allow_redirects=False, timeout=10).headers["Location"]
    assert provider.requests[-1]["prompt"] == "login"
    response = client.get(back.removeprefix("http://localhost"))
    assert response.headers["Location"] == "/account/verwijderen"
    assert 'name="password"' not in client.get("/account/verwijderen").get_data(as_text=True)

    deleted = client.post("/account/verwijderen", data={"confirm": "y"})
    assert deleted.status_code == 302
    session.expire_all()
    assert session.get(User, user_id) is None
    assert session.scalar(select(SsoIdentity).where(SsoIdentity.user_id == user_id)) is None


def test_an_account_with_a_password_still_needs_it(app, session, org, provider):
    """A linked account that has a password keeps deletion behind that password."""
    from tests.app.org.conftest import logged_in
    member = org.members[0]
    client = logged_in(app, session, member)
    assert 'name="password"' in client.get("/account/verwijderen").get_data(as_text=True)
    response = client.post("/account/verwijderen", data={"confirm": "y", "password": "fout-wachtwoord-123"})
    assert "Dit wachtwoord klopt niet" in response.get_data(as_text=True)
    assert session.get(User, member.id) is not None


def test_the_account_page_says_how_an_account_without_a_password_signs_in(app, client, session, org, provider):
    """No forms that ask for a password the person never had: the page says the organisation handles it."""
    provider.sign_in_as("fleur", f"fleur@{DOMAIN}")
    sso_login(client)

    page = client.get("/account").get_data(as_text=True)

    assert "gekoppeld aan het account van je werk bij Jeugdzorg Noord" in page
    assert "current_password" not in page and "Dat adres komt van je organisatie" in page
    assert "Vraag er een aan via ‘Wachtwoord vergeten’" in page


def test_the_account_page_of_a_linked_account_with_a_password_keeps_its_forms(app, session, org, provider):
    """A linked account that has a password can still change it (SSO is optional here)."""
    from tests.app.org.conftest import logged_in
    member = org.members[0]
    session.add(SsoIdentity(user_id=member.id, issuer=provider.issuer, subject="lid-0"))
    session.commit()
    page = logged_in(app, session, member).get("/account").get_data(as_text=True)
    assert "gekoppeld aan het account van je werk bij Jeugdzorg Noord" in page
    assert "current_password" in page
