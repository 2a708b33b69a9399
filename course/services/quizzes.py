"""Quiz attempts: start, save answers as the learner goes, check, submit, results, history and review.

Every function takes a Session and the id of the learner acting; an attempt of someone else is NotFound.
Functions that change data commit, or write nothing at all when they raise.

One lock order for every write to an attempt: first the attempt row (``SELECT … FOR UPDATE``, or for a
save the ``UPDATE`` that marks it saved; on SQLite the transaction's write lock), then its answers. A save
therefore sees a submit that committed before it and is refused, and a submit grades exactly the answers
stored. The database refuses changes to a submitted attempt's answers as well (migration 0008).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache, cached_property
from typing import Any

from sqlalchemy import bindparam, delete, func, select, true, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from course.catalog import Catalog
from course.db.base import status_is, utcnow
from course.db.drafts import CARRIED_SAVE_COUNTS, SAVE_IN_ONE_STATEMENT, commit_draft, posted_answers
from course.db.prepared import STANDALONE_STATEMENTS, PreparedStatement, loaded_instance
from course.db.quiz import AttemptAnswer, AttemptStatus, EmbeddedCheck, QuizAttempt
from course.db.upsert import insert_for, insert_for_dialect
from course.db.users import User
from course.errors import N_, DomainError, NotFound
from course.progress import QuizOutcome, SubmittedAttempt, quiz_outcome
from course.quiz import (
    AnswerError,
    Grade,
    MalformedAnswer,
    Paper,
    Quiz,
    correctable_error,
    draw_paper,
    missing_answers,
    parse_form,
)
from course.services import module_summaries, on_task
from course.services.ownership import lock_learner, own


class AttemptClosed(DomainError):
    """The attempt was submitted already: its answers can no longer change."""


class NoAttemptsLeft(DomainError):
    """The quiz's attempt policy allows no further attempt."""


class IncompleteAttempt(DomainError):
    """Submitting needs an answer to every question.

    ``question_ids`` lists the open ones in paper order; ``errors`` the correctable errors of the form
    submitted with it, by question id.
    """

    def __init__(self, question_ids: list[str], errors: Mapping[str, AnswerError] | None = None):
        super().__init__(N_("Beantwoord eerst alle vragen."))
        self.question_ids = question_ids
        self.errors = dict(errors or {})


QuizResult = QuizOutcome
"""One learner's standing on one quiz, over their submitted attempts."""


@dataclass(frozen=True)
class SaveResult:
    """Which questions were saved, and what the learner still has to correct (by question id).

    A question with an error is saved too, as a draft (see ``ParsedAnswers.drafts``).
    """

    saved: tuple[str, ...]
    errors: Mapping[str, AnswerError]
    saved_at: datetime | None


@dataclass(frozen=True)
class AttemptView:
    """An attempt with its paper and saved answers (form values by question id), ready to show."""

    attempt: QuizAttempt
    paper: Paper
    answers: Mapping[str, dict[str, list[str]]]
    checked: frozenset[str]  # questions whose feedback was shown (after-question feedback)

    @cached_property
    def incomplete(self) -> dict[str, AnswerError]:
        """Kept drafts that are not an answer yet, with what is still to do (a half-sorted categorisation)."""
        errors: dict[str, AnswerError] = {}
        for pq in self.paper.questions:
            raw = self.answers.get(pq.question.id)
            error = correctable_error(pq.question, raw) if raw is not None else None
            if error is not None:
                errors[pq.question.id] = error
        return errors

    def grade(self, question_id: str) -> Grade | None:
        """The grade of a saved answer (None if unanswered): for feedback after a question is checked.

        While the attempt is open the key is shown only when the review policy always shows it.
        """
        pq = self.paper.question(question_id)
        raw = self.answers.get(question_id)
        if pq is None or raw is None:
            return None
        if question_id in self.incomplete:
            return None
        grade = pq.question.grade(pq.question.parse_answer(raw))
        return grade if self.paper.correct_answers == "always" else pq.question.without_key(grade)


