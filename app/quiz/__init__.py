"""Quizzes: knowledge checks with attempts, feedback and review."""

from flask import Blueprint

bp = Blueprint("quiz", __name__, url_prefix="/quiz", template_folder="templates")

from app.quiz import views  # noqa: E402,F401  (routes register on bp)
