"""Signing in through an organisation's own identity provider (OpenID Connect): course/oidc.py does the
protocol, course/services/sso.py decides who the person is; these views carry the browser between them."""

from flask import Blueprint

bp = Blueprint("sso", __name__, template_folder="templates")

from app.sso import views  # noqa: E402,F401  (routes register on bp)
