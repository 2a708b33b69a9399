"""Live group sessions run by a trainer (a later issue): the seam where they plug in."""

from flask import Blueprint

bp = Blueprint("trainer", __name__, url_prefix="/trainer", template_folder="templates")
