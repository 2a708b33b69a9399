"""Accounts: registration, login, logout, language choice."""

from __future__ import annotations

from flask import Blueprint, Flask
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager

from app.db import db_session
from course.db import User

bp = Blueprint("auth", __name__, template_folder="templates")
login_manager = LoginManager()


def init_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Log in om verder te gaan.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit():
        return None
    user = db_session.get(User, int(user_id))
    if user is None or str(user.session_version) != version:
        return None
    return user


from app.auth import views  # noqa: E402,F401  (routes register on bp)