@dataclass(frozen=True)
class AttemptReview:
    """A submitted attempt: grades per question from its own snapshot, with the answers given.

    ``key_shown`` says whether the review policy lets the learner see the right answers now; when it
    does not, ``grades`` hold the marks and the feedback on their own choices only.
    """

    attempt: QuizAttempt
    paper: Paper
    answers: Mapping[str, dict[str, list[str]]]
    grades: Mapping[str, Grade]
    key_shown: bool = True


# Papers parsed once per worker: an attempt's snapshot never changes after it started. Kept by attempt id
# with the paper's own random key, which must match: an id that SQLite hands out again after a deletion
# never finds the paper of the attempt that had it before (papers of old snapshots without a key are parsed
# every time). PostgreSQL's one-statement save has the database check the key it parsed a form with.
_PAPERS: dict[int, tuple[str, Paper]] = {}
_PAPERS_KEPT = 256  # a paper is some 20 kB; when full, the cache starts again


def _kept_paper(attempt_id: int, key: str | None) -> Paper | None:
    """The paper this worker parsed for the attempt whose snapshot has this ``key``, if any."""
    kept = _PAPERS.get(attempt_id)
    return kept[1] if kept is not None and key and kept[0] == key else None


def _parsed_paper(attempt_id: int, snapshot: Mapping[str, Any]) -> Paper:
    """The attempt's paper from its ``snapshot``, kept for the next request of this worker."""
    key = snapshot.get("key")
    paper = _kept_paper(attempt_id, key) if isinstance(key, str) else None
    if paper is None:
        paper = Paper.from_snapshot(snapshot)
        if isinstance(key, str) and key:
            if len(_PAPERS) >= _PAPERS_KEPT:
                _PAPERS.clear()
            _PAPERS[attempt_id] = (key, paper)
    return paper


def _paper(attempt: QuizAttempt) -> Paper:
    return _parsed_paper(attempt.id, attempt.snapshot)


def _own_attempt(session: Session, user_id: int, attempt_id: int, *, lock: bool = False) -> QuizAttempt:
    return own(session, QuizAttempt, attempt_id, user_id, lock=lock, missing=N_("Deze poging bestaat niet."))


def open_attempt(session: Session, user_id: int, quiz_id: str) -> QuizAttempt | None:
    """The learner's attempt in progress at ``quiz_id``, or None."""
    return session.scalars(select(QuizAttempt).where(
        QuizAttempt.user_id == user_id, QuizAttempt.quiz_id == quiz_id,
        status_is(QuizAttempt.status, AttemptStatus.IN_PROGRESS))).one_or_none()


def attempts_left(quiz: Quiz, submitted: int) -> int | None:
    """How many more attempts the policy allows after ``submitted`` ones; None when unlimited."""
    limit = quiz.attempts.max_attempts
    return None if limit is None else max(limit - submitted, 0)


def start_attempt(session: Session, user_id: int, quiz: Quiz, seed: int | None = None) -> QuizAttempt:
    """Resume the learner's open attempt at ``quiz``, or start a new one (commits).

    Returns the attempt. Raises NoAttemptsLeft when the policy allows no new attempt.
    """
    lock_learner(session, user_id)
    existing = open_attempt(session, user_id, quiz.id)
    if existing is not None:
        session.commit()  # ends the lock
        return existing
    numbers = list(session.scalars(select(QuizAttempt.number).where(
        QuizAttempt.user_id == user_id, QuizAttempt.quiz_id == quiz.id)))
    left = attempts_left(quiz, len(numbers))
    if left == 0:
        session.rollback()
        raise NoAttemptsLeft(N_("Je hebt alle pogingen voor deze kennischeck gebruikt."))
    seed = secrets.randbelow(2**31) if seed is None else seed
    paper = draw_paper(quiz, seed)
    attempt = QuizAttempt(user_id=user_id, quiz_id=quiz.id, number=max(numbers, default=0) + 1, seed=seed,
                          snapshot=paper.to_snapshot(), paper_key=paper.key, counts=quiz.attempts.counts,
                          status=AttemptStatus.IN_PROGRESS, started_at=utcnow())
    session.add(attempt)
    try:
        session.commit()
    except IntegrityError:
        # Two starts raced (a double click): the other one won; use its attempt.
        session.rollback()
        existing = open_attempt(session, user_id, quiz.id)
        if existing is None:
            raise
        return existing
    return attempt


