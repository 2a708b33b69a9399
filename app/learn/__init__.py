"""Self-paced learning: the course overview, modules and their pages, the dashboard."""

from flask import Blueprint

from app.learn.marks import read_mark_slot, read_marks

bp = Blueprint("learn", __name__, template_folder="templates")
bp.add_app_template_global(read_mark_slot)
bp.add_app_template_filter(read_marks)

from app.learn import holes, views  # noqa: E402,F401
