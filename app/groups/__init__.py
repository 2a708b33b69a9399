"""A learner's groups: join a trainer's group, choose whether to share reflections, leave."""

from flask import Blueprint

bp = Blueprint("groups", __name__, url_prefix="/groepen", template_folder="templates")

from app.groups import views  # noqa: E402,F401  (routes register on bp)
