"""Fixtures for the quiz web tests: the fixture course plus two quizzes and a page with an embedded question."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from course.catalog import Catalog, load_catalog
from course.db import QuizAttempt
from course.quiz import Paper, QuestionType
from tests.conftest import FIXTURES, VALID_CONTENT, make_app

QUIZ_CONTENT = FIXTURES / "content" / "quiz" / "web"


def build_course(target: Path) -> Path:
    """The valid fixture course with the quiz fixtures laid over it, in ``target``."""
    shutil.copytree(VALID_CONTENT, target)
    shutil.copytree(QUIZ_CONTENT, target, dirs_exist_ok=True)
    return target


@pytest.fixture(scope="session")
def quiz_course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_course(tmp_path_factory.mktemp("quizcourse") / "course")


@pytest.fixture(scope="session")
def quiz_catalog(quiz_course: Path) -> Catalog:
    return load_catalog(quiz_course)


@pytest.fixture
def app(connection: Connection, quiz_catalog: Catalog, tmp_path: Path) -> Flask:
    return make_app(connection, quiz_catalog, tmp_path)


def perfect_raw(question: QuestionType) -> dict[str, list[str]]:
    q: Any = question
    return {
        "single_choice": lambda: {"": [next(o.id for o in q.options if o.correct)]},
        "multiple_response": lambda: {"": [o.id for o in q.options if o.correct]},
        "true_false": lambda: {"": ["true" if q.answer else "false"]},
        "ordering": lambda: {i.id: [str(n)] for n, i in enumerate(q.items, 1)},
        "categorise": lambda: {i.id: [i.category] for i in q.items},
        "numeric": lambda: {"": [str(q.answer).replace(".", ",")]},
        "short_text": lambda: {"": [q.accepted[0]]},
    }[question.type]()


def wrong_raw(question: QuestionType) -> dict[str, list[str]]:
    q: Any = question
    return {
        "single_choice": lambda: {"": [next(o.id for o in q.options if not o.correct)]},
        "multiple_response": lambda: {"": [o.id for o in q.options if not o.correct]},
        "true_false": lambda: {"": ["false" if q.answer else "true"]},
        "ordering": lambda: {i.id: [str(n % len(q.items) + 1)] for n, i in enumerate(q.items, 1)},  # all moved
        "categorise": lambda: {i.id: [next(c.id for c in q.categories if c.id != i.category)] for i in q.items},
        "numeric": lambda: {"": ["999"]},
        "short_text": lambda: {"": ["iets anders"]},
    }[question.type]()


def form_fields(question_id: str, raw: dict[str, list[str]]) -> dict[str, list[str]]:
    """Form fields with plain ids, as no page of ours posts them any more (see ``paper_fields``)."""
    return {(f"q.{question_id}.{k}" if k else f"q.{question_id}"): v for k, v in raw.items()}


def paper_fields(paper: Paper, question_id: str, raw: dict[str, list[str]]) -> dict[str, list[str]]:
    """The form fields the attempt's page posts for the plain answer ``raw`` (with its opaque values)."""
    pq = paper.question(question_id)
    assert pq is not None, question_id
    return paper.opaque.encode_raw(pq.question, raw)


def option_value(html: str, label: str) -> str:
    """The value a page posts for the option labelled ``label`` (as a browser user picks it)."""
    match = re.search(r'value="([^"]+)"[^>]*>\s*<label for="[^"]+">' + re.escape(label) + "<", html)
    assert match, f"no option labelled {label!r}"
    return match[1]


class QuizHelper:
    """Drive a learner through a quiz the way a browser without JavaScript does."""

    def __init__(self, client: FlaskClient, session: Session):
        self.client = client
        self.session = session

    def start(self, quiz_id: str = "eerste-toets") -> int:
        response = self.client.post(f"/quiz/{quiz_id}/starten")
        assert response.status_code == 302, response.get_data(as_text=True)
        match = re.search(r"/quiz/poging/(\d+)$", response.headers["Location"])
        assert match, response.headers["Location"]
        return int(match[1])

    def token(self, attempt_id: int) -> str:
        html = self.client.get(f"/quiz/poging/{attempt_id}").get_data(as_text=True)
        match = re.search(r'name="attempt_token" value="([^"]+)"', html)
        assert match, html
        return match[1]

    def paper(self, attempt_id: int) -> Paper:
        self.session.expire_all()
        attempt = self.session.scalar(select(QuizAttempt).where(QuizAttempt.id == attempt_id))
        assert attempt is not None
        return Paper.from_snapshot(attempt.snapshot)

    def answers(self, attempt_id: int, right: int | None = None) -> dict[str, list[str]]:
        """Form fields answering every question: the first ``right`` ones perfectly (all if None), the rest wrong."""
        data: dict[str, list[str]] = {}
        paper = self.paper(attempt_id)
        for n, pq in enumerate(paper.questions):
            ok = right is None or n < right
            data.update(paper_fields(paper, pq.question.id, (perfect_raw if ok else wrong_raw)(pq.question)))
        return data

    def fields(self, attempt_id: int, question_id: str, raw: dict[str, list[str]]) -> dict[str, list[str]]:
        """The form fields the attempt's page posts for the plain answer ``raw``."""
        return paper_fields(self.paper(attempt_id), question_id, raw)

    def value(self, attempt_id: int, question_id: str, plain: str) -> str:
        """The opaque value the attempt's page shows for option (or category) ``plain``."""
        return self.paper(attempt_id).opaque.value(question_id, plain)

    def post(self, attempt_id: int, data: dict[str, Any], action: str = "save", token: str | None = None,
             **kwargs: Any) -> Any:
        payload = {"attempt_token": token or self.token(attempt_id), "action": action, **data}
        return self.client.post(f"/quiz/poging/{attempt_id}", data=payload, **kwargs)


@pytest.fixture
def quiz(client: FlaskClient, session: Session) -> QuizHelper:
    return QuizHelper(client, session)
