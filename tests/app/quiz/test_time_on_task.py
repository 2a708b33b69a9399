"""Time on task stored per learner (course.services.on_task): after pages read, checks handed in and casussen
completed through the services, with a clock that jumps, overlaps and passes the cap, every learner's stored
figure equals the pure rule over their rows; the report reads it; refresh-figures fills what is missing."""

from __future__ import annotations

import contextlib
import os
import random
import threading
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from course import certification
from course.assignments import Requirement
from course.catalog import Catalog
from course.db import CasusRun, Membership, Organisation, PageProgress, QuizAttempt, TimeOnTask, User
from course.quiz import Paper
from course.services import casuses as casus_service
from course.services import on_task, progress_sql
from course.services import progress as progress_service
from course.services import quizzes as quiz_service
from tests.app.org.conftest import make_user
from tests.app.quiz.conftest import paper_fields, perfect_raw, wrong_raw
from tests.conftest import real_database_app

CASUS_STEPS = [("melding", {}), ("signalen", {}), ("overleg", {"option": ["afsluiten"]}),
               ("reflectie", {"answer": ["x"]}), ("plan", {"field-zorgen": ["y"]})]


class Clock:
    """The services' clock, moved by the test: what each span lasts is then known and varied."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = datetime(2026, 3, 2, 8, 0, 0, 123_456, tzinfo=UTC)
        for module in (progress_service, quiz_service, casus_service, on_task):
            monkeypatch.setattr(module, "utcnow", lambda: self.now)

    def advance(self, rng: random.Random) -> None:
        # Mostly seconds or minutes apart; now and then a stretch past the 60-minute cap, or a day later.
        step = rng.choices([timedelta(seconds=rng.randint(1, 59), microseconds=rng.randint(0, 999_999)),
                            timedelta(minutes=rng.randint(1, 6), seconds=rng.randint(0, 59)),
                            timedelta(minutes=rng.randint(61, 100)), timedelta(days=1, minutes=7)],
                           weights=[50, 42, 5, 3])[0]
        self.now += step


def by_the_rule(session: Session, user_id: int) -> float:
    """The pure rule over the learner's rows, read here independently of course.services.on_task."""
    spans = [(s, e) for s, e in session.execute(select(PageProgress.first_seen_at, PageProgress.read_at)
                                                .where(PageProgress.user_id == user_id)) if e is not None]
    spans += [(s, e) for s, e in session.execute(select(QuizAttempt.started_at, QuizAttempt.submitted_at)
                                                 .where(QuizAttempt.user_id == user_id)) if e is not None]
    spans += [(s, e) for s, e in session.execute(select(CasusRun.started_at, CasusRun.completed_at)
                                                 .where(CasusRun.user_id == user_id)) if e is not None]
    return certification.minutes_on_task(spans)


def stored(session: Session) -> dict[int, float]:
    session.expire_all()
    return {user_id: minutes for user_id, minutes in session.execute(
        select(TimeOnTask.user_id, TimeOnTask.minutes_on_task))}


def hand_in(session: Session, user_id: int, attempt_id: int, rng: random.Random, catalog: Catalog | None = None
            ) -> None:
    attempt = session.get(QuizAttempt, attempt_id)
    assert attempt is not None
    paper = Paper.from_snapshot(attempt.snapshot)
    form: dict[str, list[str]] = {}
    for pq in paper.questions:
        raw = (perfect_raw if rng.random() < 0.6 else wrong_raw)(pq.question)
        form.update(paper_fields(paper, pq.question.id, raw))
    quiz_service.submit_attempt(session, user_id, attempt_id, form, catalog=catalog)


