"""Fixtures for the API tests: the organisation tests' two organisations, and a token for each."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from course.db import ApiScope
from course.services import api_tokens
from tests.app.org import conftest as org_fixtures
from tests.app.org.conftest import Org

# The organisation tests' fixtures, shared rather than copied.
admin, org, other_org = org_fixtures.admin, org_fixtures.org, org_fixtures.other_org

ALL_SCOPES = [s.value for s in ApiScope]


def new_token(session: Session, org: Org, scopes: list[str] | None = None, name: str = "HR-koppeling") -> str:
    return api_tokens.create_token(session, org.admin.id, org.slug, name=name,
                                   scopes=ALL_SCOPES if scopes is None else scopes).secret


@pytest.fixture
def token(session: Session, org: Org) -> str:
    return new_token(session, org)


@pytest.fixture
def call(client: FlaskClient) -> Callable[..., object]:
    """GET an API path with a token (or none)."""
    def get(path: str, token: str | None, **query: object):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return client.get(path, headers=headers, query_string=query)
    return get
