"""Forms of the quiz area. Answers themselves are parsed by course.quiz (their fields depend on the quiz)."""

from __future__ import annotations

from wtforms import HiddenField

from app.forms import Form


class StartAttemptForm(Form):
    """Start (or resume) an attempt: just the CSRF token."""


class EmbeddedQuestionForm(Form):
    """Check one question embedded in a module page; ``next`` is the page to return to."""

    next = HiddenField()
