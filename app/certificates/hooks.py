"""Issuing certificates right after the step that earned them (a module's last page, a quiz, a casus)."""

from __future__ import annotations

from flask import flash
from flask_babel import gettext as _
from flask_login import current_user

from app.content import catalog
from app.db import db_session
from course.db import Certificate
from course.services.assignment_certificates import issue_for_assignments
from course.services.certificates import issue_if_earned


def issue_certificates() -> tuple[Certificate | None, list[Certificate]]:
    """Issue (or renew) the learner's course certificate and those of assignments they completed, if due:
    the new course certificate (or None) and the new assignment certificates."""
    return (issue_if_earned(db_session, catalog(), current_user.id),
            issue_for_assignments(db_session, catalog(), current_user.id))


def flash_issued(course: Certificate | None, assigned: list[Certificate], where: bool) -> None:
    """Tell the learner which certificates are ready (``where``: and that Mijn certificaten has them)."""
    if course is not None:
        flash(_("Gefeliciteerd: je certificaat staat klaar onder Mijn certificaten.") if where
              else _("Gefeliciteerd: je certificaat staat klaar."), "success")
    for certificate in assigned:
        flash(_("Gefeliciteerd: je certificaat voor de opdracht ‘%(title)s’ staat klaar onder Mijn certificaten.",
                title=certificate.assignment_title) if where
              else _("Gefeliciteerd: je certificaat voor de opdracht ‘%(title)s’ staat klaar.",
                     title=certificate.assignment_title), "success")


def issue_after_step() -> None:
    """Issue the learner's certificates this step earned, and tell them where to find them."""
    flash_issued(*issue_certificates(), where=True)
