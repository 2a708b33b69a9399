"""Two-step verification: TOTP codes from an authenticator app (RFC 6238, via pyotp) and recovery codes.

Required for site administrators and organisation administrators, optional for everyone else.
"""

from __future__ import annotations

import hashlib
import secrets
import time

import pyotp
from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from course.db import Membership, Role, User, utcnow
from course.errors import N_, DomainError

ISSUER = "Leerlijn"
RECOVERY_CODES = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read from paper without doubt


def start_setup(session: Session, user_id: int) -> str:
    """The secret to show while the user sets up their app: kept (not yet active) until ``enable``; commit.

    Returns the pending secret (the same one on a reload, so a scanned QR code stays valid).
    """
    user = session.get(User, user_id)
    if user is None or user.two_factor_enabled:
        raise DomainError(N_("Tweestapsverificatie staat al aan."))
    if not user.totp_secret:
        user.totp_secret = pyotp.random_base32()
        session.commit()
    return user.totp_secret


def provisioning_uri(secret: str, email: str) -> str:
    """The otpauth:// link an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def requires_two_factor(session: Session, user: User) -> bool:
    """Whether the user must use two-step verification: site administrators and organisation administrators."""
    if user.role == Role.SITE_ADMIN:
        return True
    return bool(session.scalar(select(exists().where(Membership.user_id == user.id,
                                                     Membership.role == Role.ORG_ADMIN,
                                                     Membership.deactivated_at.is_(None)))))


def _matching_step(secret: str, code: str, now: float) -> int | None:
    """The time step whose code is ``code`` (this one, or one step either side for clock drift), or None."""
    code = "".join(code.split())
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    for offset in (0, -1, 1):
        if secrets.compare_digest(totp.at(now, counter_offset=offset), code):
            return totp.timecode(now) + offset
    return None


def _hash(code: str) -> str:
    return hashlib.sha256("".join(code.lower().split()).replace("-", "").encode()).hexdigest()


def _new_recovery_codes() -> list[str]:
    return ["".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(4)) + "-" +
            "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(4)) + "-" +
            "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(4)) for _ in range(RECOVERY_CODES)]


def enable(session: Session, user_id: int, code: str, *, now: float | None = None) -> list[str]:
    """Turn two-step verification on with the pending secret once ``code`` proves the app has it; commit.

    Returns the new recovery codes (shown once; only their hashes are kept). Raises DomainError (field
    'code') for a wrong code.
    """
    user = session.get(User, user_id)
    step = _matching_step(user.totp_secret, code, now or time.time()) if user and user.totp_secret else None
    if user is None or step is None:
        raise DomainError(N_("Deze code klopt niet. Kijk of de tijd op je telefoon goed staat en probeer de "
                             "nieuwste code."), field="code")
    codes = _new_recovery_codes()
    user.totp_enabled_at, user.totp_last_step = utcnow(), step
    user.recovery_code_hashes = [_hash(c) for c in codes]
    session.commit()
    return codes


def verify(session: Session, user_id: int, code: str, *, now: float | None = None) -> str | None:
    """Check a code at login: a current TOTP code (each accepted once) or an unused recovery code; commit.

    Returns "totp" or "recovery" for a good code (a recovery code is used up), None for a wrong one.
    """
    user = session.get(User, user_id)
    if user is None or not user.two_factor_enabled or not user.totp_secret:
        return None
    step = _matching_step(user.totp_secret, code, now or time.time())
    if step is not None and (user.totp_last_step is None or step > user.totp_last_step):
        user.totp_last_step = step
        session.commit()
        return "totp"
    hashed = _hash(code)
    if any(secrets.compare_digest(hashed, h) for h in user.recovery_code_hashes):
        user.recovery_code_hashes = [h for h in user.recovery_code_hashes if h != hashed]
        session.commit()
        return "recovery"
    return None


def new_recovery_codes(session: Session, user_id: int) -> list[str]:
    """Replace the user's recovery codes by ten new ones (the old ones stop working); commit. Returns them."""
    user = session.get(User, user_id)
    if user is None or not user.two_factor_enabled:
        raise DomainError(N_("Tweestapsverificatie staat niet aan."))
    codes = _new_recovery_codes()
    user.recovery_code_hashes = [_hash(c) for c in codes]
    session.commit()
    return codes


def disable(session: Session, user_id: int, code: str, *, now: float | None = None) -> None:
    """Turn two-step verification off after a good code; commit.

    Raises DomainError when a role requires it, or (field 'code') for a wrong code.
    """
    user = session.get(User, user_id)
    if user is None or not user.two_factor_enabled:
        return
    if requires_two_factor(session, user):
        raise DomainError(N_("Als beheerder moet je tweestapsverificatie gebruiken; uitzetten kan niet."))
    if verify(session, user_id, code, now=now) is None:
        raise DomainError(N_("Deze code klopt niet."), field="code")
    user.totp_secret = user.totp_enabled_at = user.totp_last_step = None
    user.recovery_code_hashes = []
    session.commit()