def view_attempt(session: Session, user_id: int, attempt_id: int) -> AttemptView:
    """The attempt with its paper and saved answers (two queries). Raises NotFound if not the user's."""
    attempt = _own_attempt(session, user_id, attempt_id)
    rows = session.execute(select(AttemptAnswer.question_id, AttemptAnswer.raw, AttemptAnswer.checked_at)
                           .where(AttemptAnswer.attempt_id == attempt.id)).all()
    return AttemptView(attempt, _paper(attempt), {q: raw for q, raw, _ in rows},
                       frozenset(q for q, _, checked in rows if checked is not None))


# The save's lock, its ownership check and its "still open?" in one statement, built once: on PostgreSQL the
# UPDATE row-locks the attempt (re-checking the status of a submit that committed meanwhile), on SQLite it is
# the transaction's first write (see app/db.py). It returns the key of the attempt's paper, which finds the
# paper parsed before (_kept_paper); the snapshot itself is read only when this worker has not parsed it.
_ATTEMPTS = QuizAttempt.__table__
_TOUCH_OPEN_ATTEMPT = PreparedStatement(
    update(_ATTEMPTS)
    .where(_ATTEMPTS.c.id == bindparam("the_attempt"), _ATTEMPTS.c.user_id == bindparam("the_learner"),
           status_is(_ATTEMPTS.c.status, AttemptStatus.IN_PROGRESS))
    .values(last_saved_at=bindparam("the_moment"))
    .returning(_ATTEMPTS.c.id, _ATTEMPTS.c.paper_key))  # id: a row, even if no key
_SNAPSHOT = select(_ATTEMPTS.c.snapshot).where(_ATTEMPTS.c.id == bindparam("the_attempt"))


def save_answers(session: Session, user_id: int, attempt_id: int, form: Mapping[str, Sequence[str]]
                 ) -> SaveResult:
    """Save every valid answer in ``form`` (fields ``q.<id>``…) to the attempt, replacing earlier ones.

    Returns what was saved and the correctable errors of the rest (commits the saved ones). Raises
    NotFound (not the user's attempt), AttemptClosed (submitted already), MalformedAnswer (a forged or
    impossible value; nothing is saved) or DomainError (changing an answer whose feedback was shown).
    Saving the same answers twice changes nothing but the time. Two statements when it saves (three
    the first time a worker saves to this attempt: it reads the paper); on PostgreSQL, once the worker
    knows the paper, one statement that is its own transaction (``_save_by_itself``).
    """
    now = utcnow()
    saved_by_itself = _save_by_itself(session, user_id, attempt_id, form, now)
    if saved_by_itself is not None:
        return saved_by_itself
    # The form read with the paper this worker kept for the attempt before the attempt is locked, not while
    # the lock is held: on SQLite that lock is the whole database's, for which every other save waits (a
    # fifth of the time it was held). Used only when the locked attempt turns out to have that paper.
    early = _read_with_kept_paper(attempt_id, form)
    locked = _TOUCH_OPEN_ATTEMPT.first(session, the_attempt=attempt_id, the_learner=user_id, the_moment=now)
    if locked is None:
        # Refused: say why (someone else's attempt and no attempt at all look the same).
        status = session.scalar(select(QuizAttempt.status).where(QuizAttempt.id == attempt_id,
                                                                 QuizAttempt.user_id == user_id))
        session.rollback()
        if status is None:
            raise NotFound(N_("Deze poging bestaat niet."))
        raise AttemptClosed(N_("Deze poging is al ingeleverd; je antwoorden kunnen niet meer veranderen."))
    paper = _kept_paper(attempt_id, locked[1]) or _parsed_paper(
        attempt_id, session.execute(_SNAPSHOT, {"the_attempt": attempt_id}).scalar_one())
    try:
        saved, errors = _write_answers(session, attempt_id, paper, form, now,
                                       parsed=early[1] if early is not None and early[0] == locked[1] else None)
    except DomainError:
        session.rollback()
        raise
    if not saved:
        session.rollback()  # nothing to keep: the attempt's last save stays when it was
        return SaveResult((), errors, None)
    commit_draft(session)  # the hand-in sends every answer again, and grades them in a commit that waits
    return SaveResult(saved, errors, now)


