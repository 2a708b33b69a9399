"""The JSON API (a later issue): the seam where it plugs in."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api")
