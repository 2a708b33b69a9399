"""Bulk CSV import: a dry run shows every row's outcome with line numbers, then the whole file is applied in
one transaction, or nothing is. Separators, encodings and byte-order marks as spreadsheets save them."""

from __future__ import annotations

import base64
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from course.db import Membership, User
from course.errors import DomainError
from course.services import org_import
from course.services.org_import import Outcome
from tests.app.org.conftest import Org, make_user
from tests.app.trainer.conftest import text
from tests.conftest import link_in, outbox

GOOD = ("e-mailadres;naam;team\n"
        "nieuw@example.org;Noor Nieuw;Jeugdzorg Noord West\n"
        "BESTAAND@example.org;Bea Bestaand;\n"
        "lid0@jeugdzorg-noord.example.org;Lid 0;Jeugdzorg Noord Oost\n")


def plan(session: Session, org: Org, data: bytes) -> org_import.ImportPlan:
    return org_import.plan_import(session, org.admin.id, org.slug, data)


def outcomes(result: org_import.ImportPlan) -> list[tuple[int, str, str]]:
    return [(row.number, row.email, row.outcome.value) for row in result.rows]


def messages(row: org_import.ImportRow) -> list[str]:
    return [error.message % error.values if error.values else error.message for error in row.errors]


def member_count(session: Session, org: Org) -> int:
    return session.scalar(select(func.count()).select_from(Membership)
                          .where(Membership.organisation_id == org.organisation.id))


def test_the_dry_run_says_what_happens_to_every_row_and_changes_nothing(session: Session, org: Org) -> None:
    make_user(session, "bestaand@example.org", "Bea Bestaand")
    before = member_count(session, org)
    result = plan(session, org, GOOD.encode())
    assert outcomes(result) == [(2, "nieuw@example.org", "new"), (3, "bestaand@example.org", "link"),
                                (4, "lid0@jeugdzorg-noord.example.org", "unchanged")]
    assert not result.has_errors and (result.encoding, result.delimiter) == ("utf-8", ";")
    assert member_count(session, org) == before
    assert session.scalar(select(User).where(User.email == "nieuw@example.org")) is None


def test_every_kind_of_bad_row_is_named_with_its_line(session: Session, org: Org) -> None:
    data = (b"naam,e-mail,team\n"
            b"Geen Adres,,\n"
            b"Fout Adres,niet-een-adres,\n"
            b"Eerste,dubbel@example.org,\n"
            b"\n"
            b"Tweede,Dubbel@Example.org,\n"
            b",zonder-naam@example.org,\n"
            b"Onbekend Team,team@example.org,Locatie Mars\n")
    result = plan(session, org, data)
    assert result.delimiter == "," and result.has_errors
    by_line = {row.number: messages(row) for row in result.rows}
    assert by_line == {
        2: ["Het e-mailadres ontbreekt."],
        3: ["‘niet-een-adres’ is geen geldig e-mailadres."],
        4: [],
        6: ["Dit e-mailadres staat ook op regel 4."],  # the blank line 5 is skipped, and still counted
        7: ["De naam ontbreekt."],
        8: ["Er is geen team ‘Locatie Mars’. Maak het eerst aan, of verbeter de naam."],
    }
    with pytest.raises(DomainError, match="Er is niets geïmporteerd"):
        org_import.apply_import(session, org.admin.id, org.slug, data)
    assert session.scalar(select(User).where(User.email == "dubbel@example.org")) is None


@pytest.mark.parametrize(("encoded", "encoding"), [
    ("\ufeffe-mailadres;naam;team\r\nzoë@example.org;Zoë Ünal;\r\n".encode(), "utf-8-sig"),
    ("e-mailadres;naam;team\nzoë@example.org;Zoë Ünal;\n".encode(), "utf-8"),
    ("e-mailadres;naam;team\r\nzoë@example.org;Zoë Ünal;\r\n".encode("cp1252"), "windows-1252"),
    ('"E-mailadres","Naam"\r\n"zoë@example.org","Zoë Ünal"\r\n'.encode("cp1252"), "windows-1252"),
])
def test_encodings_and_separators_as_spreadsheets_save_them(session: Session, org: Org, encoded: bytes,
                                                            encoding: str) -> None:
    result = plan(session, org, encoded)
    assert result.encoding == encoding
    assert [(row.email, row.name, row.outcome) for row in result.rows] == [("zoë@example.org", "Zoë Ünal",
                                                                            Outcome.NEW)]


@pytest.mark.parametrize(("data", "message"), [
    (b"", "Het bestand is leeg."),
    (b"email;team\na@example.org;x\n", "De eerste regel moet de kolomnamen geven"),
    (b"PK\x03\x04\x00\x00\x81\x8d\x00", "geen leesbaar CSV-bestand"),
])
def test_a_file_that_cannot_be_read_says_why(session: Session, org: Org, data: bytes, message: str) -> None:
    with pytest.raises(DomainError, match=message):
        plan(session, org, data)


