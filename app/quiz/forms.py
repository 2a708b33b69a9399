"""Forms of the quiz area. Answers themselves are parsed by course.quiz (their fields depend on the quiz)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField


class StartAttemptForm(FlaskForm):
    """Start (or resume) an attempt: just the CSRF token."""


class EmbeddedQuestionForm(FlaskForm):
    """Check one question embedded in a module page; ``next`` is the page to return to."""

    next = HiddenField()
