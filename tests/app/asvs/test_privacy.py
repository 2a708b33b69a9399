"""Privacy (AVG): a person downloads everything stored about them, deletes their account, and inactive
accounts are erased after the retention period. Each test is driven by the register (course/privacy.py),
so a table added there is checked here too."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from course.db import CasusRun, EventKind, Role, SecurityEvent, User, utcnow
from course.db.base import Base
from course.errors import DomainError
from course.privacy import PERSONAL_DATA
from course.services import privacy
from tests.app.asvs.conftest import PASSWORD, REFLECTION, log_in, make_learner

TABLES = Base.metadata.tables


def rows_about(session, user_id: int) -> dict[str, int]:
    """Rows per register table (and nested table) that belong to ``user_id``."""
    counts = {}
    for entry in PERSONAL_DATA:
        table = TABLES[entry.table]
        owned = select(table.c.id).where(table.c[entry.user_column] == user_id)
        counts[entry.table] = session.scalar(select(func.count()).select_from(table).where(
            table.c[entry.user_column] == user_id))
        for nested in entry.nested:
            child = TABLES[nested.table]
            counts[nested.table] = session.scalar(select(func.count()).select_from(child).where(
                child.c[nested.parent_column].in_(owned)))
    return counts


def test_the_fixture_learner_has_rows_in_every_table_of_the_register(session, learner):
    """So that export and erase are tried on every table: a new table needs a row in make_learner()."""
    empty = [table for table, n in rows_about(session, learner.id).items() if n == 0]
    assert not empty, f"make_learner() in tests/app/asvs/conftest.py writes nothing to {empty}"


def test_export_holds_account_progress_answers_and_every_casus_decision_and_text(session, learner, other):
    data = privacy.export_personal_data(session, learner.id)
    document = json.dumps(data)  # machine-readable: plain JSON, nothing else
    assert data["format"] == "leerlijn-personal-data" and data["version"] == 1
    assert data["account"]["email"] == "sanne@example.org" and data["account"]["role"] == "learner"
    assert "password_hash" not in document and "scrypt:" not in document and "session_version" not in document
    assert [(p["module_id"], p["page_id"]) for p in data["page_progress"]] == [("eerste", "begin")]
    assert data["page_progress"][0]["read_at"]
    [attempt] = data["quiz_attempts"]
    assert attempt["id"] == learner.attempt_id and attempt["status"] == "submitted" and attempt["score"] == 1.0
    assert attempt["answers"] and all(a["raw"] and a["correct"] is True for a in attempt["answers"])
    [run] = data["casus_runs"]
    assert run["casus_id"] == "oefencasus" and REFLECTION in json.dumps(run["state"])
    assert run["drafts"]["plan"]["zorgen"] == "Concept van mijn plan"
    assert [d["step_id"] for d in run["decisions"]] == ["melding", "signalen", "overleg", "reflectie"]
    assert run["decisions"][2]["choice"] == {"option": "afsluiten"}
    assert [m["organisation_id"] for m in data["memberships"]]
    assert "jan@example.org" not in document and other.attempt_id not in {a["id"] for a in data["quiz_attempts"]}
    for entry in PERSONAL_DATA:
        assert data[entry.section], f"the export has no {entry.section}"


def test_export_is_a_few_queries_whatever_the_amount_of_data(session, learner, count_queries):
    with count_queries() as counter:
        privacy.export_personal_data(session, learner.id)
    tables = len(PERSONAL_DATA) + sum(len(e.nested) for e in PERSONAL_DATA)
    assert counter.count <= tables + 1


def test_delete_account_erases_every_row_about_the_person_and_nothing_else(session, learner, other):
    before_other = rows_about(session, other.id)
    counts = privacy.delete_account(session, learner.id, PASSWORD)
    assert counts["users"] == 1 and counts["quiz_attempt_answers"] >= 1 and counts["casus_decisions"] == 4
    assert set(rows_about(session, learner.id).values()) == {0}
    # And through any column that refers to a person, registered or not (the register test guards that).
    for table in TABLES.values():
        for column in table.columns:
            if any(fk.column.table.name == "users" for fk in column.foreign_keys):
                assert not session.scalar(select(func.count()).select_from(table).where(column == learner.id))
    assert rows_about(session, other.id) == before_other
    assert session.get(User, other.id) is not None


def test_delete_account_with_a_wrong_password_erases_nothing(session, learner):
    before = rows_about(session, learner.id)
    with pytest.raises(DomainError) as raised:
        privacy.delete_account(session, learner.id, "niet-mijn-wachtwoord")
    assert raised.value.field == "password"
    assert rows_about(session, learner.id) == before


def test_erase_is_all_or_nothing(session, learner, monkeypatch):
    """A failure half-way (here: a table that cannot be written) leaves every row in place."""
    before = rows_about(session, learner.id)
    real_execute = session.execute

    def failing(statement, *args, **kwargs):
        if getattr(statement, "table", None) is not None and statement.table.name == "users":
            raise RuntimeError("disk full")
        return real_execute(statement, *args, **kwargs)

    monkeypatch.setattr(session, "execute", failing)
    with pytest.raises(RuntimeError):
        privacy.erase_account(session, learner.id)
    monkeypatch.undo()
    assert rows_about(session, learner.id) == before


def _age(session, user_id: int, days: int) -> None:
    """Move every moment of activity of ``user_id`` ``days`` into the past (every column the register names)."""
    moment = utcnow() - timedelta(days=days)
    for entry in PERSONAL_DATA:
        if entry.activity:
            table = TABLES[entry.table]
            session.execute(update(table).where(table.c[entry.user_column] == user_id)
                            .values({column: moment for column in entry.activity}))
    session.commit()


@pytest.fixture
def aged(session, full_catalog, learner, other):
    """Sanne idle for 400 days, Jan active today, an administrator idle for 400 days."""
    admin = make_learner(session, full_catalog, "beheer@example.org", role=Role.SITE_ADMIN)
    _age(session, learner.id, 400)
    _age(session, admin.id, 400)
    return learner, other, admin


def test_last_activity_is_the_newest_moment_in_any_table(session, learner):
    _age(session, learner.id, 400)
    recent = utcnow() - timedelta(days=3)
    session.execute(update(CasusRun).where(CasusRun.user_id == learner.id).values(updated_at=recent))
    session.commit()
    assert privacy.inactive_accounts(session, 300)[1] == []
    [found] = privacy.inactive_accounts(session, 2)[1]
    assert found.user_id == learner.id and abs(found.last_activity - recent) < timedelta(seconds=1)


def test_purge_dry_run_lists_inactive_accounts_and_erases_nothing(session, aged):
    learner = aged[0]
    report = privacy.purge_inactive(session, 365, dry_run=True)
    assert [a.email for a in report.accounts] == ["sanne@example.org"] and not report.erased
    assert session.get(User, learner.id) is not None


def test_purge_erases_inactive_accounts_but_not_active_ones_or_administrators(session, aged):
    learner, other, admin = aged
    report = privacy.purge_inactive(session, 365)
    assert [a.user_id for a in report.accounts] == [learner.id] and report.erased
    assert set(rows_about(session, learner.id).values()) == {0}
    assert session.get(User, other.id) is not None and session.get(User, admin.id) is not None
    assert privacy.purge_inactive(session, 365).accounts == ()


def test_purge_refuses_zero_days(session):
    with pytest.raises(DomainError):
        privacy.purge_inactive(session, 0)


def test_purge_command_dry_run_then_for_real(app, session, aged):
    learner = aged[0]
    runner = app.test_cli_runner()
    result = runner.invoke(args=["privacy", "purge", "--inactive-days", "365", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "sanne@example.org" in result.output and "jan@example.org" not in result.output
    assert "Dry run" in result.output and session.get(User, learner.id) is not None
    result = runner.invoke(args=["privacy", "purge", "--inactive-days", "365"])
    assert result.exit_code == 0, result.output
    assert "Erased 1 account" in result.output
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(User).where(User.id == learner.id)) == 0
    [event] = session.scalars(select(SecurityEvent).where(SecurityEvent.kind == EventKind.ACCOUNT_DELETED)).all()
    assert event.user_id is None and event.ip is None and event.detail == {"reason": "inactive", "inactive_days": 365}
    assert runner.invoke(args=["privacy", "purge", "--inactive-days", "0"]).exit_code != 0



def test_export_command_writes_the_same_file_the_person_downloads(app, session, learner, tmp_path):
    runner = app.test_cli_runner()
    target = tmp_path / "sanne.json"
    result = runner.invoke(args=["privacy", "export", "--email", "SANNE@example.org", "--output", str(target)])
    assert result.exit_code == 0, result.output
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data["account"]["email"] == learner.email and REFLECTION in json.dumps(data["casus_runs"])
    assert target.stat().st_mode & 0o077 == 0
    assert session.scalar(select(func.count()).select_from(SecurityEvent).where(
        SecurityEvent.kind == EventKind.DATA_EXPORTED, SecurityEvent.user_id == learner.id)) == 1
    missing = runner.invoke(args=["privacy", "export", "--email", "niemand@example.org"])
    assert missing.exit_code != 0 and "No account" in missing.output


# --- the pages ------------------------------------------------------------------------------------------

def test_account_page_downloads_my_data_as_a_json_file(client, learner, other):
    log_in(client, learner.email)
    account = client.get("/account").get_data(as_text=True)
    assert "Download mijn gegevens (JSON)" in account and 'action="/account/gegevens"' in account
    response = client.post("/account/gegevens")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="leerlijn-gegevens-')
    assert response.headers["Cache-Control"] == "no-store"
    data = response.get_json()
    assert data["account"]["email"] == learner.email and REFLECTION in json.dumps(data["casus_runs"])
    assert other.email not in response.get_data(as_text=True)


def test_download_needs_a_login_and_a_post(client, learner):
    assert client.get("/account/gegevens").status_code == 405
    response = client.post("/account/gegevens")
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]


def test_delete_page_asks_for_the_password_and_a_confirmation(client, session, learner):
    log_in(client, learner.email)
    page = client.get("/account/verwijderen").get_data(as_text=True)
    assert 'autocomplete="current-password"' in page and "definitief" in page
    wrong = client.post("/account/verwijderen", data={"password": "niet-mijn-wachtwoord", "confirm": "y"})
    assert wrong.status_code == 200 and "Dit wachtwoord klopt niet. Er is niets verwijderd." in wrong.get_data(
        as_text=True)
    unconfirmed = client.post("/account/verwijderen", data={"password": PASSWORD})
    assert "Bevestig dat je je account wilt verwijderen." in unconfirmed.get_data(as_text=True)
    assert session.get(User, learner.id) is not None
    assert set(rows_about(session, learner.id).values()) != {0}


def test_deleting_my_account_erases_everything_and_logs_me_out(client, session, learner):
    log_in(client, learner.email)
    response = client.post("/account/verwijderen", data={"password": PASSWORD, "confirm": "y"}, follow_redirects=True)
    assert "Je account en al je gegevens zijn verwijderd." in response.get_data(as_text=True)
    assert set(rows_about(session, learner.id).values()) == {0}
    assert client.get("/voortgang").status_code == 302
    refused = client.post("/inloggen", data={"email": learner.email, "password": PASSWORD})
    assert refused.status_code == 200  # the account is gone: the login form again, with its error


def test_privacy_page_says_what_is_kept_who_sees_reflections_and_for_how_long(client, app):
    html = client.get("/privacy").get_data(as_text=True)
    assert "Je reflecties en plannen zie alleen jij." in html
    assert "zonder je account en zonder IP-adres" in html  # what deletion leaves in the security log
    assert "kiest om je reflecties te delen" in html  # the one way a trainer reads them: the learner's choice
    assert f"{app.config['RETENTION_DAYS']} dagen" in html
    assert 'href="/privacy"' in client.get("/").get_data(as_text=True)
    english = client.get("/privacy", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Only you see your reflections and plans." in english


def test_retention_period_comes_from_the_environment_and_must_be_a_positive_number(monkeypatch, tmp_path):
    from app.config import ConfigError, from_environment
    monkeypatch.setenv("LEERLIJN_RETENTION_DAYS", "365")
    assert from_environment(tmp_path)["RETENTION_DAYS"] == 365
    for bad in ("0", "-3", "een jaar"):
        monkeypatch.setenv("LEERLIJN_RETENTION_DAYS", bad)
        with pytest.raises(ConfigError):
            from_environment(tmp_path)
