"""Privacy: the privacy statement, "download my data", "delete my account", and the retention purge."""

from flask import Blueprint

bp = Blueprint("privacy", __name__, template_folder="templates", cli_group="privacy")

from app.privacy import cli, views  # noqa: E402,F401  (routes and commands register on bp)
