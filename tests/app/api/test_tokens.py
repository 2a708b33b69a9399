"""API tokens on the organisation page: made by its admin, shown once, stored hashed, revoked at once."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from course.db import ApiToken, EventKind, SecurityEvent, utcnow
from course.errors import DomainError
from course.services import api_tokens
from tests.app.org.conftest import logged_in
from tests.conftest import csrf_token

NEW_TOKEN = re.compile(r'id="new-token" class="token-field" type="text" readonly value="(llapi_[A-Za-z0-9_-]+)"')


def test_an_admin_makes_a_token_sees_it_once_and_it_is_stored_hashed(admin, session, org, call):
    """The token is on the page that answers the form, never again; the database holds only its hash."""
    page = admin.get(f"/organisatie/{org.slug}/api-sleutels")
    assert page.status_code == 200 and "Er zijn nog geen sleutels." in page.get_data(as_text=True)
    response = admin.post(f"/organisatie/{org.slug}/api-sleutels",
                          data={"csrf_token": csrf_token(page.get_data(as_text=True)), "name": "AFAS koppeling",
                                "scopes": ["read:members"], "valid_days": "90"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Kopieer de sleutel nu" in html
    secret = NEW_TOKEN.search(html).group(1)
    [token] = session.scalars(select(ApiToken)).all()
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest() and secret not in token.token_hash
    assert token.scopes == ["read:members"] and token.name == "AFAS koppeling"
    assert token.expires_at - token.created_at == timedelta(days=90)
    again = admin.get(f"/organisatie/{org.slug}/api-sleutels").get_data(as_text=True)
    assert secret not in again and "AFAS koppeling" in again and secret[:12] in again
    assert call("/api/v1/members", secret).status_code == 200
    event = session.scalars(select(SecurityEvent).where(SecurityEvent.kind == EventKind.ADMIN_ACTION)
                            .order_by(SecurityEvent.id.desc())).first()
    assert event.actor_id == org.admin.id and event.detail["action"] == "org.api_token.create"
    assert secret not in str(event.detail)


def test_a_token_without_a_name_or_scope_is_refused_with_the_form_again(admin, session, org):
    page = admin.get(f"/organisatie/{org.slug}/api-sleutels")
    response = admin.post(f"/organisatie/{org.slug}/api-sleutels",
                          data={"csrf_token": csrf_token(page.get_data(as_text=True)), "name": " "})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "Geef de sleutel een naam" in html and "Kies wat de sleutel mag" in html
    assert session.scalars(select(ApiToken)).all() == []


def test_a_revoked_token_answers_401_at_once_and_the_page_says_so(admin, session, org, token, call):
    assert call("/api/v1/members", token).status_code == 200
    page = admin.get(f"/organisatie/{org.slug}/api-sleutels").get_data(as_text=True)
    token_id = session.scalars(select(ApiToken.id)).one()
    response = admin.post(f"/organisatie/{org.slug}/api-sleutels/intrekken",
                          data={"csrf_token": csrf_token(page), "token_id": token_id}, follow_redirects=True)
    assert "is ingetrokken" in response.get_data(as_text=True) and "ingetrokken op" in response.get_data(as_text=True)
    refused = call("/api/v1/members", token)
    assert refused.status_code == 401 and refused.get_json()["error"]["status"] == 401


def test_another_organisations_admin_cannot_see_or_revoke_a_token(app, session, org, other_org, token, call):
    stranger = logged_in(app, session, other_org.admin)
    assert stranger.get(f"/organisatie/{org.slug}/api-sleutels").status_code == 404
    page = stranger.get(f"/organisatie/{other_org.slug}/api-sleutels").get_data(as_text=True)
    token_id = session.scalars(select(ApiToken.id)).one()
    response = stranger.post(f"/organisatie/{other_org.slug}/api-sleutels/intrekken",
                             data={"csrf_token": csrf_token(page), "token_id": token_id})
    assert response.status_code == 404
    assert call("/api/v1/members", token).status_code == 200


def test_a_team_lead_has_no_token_page(app, session, org):
    lead = logged_in(app, session, org.lead)
    assert lead.get(f"/organisatie/{org.slug}/api-sleutels").status_code == 404


def test_the_form_offers_validities_with_half_a_year_chosen_and_refuses_others(admin, session, org):
    """A browser posts the checked validity; a forged one is refused with the form again, nothing made."""
    page = admin.get(f"/organisatie/{org.slug}/api-sleutels").get_data(as_text=True)
    assert [m for m in re.findall(r"<input[^>]*valid_days[^>]*>", page) if "checked" in m] == [
        '<input checked id="valid_days-2" name="valid_days" required type="radio" value="180">']
    assert "1 jaar" in page and "30 dagen" in page
    response = admin.post(f"/organisatie/{org.slug}/api-sleutels",
                          data={"csrf_token": csrf_token(page), "name": "Voor altijd", "scopes": ["read:members"],
                                "valid_days": "36500"})
    assert response.status_code == 422
    assert 'error-message">Kies hoe lang de sleutel geldig is.' in response.get_data(as_text=True)
    assert session.scalars(select(ApiToken)).all() == []


def test_an_expired_token_answers_401_saying_so_and_its_use_is_recorded(admin, session, org, token, call):
    """The integration's owner reads why; the admin sees the token expired and that a system still tries it."""
    stored = session.scalars(select(ApiToken)).one()
    assert call("/api/v1/members", token).status_code == 200
    stored.expires_at = utcnow() - timedelta(minutes=1)
    session.commit()

    refused = call("/api/v1/members", token)

    assert refused.status_code == 401
    assert "expired on" in refused.get_json()["error"]["message"]
    assert 'error="invalid_token"' in refused.headers["WWW-Authenticate"]
    assert [u.status for u in api_tokens.uses(session, stored.id)] == [401, 200]
    page = admin.get(f"/organisatie/{org.slug}/api-sleutels").get_data(as_text=True)
    assert "verlopen" in page and "Intrekken</button>" not in page.replace("Intrekken<span", "")


