"""Accounts: registering, logging in and out, the logins of each device, and changing a password."""

from __future__ import annotations

import gzip
import hashlib
import secrets
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import (
    CompoundSelect,
    Exists,
    Select,
    bindparam,
    cast,
    delete,
    exists,
    func,
    null,
    select,
    union_all,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import BindParameter, ColumnElement
from sqlalchemy.sql.sqltypes import NullType
from sqlalchemy.sql.visitors import replacement_traverse
from werkzeug.security import check_password_hash, generate_password_hash

from course.db import EventKind, LoginSession, Membership, PageProgress, Role, User, utcnow
from course.db.prepared import PreparedStatement, loaded_instance
from course.errors import N_, DomainError, NotFound
from course.services.audit import record_event

MIN_PASSWORD_LENGTH = 12
# Django's list of 20,000 common passwords (BSD licence; from Royce Williams' list of leaked passwords).
COMMON_PASSWORDS = Path(__file__).resolve().parent.parent / "data" / "common-passwords.txt.gz"
# scrypt (werkzeug's default KDF); a hash of a random password, used when the email is unknown so that
# a failed login takes as long whether or not the account exists. Written out rather than made at import,
# which cost every process 0.1 s of CPU at start-up; a test keeps its cost parameters those of new hashes.
_PASSWORD_METHOD = "scrypt"  # noqa: S105 - the name of the KDF, not a password
_DUMMY_HASH = ("scrypt:32768:8:1$LB2FA7OSYWIVwtmm$b67c8e0e45311e6b98f395a52f51184e8d68af1091961ff658d63d03851277451"
               "d7c440289c5a079eb607ffb32d43345811bf0c278c1251a18883b7cf5be8256")
# A login's "last seen" is written at most this often, so that most requests write nothing.
SEEN_RESOLUTION = timedelta(minutes=1)


def normalise_email(email: str) -> str:
    return email.strip().lower()


@cache
def _common_passwords() -> frozenset[str]:
    with gzip.open(COMMON_PASSWORDS, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip().lower() for line in lines if line.strip())


def check_password_policy(password: str) -> None:
    """Return quietly for an acceptable new password; raise DomainError (field 'password') otherwise."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(N_("Kies een wachtwoord van minstens 12 tekens."), field="password")
    if password.lower() in _common_passwords():
        raise DomainError(N_("Dit wachtwoord staat op een lijst van veelgebruikte wachtwoorden. Kies een ander."),
                          field="password")


def _hash_password(password: str) -> str:
    return generate_password_hash(password, method=_PASSWORD_METHOD)


def create_user(session: Session, *, email: str, name: str, password: str, role: Role = Role.LEARNER,
                confirmed: bool = True) -> User:
    """Create and commit a user. Raises DomainError (field 'email') if the email is taken.

    ``confirmed=False`` (self-registration) leaves the address to be confirmed through a mailed link.
    """
    check_password_policy(password)
    email = normalise_email(email)
    if session.scalar(select(func.count()).select_from(User).where(User.email == email)):
        raise DomainError(N_("Er bestaat al een account met dit e-mailadres."), field="email")
    user = User(email=email, name=name.strip(), role=role, password_hash=_hash_password(password),
                email_confirmed_at=utcnow() if confirmed else None)
    session.add(user)
    try:
        session.commit()
    except IntegrityError as exc:  # a concurrent registration with the same email won the race
        session.rollback()
        raise DomainError(N_("Er bestaat al een account met dit e-mailadres."), field="email") from exc
    return user


def unusable_password() -> str:
    """A password hash no password matches (werkzeug refuses a hash without '$'), cheap to make in bulk.

    The random part makes each account's link fingerprint (account_fingerprint) its own.
    """
    return "!" + secrets.token_hex(16)


def has_password(user: User) -> bool:
    """Whether the account has a password of its own (not one made for an invitation or single sign-on)."""
    return not user.password_hash.startswith("!")


def login_started_at(session: Session, secret: str | None) -> datetime | None:
    """When the login with this secret began (a fresh sign-in), or None for no such login."""
    if not secret:
        return None
    return session.scalar(select(LoginSession.created_at).where(LoginSession.secret_hash == _secret_hash(secret)))


def invited_user(email: str, name: str) -> User:
    """A new account made for someone an organisation invites (not added to a session, not committed).

    It has no usable password and its address is unconfirmed, so nobody can log in with it until the person
    chooses a password through the mailed link (which confirms the address too).
    """
    return User(email=normalise_email(email), name=name.strip(), role=Role.LEARNER, password_hash=unusable_password())


def register(session: Session, *, email: str, name: str, password: str) -> User | None:
    """Self-registration: the new, unconfirmed account, or None when the address already has one.

    Raises DomainError (field 'password') for an unacceptable password. Takes as long either way (the
    password is hashed in both cases), so neither the answer nor its timing tells whether an account exists.
    """
    check_password_policy(password)
    if find_user(session, email) is not None:
        _hash_password(password)
        return None
    try:
        return create_user(session, email=email, name=name, password=password, confirmed=False)
    except DomainError:  # registered a moment ago by a concurrent request
        return None


def find_user(session: Session, email: str) -> User | None:
    """The user with this email address (in any case), or None."""
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with this email and password, or None; never says which of the two was wrong.

    The user may still have to confirm their address (``email_confirmed_at`` None) before logging in.
    """
    user = find_user(session, email)
    if user is None or user.password_hash.startswith("!"):  # no account, or one not claimed yet: same time
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.is_active:
        return None
    return user


def _secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def start_login(session: Session, user: User, *, remember: bool, lifetime: timedelta, user_agent: str = "") -> str:
    """Record a new login of ``user`` on one device, lasting at most ``lifetime``; commit.

    Returns the login's secret (for the session and remember-me cookies) and sets it on ``user``.
    Also forgets the user's logins that have expired, so the table only holds live ones.
    """
    now = utcnow()
    session.execute(delete(LoginSession).where(LoginSession.user_id == user.id, LoginSession.expires_at < now))
    secret = secrets.token_urlsafe(32)
    session.add(LoginSession(user_id=user.id, secret_hash=_secret_hash(secret), remember=remember,
                             created_at=now, last_seen_at=now, expires_at=now + lifetime,
                             user_agent=user_agent[:200]))
    session.commit()
    user.login_secret, user.login_remembered = secret, remember
    return secret


def _active_membership(role: Role | None = None) -> Exists:
    query = exists().where(Membership.user_id == User.id, Membership.deactivated_at.is_(None))
    return query.where(Membership.role == role) if role is not None else query


# The query of every logged-in request: prepared (course/db/prepared.py), as the ORM's loading of it cost
# four times the rest of the login's work. The user comes as plain columns, made into the session's User
# object afterwards; the login's columns are written with plain statements.
_USER_ATTRIBUTES = tuple(prop.key for prop in User.__mapper__.column_attrs)
_RESUME_LOGIN = (
    select(*(getattr(User, key) for key in _USER_ATTRIBUTES), LoginSession.id, LoginSession.remember,
           LoginSession.last_seen_at, LoginSession.expires_at, _active_membership(Role.ORG_ADMIN),
           _active_membership())
    .join(LoginSession, LoginSession.user_id == User.id)
    .where(LoginSession.secret_hash == bindparam("secret_hash")))
_PAGES = PageProgress.__table__.c
_RESUME_LOGIN_PREPARED = PreparedStatement(_RESUME_LOGIN)
# The same with the keys ("module/page") of the pages the user finished, as one space-separated string:
# the page header shows how many, and on a page that loads no progress of its own that cost a query.
_RESUME_LOGIN_READING_PAGES = _RESUME_LOGIN.add_columns(
    select(func.aggregate_strings(_PAGES.module_id + "/" + _PAGES.page_id, " "))
    .where(_PAGES.user_id == User.id, _PAGES.read_at.is_not(None)).scalar_subquery())
_RESUME_LOGIN_WITH_READ_PAGES = PreparedStatement(_RESUME_LOGIN_READING_PAGES)
_USER_ID_COLUMN = _USER_ATTRIBUTES.index("id")
_USER_OF_LOGIN = select(LoginSession.user_id).where(LoginSession.secret_hash == bindparam("secret_hash"))
_WITH_ROWS: dict[tuple[int, bool], tuple[Select[Any] | CompoundSelect, PreparedStatement, int]] = {}


def _resume_login_with(rows: Select[Any] | CompoundSelect, read_pages: bool) -> tuple[PreparedStatement, int]:
    """The login's statement with ``rows`` of the login's user, built and prepared once per statement; and the
    number of the login's own columns, which come first."""
    known = _WITH_ROWS.get((id(rows), read_pages))
    if known is None or known[0] is not rows:
        login = _RESUME_LOGIN_READING_PAGES if read_pages else _RESUME_LOGIN
        known = _WITH_ROWS[id(rows), read_pages] = (rows, PreparedStatement(_login_and_rows(login, rows)),
                                                    len(login.selected_columns))
    return known[1], known[2]


def _typed_null(type_: Any) -> Any:
    # Cast, not only typed for SQLAlchemy: PostgreSQL types a union's column from its selects in turn, and
    # two untyped NULLs before a JSON or a number make it text, which the third then cannot match.
    return null() if isinstance(type_, NullType) else cast(null(), type_)


def _login_and_rows(login: Select[Any], rows: Select[Any] | CompoundSelect) -> CompoundSelect:
    """One UNION ALL of the login's row and ``rows`` with ``user_id`` the login's user, each padded with
    typed NULLs to the other's columns: the login's columns first, then those of ``rows``. A row of
    ``rows`` has no user id in the login's columns; the login's row has one. A union takes its columns'
    types (and so their conversions) from its first select: the login's, padded with the types of ``rows``.
    """
    def of_the_login(element: Any) -> Any:
        if isinstance(element, BindParameter) and element.key == "user_id":
            return _USER_OF_LOGIN.scalar_subquery()
        return None
    selects = rows.selects if isinstance(rows, CompoundSelect) else (rows,)
    if not all(isinstance(part, Select) and not part._order_by_clauses for part in selects):
        raise ValueError("rows: a SELECT or a UNION of SELECTs, without ORDER BY (a union's part has none)")
    login_pads = [_typed_null(column.type) for column in login.selected_columns]
    rows_pads = [_typed_null(column.type) for column in selects[0].selected_columns]
    return union_all(
        login.add_columns(*rows_pads),
        *(replacement_traverse(part.with_only_columns(*login_pads, *part.selected_columns,
                                                      maintain_column_froms=True), {}, of_the_login)
          for part in selects))


def _login_carrying(columns: Sequence[ColumnElement[Any]]) -> PreparedStatement:
    """The login's statement with ``columns`` after its own, built and prepared once per set of columns."""
    known = _CARRYING.get(id(columns))
    if known is None or known[0] is not columns:
        known = _CARRYING[id(columns)] = (columns, PreparedStatement(_RESUME_LOGIN.add_columns(*columns)))
    return known[1]


_CARRYING: dict[int, tuple[Sequence[ColumnElement[Any]], PreparedStatement]] = {}


def resume_login(session: Session, secret: str, *, idle_timeout: timedelta,
                 now: datetime | None = None, read_pages: bool = False,
                 rows: Select[Any] | CompoundSelect | None = None,
                 rows_parameters: Mapping[str, Any] | None = None,
                 carrying: tuple[Sequence[ColumnElement[Any]], Mapping[str, Any]] | None = None) -> User | None:
    """The user of the live login with this secret (``login_secret`` set), or None.

    None when the login is unknown (logged out, ended elsewhere), past its end, idle longer than
    ``idle_timeout`` (logins without "remember me" only), or its account is disabled; such a login is
    deleted. Marks the login as seen (committing) when it was last seen more than a minute ago. Also sets
    ``needs_two_factor`` on the user (an administrator of the site or of an organisation) and
    ``in_organisation`` (an active member of one), in the same query; with ``read_pages`` also
    ``read_page_keys``, the keys (``Page.key``) of the pages the user finished. With ``rows`` (a statement of
    one user's rows whose parameter is ``user_id``: what the page queries of the learner), those rows of the
    login's user come in the same statement, as ``login_rows`` on the user: the page then needs no query of
    its own. They are read for the login's user only, and dropped with a login that is refused.
    ``rows_parameters`` are the other parameters of ``rows`` (a quiz's id). With ``carrying`` (columns and
    their parameters), the statement selects those columns too, whatever becomes of the login: their
    values are ``carried`` on the user (a quiz autosave's counts: course.db.drafts.CARRIED_SAVE_COUNTS).
    Not with ``rows`` or ``read_pages``.
    """
    now = now or utcnow()
    secret_hash = _secret_hash(secret)
    attached: list[tuple[Any, ...]] | None = None
    carried: tuple[Any, ...] | None = None
    if carrying is not None:
        columns, carried_parameters = carrying
        row = _login_carrying(columns).first(session, secret_hash=secret_hash, **carried_parameters)
        if row is not None:
            row, carried = row[:-len(columns)], row[-len(columns):]
    elif rows is None:
        row = (_RESUME_LOGIN_WITH_READ_PAGES if read_pages else _RESUME_LOGIN_PREPARED).first(
            session, secret_hash=secret_hash)
    else:
        row, attached = None, []
        statement, width = _resume_login_with(rows, read_pages)
        for joined in statement.rows(session, secret_hash=secret_hash, **(rows_parameters or {})):
            if joined[_USER_ID_COLUMN] is None:
                attached.append(joined[width:])
            else:
                row = joined[:width]
    if row is None:
        return None
    user = loaded_instance(session, User.__mapper__, dict(zip(_USER_ATTRIBUTES, row, strict=False)))
    login_id, remember, last_seen_at, expires_at, is_org_admin, in_organisation, *keys = row[len(_USER_ATTRIBUTES):]
    idle = not remember and now - last_seen_at > idle_timeout
    if now >= expires_at or idle or not user.is_active:
        session.execute(delete(LoginSession).where(LoginSession.id == login_id))
        session.commit()
        return None
    if now - last_seen_at > SEEN_RESOLUTION:
        session.execute(update(LoginSession).where(LoginSession.id == login_id).values(last_seen_at=now))
        session.commit()
    user.login_secret, user.login_remembered = secret, remember
    user.needs_two_factor = user.role == Role.SITE_ADMIN or bool(is_org_admin)
    user.in_organisation = bool(in_organisation)
    if read_pages:
        user.read_page_keys = frozenset((keys[0] or "").split())
    user.login_rows = attached
    user.carried = carried
    return user


def rotate_login(session: Session, user: User) -> LoginSession | None:
    """Give the login ``user`` was loaded for a new secret (a new session id), set on ``user``; commit.

    Returns the login, or None when it no longer exists. The old secret stops working at once.
    """
    if not user.login_secret:
        return None
    login = session.scalar(select(LoginSession).where(LoginSession.secret_hash == _secret_hash(user.login_secret)))
    if login is None:
        return None
    secret = secrets.token_urlsafe(32)
    login.secret_hash = _secret_hash(secret)
    session.commit()
    user.login_secret = secret
    return login


def end_login(session: Session, secret: str | None) -> None:
    """Forget the login with this secret (logging out on this device); commit. Unknown secrets are ignored."""
    if secret:
        session.execute(delete(LoginSession).where(LoginSession.secret_hash == _secret_hash(secret)))
        session.commit()


def end_logins(session: Session, user_id: int, *, except_secret: str | None = None) -> int:
    """End every login of the user (but the one with ``except_secret``, if given); commit.

    Returns how many logins ended.
    """
    query = delete(LoginSession).where(LoginSession.user_id == user_id)
    if except_secret:
        query = query.where(LoginSession.secret_hash != _secret_hash(except_secret))
    ended = session.execute(query).rowcount
    session.commit()
    return ended


def list_logins(session: Session, user_id: int, *, now: datetime | None = None) -> list[LoginSession]:
    """The user's unexpired logins, most recently active first."""
    now = now or utcnow()
    return list(session.scalars(select(LoginSession)
                                .where(LoginSession.user_id == user_id, LoginSession.expires_at > now)
                                .order_by(LoginSession.last_seen_at.desc(), LoginSession.id.desc())))


def is_current_login(login: LoginSession, secret: str | None) -> bool:
    """Whether ``login`` is the one with this secret (the device asking)."""
    return secret is not None and login.secret_hash == _secret_hash(secret)


def change_password(session: Session, user_id: int, *, current: str, new: str,
                    keep_secret: str | None = None) -> None:
    """Set a new password after checking the current one; commit.

    Every other login of the user ends and open work tokens of other devices stop working.
    Raises DomainError (field 'current_password' or 'password') when the current password is wrong or the
    new one is not acceptable.
    """
    user = session.get(User, user_id)
    if user is None or not check_password_hash(user.password_hash, current):
        raise DomainError(N_("Je huidige wachtwoord klopt niet."), field="current_password")
    check_password_policy(new)
    user.password_hash = _hash_password(new)
    user.session_version += 1
    end_logins(session, user_id, except_secret=keep_secret)


def rename(session: Session, user_id: int, name: str) -> None:
    """Change the user's display name; commit."""
    user = session.get(User, user_id)
    if user is not None:
        user.name = name.strip()
        session.commit()


def account_fingerprint(user: User) -> str:
    """A short hash of what a mailed link must still match: password, address, its confirmation, sessions.

    Changing any of them (using the link included) makes every earlier link stop working.
    """
    confirmed = user.email_confirmed_at.isoformat() if user.email_confirmed_at else ""
    material = f"{user.password_hash}|{user.email}|{confirmed}|{user.session_version}"
    return hashlib.sha256(material.encode()).hexdigest()[:32]


def _user_for_link(session: Session, user_id: int, fingerprint: str) -> User:
    user = session.get(User, user_id)
    if user is None or not secrets.compare_digest(account_fingerprint(user), fingerprint) or not user.is_active:
        raise DomainError(N_("Deze link is al gebruikt, verlopen of niet meer geldig. Vraag een nieuwe aan."))
    return user


def reset_password(session: Session, user_id: int, fingerprint: str, new_password: str) -> User:
    """Set a new password through a mailed link; ends every login of the account; commit. Returns the user.

    The link also proves the address, so an unconfirmed account is confirmed. Raises DomainError when the
    link no longer matches the account (used, or password or address changed since) or the password is weak.
    """
    user = _user_for_link(session, user_id, fingerprint)
    check_password_policy(new_password)
    user.password_hash = _hash_password(new_password)
    user.session_version += 1
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
    end_logins(session, user.id)  # commits
    return user


def confirm_account(session: Session, user_id: int, fingerprint: str) -> User:
    """Confirm a new account's address through its mailed link; commit. Returns the user.

    Raises DomainError when the link no longer matches (already confirmed, or the account changed).
    """
    user = _user_for_link(session, user_id, fingerprint)
    user.email_confirmed_at = utcnow()
    session.commit()
    return user


def check_email_change(session: Session, user_id: int, *, password: str, new_email: str) -> bool:
    """Check a request to move the account to ``new_email``: True when the address is free.

    Raises DomainError (field 'current_password') for a wrong password, (field 'email') when it is the
    current address. Whether another account has the address is for the caller to handle quietly.
    """
    user = session.get(User, user_id)
    if user is None or not check_password_hash(user.password_hash, password):
        raise DomainError(N_("Je huidige wachtwoord klopt niet."), field="current_password")
    new_email = normalise_email(new_email)
    if new_email == user.email:
        raise DomainError(N_("Dit is al je e-mailadres."), field="email")
    return find_user(session, new_email) is None


def change_email(session: Session, user_id: int, fingerprint: str, new_email: str) -> tuple[User, str]:
    """Move the account to ``new_email`` through the link mailed there; commit. Returns (user, old address).

    Raises DomainError when the link no longer matches or the address was taken in the meantime.
    """
    user = _user_for_link(session, user_id, fingerprint)
    old = user.email
    user.email = normalise_email(new_email)
    user.email_confirmed_at = utcnow()
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise DomainError(N_("Dit e-mailadres hoort inmiddels bij een ander account.")) from exc
    return user, old


def set_locale(session: Session, user_id: int, locale: str | None) -> None:
    """Remember the user's UI language (None: follow the browser)."""
    user = session.get(User, user_id)
    if user is not None:
        user.locale = locale
        session.commit()


def set_disabled(session: Session, actor_id: int, user_id: int, *, disabled: bool, ip: str | None = None) -> User:
    """Disable the account ``user_id`` (or enable it again) as the site administrator ``actor_id``; commits.

    Disabling ends every login of the account at once (a disabled account also cannot log in, reset its
    password or confirm a link); its data stays. Enabling lets it log in again, with a new login. Each
    change is an ADMIN_ACTION in the audit log; asking for the state the account is in changes nothing.
    Returns the account. Raises NotFound (no such account, or the actor is not a site administrator) or
    DomainError (administrators cannot disable their own account: the site would lose its last one).
    """
    actor = session.get(User, actor_id)
    user = session.get(User, user_id)
    if actor is None or not actor.is_site_admin or user is None:
        raise NotFound(N_("Dit account bestaat niet."))
    if user.id == actor.id and disabled:
        raise DomainError(N_("Je kunt je eigen account niet uitzetten."))
    if (user.disabled_at is not None) == disabled:
        return user
    user.disabled_at = utcnow() if disabled else None
    if disabled:
        session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
    record_event(session, EventKind.ADMIN_ACTION, user_id=user.id, actor_id=actor.id, ip=ip, commit=False,
                 action="account.disable" if disabled else "account.enable")
    session.commit()
    return user


def list_users(session: Session) -> list[User]:
    """Every user, newest first."""
    return list(session.scalars(select(User).order_by(User.created_at.desc(), User.id.desc())))