@cache
def _upsert_answers(dialect: str) -> PreparedStatement:
    """INSERT … ON CONFLICT of a save's answers (``drafts.posted_answers``), built and prepared once per
    database. A checked answer (feedback after each question) is never overwritten, and is left out of what
    the statement returns."""
    table, posted = AttemptAnswer.__table__, posted_answers()
    stmt = insert_for_dialect(dialect, table).from_select(
        ["attempt_id", "question_id", "raw", "saved_at"],
        select(bindparam("attempt_id", type_=table.c.attempt_id.type), posted.c.key, posted.c.value,
               bindparam("saved_at", type_=table.c.saved_at.type))
        .where(true()))  # SQLite reads "ON CONFLICT" after a SELECT without WHERE as a join's ON
    stmt = stmt.on_conflict_do_update(index_elements=["attempt_id", "question_id"],
                                      set_={"raw": stmt.excluded.raw, "saved_at": stmt.excluded.saved_at},
                                      where=table.c.checked_at.is_(None))
    return PreparedStatement(stmt.returning(table.c.question_id))


_ANSWER_FIXED = N_("Je hebt de feedback op deze vraag al gezien; het antwoord staat vast.")


def _raw_answers(paper: Paper, form: Mapping[str, Sequence[str]]
                 ) -> tuple[dict[str, dict[str, list[str]]], dict[str, AnswerError]]:
    """The answers of ``form`` as stored (question id → raw), drafts included, and the correctable errors.
    Raises MalformedAnswer (a forged or impossible value)."""
    parsed = parse_form(paper.question_types, paper.decode_form(form))
    raws = {qid: paper.question(qid).question.answer_to_raw(answer)  # type: ignore[union-attr]
            for qid, answer in parsed.answers.items()}
    raws.update({qid: {key: list(values) for key, values in raw.items()} for qid, raw in parsed.drafts.items()})
    return raws, parsed.errors


def _read_with_kept_paper(attempt_id: int, form: Mapping[str, Sequence[str]]
                   ) -> tuple[str, tuple[dict[str, dict[str, list[str]]], dict[str, AnswerError]]] | None:
    """The key of the paper this worker kept for the attempt, and ``form`` read with it; None when there is
    none, or the form is one it cannot read (the attempt's own paper then reads it again, and refuses it)."""
    kept = _PAPERS.get(attempt_id)
    if kept is None:
        return None
    try:
        return kept[0], _raw_answers(kept[1], form)
    except MalformedAnswer:
        return None


def _write_answers(session: Session, attempt_id: int, paper: Paper, form: Mapping[str, Sequence[str]],
                   now: datetime, parsed: tuple[dict[str, dict[str, list[str]]], dict[str, AnswerError]] | None = None
                   ) -> tuple[tuple[str, ...], dict[str, AnswerError]]:
    """Upsert the answers of ``form`` (the attempt is locked); returns the questions saved and the errors.
    ``parsed``: ``form`` as ``paper`` reads it, when the caller read it already.

    Raises MalformedAnswer before writing anything, DomainError after writing when an answer whose
    feedback was shown would change (the caller rolls back).
    """
    raws, errors = parsed if parsed is not None else _raw_answers(paper, form)
    if not raws:
        return (), errors
    written = _upsert_answers(session.get_bind().dialect.name).rows(session, attempt_id=attempt_id, saved_at=now,
                                                                     the_answers=raws)
    if len(written) != len(raws):
        raise DomainError(_ANSWER_FIXED)
    return tuple(raws), errors


