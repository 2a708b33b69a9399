"""The app's way to an organisation's provider: its settings and its (kept) discovery document. Apart from the
views so that logging out (app.auth) can use it without importing the sign-in views, which import app.auth."""

from __future__ import annotations

import os

from flask import current_app

from app.db import db_session
from course import oidc
from course.services import sso


def settings_for(slug: str) -> sso.Settings:
    return sso.settings_for_slug(db_session, slug, environ=os.environ, key=current_app.config["SSO_KEY"])


def provider_cache() -> oidc.ProviderCache:
    """The app's discovery documents and key sets (one per app, so each worker keeps its own)."""
    cache = current_app.extensions.get("leerlijn.oidc_cache")
    if cache is None:
        cache = current_app.extensions["leerlijn.oidc_cache"] = oidc.ProviderCache()
    return cache


def provider_of(settings: sso.Settings) -> oidc.Provider:
    return oidc.discover(settings.config.issuer, allow_http=current_app.config["SSO_ALLOW_HTTP"],
                         allow_private=current_app.config["SSO_ALLOW_PRIVATE_HOSTS"], cache=provider_cache())
