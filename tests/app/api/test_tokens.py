"""API tokens on the organisation page: made by its admin, shown once, stored hashed, revoked at once."""

from __future__ import annotations

import hashlib
import re

from sqlalchemy import select

from course.db import ApiToken, EventKind, SecurityEvent
from tests.app.org.conftest import logged_in
from tests.conftest import csrf_token

NEW_TOKEN = re.compile(r'id="new-token" type="text" readonly value="(llapi_[A-Za-z0-9_-]+)"')


def test_an_admin_makes_a_token_sees_it_once_and_it_is_stored_hashed(admin, session, org, call):
    """The token is on the page that answers the form, never again; the database holds only its hash."""
    page = admin.get(f"/organisatie/{org.slug}/api-sleutels")
    assert page.status_code == 200 and "Er zijn nog geen sleutels." in page.get_data(as_text=True)
    response = admin.post(f"/organisatie/{org.slug}/api-sleutels",
                          data={"csrf_token": csrf_token(page.get_data(as_text=True)), "name": "AFAS koppeling",
                                "scopes": ["read:members"]})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Kopieer de sleutel nu" in html
    secret = NEW_TOKEN.search(html).group(1)
    [token] = session.scalars(select(ApiToken)).all()
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest() and secret not in token.token_hash
    assert token.scopes == ["read:members"] and token.name == "AFAS koppeling"
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
