"""The completion report: per member what they did, filters, totals per team, CSV and XLSX with the same
columns (formula-like cells defused), the same from the command line; team leads see their team only."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from course.db import Assignment, EventKind, Membership, PageProgress, SecurityEvent, User, utcnow
from course.services.progress import record_visit
from tests.app.org.conftest import Org, logged_in
from tests.app.trainer.conftest import text


def seed(session: Session, org: Org, valid_catalog) -> int:
    """Lid 0 read every page of module 2 (complete), Lid 1 opened one page; an assignment on module 2."""
    for page in valid_catalog.module("tweede").pages:
        record_visit(session, org.members[0].id, page, read=True)
    first = valid_catalog.module("eerste").pages[0]
    record_visit(session, org.members[1].id, first)
    opened = session.scalar(select(PageProgress).where(PageProgress.user_id == org.members[1].id))
    opened.first_seen_at -= timedelta(minutes=12)
    session.commit()
    record_visit(session, org.members[1].id, first, read=True)
    org.members[2].name = "=HYPERLINK(\"http://evil.example\")"
    assignment = Assignment(organisation_id=org.organisation.id, title="Module twee", module_ids=["tweede"],
                            casus_ids=[], due_on=date.today() + timedelta(days=7))
    session.add(assignment)
    session.commit()
    return assignment.id


def test_the_report_shows_each_member_and_totals_per_team(admin: FlaskClient, session: Session, org: Org,
                                                          valid_catalog) -> None:
    seed(session, org, valid_catalog)
    page = text(admin.get(f"/organisatie/{org.slug}/rapport"))
    assert "Status voor de hele cursus, zonder deadline." in page and "nooit reflecties" in page
    assert f"{org.members[0].name} Jeugdzorg Noord Oost bezig 1 / 2 0 / 1" in page
    assert f"{org.members[1].name} Jeugdzorg Noord Oost bezig 0 / 2 0 / 1" in page
    assert "Jeugdzorg Noord Oost 3 1 2 0 0" in page  # not started, in progress, completed, overdue
    assert "Totaal 5 3 2 0 0" in page


def test_filters_by_assignment_team_and_status(admin: FlaskClient, session: Session, org: Org,
                                               valid_catalog) -> None:
    found = seed(session, org, valid_catalog)
    page = text(admin.get(f"/organisatie/{org.slug}/rapport?opdracht={found}&status=completed"))
    assert "Status voor de opdracht ‘Module twee’." in page and "1 lid" in page
    assert f"{org.members[0].name} Jeugdzorg Noord Oost afgerond 1 / 2" in page and org.members[1].name not in page
    west = org.teams["Jeugdzorg Noord West"].id
    page = text(admin.get(f"/organisatie/{org.slug}/rapport?team={west}"))
    assert "1 lid" in page and org.members[0].name not in page
    assert admin.get(f"/organisatie/{org.slug}/rapport?opdracht={2**31 - 1}").status_code == 404


def test_csv_and_xlsx_have_the_same_columns_and_defuse_formulas(admin: FlaskClient, session: Session, org: Org,
                                                                valid_catalog) -> None:
    seed(session, org, valid_catalog)
    response = admin.get(f"/organisatie/{org.slug}/rapport.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv" and response.is_streamed
    assert f'filename="voltooiing-{org.slug}-' in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == ["Naam", "E-mailadres", "Team", "Status", "Modules afgerond", "Modules totaal",
                       "Casussen afgerond", "Casussen totaal", "Tijd aan de cursus (minuten)", "Afgerond op"]
    by_email = {row[1]: row for row in rows[1:]}
    assert by_email[org.members[0].email][3:6] == ["bezig", "1", "2"]
    assert by_email[org.members[1].email][8] == "12"  # one page, from opening to reading
    assert by_email[org.members[2].email][0] == "'=HYPERLINK(\"http://evil.example\")"
    workbook = load_workbook(io.BytesIO(admin.get(f"/organisatie/{org.slug}/rapport.xlsx").get_data()))
    sheet = workbook.active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0] == rows[0] and len(values) == len(rows)
    xlsx = {row[1]: row for row in values[1:]}
    assert xlsx[org.members[0].email][3:6] == ["bezig", 1, 2]
    assert xlsx[org.members[2].email][0].startswith("'=")
    exports = session.scalars(select(SecurityEvent).where(SecurityEvent.kind == EventKind.ADMIN_ACTION)).all()
    assert [(e.detail["action"], e.detail["format"]) for e in exports] == [("org.export", "csv"),
                                                                         ("org.export", "xlsx")]


def test_a_team_lead_reports_on_their_team_only(app: Flask, session: Session, org: Org, valid_catalog) -> None:
    seed(session, org, valid_catalog)
    lead = logged_in(app, session, org.lead)
    west = org.teams["Jeugdzorg Noord West"].id
    page = text(lead.get(f"/organisatie/{org.slug}/rapport?team={west}"))  # the filter cannot widen the view
    assert "3 leden" in page and "Lid 2" not in page
    rows = lead.get(f"/organisatie/{org.slug}/rapport.csv").get_data(as_text=True).strip().splitlines()
    assert len(rows) == 4


def test_org_report_from_the_command_line(app: Flask, session: Session, org: Org, valid_catalog, tmp_path) -> None:
    seed(session, org, valid_catalog)
    runner = app.test_cli_runner()
    out = tmp_path / "rapport.xlsx"
    result = runner.invoke(args=["org", "report", org.slug, "--format", "xlsx", "--output", str(out)])
    assert result.exit_code == 0 and "Wrote 5 member(s)" in result.output, result.output
    assert load_workbook(out).active.max_row == 6
    out_csv = tmp_path / "rapport.csv"
    result = runner.invoke(args=["org", "report", org.slug, "--format", "csv", "--output", str(out_csv)])
    assert result.exit_code == 0 and out_csv.read_text(encoding="utf-8-sig").startswith("Naam;E-mailadres")
    missing = runner.invoke(args=["org", "report", "bestaat-niet", "--format", "csv", "--output", str(out_csv)])
    assert missing.exit_code == 1 and "Deze organisatie bestaat niet." in missing.output


def run_casus(session: Session, valid_catalog, user_id: int, option: str) -> None:
    from course.services import casuses as casus_service
    casuses = valid_catalog.casuses
    run = casus_service.start_or_resume(session, user_id, casuses["oefencasus"])
    for step, raw in [("melding", {}), ("signalen", {"item": ["slaan"]}), ("overleg", {"option": [option]})]:
        casus_service.submit_step(session, user_id, run.id, step, raw, casuses=casuses)


def test_the_forks_members_miss_most_show_from_five_members(admin: FlaskClient, session: Session, org: Org,
                                                            valid_catalog) -> None:
    """Only with at least five members contributing, and never who chose what."""
    members = [org.admin, org.lead, *org.members]
    for user in members[:4]:
        run_casus(session, valid_catalog, user.id, "afsluiten")
    page = text(admin.get(f"/organisatie/{org.slug}/rapport/meest-gemist"))
    assert "Nog niet genoeg leden hebben kennischecks of casussen gedaan" in page
    run_casus(session, valid_catalog, members[4].id, "afsluiten")
    page = text(admin.get(f"/organisatie/{org.slug}/rapport/meest-gemist"))
    assert "Casus: " in page and "0% 5" in page
    section = page[page.index("Uit de ingeleverde kennischecks"):page.index("Zorgen over een kind")]
    assert "Casus: " in section and all(user.name not in section for user in members)


def test_what_members_miss_most_is_kept_per_organisation_until_their_answers_change(
        session: Session, org: Org, other_org: Org, valid_catalog, count_queries) -> None:
    """The next visit is answered from what was counted (two small queries instead of every stored answer),
    never for another organisation or a team lead's team, and counted again when a member decides again or
    leaves."""
    from course.db import Role
    from course.services import casuses as casus_service
    from course.services.org_report import MissedCache, most_missed
    from course.services.orgs import OrgAccess
    kept = MissedCache()

    def missed(of: Org, team_id: int | None = None) -> object:
        role = Role.ORG_ADMIN if team_id is None else Role.TEAM_LEAD
        return most_missed(session, valid_catalog, OrgAccess(of.organisation, None, role, team_id), cache=kept)

    ours, theirs = [org.admin, org.lead, *org.members], [other_org.admin, other_org.lead, *other_org.members]
    for user in ours:
        run_casus(session, valid_catalog, user.id, "afsluiten")
    for user in theirs:
        run_casus(session, valid_catalog, user.id, "collega")
    first = missed(org)
    assert first.forks and first.forks[0].contributors == 5
    with count_queries() as counter:
        assert missed(org) == first
    assert counter.count == 2 and not [s for s in counter.statements if "quiz_attempt_answers" in s]
    assert missed(other_org) != first
    assert missed(org) == first
    east = org.teams["Jeugdzorg Noord Oost"].id
    assert missed(org, east) != first and not missed(org, east).forks  # three members: too few to show
    # A member decides again: counted again, and the new choice shows.
    casus_service.restart(session, ours[0].id, valid_catalog.casuses["oefencasus"])
    run_casus(session, valid_catalog, ours[0].id, "collega")
    again = missed(org)
    assert again != first and again.forks[0].contributors == 5
    # A member leaves: four remain, too few to show what they chose.
    from tests.app.org.conftest import membership
    membership(session, org, ours[1]).deactivated_at = utcnow()
    session.commit()
    assert not missed(org).forks


def test_the_report_page_links_to_what_members_miss_most_and_does_not_count_it(
        admin: FlaskClient, session: Session, org: Org, valid_catalog, count_queries) -> None:
    """Counting every stored answer and decision takes seconds for a large organisation: the report page
    leaves it to a page of its own."""
    members = [org.admin, org.lead, *org.members]
    for user in members[:5]:
        run_casus(session, valid_catalog, user.id, "afsluiten")
    with count_queries() as counter:
        response = admin.get(f"/organisatie/{org.slug}/rapport")
    assert f'href="/organisatie/{org.slug}/rapport/meest-gemist"' in response.get_data(as_text=True)
    assert "Casus: " not in text(response)
    assert not [s for s in counter.statements if "casus_decisions" in s or "quiz_attempt_answers" in s]


def test_completion_over_time_as_a_chart_with_the_same_figures_in_a_table(admin: FlaskClient, session: Session,
                                                                          org: Org, valid_catalog) -> None:
    found = seed(session, org, valid_catalog)
    response = admin.get(f"/organisatie/{org.slug}/rapport?opdracht={found}")
    html = response.get_data(as_text=True)
    assert '<svg class="completion-chart" role="img" aria-labelledby="chart-title"' in html
    assert html.count("<rect ") == 12
    rows = text(response).split("Leden afgerond", 1)[1].split("Wat de leden")[0].split()
    assert rows[-1] == "1" and rows[-5] == "0"  # one member had completed this week, none the week before


def test_the_report_runs_as_many_queries_for_fifty_members_as_for_five(admin: FlaskClient, session: Session,
                                                                       org: Org, valid_catalog,
                                                                       count_queries) -> None:
    """The page and its exports ask the database the same number of things whatever the organisation's size."""
    seed(session, org, valid_catalog)
    urls = [f"/organisatie/{org.slug}/rapport", f"/organisatie/{org.slug}/rapport?status=in_progress",
            f"/organisatie/{org.slug}/rapport.csv", f"/organisatie/{org.slug}/rapport.xlsx"]

    def counted() -> list[int]:
        result = []
        for url in urls:
            with count_queries() as counter:
                assert admin.get(url).status_code == 200
            result.append(counter.count)
        return result

    with_five = counted()
    pages = valid_catalog.module("eerste").pages
    users = session.execute(insert(User).returning(User.id), [
        {"email": f"extra{n}@jeugdzorg-noord.example.org", "name": f"Extra {n}", "password_hash": "!"}
        for n in range(45)]).scalars().all()
    session.execute(insert(Membership), [
        {"user_id": user_id, "organisation_id": org.organisation.id, "team_id": org.teams["Jeugdzorg Noord West"].id}
        for user_id in users])
    now = utcnow()
    session.execute(insert(PageProgress), [
        {"user_id": user_id, "module_id": page.module_id, "page_id": page.id,
         "first_seen_at": now - timedelta(minutes=5), "last_seen_at": now, "read_at": now}
        for user_id in users for page in pages])
    session.commit()
    page = text(admin.get(f"/organisatie/{org.slug}/rapport"))
    assert "50 leden" in page and "Jeugdzorg Noord West 46" in page
    assert counted() == with_five, with_five
