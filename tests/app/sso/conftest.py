"""Fixtures for single sign-on: a real OpenID Connect provider on a local port (tests/app/sso/provider.py),
an organisation whose people sign in through it, and a helper that walks a browser through the whole flow."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from cryptography.fernet import Fernet
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from course.catalog import Catalog
from course.services import sso
from tests.app.org.conftest import Org, make_org
from tests.app.sso.provider import Provider, Running
from tests.conftest import make_app

CLIENT_ID = "leerlijn-test"
CLIENT_SECRET = "geheim-van-de-test-0123456789"
SLUG = "jeugdzorg-noord"
DOMAIN = "jeugdzorg-noord.example.org"
OTHER_SLUG = "ggz-zuid"
OTHER_DOMAIN = "ggz-zuid.example.org"


@pytest.fixture(scope="session")
def running_provider() -> Iterator[Provider]:
    running = Running(Provider())
    yield running.provider
    running.stop()


@pytest.fixture
def provider(running_provider: Provider, monkeypatch: pytest.MonkeyPatch) -> Provider:
    """The provider, as good as new, with Leerlijn registered as a client (secret in the environment)."""
    running_provider.reset()
    running_provider.register(CLIENT_ID, CLIENT_SECRET, f"http://localhost/sso/{SLUG}/callback")
    monkeypatch.setenv(sso.secret_variable(SLUG), CLIENT_SECRET)
    return running_provider


@pytest.fixture
def app(connection: Connection, valid_catalog: Catalog, tmp_path: Path) -> Flask:
    # The provider speaks http on 127.0.0.1; a real one is https on the internet (the defaults refuse both).
    return make_app(connection, valid_catalog, tmp_path, SSO_ALLOW_HTTP=True, SSO_ALLOW_PRIVATE_HOSTS=True,
                    SSO_KEY=Fernet.generate_key().decode())


def configure(app: Flask, session: Session, slug: str, issuer: str, domains: list[str], **options) -> sso.Settings:
    """Set up an organisation's single sign-on as the operator would on the command line."""
    return sso.configure(session, None, slug, environ=os.environ, key=app.config["SSO_KEY"], allow_http=True,
                         issuer=issuer, client_id=CLIENT_ID, domains=domains, **options)


@pytest.fixture
def org(app: Flask, session: Session, provider: Provider) -> Org:
    """Jeugdzorg Noord (admin, team lead, members with passwords), signing in through the provider."""
    org = make_org(session, SLUG, "Jeugdzorg Noord")
    configure(app, session, SLUG, provider.issuer, [DOMAIN])
    return org


def sso_login(client: FlaskClient, slug: str = SLUG, next_url: str | None = None):
    """Log in through the organisation as a browser would: to Leerlijn, on to the provider, and back.

    Returns Leerlijn's answer to the provider's redirect (or to the first step, when that did not go to the
    provider).
    """
    response = client.get(f"/sso/{slug}/login" + (f"?next={next_url}" if next_url else ""))
    if response.status_code != 302 or not response.headers["Location"].startswith("http://127.0.0.1"):
        return response
    at_provider = requests.get(response.headers["Location"], allow_redirects=False, timeout=10)
    assert at_provider.status_code == 302, at_provider.text
    back = urlsplit(at_provider.headers["Location"])
    assert back.netloc == "localhost", at_provider.headers["Location"]
    return client.get(f"{back.path}?{back.query}")


def page_after(client: FlaskClient, response) -> str:
    """The page a redirect leads to (the login page with its message, or where the person went)."""
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client.get(response.headers["Location"]).get_data(as_text=True)
