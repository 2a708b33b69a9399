"""Forms of the casus area. Step answers are parsed by course.casus (their fields depend on the step)."""

from __future__ import annotations

from app.forms import Form


class StartRunForm(Form):
    """Start or resume a run, or restart the casus: just the CSRF token."""
