"""Job aids: printable cards (HTML with print styles, and PDF) for use after the course."""

from flask import Blueprint

bp = Blueprint("jobaids", __name__, url_prefix="/hulpmiddelen", template_folder="templates")

from app.jobaids import views  # noqa: E402,F401
