"""The statements every page runs without SQLAlchemy's per-execution work (course/db/prepared.py) answer exactly
as SQLAlchemy would, on both databases, and the user they load behaves as one the ORM loaded."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import String, bindparam, column, exc, literal, literal_column, select, table, union_all

from course.db import (
    AttemptAnswer,
    AttemptStatus,
    EmbeddedCheck,
    LoginSession,
    Membership,
    Organisation,
    PageProgress,
    QuizAttempt,
    Role,
    User,
    status_is,
    utcnow,
)
from course.db.prepared import PreparedStatement, loaded_instance
from course.services import accounts, progress, quizzes


def _user(session, email="prepared@example.org", **values) -> User:
    user = User(email=email, name="Prepared", password_hash="!", role=Role.ORG_ADMIN,
                email_confirmed_at=utcnow() - timedelta(days=3), recovery_code_hashes=["a1", "b2"], **values)
    session.add(user)
    session.commit()
    return user


def test_the_login_query_answers_as_sqlalchemy_does_column_for_column(session):
    user = _user(session, totp_enabled_at=utcnow(), locale="en")
    organisation = Organisation(name="Zorg", slug="zorg-prepared")
    session.add(organisation)
    session.flush()
    session.add(Membership(user_id=user.id, organisation_id=organisation.id, role=Role.ORG_ADMIN))
    session.add_all([PageProgress(user_id=user.id, module_id="m1", page_id=p, first_seen_at=utcnow(),
                                  last_seen_at=utcnow(), read_at=utcnow() if p != "c" else None) for p in "abc"])
    secret = accounts.start_login(session, user, remember=True, lifetime=timedelta(days=1))
    prepared = accounts._RESUME_LOGIN_WITH_READ_PAGES
    secret_hash = accounts._secret_hash(secret)

    row = prepared.first(session, secret_hash=secret_hash)
    expected = session.execute(prepared.statement, {"secret_hash": secret_hash}).one()

    assert row == tuple(expected)
    values = dict(zip(accounts._USER_ATTRIBUTES, row, strict=False))
    # The conversions SQLAlchemy makes: the role as the enum, timestamps in UTC, JSON decoded, booleans.
    assert values["role"] is Role.ORG_ADMIN
    assert values["created_at"].tzinfo is not None and values["created_at"].utcoffset() == timedelta(0)
    assert values["recovery_code_hashes"] == ["a1", "b2"]
    assert values["reminder_mail"] is True
    is_org_admin, in_organisation, read_pages = row[-3:]
    assert bool(is_org_admin) and bool(in_organisation)
    assert sorted(read_pages.split(" ")) == ["m1/a", "m1/b"]


def test_an_unknown_login_gives_no_row(session):
    assert accounts._RESUME_LOGIN_PREPARED.first(session, secret_hash="0" * 64) is None


def test_a_parameter_used_twice_and_a_union_are_sent_right(session):
    first, second = _user(session, "een@example.org"), _user(session, "twee@example.org")
    prepared = PreparedStatement(union_all(
        select(literal_column("'user'"), User.email, User.created_at).where(User.id == bindparam("user_id")),
        select(literal_column("'login'"), LoginSession.user_agent, LoginSession.created_at)
        .where(LoginSession.user_id == bindparam("user_id"))))
    accounts.start_login(session, second, remember=False, lifetime=timedelta(hours=1), user_agent="telefoon")

    assert [row[:2] for row in prepared.rows(session, user_id=first.id)] == [("user", "een@example.org")]
    rows = prepared.rows(session, user_id=second.id)
    assert sorted(row[:2] for row in rows) == [("login", "telefoon"), ("user", "twee@example.org")]
    assert all(row[2].utcoffset() == timedelta(0) for row in rows)


def test_a_statement_that_would_expand_a_list_is_refused(session):
    prepared = PreparedStatement(select(User.id).where(User.id.in_(bindparam("ids", expanding=True))))
    with pytest.raises(ValueError, match="IN lists"):
        prepared.rows(session, ids=[1, 2])


def test_it_counts_as_a_statement_and_fails_as_sqlalchemy_fails(session, count_queries):
    with count_queries() as counter:
        accounts._RESUME_LOGIN_PREPARED.first(session, secret_hash="0" * 64)
    assert len(counter.statements) == 1 and "login_sessions.secret_hash" in counter.statements[0]
    with pytest.raises(exc.DBAPIError):
        PreparedStatement(select(column("x")).select_from(table("no_such_table"))).rows(session)


def test_statements_one_after_another_on_one_connection_each_read_their_own_columns(session):
    """One driver cursor serves a connection's statements in turn (course/db/prepared.py): each still reads
    its own columns as their types say, also after a statement that failed (its cursor is not used again)."""
    user = _user(session)
    numbers = PreparedStatement(select(User.id, User.session_version).where(User.id == bindparam("user_id")))
    moments = PreparedStatement(select(User.created_at, User.email, User.recovery_code_hashes)
                                .where(User.id == bindparam("user_id")))
    assert numbers.rows(session, user_id=user.id) == [(user.id, 1)]
    assert moments.rows(session, user_id=user.id) == [(user.created_at, user.email, ["a1", "b2"])]
    with pytest.raises(exc.DBAPIError), session.begin_nested():  # a savepoint: the test's transaction goes on
        PreparedStatement(select(column("x")).select_from(table("no_such_table"))).rows(session)
    assert moments.rows(session, user_id=user.id) == [(user.created_at, user.email, ["a1", "b2"])]
    assert numbers.rows(session, user_id=user.id) == [(user.id, 1)]


def test_the_user_it_loads_is_the_sessions_own_and_saves_its_changes(app, session, count_queries):
    user_id = _user(session).id
    session.expunge_all()
    values = dict(zip(accounts._USER_ATTRIBUTES, session.execute(
        select(*(getattr(User, key) for key in accounts._USER_ATTRIBUTES)).where(User.id == user_id)).one(),
        strict=True))
    with app.extensions["leerlijn.db"].sessionmaker() as other:
        user = loaded_instance(other, User.__mapper__, values)
        with count_queries() as counter:
            assert other.get(User, user_id) is user  # in the identity map: no query
            assert not other.dirty and not other.new
        assert counter.statements == []
        assert loaded_instance(other, User.__mapper__, values) is user
        assert user.memberships == []  # a relationship loads when used
        user.name = "Nieuwe naam"
        other.commit()
    session.expire_all()
    assert session.get(User, user_id).name == "Nieuwe naam"


def test_it_sees_what_the_session_has_not_written_yet(session):
    user = User(email="ongeschreven@example.org", name="Nog niet", password_hash="!")
    session.add(user)  # pending: a query through the session would flush it first, and so does this
    prepared = PreparedStatement(select(User.name).where(User.email == bindparam("email")))
    assert prepared.rows(session, email="ongeschreven@example.org") == [("Nog niet",)]


def test_a_status_written_into_the_sql_selects_what_a_bound_one_does(session):
    """``status_is`` writes the status into the SQL (a bound one made SQLite prepare the statement anew at
    every execution, because of the partial index on open attempts); it must select the same rows."""
    user = _user(session)
    session.add_all([QuizAttempt(user_id=user.id, quiz_id="q", number=n, seed=1, snapshot={}, counts="best",
                                 status=status, submitted_at=utcnow() if status == AttemptStatus.SUBMITTED else None)
                     for n, status in enumerate([AttemptStatus.SUBMITTED, AttemptStatus.IN_PROGRESS], start=1)])
    session.commit()
    for status in AttemptStatus:
        written = select(QuizAttempt.number).where(status_is(QuizAttempt.status, status))
        bound = select(QuizAttempt.number).where(QuizAttempt.status == status)
        assert session.scalars(written).all() == session.scalars(bound).all() != []
        sql = str(written.compile(dialect=session.get_bind().dialect, compile_kwargs={"render_postcompile": True}))
        assert f"status = '{status.value}'" in sql
    one = PreparedStatement(select(QuizAttempt.number).where(QuizAttempt.user_id == bindparam("user_id"),
                                                         status_is(QuizAttempt.status, AttemptStatus.SUBMITTED)))
    assert one.rows(session, user_id=user.id) == [(1,)]


def test_the_autosaves_update_and_upsert_run_prepared_and_store_what_sqlalchemy_would(session):
    """The save's two statements (course/services/quizzes.py) as prepared INSERT/UPDATE … RETURNING: the
    parameters go in converted (a UTC moment, JSON), the returned columns come back, nothing else changes."""
    user = _user(session)
    attempt = QuizAttempt(user_id=user.id, quiz_id="q", number=1, seed=1, snapshot={"key": "k1"}, paper_key="k1",
                          counts="best")
    session.add(attempt)
    session.commit()
    moment = utcnow()
    touch = quizzes._TOUCH_OPEN_ATTEMPT
    assert touch.first(session, the_attempt=attempt.id, the_learner=user.id + 1, the_moment=moment) is None
    assert touch.first(session, the_attempt=attempt.id, the_learner=user.id, the_moment=moment) == (attempt.id, "k1")
    upsert = quizzes._upsert_answers(session.get_bind().dialect.name)
    written = upsert.rows(session, attempt_id=attempt.id, saved_at=moment,
                          the_answers={"a": {"": ["x"]}, "b": {"": ["y", "z"]}})
    assert sorted(written) == [("a",), ("b",)]
    session.expire_all()
    assert session.get(QuizAttempt, attempt.id).last_saved_at == moment
    answers = session.scalars(select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt.id)).all()
    assert {a.question_id: (a.raw, a.saved_at) for a in answers} == {"a": ({"": ["x"]}, moment),
                                                                      "b": ({"": ["y", "z"]}, moment)}


def test_a_percent_sign_in_a_statement_reaches_the_database_as_written(session):
    """psycopg's own placeholders need every % doubled; the server's ($1, what course/db/prepared.py sends on
    PostgreSQL) must not have it doubled: a modulo and a literal stay what they say."""
    prepared = PreparedStatement(select(literal_column("7 % 3").label("rest"), literal_column("'50%'").label("share"),
                                        literal("10%", literal_execute=True).label("inlined"),
                                        bindparam("given", type_=String()).label("given")))
    assert prepared.rows(session, given="5%") == [(1, "50%", "10%", "5%")]


def test_answers_taken_apart_by_the_database_come_back_exactly_as_posted(session):
    """The save's answers travel as one JSON object that the database takes apart (drafts.posted_answers):
    text with quotes, backslashes, line breaks, emoji, markup or what reads as JSON stays the learner's text."""
    user = _user(session)
    attempt = QuizAttempt(user_id=user.id, quiz_id="q", number=1, seed=1, snapshot={}, counts="best")
    session.add(attempt)
    session.commit()
    posted = {"open": {"": ['Hij zei "nee" \\ toen\nen daarna', "✓ 😀 <script>x</script>", "null", "  [1]  "]},
              "choice": {"": []}, "wide": {"a": ["1"], "b": ["2", "3"]}}
    written = quizzes._upsert_answers(session.get_bind().dialect.name).rows(
        session, attempt_id=attempt.id, saved_at=utcnow(), the_answers=posted)
    assert sorted(written) == [("choice",), ("open",), ("wide",)]
    session.expire_all()
    stored = session.scalars(select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt.id)).all()
    assert {a.question_id: a.raw for a in stored} == posted


