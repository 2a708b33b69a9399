"""Organisations: staff completion reports, deadlines and certificates (a later issue): the seam."""

from flask import Blueprint

bp = Blueprint("org", __name__, url_prefix="/organisatie", template_folder="templates")