def _one_statement_save(session: Session, attempt_id: int, form: Mapping[str, Sequence[str]]
                        ) -> tuple[str, dict[str, dict[str, list[str]]], dict[str, AnswerError]] | None:
    """What a save in one statement needs (the paper's key, the answers and their correctable errors), when
    it is possible: on PostgreSQL, on a session with a connection for such statements that has begun
    nothing of its own, for an attempt whose paper this worker parsed before, with a form that paper reads
    and something to write. None otherwise: the save in a transaction finds out what to say."""
    if (STANDALONE_STATEMENTS not in session.info or session.in_transaction() or session.new or session.dirty
            or session.deleted or session.get_bind().dialect.name != "postgresql"):
        return None  # with changes of its own the session's statements run in its transaction, not by themselves
    read = _read_with_kept_paper(attempt_id, form)
    if read is None:
        return None
    key, (raws, errors) = read
    return (key, raws, errors) if raws else None


def _saved_in_one_statement(marked: int, written: int, result: SaveResult) -> SaveResult | None:
    if not marked:
        return None
    if written != len(result.saved):
        # An answer was fixed (its feedback shown, in another tab) in the very instant of this save: it kept
        # its answer, the others were saved.
        raise DomainError(_ANSWER_FIXED)
    return result


@dataclass(frozen=True)
class CarriedSave:
    """An autosave ready to be carried by the login's statement (``accounts.resume_login``'s ``carrying``),
    made from the page's attempt token before anyone's login is known (see drafts.CARRIED_SAVE_COUNTS)."""

    learner_id: int  # the token's owner
    carrying: tuple[Sequence[Any], Mapping[str, Any]]
    result: SaveResult  # what it saved, if it wrote


def carry_save(session: Session, learner_id: int, session_version: int, attempt_id: int,
               form: Mapping[str, Sequence[str]]) -> CarriedSave | None:
    """The save of ``form`` to the attempt of ``learner_id`` (the owner of the page's token, made with
    ``session_version``), for the login's statement to carry; None when it cannot be one statement."""
    prepared = _one_statement_save(session, attempt_id, form)
    if prepared is None:
        return None
    key, raws, errors = prepared
    now = utcnow()
    return CarriedSave(learner_id, (CARRIED_SAVE_COUNTS, {
        "the_attempt": attempt_id, "the_learner": learner_id, "the_version": session_version, "the_key": key,
        "the_moment": now, "the_answers": raws}), SaveResult(tuple(raws), errors, now))


def carried_result(carried: CarriedSave, user: User) -> SaveResult | None:
    """What the save the login carried did, for the logged-in ``user``: None when it is not theirs or wrote
    nothing (the save in a transaction then says why, or saves what it could not). Raises DomainError when
    an answer was fixed in the very instant of the save (the others were saved)."""
    if user.carried is None or user.id != carried.learner_id:
        return None
    marked, written = user.carried
    return _saved_in_one_statement(marked, written, carried.result)


def _save_by_itself(session: Session, user_id: int, attempt_id: int, form: Mapping[str, Sequence[str]],
                    now: datetime) -> SaveResult | None:
    """On PostgreSQL, the save as one statement that is its own transaction (``drafts.SAVE_IN_ONE_STATEMENT``),
    when it can be one (``_one_statement_save``). None when it did not save (not possible here, or the
    statement found the attempt not the learner's, closed, of another paper or with a fixed answer among
    these): the save in a transaction then says which, as before."""
    prepared = _one_statement_save(session, attempt_id, form)
    if prepared is None:
        return None
    key, raws, errors = prepared
    [(marked, written)] = SAVE_IN_ONE_STATEMENT.run_standalone(
        session.info[STANDALONE_STATEMENTS], the_attempt=attempt_id, the_learner=user_id, the_key=key,
        the_moment=now, the_answers=raws)
    return _saved_in_one_statement(marked, written, SaveResult(tuple(raws), errors, now))


