"""Recording security events from a request: who (the account and, for admins' actions, the actor) and from where."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_login import current_user

from app.db import db_session
from course.db import EventKind
from course.services.audit import record_event


def security_event(kind: EventKind, *, user_id: int | None = None, commit: bool = True, with_address: bool = True,
                   **detail: Any) -> None:
    """Log ``kind`` about ``user_id`` (default: the logged-in user) from this request's address.

    When someone logged in acts on another account, they are recorded as the actor. Commits unless told not
    to, so call it where the request has no half-done work of its own. ``with_address=False`` leaves out the
    client's address (an erased account's last event must not point back to the person).
    """
    acting = current_user.id if current_user and current_user.is_authenticated else None
    if user_id is None:
        user_id = acting
    record_event(db_session, kind, user_id=user_id, actor_id=acting if acting != user_id else None,
                 ip=request.remote_addr if with_address else None, commit=commit, **detail)
