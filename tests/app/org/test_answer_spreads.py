"""What a group or an organisation misses most is counted by the database (course.services.groups.
answer_spreads): it must give the same spreads as counting every stored answer and decision one by one, over
varied rows, on SQLite and PostgreSQL, whether the members come as a list of ids or as a query."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from course.casus.kinds import ChoiceStep
from course.catalog import Catalog, load_catalog
from course.db import AttemptAnswer, AttemptStatus, CasusDecision, CasusRun, QuizAttempt, RunStatus, User
from course.services.groups import answer_spreads

ROOT = Path(__file__).resolve().parents[3]
NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def real_catalog() -> Catalog:
    return load_catalog(ROOT)


def seed(session: Session, catalog: Catalog, members: int, rng: random.Random) -> list[int]:
    """Answers as the quiz stores them (chosen option ids, true/false, other types right or not) with odd
    ones among them (values that are no text, a field that is no list, a question no longer in the quiz), and
    casus decisions with an option, without one, or of another kind."""
    users = session.execute(insert(User).returning(User.id), [
        {"email": f"deelnemer{n}@spreiding.example.org", "name": f"Deelnemer {n}", "password_hash": "!"}
        for n in range(members)]).scalars().all()
    quizzes = list(catalog.quizzes.values())[:3]
    casuses = list(catalog.casuses.values())[:3]
    for user_id in users:
        for quiz in quizzes:
            for number in range(1, rng.randint(0, 2) + 1):
                # Answers go in while the attempt is open: a submitted attempt's answers are final.
                attempt = session.execute(insert(QuizAttempt).returning(QuizAttempt.id), [{
                    "user_id": user_id, "quiz_id": quiz.id, "number": number, "seed": 1, "snapshot": {},
                    "counts": "best", "status": AttemptStatus.IN_PROGRESS, "started_at": NOW}]).scalar_one()
                answers = []
                for question in [*quiz.questions[:6], None]:
                    if rng.random() < 0.3:
                        continue
                    options = [o.id for o in getattr(question, "options", None) or ()]
                    if options:
                        raw = {"": rng.sample(options, rng.randint(1, min(2, len(options))))}
                    elif hasattr(question, "feedback_true"):
                        raw = {"": [rng.choice(["true", "false"])]}
                    else:
                        raw = {"volgorde": ["a", "b"]}
                    raw = rng.choice([raw, raw, raw, {"": [7, "x"]}, {"": "ab"}, {"": {"a": 1}}])
                    answers.append({"attempt_id": attempt, "question_id": question.id if question else "weg",
                                    "raw": raw, "correct": rng.choice([True, False, None])})
                if answers:
                    session.execute(insert(AttemptAnswer), answers)
                if number < 2 or rng.random() < 0.7:
                    session.execute(update(QuizAttempt).where(QuizAttempt.id == attempt).values(
                        status=AttemptStatus.SUBMITTED, submitted_at=NOW, score=0.5, passed=False))
        for casus in casuses:
            if rng.random() < 0.3:
                continue
            run = session.execute(insert(CasusRun).returning(CasusRun.id), [{
                "user_id": user_id, "casus_id": casus.id, "number": 1, "content_hash": "x", "state": {},
                "drafts": {}, "status": RunStatus.COMPLETED, "started_at": NOW, "updated_at": NOW,
                "completed_at": NOW}]).scalar_one()
            decisions = []
            for step in casus.steps:
                if isinstance(step, ChoiceStep):
                    for _again in range(rng.randint(1, 2)):  # going back and choosing again
                        option = rng.choice([o.id for o in step.options])
                        choice = rng.choice([{"option": option}, {"option": option}, {"option": 3}, {}])
                        decisions.append({"step_id": step.id, "kind": "choice", "choice": choice})
                else:
                    decisions.append({"step_id": step.id, "kind": step.kind, "choice": {"selected": ["a"]}})
            session.execute(insert(CasusDecision), [
                {"run_id": run, "casus_id": casus.id, "position": n, "decided_at": NOW, **d}
                for n, d in enumerate(decisions)])
    session.flush()
    return list(users)


def counted_one_by_one(session: Session, catalog: Catalog, user_ids: list[int], minimum: int):
    """The spreads from every answer and decision row, each member once per option (the rule as first
    written, in Python); as (questions, forks, withheld) of comparable tuples."""
    answers = session.execute(
        select(QuizAttempt.user_id, QuizAttempt.quiz_id, AttemptAnswer.question_id, AttemptAnswer.raw,
               AttemptAnswer.correct).join(AttemptAnswer, AttemptAnswer.attempt_id == QuizAttempt.id)
        .where(QuizAttempt.user_id.in_(user_ids), QuizAttempt.status == AttemptStatus.SUBMITTED)).all()
    chosen: dict = defaultdict(lambda: defaultdict(set))
    contributors: dict = defaultdict(set)
    for user_id, quiz_id, question_id, raw, correct in answers:
        key = (quiz_id, question_id)
        contributors[key].add(user_id)
        values = raw.get("", []) if isinstance(raw, dict) else []
        for value in values if isinstance(values, list) else []:
            if isinstance(value, str):
                chosen[key][value].add(user_id)
        chosen[key]["__correct" if correct else "__wrong"].add(user_id)
    questions, withheld = [], 0
    for (quiz_id, question_id), users in sorted(contributors.items()):
        quiz = catalog.quizzes.get(quiz_id)
        question = quiz.question(question_id) if quiz else None
        if question is None:
            continue
        if len(users) < minimum:
            withheld += 1
            continue
        questions.append((question_id, len(users), {k: len(v) for k, v in chosen[(quiz_id, question_id)].items()}))
    decisions = session.execute(
        select(CasusRun.user_id, CasusDecision.casus_id, CasusDecision.step_id, CasusDecision.choice)
        .join(CasusRun, CasusRun.id == CasusDecision.run_id)
        .where(CasusRun.user_id.in_(user_ids), CasusDecision.kind == "choice")).all()
    picked: dict = defaultdict(lambda: defaultdict(set))
    for user_id, casus_id, step_id, choice in decisions:
        if isinstance(choice.get("option"), str):
            picked[(casus_id, step_id)][choice["option"]].add(user_id)
    forks = []
    for casus in catalog.casuses.values():
        for step in casus.steps:
            users = set().union(*picked[(casus.id, step.id)].values()) if (casus.id, step.id) in picked else set()
            if not isinstance(step, ChoiceStep) or not users:
                continue
            if len(users) < minimum:
                withheld += 1
                continue
            forks.append((step.title, len(users), tuple(len(picked[(casus.id, step.id)].get(o.id, ()))
                                                        for o in step.options)))
    return questions, forks, withheld


def comparable(questions, forks, withheld):
    """The counts each spread shows, from answer_spreads' result, as counted_one_by_one gives them."""
    def question_counts(spread):
        labels = {"correct": "__correct", "wrong": "__wrong"}
        return {labels.get(option_id, option_id): n for option_id, _label, n, _good in spread.options}
    return ([(s.title, s.contributors, question_counts(s)) for s in questions],
            [(s.title, s.contributors, tuple(n for _id, _label, n, _good in s.options)) for s in forks], withheld)


@pytest.mark.parametrize("minimum", [1, 6])
def test_the_database_counts_the_spreads_as_counting_each_answer_does(session: Session, real_catalog: Catalog,
                                                                      minimum: int) -> None:
    """Every question's and fork's members per option, and how many are withheld below the minimum."""
    users = seed(session, real_catalog, 14, random.Random(minimum))
    expected_questions, expected_forks, expected_withheld = counted_one_by_one(session, real_catalog, users, minimum)
    assert expected_questions and expected_forks
    for members in (users, select(User.id).where(User.email.like("%@spreiding.example.org")).scalar_subquery()):
        questions, forks, withheld = comparable(*answer_spreads(session, real_catalog, members, minimum))
        assert forks == expected_forks and withheld == expected_withheld
        assert len(questions) == len(expected_questions)
        for (title, users_found, counts), (_id, users_expected, wanted) in zip(questions, expected_questions,
                                                                               strict=True):
            assert users_found == users_expected, title
            assert counts == {k: wanted.get(k, 0) for k in counts}, title
