"""Organisations: their admins and team leads manage members and teams; members see their organisations."""

from flask import Blueprint

bp = Blueprint("org", __name__, url_prefix="/organisatie", template_folder="templates")

from app.org import sso_views, views  # noqa: E402,F401  (routes register on bp)
