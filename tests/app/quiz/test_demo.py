"""`flask --app app demo`: a newcomer sees a living product in one command, never in production."""

from __future__ import annotations

from sqlalchemy import func, select

from course.db import PageProgress, QuizAttempt, Role, User
from tests.conftest import make_app


def test_demo_fills_learners_at_different_stages_a_trainer_and_an_admin(app, session):
    """One command: an admin, a trainer and three learners, each further along than the last."""
    result = app.test_cli_runner().invoke(args=["demo"], env={"LEERLIJN_PASSWORD": "een-lang-wachtwoord"})
    assert result.exit_code == 0, result.output
    users = {u.email: u for u in session.scalars(select(User))}
    assert users["beheer@demo.leerlijn.test"].role == Role.SITE_ADMIN
    assert users["trainer@demo.leerlijn.test"].role == Role.TRAINER

    def pages_read(email: str) -> int:
        return session.scalar(select(func.count()).select_from(PageProgress)
                              .where(PageProgress.user_id == users[email].id, PageProgress.read_at.is_not(None)))

    def attempts(email: str) -> list[QuizAttempt]:
        return list(session.scalars(select(QuizAttempt).where(QuizAttempt.user_id == users[email].id)))

    assert pages_read("anna@demo.leerlijn.test") == 2 and not attempts("anna@demo.leerlijn.test")
    assert pages_read("bram@demo.leerlijn.test") > 2
    assert [a.submitted for a in attempts("bram@demo.leerlijn.test")] == [False]  # a check in progress
    [passed] = attempts("chris@demo.leerlijn.test")
    assert passed.submitted and passed.passed and passed.score == 1
    assert "anna@demo.leerlijn.test" in result.output and "flask --app app run" in result.output

    again = app.test_cli_runner().invoke(args=["demo"], env={"LEERLIJN_PASSWORD": "een-lang-wachtwoord"})
    assert again.exit_code == 0 and "already there" in again.output
    assert session.scalar(select(func.count()).select_from(User)) == len(users)


def test_demo_refuses_in_production(connection, quiz_catalog, tmp_path, session):
    """A production database never gets demo accounts."""
    app = make_app(connection, quiz_catalog, tmp_path, PRODUCTION=True)
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code != 0 and "production" in result.output
    assert session.scalar(select(func.count()).select_from(User)) == 0
