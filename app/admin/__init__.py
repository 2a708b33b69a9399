"""Site administration."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/beheer", template_folder="templates")

from app.admin import views  # noqa: E402,F401
