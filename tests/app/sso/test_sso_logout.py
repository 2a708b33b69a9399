"""Logging out after signing in through the organisation logs out at its provider too (RP-initiated
logout): otherwise the next person at a shared computer would be signed straight back in as the last one."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import requests

from course.services import two_factor
from tests.app.org.conftest import PASSWORD
from tests.app.sso.conftest import CLIENT_ID, DOMAIN, SLUG, page_after, sso_login
from tests.app.sso.test_sso_flow import logged_in_as


def log_out(client) -> object:
    return client.post("/uitloggen")  # the test app checks no CSRF tokens


def refresh_target(html: str) -> str:
    match = re.search(r'<meta http-equiv="refresh" content="0; url=([^"]+)">', html)
    assert match, html[:2000]
    return unescape(match[1])


def test_logging_out_goes_on_to_the_provider_and_back_to_the_login_page(app, client, org, provider):
    provider.sign_in_as("medewerker-1", f"pieter@{DOMAIN}")
    sso_login(client)
    assert logged_in_as(client) is not None

    response = log_out(client)

    assert response.status_code == 302 and response.headers["Location"] == f"/sso/{SLUG}/uitloggen"
    assert logged_in_as(client) is None  # out of Leerlijn already, whatever the provider does
    page = client.get(f"/sso/{SLUG}/uitloggen").get_data(as_text=True)
    assert "Je bent uitgelogd bij Leerlijn" in page and "Uitloggen bij Jeugdzorg Noord" in page
    target = refresh_target(page)
    assert f'href="{target}"'.replace("&", "&amp;") in page  # the same place as a link, without a refresh
    parts = urlsplit(target)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == provider.issuer + "/logout"
    assert parse_qs(parts.query) == {"client_id": [CLIENT_ID], "post_logout_redirect_uri": ["http://localhost/inloggen"]}
    back = requests.get(target, allow_redirects=False, timeout=10)
    assert back.headers["Location"] == "http://localhost/inloggen" and provider.person == {}
    assert len(provider.logouts) == 1
    assert "Je bent uitgelogd." in client.get("/inloggen").get_data(as_text=True)
    assert client.get(f"/sso/{SLUG}/uitloggen").headers["Location"] == "/inloggen"  # once only


def test_a_password_login_logs_out_at_leerlijn_only(app, client, session, org, provider):
    client.post("/inloggen", data={"email": org.members[0].email, "password": PASSWORD})
    assert logged_in_as(client) is not None
    assert log_out(client).headers["Location"] == "/inloggen"
    assert client.get(f"/sso/{SLUG}/uitloggen").headers["Location"] == "/inloggen"
    assert provider.logouts == []


def test_a_provider_without_logout_gets_a_word_of_advice_instead(app, client, org, provider):
    provider.misbehave["no_logout"] = True
    provider.sign_in_as("medewerker-1", f"pieter@{DOMAIN}")
    sso_login(client)
    response = client.get(log_out(client).headers["Location"])
    assert "Log dan ook uit bij je organisatie" in page_after(client, response)
    assert logged_in_as(client) is None


def test_a_provider_that_is_down_at_logout_still_leaves_the_learner_logged_out(app, client, org, provider):
    provider.sign_in_as("medewerker-1", f"pieter@{DOMAIN}")
    sso_login(client)
    app.extensions.pop("leerlijn.oidc_cache", None)  # nothing kept: discovery is asked again
    provider.misbehave["discovery_status"] = 502
    response = client.get(log_out(client).headers["Location"])
    assert "Log dan ook uit bij je organisatie" in page_after(client, response)
    assert logged_in_as(client) is None


def test_after_the_second_step_logging_out_goes_to_the_provider_too(app, client, session, org, provider):
    provider.sign_in_as("beheerder", org.admin.email)
    sso_login(client)
    code = two_factor.new_recovery_codes(session, org.admin.id)[0]
    client.post("/inloggen/code", data={"code": code})
    assert logged_in_as(client) is not None
    assert log_out(client).headers["Location"] == f"/sso/{SLUG}/uitloggen"


def test_the_page_cannot_be_sent_to_someone_to_log_them_out_elsewhere(app, client, org, provider):
    """Without this browser's own logout just before, the page is the login page: no link of another site
    sends anyone to their provider's logout through Leerlijn."""
    assert client.get(f"/sso/{SLUG}/uitloggen").headers["Location"] == "/inloggen"
    provider.sign_in_as("medewerker-1", f"pieter@{DOMAIN}")
    sso_login(client)
    log_out(client)
    assert client.get("/sso/ggz-zuid/uitloggen").headers["Location"] == "/inloggen"
    assert provider.logouts == []