# --- the login's statement bringing a page's rows (accounts.resume_login's ``rows``) --------------------

def _learner_with_rows(session, email: str, pages: str, *, answer: str | None = None) -> tuple[User, str]:
    """A learner who opened ``pages`` of module m1 (read all but 'c') and, with ``answer``, checked a practice
    question; and the secret of their login."""
    user = _user(session, email=email)
    session.add_all([PageProgress(user_id=user.id, module_id="m1", page_id=p, first_seen_at=utcnow(),
                                  last_seen_at=utcnow(), read_at=utcnow() if p != "c" else None) for p in pages])
    if answer is not None:
        session.add(EmbeddedCheck(user_id=user.id, quiz_id="toets", question_id="v1", raw={"": [answer]},
                                  checked_at=utcnow()))
    session.add(QuizAttempt(user_id=user.id, quiz_id="toets", number=1, status=AttemptStatus.SUBMITTED,
                            seed=1, snapshot={}, started_at=utcnow(), submitted_at=utcnow(), score=0.75,
                            passed=True, counts=True))
    secret = accounts.start_login(session, user, remember=False, lifetime=timedelta(days=1))
    return user, secret


@pytest.mark.parametrize("rows", ["page state", "progress"])
def test_the_login_brings_exactly_the_rows_the_page_would_query_and_only_its_users(session, rows):
    """Two learners with different progress: each one's login brings their own rows, the same (converted
    the same way) as the page's own query for them gives; another's are never among them."""
    statement, own_query = {
        "page state": (progress.PAGE_STATE_ROWS, progress._PAGE_STATE),
        "progress": (progress.PROGRESS_ROWS, progress._PROGRESS_ROWS_OF_ONE[True]),
    }[rows]
    anna, anna_secret = _learner_with_rows(session, "anna-rows@example.org", "abc", answer="ja")
    bram, bram_secret = _learner_with_rows(session, "bram-rows@example.org", "b")
    for user, secret in ((anna, anna_secret), (bram, bram_secret)):
        loaded = accounts.resume_login(session, secret, idle_timeout=timedelta(hours=1), rows=statement)
        assert loaded is user and loaded.name == "Prepared"
        assert sorted(map(repr, loaded.login_rows)) == sorted(map(repr, own_query.rows(session, user_id=user.id)))
    anna_rows = accounts.resume_login(session, anna_secret, idle_timeout=timedelta(hours=1), rows=statement).login_rows
    bram_rows = accounts.resume_login(session, bram_secret, idle_timeout=timedelta(hours=1), rows=statement).login_rows
    assert len(anna_rows) > len(bram_rows) > 0
    if rows == "page state":
        visits, checks = progress.page_state(session, anna.id, rows=anna_rows)
        assert sorted(v.page_id for v in visits) == ["a", "b", "c"] and checks == {("toets", "v1"): {"": ["ja"]}}
        assert [v.read_at is not None for v in sorted(visits, key=lambda v: v.page_id)] == [True, True, False]
        assert visits[0].last_seen_at.utcoffset() == timedelta(0)
    else:
        assert {row[1] for row in anna_rows} == {anna.id} and {row[1] for row in bram_rows} == {bram.id}
        assert {row[0] for row in anna_rows} == {"page", "quiz"}