def check_question(session: Session, user_id: int, attempt_id: int, question_id: str) -> Grade:
    """Fix the saved answer to one question and return its grade, for feedback after each question.

    Commits. Raises NotFound (attempt or question), AttemptClosed, AnswerError when the question has
    no saved answer yet, or DomainError when the quiz gives feedback only after submitting. Checking
    twice returns the same grade.
    """
    _own_attempt(session, user_id, attempt_id, lock=True)
    view = view_attempt(session, user_id, attempt_id)
    if view.attempt.submitted:
        session.rollback()
        raise AttemptClosed(N_("Deze poging is al ingeleverd."))
    if view.paper.question(question_id) is None:
        session.rollback()
        raise NotFound(N_("Deze vraag hoort niet bij deze poging."))
    if view.paper.feedback != "after_question":
        # A forged "check" would fix the answer while later autosaves still said "saved".
        session.rollback()
        raise DomainError(N_("Bij deze kennischeck krijg je de feedback na het inleveren; je antwoord is "
                             "opgeslagen en kun je nog veranderen."))
    if question_id in view.incomplete:
        session.rollback()
        raise view.incomplete[question_id]
    grade = view.grade(question_id)
    if grade is None:
        session.rollback()
        raise AnswerError(N_("Kies of vul eerst een antwoord in."), question_id)
    if question_id not in view.checked:
        session.execute(update(AttemptAnswer).where(
            AttemptAnswer.attempt_id == attempt_id, AttemptAnswer.question_id == question_id,
            AttemptAnswer.checked_at.is_(None)).values(checked_at=utcnow()))
        session.commit()
    return grade


def submit_attempt(session: Session, user_id: int, attempt_id: int,
                   form: Mapping[str, Sequence[str]] | None = None, *, catalog: Catalog | None = None
                   ) -> AttemptReview:
    """Save the answers in ``form`` (if any), grade the attempt from its snapshot and close it (commits).

    Returns the review. Idempotent: submitting a submitted attempt returns its stored result and changes
    nothing. Raises NotFound, MalformedAnswer (nothing written), IncompleteAttempt when a question is
    unanswered or ``form`` holds a correctable error (the valid answers of ``form`` are then saved).
    """
    attempt = _own_attempt(session, user_id, attempt_id, lock=True)
    if attempt.submitted:
        session.rollback()
        return review_attempt(session, user_id, attempt_id)
    paper = _paper(attempt)
    if form:
        now = utcnow()
        if _write_answers(session, attempt.id, paper, form, now)[0]:
            session.execute(update(_ATTEMPTS).where(_ATTEMPTS.c.id == attempt.id).values(last_saved_at=now))
    answers = {qid: raw for qid, raw in session.execute(
        select(AttemptAnswer.question_id, AttemptAnswer.raw).where(AttemptAnswer.attempt_id == attempt.id))}
    errors = {pq.question.id: error for pq in paper.questions if pq.question.id in answers
              and (error := correctable_error(pq.question, answers[pq.question.id])) is not None}
    missing = missing_answers(paper.question_types, set(answers) - set(errors))
    if missing or errors:
        session.commit()  # keep the form's answers and drafts: nothing the learner did is lost
        raise IncompleteAttempt(missing, errors)
    typed = {pq.question.id: pq.question.parse_answer(answers[pq.question.id]) for pq in paper.questions}
    result = paper.grade(typed)
    now = utcnow()
    # Only the request that moves the attempt out of "in progress" grades it: a racing double submit
    # finds nothing to update and returns the stored result instead.
    closed = session.execute(update(QuizAttempt).where(
        QuizAttempt.id == attempt.id, status_is(QuizAttempt.status, AttemptStatus.IN_PROGRESS)).values(
        status=AttemptStatus.SUBMITTED, submitted_at=now, score=float(result.score), passed=result.passed))
    if closed.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        return review_attempt(session, user_id, attempt_id)
    table = AttemptAnswer.__table__
    session.execute(
        update(table).where(table.c.attempt_id == attempt.id,
                            table.c.question_id == bindparam("qid")).values(
            score=bindparam("new_score"), correct=bindparam("new_correct")),
        [{"qid": qid, "new_score": float(g.score), "new_correct": g.correct} for qid, g in result.grades.items()])
    on_task.refresh(session, user_id)
    if catalog is not None:  # the learner's standing per module, as the report reads it
        module_summaries.refresh(session, catalog, user_id)
    session.commit()  # the attempt in this session holds the closing values already (the update's evaluate sync)
    return _review(session, user_id, attempt, paper, answers, result.grades)