def random_writes(session: Session, catalog: Catalog, users: Sequence[int], clock: Clock, rng: random.Random,
                  *, stored_catalog: Catalog | None = None, writes: int = 160) -> None:
    """``writes`` random page opens and reads, check starts and hand-ins and casus steps by ``users`` through
    the services, the clock moving on between them; ``stored_catalog`` is what the services get to keep each
    learner's standing per module (None: as a caller without the catalog)."""
    pages = [page for module in catalog.modules for page in module.pages]
    quizzes = list(catalog.quizzes.values())
    casus = catalog.casuses["oefencasus"]
    open_attempts: dict[int, list[int]] = {u: [] for u in users}
    open_runs: dict[int, tuple[int, int]] = {}  # user -> (run id, steps done)
    for _ in range(writes):
        user_id = rng.choice(users)
        action = rng.choice(["open", "read", "read", "start", "hand in", "casus", "casus"])
        if action in ("open", "read"):
            progress_service.record_visit(session, user_id, rng.choice(pages), read=action == "read",
                                          catalog=stored_catalog)
        elif action == "start":
            quiz = rng.choice(quizzes)
            if quiz_service.open_attempt(session, user_id, quiz.id) is None:
                with contextlib.suppress(quiz_service.NoAttemptsLeft):  # the check's attempts are used up
                    open_attempts[user_id].append(quiz_service.start_attempt(session, user_id, quiz).id)
        elif action == "hand in" and open_attempts[user_id]:
            hand_in(session, user_id, open_attempts[user_id].pop(rng.randrange(len(open_attempts[user_id]))), rng,
                    catalog=stored_catalog)
        elif action == "casus":
            run_id, done = open_runs.get(user_id) or (casus_service.start_or_resume(session, user_id, casus).id, 0)
            step, raw = CASUS_STEPS[done]
            casus_service.submit_step(session, user_id, run_id, step, raw, casuses=catalog.casuses,
                                      catalog=stored_catalog)
            if done + 1 == len(CASUS_STEPS):
                open_runs.pop(user_id, None)
                casus_service.restart(session, user_id, casus)  # a second run: the casus done twice
            else:
                open_runs[user_id] = (run_id, done + 1)
        clock.advance(rng)


