"""``flask --app app org …``: organisations from the command line, for scripts and the first set-up."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

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
        send_invitation(added, added.membership.organisation)
    state = "new account, invitation mailed" if added.new_account else "existing account, told by mail"
    click.echo(f"Created organisation {added.membership.organisation.slug} with admin {added.user.email} ({state}).")