def _review(session: Session, user_id: int, attempt: QuizAttempt, paper: Paper,
            answers: Mapping[str, dict[str, list[str]]], grades: Mapping[str, Grade]) -> AttemptReview:
    """The review of a submitted attempt as its review policy allows it to be shown (one query)."""
    shown = _key_shown(session, user_id, attempt, paper)
    if not shown:
        grades = {qid: paper.question(qid).question.without_key(g)  # type: ignore[union-attr]
                  for qid, g in grades.items()}
    return AttemptReview(attempt, paper, answers, grades, shown)


def _key_shown(session: Session, user_id: int, attempt: QuizAttempt, paper: Paper) -> bool:
    policy = paper.review_policy
    if policy.correct_answers in ("always", "never"):
        return policy.correct_answers == "always"
    if attempt.passed and policy.shows_key(passed=True, attempts_left=None):
        return True  # this attempt passed: no need to look at the others
    submitted, passed = session.execute(
        select(func.count(), func.count().filter(QuizAttempt.passed.is_(True))).where(
            QuizAttempt.user_id == user_id, QuizAttempt.quiz_id == attempt.quiz_id,
            status_is(QuizAttempt.status, AttemptStatus.SUBMITTED))).one()
    left = None if paper.max_attempts is None else max(paper.max_attempts - submitted, 0)
    return policy.shows_key(passed=passed > 0, attempts_left=left)


def review_attempt(session: Session, user_id: int, attempt_id: int) -> AttemptReview:
    """A submitted attempt with every question regraded from its snapshot, shown as its review policy
    allows (three queries).

    Raises NotFound if the attempt is not the user's, DomainError if it is still in progress.
    """
    view = view_attempt(session, user_id, attempt_id)
    if not view.attempt.submitted:
        raise DomainError(N_("Deze poging is nog niet ingeleverd."))
    typed = {pq.question.id: pq.question.parse_answer(view.answers[pq.question.id])
             for pq in view.paper.questions if pq.question.id in view.answers}
    return _review(session, user_id, view.attempt, view.paper, view.answers, view.paper.grade(typed).grades)


def attempt_history(session: Session, user_id: int, quiz_id: str, *,
                    rows: Sequence[tuple[Any, ...]] | None = None) -> list[QuizAttempt]:
    """The learner's attempts at ``quiz_id``, oldest first (one query), without their papers (``snapshot``
    is loaded, with a query of its own, only when read). ``rows``: those of ``ATTEMPT_HISTORY_ROWS`` when
    the login brought them (``accounts.resume_login``); then no query."""
    mapper = QuizAttempt.__mapper__
    if rows is None:
        rows = _ATTEMPT_HISTORY.rows(session, user_id=user_id, quiz_id=quiz_id)
    else:
        rows = sorted(rows, key=lambda row: row[_HISTORY_NUMBER])  # a union's part is not ordered
    return [loaded_instance(session, mapper, dict(zip(_HISTORY_ATTRIBUTES, row, strict=True))) for row in rows]


# Prepared (course/db/prepared.py): it runs on every quiz page. The paper is left out (loaded when read, as
# a deferred column): the list shows none of it, and parsing each attempt's JSON cost more than the rest of
# the query.
_HISTORY_ATTRIBUTES = tuple(prop.key for prop in QuizAttempt.__mapper__.column_attrs if prop.key != "snapshot")
_HISTORY_NUMBER = _HISTORY_ATTRIBUTES.index("number")
# What a quiz's overview asks the login's statement to bring (attempt_history's ``rows``; parameter quiz_id).
ATTEMPT_HISTORY_ROWS = select(*(getattr(QuizAttempt, key) for key in _HISTORY_ATTRIBUTES)).where(
    QuizAttempt.user_id == bindparam("user_id"), QuizAttempt.quiz_id == bindparam("quiz_id"))
