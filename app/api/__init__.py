"""The versioned JSON API for an organisation's own systems (HR): token authentication, no cookies, so no
CSRF; every answer JSON, errors too."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from app.api import views  # noqa: E402,F401  (routes register on bp)
