"""``flask --app app privacy purge|export``: erase accounts unused for a long time; answer a request for
someone's data that reached the administrator by mail or letter."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import current_app
from sqlalchemy import select

from app.db import db_session
from app.privacy import bp
from course.db import EventKind, User
from course.services import api_tokens
from course.services import privacy as service
from course.services.accounts import normalise_email
from course.services.audit import record_event


@bp.cli.command("purge")
@click.option("--inactive-days", type=click.IntRange(min=1), default=None,
              help="Erase accounts with no activity for this many days (default: LEERLIJN_RETENTION_DAYS).")
@click.option("--dry-run", is_flag=True, help="Only list the accounts that would be erased.")
def purge(inactive_days: int | None, dry_run: bool) -> None:
    """Erase every account (and all its data) inactive for N days; site administrators are kept. Also forget
    API requests older than LEERLIJN_API_LOG_DAYS (default 365)."""
    days = inactive_days if inactive_days is not None else current_app.config["RETENTION_DAYS"]
    if not dry_run:
        api_days = current_app.config["API_LOG_DAYS"]
        forgotten = api_tokens.forget_uses(db_session, api_days)
        click.echo(f"Forgot {forgotten} API request(s) older than {api_days} days.")
    report = service.purge_inactive(db_session, days, dry_run=dry_run)
    if report.erased:
        for _account in report.accounts:  # one event per account, naming nobody (the account is gone)
            record_event(db_session, EventKind.ACCOUNT_DELETED, commit=False, reason="inactive", inactive_days=days)
        db_session.commit()
    for account in report.accounts:
        click.echo(f"{account.email}\tlast active {account.last_activity:%Y-%m-%d}")
    n = len(report.accounts)
    cutoff = f"{report.cutoff:%Y-%m-%d}"
    if dry_run:
        click.echo(f"Dry run: {n} account(s) inactive since before {cutoff} would be erased; nothing was changed.")
    else:
        click.echo(f"Erased {n} account(s) inactive since before {cutoff}.")


@bp.cli.command("export")
@click.option("--email", required=True, help="The account whose data to export.")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the JSON here (default: standard output).")
def export(email: str, output: Path | None) -> None:
    """All data of one account as JSON: the same file the person downloads from their account page."""
    user_id = db_session.scalar(select(User.id).where(User.email == normalise_email(email)))
    if user_id is None:
        raise click.ClickException(f"No account with email {email}.")
    text = json.dumps(service.export_personal_data(db_session, user_id), ensure_ascii=False, indent=2)
    record_event(db_session, EventKind.DATA_EXPORTED, user_id=user_id, via="command line")
    if output is None:
        click.echo(text)
    else:
        output.write_text(text + "\n", encoding="utf-8")
        output.chmod(0o600)  # personal data: readable by the administrator only
        click.echo(f"Wrote the data of {email} to {output}.")