_ATTEMPT_HISTORY = PreparedStatement(ATTEMPT_HISTORY_ROWS.order_by(QuizAttempt.number))


def result_of(history: Sequence[QuizAttempt]) -> QuizResult | None:
    """The result over the handed-in ones of a learner's attempts at one quiz, oldest first (as
    ``attempt_history`` gives them; the same as ``quiz_results`` for that quiz), or None when none was
    handed in. No query."""
    submitted = [SubmittedAttempt(a.score, bool(a.passed), a.counts, a.submitted_at) for a in history
                 if a.status == AttemptStatus.SUBMITTED]
    return quiz_outcome(submitted) if submitted else None


def quiz_results(session: Session, user_id: int) -> dict[str, QuizResult]:
    """Quiz id → the learner's result over their submitted attempts (one query).

    The counted score follows the policy stored with the latest attempt (best or last).
    """
    return quiz_results_of(session, [user_id]).get(user_id, {})


def quiz_results_of(session: Session, user_ids: Sequence[int]) -> dict[int, dict[str, QuizResult]]:
    """User id → quiz id → result, for several learners at once (one query; a group's overview)."""
    rows = session.execute(
        select(QuizAttempt.user_id, QuizAttempt.quiz_id, QuizAttempt.score, QuizAttempt.passed,
               QuizAttempt.submitted_at, QuizAttempt.counts)
        .where(QuizAttempt.user_id.in_(user_ids), status_is(QuizAttempt.status, AttemptStatus.SUBMITTED))
        .order_by(QuizAttempt.user_id, QuizAttempt.quiz_id, QuizAttempt.number)).all()
    by_quiz: dict[tuple[int, str], list[SubmittedAttempt]] = {}
    for row in rows:
        by_quiz.setdefault((row.user_id, row.quiz_id), []).append(
            SubmittedAttempt(row.score, bool(row.passed), row.counts, row.submitted_at))
    results: dict[int, dict[str, QuizResult]] = {}
    for (user_id, quiz_id), attempts in by_quiz.items():
        results.setdefault(user_id, {})[quiz_id] = quiz_outcome(attempts)
    return results


def keep_embedded_check(session: Session, user_id: int, quiz_id: str, question_id: str,
                        raw: Mapping[str, list[str]]) -> None:
    """Keep the answer just checked on an embedded question until its page shows it (commits; replaces
    an earlier one of the same question)."""
    table = EmbeddedCheck.__table__
    stmt = insert_for(session, table).values(user_id=user_id, quiz_id=quiz_id, question_id=question_id,
                                             raw=dict(raw), checked_at=utcnow())
    session.execute(stmt.on_conflict_do_update(index_elements=["user_id", "quiz_id", "question_id"],
                                               set_={"raw": stmt.excluded.raw,
                                                     "checked_at": stmt.excluded.checked_at}))
    session.commit()


def embedded_checks(session: Session, user_id: int) -> dict[tuple[str, str], dict[str, list[str]]]:
    """(quiz id, question id) → the answer kept by ``keep_embedded_check``, for every question the user
    checked and has not yet seen the feedback of (usually none or one). One query; nothing is removed."""
    return {(quiz_id, question_id): dict(raw) for quiz_id, question_id, raw in session.execute(
        select(EmbeddedCheck.quiz_id, EmbeddedCheck.question_id, EmbeddedCheck.raw)
        .where(EmbeddedCheck.user_id == user_id))}


def discard_embedded_check(session: Session, user_id: int, quiz_id: str, question_id: str) -> None:
    """Remove the answer kept for this question once its feedback was shown (shown once; commits)."""
    session.execute(delete(EmbeddedCheck).where(
        EmbeddedCheck.user_id == user_id, EmbeddedCheck.quiz_id == quiz_id,
        EmbeddedCheck.question_id == question_id))
    session.commit()
