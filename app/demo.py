"""`flask --app app demo`: a development database that looks lived in, in one command.

Learners at different stages (just started, halfway with a knowledge check in progress, a module finished
with its knowledge check passed), a trainer and an administrator. Everything goes through the same services
the web pages use, so what the demo shows is what a learner doing the same would see. Never in production.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from course.catalog import Catalog
from course.content.model import Module
from course.db import Role, User
from course.quiz import Paper, QuestionType
from course.services import accounts
from course.services import progress as progress_service
from course.services import quizzes as quiz_service


@dataclass(frozen=True)
class DemoUser:
    email: str
    name: str
    role: Role
    stage: str  # what the demo does for this person, see `_bring_to_stage`


DEMO_USERS = (
    DemoUser("beheer@demo.leerlijn.test", "Beheerder Demo", Role.SITE_ADMIN, "none"),
    DemoUser("trainer@demo.leerlijn.test", "Tessa Trainer", Role.TRAINER, "none"),
    DemoUser("anna@demo.leerlijn.test", "Anna de Jong", Role.LEARNER, "started"),
    DemoUser("bram@demo.leerlijn.test", "Bram Peters", Role.LEARNER, "halfway"),
    DemoUser("chris@demo.leerlijn.test", "Chris Willems", Role.LEARNER, "module-done"),
)


def model_answer(question: QuestionType) -> dict[str, list[str]]:
    """The plain (not yet opaque) form answer that earns full marks, for every question type."""
    q: Any = question
    answers = {
        "single_choice": lambda: {"": [next(o.id for o in q.options if o.correct)]},
        "multiple_response": lambda: {"": [o.id for o in q.options if o.correct]},
        "true_false": lambda: {"": ["true" if q.answer else "false"]},
        "ordering": lambda: {i.id: [str(n)] for n, i in enumerate(q.items, 1)},
        "categorise": lambda: {i.id: [i.category] for i in q.items},
        "numeric": lambda: {"": [str(q.answer)]},
        "short_text": lambda: {"": [q.accepted[0]]},
    }
    return answers[question.type]()


def _paper_form(paper: Paper, questions: list[QuestionType]) -> dict[str, list[str]]:
    form: dict[str, list[str]] = {}
    for question in questions:
        form.update(paper.opaque.encode_raw(question, model_answer(question)))
    return form


def _read(session: Session, catalog: Catalog, user_id: int, module: Module, pages: int | None = None) -> None:
    for page in module.pages[:pages]:
        progress_service.record_visit(session, user_id, page, read=True, catalog=catalog)


def _bring_to_stage(session: Session, catalog: Catalog, user_id: int, stage: str) -> None:
    first = catalog.modules[0]
    quiz = catalog.quiz_for_module(first.id)
    if stage == "started":
        _read(session, catalog, user_id, first, 2)
    elif stage == "halfway":
        _read(session, catalog, user_id, first)
        if len(catalog.modules) > 1:
            _read(session, catalog, user_id, catalog.modules[1], 1)
        if quiz is not None:  # a knowledge check begun, one answer saved
            attempt = quiz_service.start_attempt(session, user_id, quiz)
            paper = quiz_service.view_attempt(session, user_id, attempt.id).paper
            quiz_service.save_answers(session, user_id, attempt.id,
                                      _paper_form(paper, [paper.questions[0].question]))
    elif stage == "module-done":
        _read(session, catalog, user_id, first)
        if quiz is not None:
            attempt = quiz_service.start_attempt(session, user_id, quiz)
            paper = quiz_service.view_attempt(session, user_id, attempt.id).paper
            quiz_service.submit_attempt(session, user_id, attempt.id,
                                        _paper_form(paper, [pq.question for pq in paper.questions]), catalog=catalog)


def fill(session: Session, catalog: Catalog, password: str | None = None) -> tuple[list[DemoUser], str]:
    """Create the demo accounts and their progress; returns the users created and their password.

    Accounts that already exist are left alone, so running it twice changes nothing.
    """
    password = password or secrets.token_urlsafe(12)
    created = []
    for demo in DEMO_USERS:
        if session.scalar(select(User).where(User.email == demo.email)) is not None:
            continue
        user = accounts.create_user(session, email=demo.email, name=demo.name, password=password, role=demo.role)
        _bring_to_stage(session, catalog, user.id, demo.stage)
        created.append(demo)
    return created, password
