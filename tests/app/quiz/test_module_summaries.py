"""Each learner's standing per module stored (course.services.module_summaries): after pages read, checks handed
in and casussen completed through the services, with a clock that jumps, every member's row of the completion
report is read from the stored figures and equals what the pure rules give; a write that did not store them,
a content change or rows written outside the services never show an outdated figure; refresh-figures fills
them."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from course.assignments import Requirement
from course.catalog import Catalog
from course.content.model import CasusesRule, CompletionRules, PagesRule, QuizRule
from course.db import Membership, ModuleSummary, Organisation, PageProgress, TimeOnTask, User
from course.services import module_summaries, progress_sql
from course.services import progress as progress_service
from tests.app.org.conftest import make_user
from tests.app.org.test_report_sql import TODAY, by_the_rules
from tests.app.quiz.test_time_on_task import Clock, random_writes


def members_of(slug: str) -> Select:
    return (select(User.id.label("user_id"), User.name.label("name"), User.email.label("email"),
                   Membership.team_id.label("team_id"), Membership.team_id.label("team_name"))
            .join(Membership, Membership.user_id == User.id)
            .join(Organisation, Organisation.id == Membership.organisation_id).where(Organisation.slug == slug))


def requirements(catalog: Catalog) -> list[Requirement]:
    modules = [m.id for m in catalog.modules]
    casus = sorted(catalog.casuses)
    return [Requirement((), date.max), Requirement((), TODAY - timedelta(days=1)),
            Requirement(tuple(modules[:1]), TODAY + timedelta(days=3), min_quiz_percent=80),
            Requirement(tuple(modules[1:]), TODAY, min_quiz_percent=50, casus_ids=tuple(casus[:1]))]


def assert_report_follows_the_rules(session: Session, catalog: Catalog, users: list[int]) -> None:
    for requirement in requirements(catalog):
        expected = by_the_rules(session, catalog, users, requirement)
        found = {f.user_id: (f.status, f.completed_at, f.modules_done, f.casuses_done, f.best_scores,
                             f.minutes_on_task)
                 for f in progress_sql.member_figures(session, catalog, members_of("jeugdzorg"), requirement, TODAY)}
        assert found == expected, requirement


def summed(session: Session, catalog: Catalog) -> set[int]:
    """The learners whose stored figures the report reads (of this content, after their latest write)."""
    session.expire_all()
    return set(session.scalars(
        select(ModuleSummary.user_id).join(TimeOnTask, TimeOnTask.user_id == ModuleSummary.user_id)
        .where(ModuleSummary.shape == module_summaries.shape_key(catalog), ModuleSummary.basis == TimeOnTask.version)))


def organisation_of(session: Session, count: int) -> list[int]:
    organisation = Organisation(slug="jeugdzorg", name="Jeugdzorg")
    session.add(organisation)
    users = [make_user(session, f"lid{n}@example.org").id for n in range(count)]
    session.add_all(Membership(user_id=u, organisation_id=organisation.id) for u in users)
    session.commit()
    return users


def test_after_every_kind_of_write_the_report_reads_figures_equal_to_the_rules(
        app: Flask, session: Session, quiz_catalog: Catalog, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock(monkeypatch)
    rng = random.Random(20261127)
    users = organisation_of(session, 6)
    random_writes(session, quiz_catalog, users, clock, rng, stored_catalog=quiz_catalog)
    # Every learner who finished something is read from their stored figures, and the report still says
    # what the rules say: statuses, dates, modules and casussen done, best scores.
    assert summed(session, quiz_catalog) == set(session.scalars(select(TimeOnTask.user_id))) == set(users)
    assert_report_follows_the_rules(session, quiz_catalog, users)
    # The writes reached what the figures hold: modules complete and not, scores, casussen.
    stored = session.execute(select(func.sum(ModuleSummary.casuses_done), func.count().filter(
        ModuleSummary.complete.is_(True)), func.count().filter(ModuleSummary.best_score.is_not(None)))).one()
    assert all(stored) and stored[1] < len(users) * len(quiz_catalog.modules)


def test_a_write_that_stores_no_figures_makes_the_report_compute_that_learner(
        app: Flask, session: Session, quiz_catalog: Catalog, monkeypatch: pytest.MonkeyPatch) -> None:
    """A page read by a caller without the catalog: the learner's stored figures are outdated and not used."""
    clock = Clock(monkeypatch)
    users = organisation_of(session, 2)
    first, second = quiz_catalog.modules[0].pages[:2]
    for user_id in users:
        progress_service.record_visit(session, user_id, first, read=True, catalog=quiz_catalog)
    clock.now += timedelta(minutes=3)
    progress_service.record_visit(session, users[0], second, read=True)  # no catalog: nothing stored
    assert summed(session, quiz_catalog) == {users[1]}
    assert_report_follows_the_rules(session, quiz_catalog, users)
    progress_service.record_visit(session, users[0], second, read=True, catalog=quiz_catalog)
    assert summed(session, quiz_catalog) == set(users)
    assert_report_follows_the_rules(session, quiz_catalog, users)


def test_after_a_content_change_the_report_ignores_figures_of_the_old_content(
        app: Flask, session: Session, quiz_catalog: Catalog, monkeypatch: pytest.MonkeyPatch) -> None:
    Clock(monkeypatch)
    users = organisation_of(session, 2)
    for page in quiz_catalog.modules[0].pages:
        progress_service.record_visit(session, users[0], page, read=True, catalog=quiz_catalog)
    progress_service.record_visit(session, users[1], quiz_catalog.modules[0].pages[0], read=True,
                                  catalog=quiz_catalog)
    # Completion now asks only the pages; then a page is dropped from the first module.
    changed = replace(quiz_catalog, course=replace(quiz_catalog.course, completion=CompletionRules(
        PagesRule.ALL, QuizRule.NONE, CasusesRule.NONE)))
    first = quiz_catalog.modules[0]
    shorter = replace(changed, modules=(replace(first, pages=first.pages[1:]), *quiz_catalog.modules[1:]))
    for catalog in (changed, shorter):
        assert summed(session, catalog) == set()
        assert_report_follows_the_rules(session, catalog, users)
        assert module_summaries.refresh_all(session, catalog, users) == 2
        assert summed(session, catalog) == set(users)
        assert_report_follows_the_rules(session, catalog, users)
    figures = progress_sql.member_figures(session, shorter, members_of("jeugdzorg"), Requirement((), date.max), TODAY)
    assert sorted(f.modules_done for f in figures) == [0, 1]  # with the first page gone, one page read is enough


def test_refresh_figures_stores_every_learners_standing(app: Flask, session: Session, quiz_catalog: Catalog
                                                        ) -> None:
    users = organisation_of(session, 3)
    start = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
    module = quiz_catalog.modules[0]
    # Rows as a database from before the figures were kept holds them: written without the services.
    session.add_all([PageProgress(user_id=users[0], module_id=module.id, page_id=page.id, first_seen_at=start,
                                  last_seen_at=start, read_at=start + timedelta(minutes=n))
                     for n, page in enumerate(module.pages)])
    session.commit()
    assert summed(session, quiz_catalog) == set()
    result = app.test_cli_runner().invoke(args=["org", "refresh-figures"])
    assert result.exit_code == 0, result.output
    assert "Standing per module recomputed for 3 account(s)." in result.output
    assert summed(session, quiz_catalog) == set(users)
    assert_report_follows_the_rules(session, quiz_catalog, users)