def test_the_page_warns_a_month_before_a_token_ends(admin, session, org, token):
    stored = session.scalars(select(ApiToken)).one()
    page = admin.get(f"/organisatie/{org.slug}/api-sleutels").get_data(as_text=True)
    assert "verloopt binnenkort" not in page
    stored.expires_at = utcnow() + timedelta(days=29)
    session.commit()
    assert "verloopt binnenkort" in admin.get(f"/organisatie/{org.slug}/api-sleutels").get_data(as_text=True)


def test_expired_tokens_do_not_count_against_the_limit(session, org):
    """An organisation whose twenty tokens all ended can make a new one."""
    for n in range(api_tokens.MAX_TOKENS):
        api_tokens.create_token(session, org.admin.id, org.slug, name=f"Oud {n}", scopes=["read:members"])
    with pytest.raises(DomainError):
        api_tokens.create_token(session, org.admin.id, org.slug, name="Eén te veel", scopes=["read:members"])
    later = utcnow() + timedelta(days=api_tokens.DEFAULT_VALID_DAYS, seconds=1)
    made = api_tokens.create_token(session, org.admin.id, org.slug, name="Nieuw", scopes=["read:members"], now=later)
    assert made.token.expires_at == later + timedelta(days=api_tokens.DEFAULT_VALID_DAYS)
    assert api_tokens.tokens(session, api_tokens.token_access(session, made.token), now=later)[0].name == "Nieuw"


def test_the_purge_forgets_api_requests_older_than_the_log_period_and_keeps_last_used(app, session, org, token,
                                                                                        call):
    """A year of requests is kept; older ones go, newer ones and the token's 'last used' stay."""
    stored = session.scalars(select(ApiToken)).one()
    for _ in range(3):
        call("/api/v1/members", token)
    old, *recent = api_tokens.uses(session, stored.id)[::-1]
    old.at = utcnow() - timedelta(days=app.config["API_LOG_DAYS"] + 1)
    session.commit()

    result = app.test_cli_runner().invoke(args=["privacy", "purge", "--inactive-days", "3650"])

    assert result.exit_code == 0, result.output
    assert "Forgot 1 API request(s) older than 365 days." in result.output
    session.expire_all()
    assert [u.id for u in api_tokens.uses(session, stored.id)] == [u.id for u in recent][::-1]
    assert session.get(ApiToken, stored.id).last_used_at is not None
    with pytest.raises(DomainError):
        api_tokens.forget_uses(session, 0)
