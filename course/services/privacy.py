"""A person's rights over their data (AVG/GDPR): export it, erase it, and erase it after long inactivity.

Everything here is driven by the register in course/privacy.py: these functions know no table by name.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Table, delete, func, select, union_all, update
from sqlalchemy.orm import Session

import course.db  # noqa: F401  (registers every table on the metadata)
from course.db.base import Base, utcnow
from course.db.users import Role, User
from course.errors import N_, DomainError, NotFound
from course.privacy import EXPORT_FORMAT, EXPORT_VERSION, PERSONAL_DATA, Erase, PersonalTable
from course.services import accounts


@dataclass(frozen=True)
class InactiveAccount:
    user_id: int
    email: str
    last_activity: datetime


@dataclass(frozen=True)
class PurgeReport:
    """The accounts a purge found (and, unless it was a dry run, erased)."""

    cutoff: datetime
    accounts: tuple[InactiveAccount, ...]
    erased: bool


def _table(name: str) -> Table:
    return Base.metadata.tables[name]


def _plain(value: Any) -> Any:
    """A column value as JSON: moments in ISO 8601 (UTC), enums by their value."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def _row(mapping: Any, omit: frozenset[str]) -> dict[str, Any]:
    return {key: _plain(value) for key, value in mapping.items() if key not in omit}


def _owned_ids(entry: PersonalTable, user_id: int) -> Any:
    table = _table(entry.table)
    return select(table.c.id).where(table.c[entry.user_column] == user_id)


def _export_section(session: Session, entry: PersonalTable, user_id: int) -> Any:
    """One section of the export: the person's rows, each with its nested rows. One query per table."""
    table = _table(entry.table)
    rows = [_row(r, entry.omit) for r in session.execute(
        select(table).where(table.c[entry.user_column] == user_id).order_by(table.c[entry.order_by])).mappings()]
    for nested in entry.nested:
        child = _table(nested.table)
        by_parent: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for r in session.execute(select(child).where(child.c[nested.parent_column].in_(_owned_ids(entry, user_id)))
                                 .order_by(child.c[nested.order_by])).mappings():
            by_parent[r[nested.parent_column]].append(_row(r, nested.omit))
        for row in rows:
            row[nested.key] = by_parent.get(row["id"], [])
    if entry.single:
        return rows[0] if rows else None
    return rows


def export_personal_data(session: Session, user_id: int) -> dict[str, Any]:
    """Everything stored about the user, as JSON-ready data: one section per entry of the register.

    Reflection and plan texts are in ``casus_runs`` (the run's ``state`` and ``drafts``); quiz answers as
    the form values given, under each attempt. Raises NotFound when the account does not exist.
    """
    if session.get(User, user_id) is None:
        raise NotFound(N_("Dit account bestaat niet."))
    data: dict[str, Any] = {"format": EXPORT_FORMAT, "version": EXPORT_VERSION,
                            "exported_at": utcnow().isoformat()}
    for entry in PERSONAL_DATA:
        data[entry.section] = _export_section(session, entry, user_id)
    return data


def erase_account(session: Session, user_id: int) -> dict[str, int]:
    """Delete or anonymise every row about the user, then the account itself; commits.

    Returns the number of rows erased per table. All or nothing: on any error nothing is erased.
    """
    counts: dict[str, int] = {}
    try:
        for entry in reversed(PERSONAL_DATA):
            table = _table(entry.table)
            for nested in entry.nested:
                child = _table(nested.table)
                result = session.execute(
                    delete(child).where(child.c[nested.parent_column].in_(_owned_ids(entry, user_id))))
                counts[nested.table] = counts.get(nested.table, 0) + result.rowcount
            mine = table.c[entry.user_column] == user_id
            if entry.erase is Erase.DELETE:
                result = session.execute(delete(table).where(mine))
            else:
                result = session.execute(update(table).where(mine).values(
                    {entry.user_column: None, **entry.anonymise}))
            counts[entry.table] = counts.get(entry.table, 0) + result.rowcount
        session.commit()
    except BaseException:
        session.rollback()
        raise
    session.expunge_all()  # the deleted account must not linger in the identity map
    return counts


def delete_account(session: Session, user_id: int, password: str | None, *, signed_in_just_now: bool = False
                   ) -> dict[str, int]:
    """Erase the user's account and data (see erase_account), after checking their password; an account
    without one (made by single sign-on) instead needs ``signed_in_just_now``: a login through the
    organisation moments ago proves the same.

    Raises DomainError (field 'password') when the password is wrong or the sign-in not recent, and NotFound
    for no such account.
    """
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(N_("Dit account bestaat niet."))
    if not accounts.has_password(user):
        if not signed_in_just_now:
            raise DomainError(N_("Log voor de zekerheid eerst opnieuw in via je organisatie; daarna kun je je "
                                 "account verwijderen. Er is niets verwijderd."), field="password")
    elif accounts.authenticate(session, user.email, password or "") is None:
        raise DomainError(N_("Dit wachtwoord klopt niet. Er is niets verwijderd."), field="password")
    return erase_account(session, user_id)


def last_activity() -> Any:
    """A subquery of (user_id, at): each account's newest moment of activity over the whole register."""
    moments = [select(_table(e.table).c[e.user_column].label("user_id"), _table(e.table).c[column].label("at"))
               .where(_table(e.table).c[column].is_not(None))
               for e in PERSONAL_DATA for column in e.activity]
    union = union_all(*moments).subquery()
    return select(union.c.user_id, func.max(union.c.at).label("at")).group_by(union.c.user_id).subquery()


def inactive_accounts(session: Session, inactive_days: int, *, now: datetime | None = None
                      ) -> tuple[datetime, list[InactiveAccount]]:
    """The cutoff moment and the accounts with no activity since then, oldest first.

    Site administrators are never included: erasing the last one would lock everyone out.
    """
    if inactive_days < 1:
        raise DomainError(N_("Het aantal dagen moet minstens 1 zijn."))
    cutoff = (now or utcnow()) - timedelta(days=inactive_days)
    activity = last_activity()
    rows = session.execute(
        select(User.id, User.email, activity.c.at).join(activity, activity.c.user_id == User.id)
        .where(activity.c.at < cutoff, User.role != Role.SITE_ADMIN).order_by(activity.c.at, User.id)).all()
    return cutoff, [InactiveAccount(user_id, email, at) for user_id, email, at in rows]


def purge_inactive(session: Session, inactive_days: int, *, dry_run: bool = False,
                   now: datetime | None = None) -> PurgeReport:
    """Erase every account inactive for ``inactive_days`` days or more (none if ``dry_run``); commits."""
    cutoff, found = inactive_accounts(session, inactive_days, now=now)
    if not dry_run:
        for account in found:
            erase_account(session, account.user_id)
    return PurgeReport(cutoff, tuple(found), erased=not dry_run)
