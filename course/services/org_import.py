"""Bulk import of an organisation's members from a CSV file: a dry run that says what would happen to every
row, then applying it in one transaction.

The file may use ``;`` or ``,``, UTF-8 with or without a byte-order mark, or Windows-1252 (what Excel saves
on a Dutch Windows). Columns are found by their heading: an email column and a name column are required, a
team column is optional. Existing accounts are linked, never duplicated; new people get an account to claim
through an invitation. The queries do not grow with the rows: teams, accounts and memberships are each read
in one go (in chunks of CHUNK addresses), and the new rows are written with bulk inserts.
"""

from __future__ import annotations

import csv
import enum
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from course.db import EventKind, Membership, Team, User, utcnow
from course.errors import N_, DomainError
from course.services import accounts
from course.services.audit import record_event
from course.services.orgs import acting_access, valid_email

MAX_ROWS = 10_000
CHUNK = 2_000  # addresses per IN (…) query: well within every database's limit on parameters
HEADINGS = {
    "email": {"email", "e-mail", "emailadres", "e-mailadres", "mail", "email address", "e-mail address"},
    "name": {"naam", "name", "volledige naam", "full name"},
    "team": {"team", "afdeling", "locatie", "department"},
}


class Outcome(enum.StrEnum):
    NEW = "new"  # a new account, invited to claim it
    LINK = "link"  # an existing account becomes a member
    UNCHANGED = "unchanged"  # already a member (active or deactivated): nothing changes
    ERROR = "error"


@dataclass(frozen=True)
class RowError:
    """One problem with one row: a message (Dutch, translatable) and the values it names."""

    message: str
    values: dict[str, str | int] = field(default_factory=dict)


@dataclass(frozen=True)
class ImportRow:
    number: int  # the line in the file (the heading is line 1)
    email: str
    name: str
    team: str
    outcome: Outcome
    errors: tuple[RowError, ...] = ()


@dataclass(frozen=True)
class ImportPlan:
    """What applying the file would do, row by row."""

    rows: tuple[ImportRow, ...]
    encoding: str
    delimiter: str

    def count(self, outcome: Outcome) -> int:
        return sum(1 for row in self.rows if row.outcome == outcome)

    @property
    def has_errors(self) -> bool:
        return any(row.outcome == Outcome.ERROR for row in self.rows)


@dataclass(frozen=True)
class ImportResult:
    plan: ImportPlan
    new_user_ids: tuple[int, ...]  # accounts made: their invitations are still to be mailed
    linked_user_ids: tuple[int, ...]


