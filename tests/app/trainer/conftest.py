"""Fixtures for the trainer and live-session web tests: the fixture course with the web quizzes, a trainer,
and several learners, each in a client of their own."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from course.catalog import Catalog, load_catalog
from course.db import Role, User
from course.services.accounts import create_user
from tests.app.quiz.conftest import build_course
from tests.conftest import AuthActions, make_app

PASSWORD = "een-lang-wachtwoord"


@pytest.fixture(scope="session")
def trainer_catalog(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    return load_catalog(build_course(tmp_path_factory.mktemp("trainercourse") / "course"))


@pytest.fixture
def app(connection: Connection, trainer_catalog: Catalog, tmp_path: Path) -> Flask:
    return make_app(connection, trainer_catalog, tmp_path)


def make_user(session: Session, email: str, role: Role = Role.LEARNER, name: str | None = None) -> User:
    return create_user(session, email=email, name=name or email.split("@")[0].title(), password=PASSWORD,
                       role=role)


def logged_in(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    response = AuthActions(client).login(email=email, password=PASSWORD)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


@pytest.fixture
def trainer(app: Flask, session: Session) -> FlaskClient:
    make_user(session, "trainer@example.org", Role.TRAINER, "Tara Trainer")
    return logged_in(app, "trainer@example.org")


def learners(app: Flask, session: Session, n: int, prefix: str = "cursist") -> list[FlaskClient]:
    clients = []
    for i in range(n):
        make_user(session, f"{prefix}{i}@example.org", name=f"{prefix.title()} {i}")
        clients.append(logged_in(app, f"{prefix}{i}@example.org"))
    return clients


def location_id(response: Any, pattern: str) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)
    match = re.search(pattern, response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match[1])


def text(response: Any) -> str:
    """The page's visible text, tags removed and whitespace collapsed (what a person reads)."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()
