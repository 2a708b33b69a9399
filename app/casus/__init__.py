"""Casussen: interactive case exercises."""

from flask import Blueprint

bp = Blueprint("casus", __name__, url_prefix="/casus", template_folder="templates")
