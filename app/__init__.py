"""Leerlijn's web layer. ``create_app`` builds the app; nothing happens at import time."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from dotenv import load_dotenv
from flask import Flask
from flask_wtf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from app import content, db, errors, i18n, limits, security, sessions
from app.config import from_environment
from app.fragments import BoundedStore

csrf = CSRFProtect()


class Leerlijn(Flask):
    """Flask, with its answer to "is this view or hook a coroutine function?" kept per function.

    Flask asks for every hook and view on every request (``ensure_sync``, the documented place to change how
    it runs them): some ten inspections of a function's code flags a page, about 2 % of a logged-in page's
    time. A function's answer never changes; async functions are still handed to ``async_to_sync``.
    """

    _SYNC_LIMIT = 4096  # hooks and views are a few hundred; a growing number would be functions made per call

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._sync_of = BoundedStore(self._SYNC_LIMIT)

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        sync = self._sync_of.get(func)
        return self._sync_of.keep(func, super().ensure_sync(func)) if sync is None else sync


BLUEPRINTS = ("auth", "learn", "quiz", "casus", "jobaids", "privacy", "trainer", "live", "groups", "org", "admin",
              "api", "certificates", "sso")


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app. ``config`` overrides the environment (tests pass theirs here).

    Raises ConfigError for an unusable environment and ContentErrors when the course content is invalid.
    """
    load_dotenv()
    app = Leerlijn(__name__, instance_relative_config=True)
    app.config.update(from_environment(Path(app.instance_path)))
    if config:
        app.config.update(config)
    if app.config["PROXY_FIX"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]

    content.init_app(app)
    db.init_app(app)
    sessions.init_app(app)
    csrf.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    limits.init_app(app)

    from app import auth, cli, fragments, skeletons, templating
    auth.init_login(app)
    templating.init_app(app)
    fragments.init_app(app)
    skeletons.init_app(app)
    cli.init_app(app)
    for name in BLUEPRINTS:
        module = __import__(f"app.{name}", fromlist=["bp"])
        app.register_blueprint(module.bp)
    from app.api import bp as api_bp
    csrf.exempt(api_bp)  # token authentication, no cookies: nothing for a forged request to ride on
    return app
