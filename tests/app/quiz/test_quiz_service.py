"""The quiz service on the database: results per policy, one open attempt, and how many queries pages take."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from course.db import QuizAttempt, User
from course.errors import NotFound
from course.services import quizzes as service
from tests.app.quiz.conftest import paper_fields, perfect_raw, wrong_raw


@pytest.fixture
def learner(session) -> int:
    user = User(email="leerling@example.org", name="Leerling", password_hash="x")
    session.add(user)
    session.commit()
    return user.id


def _take(session, user_id, quiz, right: bool) -> QuizAttempt:
    attempt = service.start_attempt(session, user_id, quiz)
    paper = service.view_attempt(session, user_id, attempt.id).paper
    form: dict[str, list[str]] = {}
    for pq in paper.questions:
        form |= paper_fields(paper, pq.question.id, (perfect_raw if right else wrong_raw)(pq.question))
    return service.submit_attempt(session, user_id, attempt.id, form).attempt


def test_quiz_results_best_counts(session, learner, quiz_catalog, count_queries):
    quiz = quiz_catalog.quizzes["eerste-toets"]  # counts: best
    _take(session, learner, quiz, right=True)
    _take(session, learner, quiz, right=False)
    with count_queries() as counter:
        results = service.quiz_results(session, learner)
    assert counter.count == 1
    result = results["eerste-toets"]
    assert result.attempts == 2 and result.best_score == 1.0 and result.last_score == 0.0
    assert result.counted_score == 1.0 and result.passed and result.last_submitted_at is not None


def test_quiz_results_last_counts(session, learner, quiz_catalog):
    quiz = quiz_catalog.quizzes["tweede-toets"]  # counts: last
    _take(session, learner, quiz, right=True)
    _take(session, learner, quiz, right=False)
    result = service.quiz_results(session, learner)["tweede-toets"]
    assert result.counted_score == 0.0 and not result.passed and result.best_score == 1.0


def test_no_results_without_submitted_attempts(session, learner, quiz_catalog):
    service.start_attempt(session, learner, quiz_catalog.quizzes["eerste-toets"])
    assert service.quiz_results(session, learner) == {}


def test_only_one_open_attempt_per_quiz(session, learner, quiz_catalog):
    """Even two racing starts cannot give a learner two open attempts at one quiz."""
    quiz = quiz_catalog.quizzes["eerste-toets"]
    first = service.start_attempt(session, learner, quiz)
    assert service.start_attempt(session, learner, quiz).id == first.id
    session.add(QuizAttempt(user_id=learner, quiz_id=quiz.id, number=2, seed=1, snapshot={}, counts="best"))
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()


def test_same_seed_gives_the_same_snapshot(session, learner, quiz_catalog):
    quiz = quiz_catalog.quizzes["eerste-toets"]
    attempt = service.start_attempt(session, learner, quiz, seed=42)
    from course.quiz import draw_paper
    assert attempt.snapshot == draw_paper(quiz, 42, attempt.snapshot["key"]).to_snapshot()


def test_other_learners_attempt_is_not_found(session, learner, quiz_catalog):
    attempt = service.start_attempt(session, learner, quiz_catalog.quizzes["eerste-toets"])
    with pytest.raises(NotFound):
        service.save_answers(session, learner + 1000, attempt.id, {"q.enkel": ["a"]})
    with pytest.raises(NotFound):
        service.submit_attempt(session, learner + 1000, attempt.id)
    with pytest.raises(NotFound):
        service.view_attempt(session, learner + 1000, attempt.id)


def test_save_is_idempotent(session, learner, quiz_catalog):
    attempt = service.start_attempt(session, learner, quiz_catalog.quizzes["eerste-toets"])
    paper = service.view_attempt(session, learner, attempt.id).paper
    for _ in range(3):
        result = service.save_answers(session, learner, attempt.id, paper_fields(paper, "enkel", {"": ["b"]}))
        assert result.saved == ("enkel",)
    view = service.view_attempt(session, learner, attempt.id)
    assert view.answers == {"enkel": {"": ["b"]}}


def test_attempt_history_oldest_first(session, learner, quiz_catalog):
    quiz = quiz_catalog.quizzes["eerste-toets"]
    _take(session, learner, quiz, right=False)
    open_attempt = service.start_attempt(session, learner, quiz)
    history = service.attempt_history(session, learner, quiz.id)
    assert [a.number for a in history] == [1, 2] and history[-1].id == open_attempt.id


def test_query_count_of_the_attempt_page(client, auth, quiz, count_queries):
    """The attempt page costs a fixed handful of queries, whatever the number of questions."""
    auth.register()
    attempt_id = quiz.start()
    quiz.post(attempt_id, quiz.answers(attempt_id))
    with count_queries() as counter:
        assert client.get(f"/quiz/poging/{attempt_id}").status_code == 200
    # user, attempt, answers; the header's progress; a passed attempt names the next step, which takes the
    # course progress (page rows, quiz results, completed casussen)
    assert counter.count <= 7, counter.statements


def test_query_count_of_submit(client, auth, quiz, count_queries):
    auth.register()
    attempt_id = quiz.start()
    token = quiz.token(attempt_id)
    answers = quiz.answers(attempt_id)
    with count_queries() as counter:
        response = quiz.post(attempt_id, answers, action="submit", token=token)
    assert response.status_code == 302
    # user, attempt (locked), upsert answers, touch attempt, read answers, close attempt, grade answers, the
    # learner's spans and their stored time on task (course.services.on_task), their rows and stored standing
    # per module (course.services.module_summaries); then
    # whether that earned a certificate: the latest certificate, course progress (3), pages, attempts, runs;
    # and whether an assignment with a stricter rule waits for its certificate (one, when none does); the
    # closed attempt is not read again after the commit
    assert counter.count <= 17, counter.statements


def test_query_count_of_the_review(client, auth, quiz, count_queries):
    auth.register()
    attempt_id = quiz.start()
    quiz.post(attempt_id, quiz.answers(attempt_id), action="submit")
    with count_queries() as counter:
        assert client.get(f"/quiz/poging/{attempt_id}/resultaat").status_code == 200
    # user, attempt, answers; the header's progress; a passed attempt names the next step, which takes the
    # course progress (page rows, quiz results, completed casussen)
    assert counter.count <= 7, counter.statements
