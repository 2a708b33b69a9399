"""``flask --app app org …``: organisations from the command line, for scripts and the first set-up."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import BinaryIO

import click
from flask import current_app
from flask.cli import AppGroup

from course.errors import DomainError

org_cli = AppGroup("org", help="Organisations: create, import members, report.")


@contextmanager
def mail_context() -> Iterator[None]:
    """A request context for building the links in mails, on LEERLIJN_PUBLIC_URL when set."""
    with current_app.test_request_context(base_url=current_app.config.get("PUBLIC_URL") or "http://localhost"):
        yield


@org_cli.command("create")
@click.argument("slug")
@click.option("--name", required=True, help="The organisation's name as members see it.")
@click.option("--admin-email", required=True, help="Its first admin: an existing account, or one to invite.")
@click.option("--admin-name", default=None, help="The admin's name, when they have no account yet.")
def create(slug: str, name: str, admin_email: str, admin_name: str | None) -> None:
    """Create the organisation SLUG with its first admin, who gets a mail (an invitation for a new account)."""
    from app.db import db_session
    from app.org.mails import send_invitation
    from course.services import orgs
    try:
        added = orgs.create_organisation(db_session, slug=slug, name=name, admin_email=admin_email,
                                         admin_name=admin_name or admin_email.split("@")[0])
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    with mail_context():
        send_invitation(added.user, added.membership.organisation, new_account=added.new_account)
    state = "new account, invitation mailed" if added.new_account else "existing account, told by mail"
    click.echo(f"Created organisation {added.membership.organisation.slug} with admin {added.user.email} ({state}).")


@org_cli.command("import")
@click.argument("slug")
@click.argument("file", type=click.File("rb"))
@click.option("--dry-run", is_flag=True, help="Only show what would happen to every row.")
def import_members(slug: str, file: BinaryIO, dry_run: bool) -> None:
    """Import members of SLUG from a CSV file (e-mailadres;naam;team) and mail the invitations.

    Prints every row's outcome. Without --dry-run, a file with any error is refused whole (exit 1).
    """
    from app.db import db_session
    from app.org.mails import send_invitation
    from course.services import org_import, orgs
    data = file.read()
    try:
        plan = org_import.plan_import(db_session, None, slug, data)
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    for row in plan.rows:
        problems = "; ".join(error.message % error.values if error.values else error.message for error in row.errors)
        click.echo(f"line {row.number}: {row.outcome.value:<9} {row.email}" + (f" - {problems}" if problems else ""))
    totals = ", ".join(f"{plan.count(o)} {o.value}" for o in org_import.Outcome)
    click.echo(f"{len(plan.rows)} rows ({plan.encoding}, '{plan.delimiter}'): {totals}.")
    if dry_run:
        click.echo("Dry run: nothing was imported.")
        return
    if plan.has_errors:
        click.echo("Nothing was imported: correct the rows with an error first.", err=True)
        sys.exit(1)
    result = org_import.apply_import(db_session, None, slug, data)
    organisation = orgs.acting_access(db_session, None, slug).organisation
    invited = org_import.members_by_id(db_session, result.new_user_ids)
    db_session.commit()  # end the transaction (on SQLite, the write lock) before sending the invitations
    with mail_context():
        for user in invited:
            send_invitation(user, organisation, new_account=True)
    click.echo(f"Imported: {len(result.new_user_ids)} invited, {len(result.linked_user_ids)} linked.")


reminders_cli = AppGroup("reminders", help="Reminder mails about assignments and expiring certificates (run daily "
                                           "from cron or a timer).")


@reminders_cli.command("send")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="The date to act as (default: today in the Netherlands).")
def send_reminders(today: datetime | None) -> None:
    """Send the reminders due today: 14 and 3 days before a deadline, overdue to team leads, the weekly digest,
    and certificates about to expire (to the holder and their organisation's admins).

    Safe to run as often as you like, also twice at once: no reminder is ever sent twice.
    """
    from app.content import catalog
    from app.db import db_session
    from app.org.mails import send_reminder
    from course.assignments import local_today
    from course.db import utcnow
    from course.services import reminders
    day = today.date() if today else local_today(utcnow())
    sent = 0
    plan = reminders.planned(db_session, catalog(), day)
    db_session.commit()  # the plan is read; each reminder is claimed in a transaction of its own
    with mail_context():
        for reminder in plan:
            if reminders.claim(db_session, reminder):
                send_reminder(db_session, reminder)
                sent += 1
    click.echo(f"{sent} reminder(s) sent for {day.isoformat()}.")


@org_cli.command("report")
@click.argument("slug")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), required=True)
@click.option("--output", type=click.Path(dir_okay=False, writable=True), required=True)
@click.option("--assignment", type=int, default=None, help="Status and dates for this assignment's id.")
def report(slug: str, fmt: str, output: str, assignment: int | None) -> None:
    """Write the completion report of SLUG (every active member) as CSV or XLSX."""
    from pathlib import Path

    from app.content import catalog
    from app.db import db_session
    from course.assignments import local_today
    from course.db import utcnow
    from course.services import org_report, orgs
    try:
        access = orgs.acting_access(db_session, None, slug)
        result = org_report.completion_report(db_session, catalog(), access, local_today(utcnow()),
                                              assignment_id=assignment)
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    if fmt == "csv":
        Path(output).write_text("\ufeff" + org_report.to_csv(result), encoding="utf-8")
    else:
        Path(output).write_bytes(org_report.to_xlsx(result))
    click.echo(f"Wrote {len(result.rows)} member(s) to {output}.")


@org_cli.command("sso")
@click.argument("slug")
@click.option("--issuer", default=None, help="The identity provider's issuer URL (OpenID Connect discovery).")
@click.option("--client-id", default=None, help="The client id Leerlijn has at the provider.")
@click.option("--domains", default=None, help="Email domains the provider signs in, comma-separated: a.nl,b.nl.")
@click.option("--mandatory/--optional", default=None,
              help="Whether members may only sign in through the provider (no password login or reset).")
@click.option("--secret-stdin", is_flag=True,
              help="Read the client secret from standard input and store it encrypted (needs LEERLIJN_SSO_KEY). "
                   "Without it the secret comes from LEERLIJN_SSO_SECRET_<SLUG>.")
@click.option("--remove", is_flag=True, help="Remove the organisation's single sign-on.")
def sso_command(slug: str, issuer: str | None, client_id: str | None, domains: str | None, mandatory: bool | None,
                secret_stdin: bool, remove: bool) -> None:
    """Set up or show single sign-on (OpenID Connect) of organisation SLUG; without options, show it."""
    import os

    from app.db import db_session
    from app.sso.views import redirect_uri
    from course.services import sso
    config = current_app.config
    try:
        if remove:
            removed = sso.remove(db_session, None, slug)
            click.echo(f"Single sign-on of {slug} removed." if removed else f"{slug} had no single sign-on.")
            return
        secret = sys.stdin.readline().strip() if secret_stdin else None
        if secret_stdin and not secret:
            raise click.ClickException("No secret on standard input.")
        if any(value is not None for value in (issuer, client_id, domains, mandatory, secret)):
            settings = sso.configure(db_session, None, slug, environ=os.environ, key=config["SSO_KEY"],
                                     allow_http=config["SSO_ALLOW_HTTP"], issuer=issuer, client_id=client_id,
                                     client_secret=secret,
                                     domains=sso.parse_domains(domains) if domains is not None else None,
                                     mandatory=mandatory)
        else:
            settings = sso.admin_settings(db_session, None, slug, environ=os.environ, key=config["SSO_KEY"])[1]
    except DomainError as exc:
        db_session.rollback()
        raise click.ClickException(exc.message) from exc
    if settings is None:
        click.echo(f"{slug} has no single sign-on. Set it up with --issuer, --client-id and --domains.")
        return
    with mail_context():
        uri = redirect_uri(slug)
    source = {"environment": f"from {sso.secret_variable(slug)}", "stored": "stored encrypted"}.get(
        settings.secret_source or "", f"missing: set {sso.secret_variable(slug)} or use --secret-stdin")
    click.echo(f"Organisation:  {slug}\nIssuer:        {settings.config.issuer}\n"
               f"Client id:     {settings.config.client_id}\nSecret:        {source}\n"
               f"Domains:       {', '.join(settings.config.domains) or '(none: nobody can sign in)'}\n"
               f"Mandatory:     {'yes' if settings.config.mandatory else 'no'}\n"
               f"Redirect URI:  {uri}   (register this at the provider)\n"
               f"Usable:        {'yes' if settings.usable else 'no'}")


@org_cli.command("refresh-figures")
def refresh_figures() -> None:
    """Recompute every learner's stored figures from their progress rows: time on task and their standing
    per module, as the completion report reads them.

    The services keep them up to date as learners work; run this once after upgrading to a version that
    stores them, after a content change that adds, removes or moves pages, checks or casussen (reports
    compute a missing or outdated figure themselves, exactly but slowly) and after writing progress rows by
    other means than the application. Safe to run at any time.
    """
    from sqlalchemy import select

    from app.content import catalog
    from app.db import db_session
    from course.db import User
    from course.services import module_summaries, on_task
    user_ids = list(db_session.scalars(select(User.id).order_by(User.id)))
    done = summed = 0
    for start in range(0, len(user_ids), 2000):
        done += on_task.refresh_all(db_session, user_ids[start:start + 2000])
        summed += module_summaries.refresh_all(db_session, catalog(), user_ids[start:start + 2000])
        db_session.commit()  # short transactions: learners keep working meanwhile
    click.echo(f"Time on task recomputed for {done} account(s).")
    click.echo(f"Standing per module recomputed for {summed} account(s).")