def test_the_stored_figure_equals_the_pure_rule_after_every_kind_of_write(
        app: Flask, session: Session, quiz_catalog: Catalog, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock(monkeypatch)
    rng = random.Random(20261127)
    users = [make_user(session, f"leerling{n}@example.org").id for n in range(6)]
    random_writes(session, quiz_catalog, users, clock, rng)
    figures = stored(session)
    for user_id in users:
        assert figures.get(user_id, 0.0) == by_the_rule(session, user_id), user_id
    # The writes reached every kind of span, several past the cap: the comparison above means something.
    assert session.scalar(select(CasusRun.id).where(CasusRun.completed_at.is_not(None)).limit(1))
    assert session.scalar(select(QuizAttempt.id).where(QuizAttempt.submitted_at.is_not(None)).limit(1))
    assert sum(1 for m in figures.values() if m > certification.MAX_MINUTES_PER_ACTIVITY) >= 3
    assert sum(1 for m in figures.values() if m != round(m)) >= 3  # not only whole capped hours
    assert len(set(figures.values())) == len(users)


def test_opening_a_page_writes_no_figure_and_re_reading_changes_none(
        app: Flask, session: Session, quiz_catalog: Catalog, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock(monkeypatch)
    user_id = make_user(session, "lezer@example.org").id
    page = quiz_catalog.modules[0].pages[0]
    progress_service.record_visit(session, user_id, page)
    assert stored(session) == {}
    clock.now += timedelta(minutes=12)
    progress_service.record_visit(session, user_id, page, read=True)
    assert stored(session) == {user_id: 12.0}
    clock.now += timedelta(minutes=5)
    progress_service.record_visit(session, user_id, page, read=True)  # the first reading stays
    assert stored(session) == {user_id: 12.0}


def members_of(slug: str):
    return (select(User.id.label("user_id"), User.name.label("name"), User.email.label("email"),
                   Membership.team_id.label("team_id"), Membership.team_id.label("team_name"))
            .join(Membership, Membership.user_id == User.id)
            .join(Organisation, Organisation.id == Membership.organisation_id).where(Organisation.slug == slug))


def test_the_report_reads_the_stored_figure_and_computes_a_missing_one(
        app: Flask, session: Session, quiz_catalog: Catalog, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock(monkeypatch)
    organisation = Organisation(slug="jeugdzorg", name="Jeugdzorg")
    session.add(organisation)
    users = [make_user(session, f"lid{n}@example.org").id for n in range(3)]
    session.add_all(Membership(user_id=u, organisation_id=organisation.id) for u in users)
    session.commit()
    page = quiz_catalog.modules[0].pages[0]
    for n, user_id in enumerate(users):
        progress_service.record_visit(session, user_id, page)
        clock.now += timedelta(minutes=10 + n)
        progress_service.record_visit(session, user_id, page, read=True)
    # A figure that is not the rows' own proves the report reads the table; a missing one is merged from
    # the spans (rows from before the figure was kept).
    session.execute(update(TimeOnTask).where(TimeOnTask.user_id == users[1]).values(minutes_on_task=999.5))
    session.execute(delete(TimeOnTask).where(TimeOnTask.user_id == users[2]))
    session.commit()
    figures = {f.user_id: f.minutes_on_task for f in progress_sql.member_figures(
        session, quiz_catalog, members_of("jeugdzorg"), Requirement((), date.max), date(2026, 3, 2))}
    assert figures == {users[0]: 10.0, users[1]: 999.5, users[2]: 12.0}


def test_refresh_figures_fills_and_corrects_every_account(
        app: Flask, session: Session, quiz_catalog: Catalog) -> None:
    users = [make_user(session, f"oud{n}@example.org").id for n in range(3)]
    start = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
    # Rows as a database from before the figure was kept holds them: written without the services.
    session.add_all([PageProgress(user_id=users[0], module_id="m", page_id="p", first_seen_at=start,
                                  last_seen_at=start, read_at=start + timedelta(minutes=25)),
                     PageProgress(user_id=users[1], module_id="m", page_id="p", first_seen_at=start,
                                  last_seen_at=start, read_at=start + timedelta(hours=3))])
    session.add(TimeOnTask(user_id=users[1], minutes_on_task=1.0, updated_at=start))  # out of date
    session.commit()
    result = app.test_cli_runner().invoke(args=["org", "refresh-figures"])
    assert result.exit_code == 0, result.output
    assert "3 account(s)" in result.output
    assert stored(session) == {users[0]: 25.0, users[1]: 60.0, users[2]: 0.0}


def test_two_spans_closing_at_once_both_count(quiz_catalog: Catalog, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """A page read in one tab while another tab's reading commits between this one's reading of the spans
    and its storing of the figure: on PostgreSQL the stale figure is detected and recomputed under the
    learner's lock. SQLite serialises writers, so there the interleaving cannot happen."""
    if not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"):
        pytest.skip("SQLite serialises writers: the other tab would wait for this one")
    clock = Clock(monkeypatch)
    first, second = quiz_catalog.modules[0].pages[:2]
    with real_database_app(quiz_catalog, tmp_path) as app:
        engine = app.extensions["leerlijn.db"].engine
        with Session(engine) as session:
            user_id = make_user(session, "twee-tabs@example.org").id
            for page in (first, second):
                progress_service.record_visit(session, user_id, page)
            clock.now += timedelta(minutes=20)
            real = on_task.computed
            calls = []

            def other_tab_meanwhile(own: Session, user_ids: Sequence[int]) -> dict[int, tuple[float, int]]:
                figures = real(own, user_ids)
                calls.append(own)
                if len(calls) == 1:  # this tab has read the spans: the other tab reads its page and commits
                    def other() -> None:
                        with Session(engine) as tab:
                            progress_service.record_visit(tab, user_id, second, read=True)
                    thread = threading.Thread(target=other)
                    thread.start()
                    thread.join(timeout=30)
                    assert not thread.is_alive()
                return figures

            monkeypatch.setattr(on_task, "computed", other_tab_meanwhile)
            progress_service.record_visit(session, user_id, first, read=True)
            assert len(calls) == 3  # this tab, the other tab, this tab again under the lock
            # Both pages were open from the same moment: twenty minutes, not forty and not nothing.
            assert stored(session) == {user_id: by_the_rule(session, user_id)} == {user_id: 20.0}
            assert session.scalar(select(TimeOnTask.version).where(TimeOnTask.user_id == user_id)) == 1
