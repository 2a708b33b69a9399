"""Command-line tools: ``flask --app app course check|stats``, ``users create``, ``db upgrade|backup``, ``org …``."""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from app.config import REPO_ROOT
from course.catalog import Catalog, load_catalog
from course.db import Role
from course.errors import ContentErrors, DomainError

# A plain group, registered as a Flask CLI plugin (see pyproject.toml): it must work when the app itself
# refuses to start because the content is broken, which is exactly when `course check` is needed.
course_cli = click.Group("course", help="Check and describe the course content.")


def _content_dir(option: Path | None) -> Path:
    return option or Path(os.environ.get("LEERLIJN_CONTENT_DIR", REPO_ROOT))


def _load_or_exit(root: Path) -> Catalog:
    try:
        return load_catalog(root)
    except ContentErrors as exc:
        for error in exc.errors:
            click.echo(str(error), err=True)
        click.echo(f"{len(exc.errors)} problem(s) found.", err=True)
        sys.exit(1)
users_cli = AppGroup("users", help="Manage user accounts.")
db_cli = AppGroup("db", help="Database schema.")


@course_cli.command("check")
@click.option("--content-dir", type=click.Path(path_type=Path), default=None,
              help="Content to check (default: the app's LEERLIJN_CONTENT_DIR).")
def course_check(content_dir: Path | None) -> None:
    """Validate all content; print every problem as file:line and exit 1 if there is any."""
    catalog = _load_or_exit(_content_dir(content_dir))
    click.echo(f"Content OK: {len(catalog.modules)} modules, {len(catalog.pages)} pages, "
               f"{len(catalog.quizzes)} quizzes, {len(catalog.casuses)} casussen.")


@course_cli.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
@click.option("--content-dir", type=click.Path(path_type=Path), default=None,
              help="Content to describe (default: LEERLIJN_CONTENT_DIR or the repository).")
def course_stats(as_json: bool, content_dir: Path | None) -> None:
    """Counts of everything in the course, for authors and tools."""
    catalog = _load_or_exit(_content_dir(content_dir))
    types = Counter(q.type for quiz in catalog.quizzes.values() for q in quiz.questions)
    stats = {
        "modules": len(catalog.modules),
        "pages": len(catalog.pages),
        "words": sum(m.words for m in catalog.modules),
        "images": len({path for path in catalog.media.values()}),
        "quizzes": len(catalog.quizzes),
        "questions": sum(len(quiz.questions) for quiz in catalog.quizzes.values()),
        # The graded banks attempts draw from, what one attempt of every quiz asks, and the page questions.
        "bank_questions": sum(len(quiz.questions) for quiz in catalog.quizzes.values()),
        "questions_per_attempt": sum(quiz.questions_per_attempt for quiz in catalog.quizzes.values()),
        "practice_questions": sum(len(quiz.practice) for quiz in catalog.quizzes.values()),
        "question_types": dict(sorted(types.items())),
        "casuses": len(catalog.casuses),
        "casus_steps": sum(len(c.steps) for c in catalog.casuses.values()),
        "conversation_steps": sum(1 for c in catalog.casuses.values() for s in c.steps if s.kind == "conversation"),
        "job_aids": len(catalog.jobaids),
        "study_minutes_declared": catalog.study_load.declared,
        "study_minutes_measured": catalog.study_load.total.minutes,
        "study_minutes_per_module": {m.module_id: m.total.minutes for m in catalog.study_load.modules},
        "interventions": len(catalog.interventions),
    }
    if as_json:
        click.echo(json.dumps(stats, indent=2))
    else:
        for key, value in stats.items():
            click.echo(f"{key:>15}: {value}")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", default=None, help="Display name (default: the part of the email before @).")
@click.option("--role", type=click.Choice(["learner", "trainer", "admin"]), default="learner")
@click.password_option(envvar="LEERLIJN_PASSWORD", help="Asked for if not given (or set LEERLIJN_PASSWORD).")
def users_create(email: str, name: str | None, role: str, password: str) -> None:
    """Create an account, e.g. the first administrator: --role admin."""
    from app.db import db_session
    from course.services.accounts import create_user
    user_role = {"learner": Role.LEARNER, "trainer": Role.TRAINER, "admin": Role.SITE_ADMIN}[role]
    try:
        user = create_user(db_session, email=email, name=name or email.split("@")[0], password=password,
                           role=user_role)
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"Created {user.email} ({user.role.value}).")


@click.command("demo")
@click.option("--password", envvar="LEERLIJN_PASSWORD", default=None,
              help="Password of every demo account (or LEERLIJN_PASSWORD; default: a new random one).")
@with_appcontext
def demo(password: str | None) -> None:
    """Fill a development database with demo learners at different stages, a trainer and an administrator."""
    if current_app.config.get("PRODUCTION"):
        raise click.ClickException("refused: this is a production configuration (LEERLIJN_ENV=production); "
                                   "demo accounts belong in a development database only.")
    from app.content import catalog
    from app.db import db_session
    from app.demo import DEMO_USERS, fill
    created, used_password = fill(db_session, catalog(), password)
    if not created:
        click.echo("The demo accounts are already there; nothing changed.")
        return
    for user in created:
        click.echo(f"  {user.email:<28} {user.role.value:<10} {user.stage}")
    click.echo(f"Password of these accounts: {used_password}" if not password
               else "Password of these accounts: the one you gave (LEERLIJN_PASSWORD).")
    click.echo(f"{len(created)} of {len(DEMO_USERS)} demo accounts made. Start the app with "
               "`.venv/bin/flask --app app run` and log in as one of them.")


@db_cli.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration (run once per deployment when LEERLIJN_AUTO_MIGRATE is off)."""
    current_app.extensions["leerlijn.db"].upgrade()
    click.echo("Database is up to date.")


@db_cli.command("backup")
@click.argument("target", required=False, type=click.Path(dir_okay=False, path_type=Path))
def db_backup(target: Path | None) -> None:
    """Copy the SQLite database to TARGET (default: instance/backups/leerlijn-<time>.sqlite3), safely
    while the app runs. To restore: stop the app and put the copy in the database file's place.

    On PostgreSQL this prints how to back up with pg_dump instead.
    """
    from datetime import UTC, datetime

    from app.db import BackupUnsupported
    if target is None:
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        target = Path(current_app.instance_path) / "backups" / f"leerlijn-{stamp}.sqlite3"
    try:
        current_app.extensions["leerlijn.db"].backup(target)
    except BackupUnsupported:
        click.echo("This database is PostgreSQL: back it up with its own tools, e.g.\n"
                   '  pg_dump --format=custom --file=leerlijn.dump "$DATABASE_URL"\n'
                   "and restore into an empty database with\n"
                   '  pg_restore --no-owner --dbname="$DATABASE_URL" leerlijn.dump', err=True)
        sys.exit(2)
    click.echo(f"Backup written to {target}.")


def init_app(app: Flask) -> None:
    from app.org.cli import org_cli, reminders_cli
    app.cli.add_command(org_cli)
    app.cli.add_command(reminders_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(db_cli)
    app.cli.add_command(demo)
