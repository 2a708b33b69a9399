"""Casussen: interactive case exercises."""

from flask import Blueprint

bp = Blueprint("casus", __name__, url_prefix="/casus", template_folder="templates")

from app.casus import views  # noqa: E402,F401  (routes register on bp)
