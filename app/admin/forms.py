"""Forms of the administration area."""

from __future__ import annotations

from app.forms import Form


class AccountStateForm(Form):
    """Disable or enable an account: just the CSRF token (the account is in the URL)."""
