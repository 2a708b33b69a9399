"""Fixtures for certificates: the quiz fixture course with an accreditation section, and a way to finish it."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from course.catalog import Catalog, load_catalog
from course.db import CasusRun, PageProgress, QuizAttempt
from course.quiz import Paper
from course.services import casuses as casus_service
from course.services import quizzes as quiz_service
from course.services.progress import record_visit
from tests.app.quiz.conftest import build_course, paper_fields, perfect_raw
from tests.conftest import make_app

ACCREDITATION = """
accreditation:
  registers:
    - register: SKJ
      number: "K-2026-0147"
      points: 8
    - register: BIG
      number: "VVN-118822"
      points: 6
  valid_months: 24
  remind_days_before: 60
"""
CASUS_PATH = [("melding", {}), ("signalen", {"item": ["slaan"]}), ("overleg", {"option": ["collega"]}),
              ("reflectie", {"answer": ["Ik overleg eerst."]}), ("checklist", {"criterion": ["feiten"]}),
              ("plan", {"field-zorgen": ["Vader slaat."], "field-wie": ["Ik bel moeder."]})]


@pytest.fixture(scope="session")
def cert_catalog(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    root = build_course(tmp_path_factory.mktemp("certcourse") / "course")
    manifest = root / "course.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8") + ACCREDITATION, encoding="utf-8")
    return load_catalog(root)


@pytest.fixture
def app(connection: Connection, cert_catalog: Catalog, tmp_path: Path) -> Flask:
    return make_app(connection, cert_catalog, tmp_path)


def pass_quizzes(session: Session, catalog: Catalog, user_id: int) -> None:
    for quiz in catalog.quizzes.values():
        attempt = quiz_service.start_attempt(session, user_id, quiz)
        paper = Paper.from_snapshot(session.scalar(select(QuizAttempt.snapshot).where(QuizAttempt.id == attempt.id)))
        form = {name: values for pq in paper.questions
                for name, values in paper_fields(paper, pq.question.id, perfect_raw(pq.question)).items()}
        quiz_service.submit_attempt(session, user_id, attempt.id, form)


def walk_casus(session: Session, catalog: Catalog, user_id: int, restart: bool = False) -> None:
    casus = catalog.casuses["oefencasus"]
    run = (casus_service.restart if restart else casus_service.start_or_resume)(session, user_id, casus)
    for step, raw in CASUS_PATH:
        casus_service.submit_step(session, user_id, run.id, step, raw, casuses=catalog.casuses)


def complete_course(session: Session, catalog: Catalog, user_id: int) -> None:
    """Read every page, pass every knowledge check, walk the casus: the course is complete."""
    for page in catalog.pages:
        record_visit(session, user_id, page, read=True)
    pass_quizzes(session, catalog, user_id)
    walk_casus(session, catalog, user_id)


def backdate(session: Session, user_id: int, delta: timedelta) -> None:
    """Move everything the learner did ``delta`` into the past (as if they did it then)."""
    def shift(value: datetime | None) -> datetime | None:
        return value - delta if value is not None else None
    for row in session.scalars(select(PageProgress).where(PageProgress.user_id == user_id)):
        row.first_seen_at, row.last_seen_at, row.read_at = shift(row.first_seen_at), shift(row.last_seen_at), \
            shift(row.read_at)
    for attempt in session.scalars(select(QuizAttempt).where(QuizAttempt.user_id == user_id)):
        attempt.started_at, attempt.submitted_at = shift(attempt.started_at), shift(attempt.submitted_at)
    for run in session.scalars(select(CasusRun).where(CasusRun.user_id == user_id)):
        run.started_at, run.updated_at, run.completed_at = shift(run.started_at), shift(run.updated_at), \
            shift(run.completed_at)
    session.commit()
