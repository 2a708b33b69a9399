"""Accounts: registering, signing in and creating users from the command line."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from course.db import Role, User
from course.errors import DomainError

MIN_PASSWORD_LENGTH = 10
# scrypt (werkzeug's default KDF); a hash of a random password, used when the email is unknown so that
# a failed login takes as long whether or not the account exists.
_PASSWORD_METHOD = "scrypt"  # noqa: S105 - the name of the KDF, not a password
_DUMMY_HASH = generate_password_hash("not-a-real-password-7b1f", method=_PASSWORD_METHOD)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _check_password_policy(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(f"Kies een wachtwoord van minstens {MIN_PASSWORD_LENGTH} tekens.", field="password")


def create_user(session: Session, *, email: str, name: str, password: str, role: Role = Role.LEARNER) -> User:
    """Create and commit a user. Raises DomainError (field 'email') if the email is taken."""
    _check_password_policy(password)
    email = normalise_email(email)
    if session.scalar(select(func.count()).select_from(User).where(User.email == email)):
        raise DomainError("Er bestaat al een account met dit e-mailadres.", field="email")
    user = User(email=email, name=name.strip(), role=role,
                password_hash=generate_password_hash(password, method=_PASSWORD_METHOD))
    session.add(user)
    try:
        session.commit()
    except IntegrityError as exc:  # a concurrent registration with the same email won the race
        session.rollback()
        raise DomainError("Er bestaat al een account met dit e-mailadres.", field="email") from exc
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The user with this email and password, or None; never says which of the two was wrong."""
    user = session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


def set_locale(session: Session, user_id: int, locale: str | None) -> None:
    """Remember the user's UI language (None: follow the browser)."""
    user = session.get(User, user_id)
    if user is not None:
        user.locale = locale
        session.commit()


def list_users(session: Session) -> list[User]:
    """Every user, newest first."""
    return list(session.scalars(select(User).order_by(User.created_at.desc(), User.id.desc())))