def test_a_refused_login_brings_no_rows_and_no_user(session):
    _, secret = _learner_with_rows(session, "refused-rows@example.org", "ab")
    assert accounts.resume_login(session, "not-a-secret", idle_timeout=timedelta(hours=1),
                                 rows=progress.PAGE_STATE_ROWS) is None
    # Idle past the timeout: the login is ended, and what it brought is dropped with it.
    later = utcnow() + timedelta(hours=2)
    assert accounts.resume_login(session, secret, idle_timeout=timedelta(hours=1), now=later,
                                 rows=progress.PAGE_STATE_ROWS) is None
    assert accounts.resume_login(session, secret, idle_timeout=timedelta(hours=1),
                                 rows=progress.PAGE_STATE_ROWS) is None  # ended for good


def test_the_login_brings_the_pages_read_and_a_quizs_attempts_with_its_parameter_in_order(session):
    """The quiz overview's header counts the pages read and its table lists the attempts at one quiz (the
    address's parameter), oldest first: all from the login's statement, as the page's own queries give."""
    anna, secret = _learner_with_rows(session, "quiz-rows@example.org", "abc")
    for number in (3, 2):
        session.add(QuizAttempt(user_id=anna.id, quiz_id="toets", number=number, status=AttemptStatus.IN_PROGRESS
                                if number == 3 else AttemptStatus.SUBMITTED, seed=number, snapshot={},
                                started_at=utcnow(), submitted_at=None if number == 3 else utcnow(), score=0.5,
                                counts=True))
    session.add(QuizAttempt(user_id=anna.id, quiz_id="andere", number=1, status=AttemptStatus.IN_PROGRESS, seed=9,
                            snapshot={}, started_at=utcnow(), counts=True))
    session.commit()
    loaded = accounts.resume_login(session, secret, idle_timeout=timedelta(hours=1), read_pages=True,
                                   rows=quizzes.ATTEMPT_HISTORY_ROWS, rows_parameters={"quiz_id": "toets"})
    assert loaded is anna and loaded.read_page_keys == {"m1/a", "m1/b"}
    brought = quizzes.attempt_history(session, anna.id, "toets", rows=loaded.login_rows)
    queried = quizzes.attempt_history(session, anna.id, "toets")
    assert [(a.number, a.status, a.quiz_id) for a in brought] == [(a.number, a.status, a.quiz_id) for a in queried]
    assert [a.number for a in brought] == [1, 2, 3]
    with pytest.raises(ValueError):
        accounts._login_and_rows(accounts._RESUME_LOGIN, quizzes.ATTEMPT_HISTORY_ROWS.order_by(QuizAttempt.number))
