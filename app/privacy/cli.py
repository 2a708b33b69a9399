"""``flask --app app privacy purge``: erase accounts that have not been used for a long time."""

from __future__ import annotations

import click
from flask import current_app

from app.db import db_session
from app.privacy import bp
from course.db import EventKind
from course.services import privacy as service
from course.services.audit import record_event


@bp.cli.command("purge")
@click.option("--inactive-days", type=click.IntRange(min=1), default=None,
              help="Erase accounts with no activity for this many days (default: LEERLIJN_RETENTION_DAYS).")
@click.option("--dry-run", is_flag=True, help="Only list the accounts that would be erased.")
def purge(inactive_days: int | None, dry_run: bool) -> None:
    """Erase every account (and all its data) inactive for N days; site administrators are kept."""
    days = inactive_days if inactive_days is not None else current_app.config["RETENTION_DAYS"]
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