def decode(data: bytes) -> tuple[str, str]:
    """The file's text and the encoding it was read in: UTF-8 (a BOM is dropped), else Windows-1252.

    Raises DomainError when it is neither (a spreadsheet saved as .xlsx, say).
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise DomainError(N_("Dit bestand is geen leesbaar CSV-bestand. Sla het op als CSV (UTF-8) en probeer "
                             "het opnieuw."), field="file") from exc
    if "\x00" in text:
        raise DomainError(N_("Dit bestand is geen leesbaar CSV-bestand. Sla het op als CSV (UTF-8) en probeer "
                             "het opnieuw."), field="file")
    return text, "windows-1252"


def _delimiter(text: str) -> str:
    sample = text[:8192]
    try:
        return csv.Sniffer().sniff(sample, delimiters=";,").delimiter
    except csv.Error:  # one column, or too little to tell: the heading line decides
        first = sample.splitlines()[0] if sample else ""
        return ";" if first.count(";") > first.count(",") else ","


def _columns(heading: Sequence[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, cell in enumerate(heading):
        label = cell.strip().strip("\ufeff").lower()
        for key, names in HEADINGS.items():
            if label in names and key not in found:
                found[key] = index
    missing = [key for key in ("email", "name") if key not in found]
    if missing:
        raise DomainError(N_("De eerste regel moet de kolomnamen geven, met in elk geval ‘e-mailadres’ en "
                             "‘naam’ (en eventueel ‘team’)."), field="file")
    return found


@dataclass(frozen=True)
class _Raw:
    number: int
    email: str
    name: str
    team: str


def read_rows(data: bytes) -> tuple[list[_Raw], str, str]:
    """The data rows of the file (blank lines skipped), its encoding and its delimiter.

    Raises DomainError for an unreadable or empty file, a missing heading, or more than MAX_ROWS rows.
    """
    text, encoding = decode(data)
    if not text.strip():
        raise DomainError(N_("Het bestand is leeg."), field="file")
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        heading = next(reader)
        columns = _columns(heading)
        rows = []
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) == MAX_ROWS:
                raise DomainError(N_("Een import heeft hoogstens 10.000 regels. Splits het bestand."), field="file")

            def cell(key: str, cells: list[str] = cells) -> str:
                index = columns.get(key)
                return " ".join(cells[index].split()) if index is not None and index < len(cells) else ""

            rows.append(_Raw(reader.line_num, cell("email").lower(), cell("name"), cell("team")))
    except csv.Error as exc:
        raise DomainError(N_("Het bestand kon niet als CSV worden gelezen."), field="file") from exc
    return rows, encoding, delimiter


def _chunks(values: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(values), CHUNK):
        yield values[start:start + CHUNK]


def plan_import(session: Session, user_id: int | None, slug: str, data: bytes) -> ImportPlan:
    """What importing ``data`` into the organisation would do, row by row; changes nothing.

    ``user_id`` is the acting admin (None: the command line). Raises NotFound when the user is not the
    organisation's admin and DomainError (field 'file') when the file as a whole cannot be read. Problems
    with single rows are in the plan, with their line numbers.
    """
    access = acting_access(session, user_id, slug)
    raw, encoding, delimiter = read_rows(data)
    teams = {name.lower() for name in session.scalars(
        select(Team.name).where(Team.organisation_id == access.organisation.id))}
    emails = sorted({r.email for r in raw if valid_email(r.email)})
    accounts_by_email: dict[str, int] = {}
    for chunk in _chunks(emails):
        accounts_by_email.update(session.execute(select(User.email, User.id).where(User.email.in_(chunk))).all())
    members = set(session.scalars(select(Membership.user_id).where(
        Membership.organisation_id == access.organisation.id)))
    first_line: dict[str, int] = {}
    rows = []
    for r in raw:
        errors = []
        if not r.email:
            errors.append(RowError(N_("Het e-mailadres ontbreekt.")))
        elif not valid_email(r.email):
            errors.append(RowError(N_("‘%(email)s’ is geen geldig e-mailadres."), {"email": r.email}))
        elif r.email in first_line:
            errors.append(RowError(N_("Dit e-mailadres staat ook op regel %(line)s."),
                                   {"line": first_line[r.email]}))
        else:
            first_line[r.email] = r.number
        if not r.name:
            errors.append(RowError(N_("De naam ontbreekt.")))
        if r.team and r.team.lower() not in teams:
            errors.append(RowError(N_("Er is geen team ‘%(team)s’. Maak het eerst aan, of verbeter de naam."),
                                   {"team": r.team}))
        if errors:
            outcome = Outcome.ERROR
        elif r.email not in accounts_by_email:
            outcome = Outcome.NEW
        elif accounts_by_email[r.email] in members:
            outcome = Outcome.UNCHANGED
        else:
            outcome = Outcome.LINK
        rows.append(ImportRow(r.number, r.email, r.name, r.team, outcome, tuple(errors)))
    return ImportPlan(tuple(rows), encoding, delimiter)


def apply_import(session: Session, user_id: int | None, slug: str, data: bytes) -> ImportResult:
    """Import ``data``: every row as the dry run says, in one transaction; commits.

    Raises DomainError when any row has an error: then nothing at all is imported. NotFound as plan_import.
    """
    plan = plan_import(session, user_id, slug, data)
    if plan.has_errors:
        raise DomainError(N_("Er is niets geïmporteerd: verbeter eerst de regels met een fout."), field="file")
    access = acting_access(session, user_id, slug)
    organisation_id = access.organisation.id
    team_ids = {name.lower(): team_id for team_id, name in session.execute(
        select(Team.id, Team.name).where(Team.organisation_id == organisation_id))}
    new = [row for row in plan.rows if row.outcome == Outcome.NEW]
    linked = [row for row in plan.rows if row.outcome == Outcome.LINK]
    new_ids: dict[str, int] = {}
    if new:
        now = utcnow()
        accounts_rows = [{"email": row.email, "name": row.name[:120], "password_hash": accounts.unusable_password(),
                          "created_at": now} for row in new]
        for chunk_start in range(0, len(accounts_rows), CHUNK):
            result = session.execute(insert(User).returning(User.id, User.email),
                                     accounts_rows[chunk_start:chunk_start + CHUNK])
            new_ids.update({email: user_id for user_id, email in result})
    linked_ids: dict[str, int] = {}
    for chunk in _chunks([row.email for row in linked]):
        linked_ids.update(session.execute(select(User.email, User.id).where(User.email.in_(chunk))).all())
    now = utcnow()
    memberships = [{"user_id": {**new_ids, **linked_ids}[row.email], "organisation_id": organisation_id,
                    "team_id": team_ids.get(row.team.lower()) if row.team else None, "created_at": now}
                   for row in [*new, *linked]]
    if memberships:
        session.execute(insert(Membership), memberships)
    record_event(session, EventKind.ADMIN_ACTION, actor_id=user_id, commit=False, action="org.import",
                 organisation=slug, new=len(new), linked=len(linked), unchanged=plan.count(Outcome.UNCHANGED))
    session.commit()
    return ImportResult(plan, tuple(new_ids[row.email] for row in new), tuple(linked_ids[row.email] for row in linked))


def members_by_id(session: Session, user_ids: Sequence[int]) -> list[User]:
    """The accounts with these ids (to mail their invitations), in chunks: one query per CHUNK ids."""
    found: list[User] = []
    for start in range(0, len(user_ids), CHUNK):
        found += session.scalars(select(User).where(User.id.in_(user_ids[start:start + CHUNK]))).all()
    return sorted(found, key=lambda user: user.id)