def test_five_thousand_rows_in_one_import_with_a_fixed_number_of_queries(
        session: Session, org: Org, count_queries) -> None:
    existing = [make_user(session, f"bestaand{i}@example.org") for i in range(3)]
    lines = ["email,naam,team"] + [f"mw{i}@example.org,Medewerker {i},Jeugdzorg Noord {'Oost' if i % 2 else 'West'}"
                                   for i in range(4997)] + [f"{u.email},{u.name}," for u in existing]
    data = "\n".join(lines).encode()
    with count_queries() as counter:
        result = org_import.apply_import(session, org.admin.id, org.slug, data)
    assert len(result.new_user_ids) == 4997 and len(result.linked_user_ids) == 3
    assert counter.count <= 20, counter.statements[:30]
    assert member_count(session, org) == 5 + 5000
    assert session.scalar(select(func.count()).select_from(User).where(User.email.like("bestaand%"))) == 3
    user = session.scalar(select(User).where(User.email == "mw7@example.org"))
    assert user.email_confirmed_at is None and user.name == "Medewerker 7"


def upload(client: FlaskClient, slug: str, data: bytes, name: str = "leden.csv"):
    import io
    return client.post(f"/organisatie/{slug}/importeren", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_the_web_preview_then_apply_links_and_invites(app: Flask, admin: FlaskClient, session: Session,
                                                      org: Org) -> None:
    make_user(session, "bestaand@example.org", "Bea Bestaand")
    preview = upload(admin, org.slug, GOOD.encode("cp1252"))
    page = text(preview)
    assert preview.status_code == 200
    assert "1 nieuw account (met uitnodiging) 1 bestaand account gekoppeld 1 al lid: ongewijzigd" in page
    assert "2 nieuw@example.org Noor Nieuw Jeugdzorg Noord West nieuw account, uitnodiging" in page
    assert member_count(session, org) == 5
    content = re.search(r'name="content" type="hidden" value="([^"]+)"', preview.get_data(as_text=True))[1]
    assert base64.b64decode(content) == GOOD.encode("cp1252")
    response = admin.post(f"/organisatie/{org.slug}/importeren/toepassen", data={"content": content})
    assert response.status_code == 302
    members_page = text(admin.get(response.headers["Location"]))
    assert "1 uitgenodigd, 1 bestaande accounts gekoppeld, 1 ongewijzigd" in members_page
    assert member_count(session, org) == 7
    (mail,) = outbox(app, "nieuw@example.org")
    assert link_in(mail, "/organisatie/uitnodiging/")


def test_the_web_preview_with_errors_offers_no_apply(admin: FlaskClient, session: Session, org: Org) -> None:
    preview = upload(admin, org.slug, b"email;naam\nkapot;Iemand\n")
    assert preview.status_code == 200 and 'name="content"' not in preview.get_data(as_text=True)
    assert "2 kapot Iemand – fout: ‘kapot’ is geen geldig e-mailadres." in text(preview)
    posted = admin.post(f"/organisatie/{org.slug}/importeren/toepassen",
                        data={"content": base64.b64encode(b"email;naam\nkapot;Iemand\n").decode()})
    assert posted.status_code == 422 and "Er is niets geïmporteerd" in text(posted)
    unreadable = upload(admin, org.slug, b"")
    assert (unreadable.status_code == 422 and "Kies een CSV-bestand." in text(unreadable)) or \
        "Het bestand is leeg." in text(unreadable)


def test_a_large_file_fits_through_the_upload(admin: FlaskClient, session: Session, org: Org) -> None:
    """A CSV of 5,000 members is larger than the app's usual limit on a request."""
    data = "\n".join(["email;naam"] + [f"persoon{i}@een-lange-domeinnaam.example.org;Persoon met een naam {i}"
                                       for i in range(5000)]).encode()
    assert len(data) > 256 * 1024
    preview = upload(admin, org.slug, data)
    assert preview.status_code == 200 and "5000 nieuwe accounts (met uitnodiging)" in text(preview)


def test_org_import_from_the_command_line(app: Flask, session: Session, org: Org, tmp_path) -> None:
    good, bad = tmp_path / "goed.csv", tmp_path / "fout.csv"
    good.write_bytes(GOOD.encode())
    bad.write_bytes("email;naam\nkapot;Iemand\nok@example.org;Oké\n".encode())
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["org", "import", org.slug, str(bad), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "line 2: error     kapot - ‘kapot’ is geen geldig e-mailadres." in dry.output
    assert "line 3: new       ok@example.org" in dry.output and "Dry run: nothing was imported." in dry.output
    refused = runner.invoke(args=["org", "import", org.slug, str(bad)])
    assert refused.exit_code == 1 and "Nothing was imported" in refused.output
    assert session.scalar(select(User).where(User.email == "ok@example.org")) is None
    done = runner.invoke(args=["org", "import", org.slug, str(good)])
    assert done.exit_code == 0, done.output
    assert "Imported: 2 invited, 0 linked." in done.output
    assert member_count(session, org) == 7 and len(outbox(app, "nieuw@example.org")) == 1
    missing = runner.invoke(args=["org", "import", "bestaat-niet", str(good)])
    assert missing.exit_code == 1 and "Deze organisatie bestaat niet." in missing.output
