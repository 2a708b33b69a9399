"""Leerlijn's web layer. ``create_app`` builds the app; nothing happens at import time."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dotenv import load_dotenv
from flask import Flask
from flask_wtf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from app import content, db, errors, i18n, limits, security, sessions
from app.config import from_environment

csrf = CSRFProtect()

BLUEPRINTS = ("auth", "learn", "quiz", "casus", "jobaids", "privacy", "trainer", "live", "groups", "org", "admin",
              "api", "certificates", "sso")


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app. ``config`` overrides the environment (tests pass theirs here).

    Raises ConfigError for an unusable environment and ContentErrors when the course content is invalid.
    """
    load_dotenv()
    app = Flask(__name__, instance_relative_config=True)
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
