"""Participants of a live session: join with the code on the screen (with or without an account) and
answer on a phone."""

from flask import Blueprint

bp = Blueprint("live", __name__, url_prefix="/live", template_folder="templates")

from app.live import views  # noqa: E402,F401  (routes register on bp)
