"""Self-paced learning: the course overview, modules and their pages, the dashboard."""

from flask import Blueprint

bp = Blueprint("learn", __name__, template_folder="templates")

from app.learn import views  # noqa: E402,F401
