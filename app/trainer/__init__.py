"""The trainer's area: groups (cohorts) with their progress and decision heatmap, and live sessions with
a presenter view for the projector and a console for the trainer."""

from flask import Blueprint

bp = Blueprint("trainer", __name__, url_prefix="/trainer", template_folder="templates")

from app.trainer import views  # noqa: E402,F401  (routes register on bp)
