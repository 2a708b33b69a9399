"""Issuing a certificate right after the step that earned it (a module's last page, a quiz, a casus)."""

from __future__ import annotations

from flask import flash
from flask_babel import gettext as _
from flask_login import current_user

from app.content import catalog
from app.db import db_session
from course.services.certificates import issue_if_earned


def issue_after_step() -> None:
    """Issue (or renew) the learner's certificate if this step earned it, and tell them where to find it."""
    if issue_if_earned(db_session, catalog(), current_user.id) is not None:
        flash(_("Gefeliciteerd: je certificaat staat klaar onder Mijn certificaten."), "success")
