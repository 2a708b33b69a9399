"""Certificates: a learner's own (page and PDF), their register numbers, and the public verification page."""

from flask import Blueprint

bp = Blueprint("certificates", __name__, template_folder="templates")

from app.certificates import views  # noqa: E402,F401
