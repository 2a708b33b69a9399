"""What a learner is told when an answer arrives in an unusual state: a forged check, a changed password,
a lost session at "Inleveren", another account logged in in the same browser (issue 9, finding 8)."""

from __future__ import annotations

from sqlalchemy import select

from course.db import AttemptAnswer, AttemptStatus, QuizAttempt, User
from course.services.accounts import change_password

JSON = {"Accept": "application/json"}


def _stored(session, attempt_id: int, question_id: str) -> AttemptAnswer | None:
    session.expire_all()
    return session.scalar(select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt_id,
                                                      AttemptAnswer.question_id == question_id))


def test_a_forged_check_on_a_normal_quiz_fixes_nothing(client, auth, quiz, session):
    """'check' on a quiz with feedback after submitting is refused; the answer stays changeable and saved."""
    auth.register()
    attempt_id = quiz.start()
    token = quiz.token(attempt_id)
    response = quiz.post(attempt_id, {**quiz.fields(attempt_id, "enkel", {"": ["b"]}), "question": "enkel"},
                         action="check", token=token)
    assert response.status_code == 409
    assert "na het inleveren" in response.get_data(as_text=True)
    assert _stored(session, attempt_id, "enkel").checked_at is None
    later = quiz.post(attempt_id, quiz.fields(attempt_id, "enkel", {"": ["a"]}), token=token, headers=JSON)
    assert later.status_code == 200 and later.json["saved"] == ["enkel"]
    assert _stored(session, attempt_id, "enkel").raw == {"": ["a"]}  # the later save really changed it


def test_an_autosave_after_a_password_change_says_why_it_was_not_saved(client, auth, quiz, session):
    auth.register()
    attempt_id = quiz.start()
    token = quiz.token(attempt_id)
    user = session.scalar(select(User))
    change_password(session, user.id, current="een-lang-wachtwoord", new="een-ander-lang-wachtwoord")
    response = quiz.post(attempt_id, quiz.fields(attempt_id, "enkel", {"": ["c"]}), token=token, headers=JSON)
    assert response.status_code == 401
    assert "wachtwoord is gewijzigd" in response.json["error"] and "niet opgeslagen" in response.json["error"]
    assert "/inloggen" in response.json["login_url"]
    assert _stored(session, attempt_id, "enkel") is None


def test_handing_in_after_the_session_was_lost_says_it_was_not_handed_in(client, auth, quiz, session):
    """'Inleveren' with an expired login: NOT handed in, the answers kept, and the page says both."""
    auth.register()
    attempt_id = quiz.start()
    token = quiz.token(attempt_id)
    with client.session_transaction() as flask_session:
        flask_session.clear()  # an expired login
    response = quiz.post(attempt_id, quiz.answers(attempt_id), action="submit", token=token)
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "NIET ingeleverd" in page and "antwoorden zijn bewaard" in page
    session.expire_all()
    assert session.get(QuizAttempt, attempt_id).status == AttemptStatus.IN_PROGRESS
    assert _stored(session, attempt_id, "enkel") is not None


def test_a_background_save_after_the_login_ended_is_explained_on_the_login_page_the_script_opens(
        client, auth, quiz, session):
    """The script follows login_url at once, so the login page itself must say that the answer was kept."""
    auth.register()
    attempt_id = quiz.start()
    token = quiz.token(attempt_id)
    with client.session_transaction() as flask_session:
        flask_session.clear()  # logged out in another tab
    for choice in "ab":  # the script saves again before it has left the page: one message all the same
        response = quiz.post(attempt_id, quiz.fields(attempt_id, "enkel", {"": [choice]}), token=token,
                             headers=JSON)
        assert response.status_code == 401
    page = client.get(response.json["login_url"]).get_data(as_text=True)
    assert page.count("Je was uitgelogd. Je antwoorden zijn bewaard") == 1
    assert _stored(session, attempt_id, "enkel").raw == {"": ["b"]}


def test_a_tab_of_another_account_keeps_its_answer_and_explains(client, auth, quiz, session):
    """A's quiz tab answers while B is logged in in the same browser: A's answer is kept, B stays B."""
    auth.register()
    attempt_id = quiz.start()
    token = quiz.token(attempt_id)
    fields = quiz.fields(attempt_id, "enkel", {"": ["c"]})
    auth.logout()
    auth.register(name="Bram", email="bram@example.org")
    background = quiz.post(attempt_id, fields, token=token, headers=JSON)
    assert background.status_code == 409 and "ander account" in background.json["error"]
    assert _stored(session, attempt_id, "enkel").raw == {"": ["c"]}
    response = quiz.post(attempt_id, quiz.fields(attempt_id, "enkel", {"": ["b"]}), token=token)
    assert response.status_code == 302
    assert "ander account" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert _stored(session, attempt_id, "enkel").raw == {"": ["b"]}
    assert client.get(f"/quiz/poging/{attempt_id}").status_code == 404  # B still cannot open A's attempt


def test_a_work_token_carries_nothing_secret(app):
    """Read without the key, a token shows only the attempt id, the user id and the session counter."""
    from itsdangerous import URLSafeTimedSerializer

    from app.work_tokens import make_token
    with app.test_request_context():
        token = make_token("quiz-attempt", 7, 3, 2)
    valid, payload = URLSafeTimedSerializer("not-the-key", salt="leerlijn.quiz-attempt").loads_unsafe(token)
    assert not valid and payload == [7, 3, 2]


def test_an_embedded_check_is_kept_in_the_database_not_the_session_cookie(client, auth, session):
    """A long answer checked on a module page no longer swells the cookie; the feedback shows once."""
    import re

    from course.db import EmbeddedCheck
    auth.register()
    page = client.get("/modules/eerste/oefenen").get_data(as_text=True)
    value = re.search(r'name="q\.oefenen" value="([^"]+)"[^>]*>\s*<label for="[^"]+">Signalen in kaart brengen<',
                      page)[1]
    response = client.post("/quiz/vraag/eerste-toets/oefenen", data={
        "q.oefenen": value, "next": "/modules/eerste/oefenen", "extra": "x" * 20000})
    assert response.status_code == 302
    assert len(response.headers.get("Set-Cookie", "")) < 4096  # what every browser keeps
    assert session.scalar(select(EmbeddedCheck.quiz_id)) == "eerste-toets"
    assert "Juist begonnen." in client.get("/modules/eerste/oefenen").get_data(as_text=True)
    assert "Juist begonnen." not in client.get("/modules/eerste/oefenen").get_data(as_text=True)
    session.expire_all()
    assert session.scalar(select(EmbeddedCheck)) is None
