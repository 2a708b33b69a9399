"""Quiz keys cannot be read from the page: options, items and categories post opaque per-attempt values."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from course.db import AttemptAnswer, QuizAttempt
from tests.app.quiz.conftest import option_value
from tests.app.test_real_course_pages import real_catalog
from tests.conftest import AuthActions, make_app

# Every value a page posts for a choice, and every per-item field name: nothing but 16 hex digits.
OPAQUE = re.compile(r"^[0-9a-f]{16}$")


def _choice_values(html: str) -> list[str]:
    return re.findall(r'<input type="(?:radio|checkbox)"[^>]*value="([^"]*)"', html)


def _select_fields(html: str) -> list[str]:
    return re.findall(r'<select [^>]*name="q\.[a-z0-9-]+\.([^"]*)"', html)


def test_the_page_shows_no_option_item_or_category_id(client, auth, quiz):
    """The attempt page carries no file id a script could match to the key (a, true/false, item ids)."""
    auth.register()
    attempt_id = quiz.start()
    html = client.get(f"/quiz/poging/{attempt_id}").get_data(as_text=True)
    values = _choice_values(html)
    assert len(values) == 3 + 3 + 2  # single choice, multiple response, true/false
    assert all(OPAQUE.match(v) for v in values), values
    items = _select_fields(html)
    assert len(items) == 3 + 2 and all(OPAQUE.match(i) for i in items), items
    categories = re.findall(r'<option value="([^"]+)"', html)
    assert categories and all(OPAQUE.match(c) or c.isdigit() for c in categories), categories
    for plain in ('value="a"', 'value="true"', 'value="false"', "signalen", "troost", 'data-item="gesprek"'):
        assert plain not in html


def test_values_differ_between_attempts_and_learners(client, auth, quiz):
    """The value of the same option changes with every attempt, so one attempt's page says nothing about another."""
    auth.register()
    first = quiz.start()
    quiz.post(first, quiz.answers(first), action="submit")
    second = quiz.start()
    first_values = set(_choice_values(client.get(f"/quiz/poging/{first}/resultaat").get_data(as_text=True)))
    second_values = set(_choice_values(client.get(f"/quiz/poging/{second}").get_data(as_text=True)))
    assert len(second_values) == 8 and not first_values & second_values


def test_plain_key_pattern_is_refused_and_writes_nothing(client, auth, quiz, session):
    """Posting "a" / "a,b,c" / "false" (the pattern of most keys) is a forged request: 400, nothing saved."""
    auth.register()
    attempt_id = quiz.start()
    pattern = {"q.enkel": ["a"], "q.meer": ["mishandeling", "scheiding"], "q.waar": ["false"]}
    for name, values in pattern.items():
        response = quiz.post(attempt_id, {name: values}, action="submit")
        assert response.status_code == 400, name
    assert session.scalar(select(func.count()).select_from(AttemptAnswer)) == 0


def test_answering_from_the_page_grades_right(client, auth, quiz, session):
    """A learner picking options by their text is graded on the options they meant, stored by id."""
    auth.register()
    attempt_id = quiz.start()
    page = client.get(f"/quiz/poging/{attempt_id}").get_data(as_text=True)
    data = {"q.enkel": [option_value(page, "Signalen in kaart brengen")],
            "q.meer": [option_value(page, "Lichamelijke mishandeling"), option_value(page, "Een verhuizing")],
            "q.waar": [option_value(page, "Onjuist")]}
    assert quiz.post(attempt_id, data).status_code == 302
    stored = dict(session.execute(select(AttemptAnswer.question_id, AttemptAnswer.raw)).all())
    assert stored == {"enkel": {"": ["a"]}, "meer": {"": ["mishandeling", "verhuizing"]}, "waar": {"": ["false"]}}
    quiz.post(attempt_id, {k: v for k, v in quiz.answers(attempt_id).items()
                           if not k.startswith(("q.enkel", "q.meer", "q.waar"))}, action="submit")
    attempt = session.scalar(select(QuizAttempt).where(QuizAttempt.id == attempt_id))
    # 6 of 7 right; "meer" scores per option: 1 of 3 options wrong.
    assert round(attempt.score, 4) == round((6 + 1 / 3) / 7, 4)


def test_embedded_question_values_are_opaque_per_learner(client, auth):
    """An embedded question's options post opaque values that differ from one learner to the next."""
    auth.register()
    html = client.get("/modules/eerste/oefenen").get_data(as_text=True)
    mine = option_value(html, "Signalen in kaart brengen")
    assert OPAQUE.match(mine) and 'value="a"' not in html
    assert client.post("/quiz/vraag/eerste-toets/oefenen", data={"q.oefenen": "a"}).status_code == 400
    auth.logout()
    auth.register(name="Ander", email="ander@example.org")
    theirs = option_value(client.get("/modules/eerste/oefenen").get_data(as_text=True), "Signalen in kaart brengen")
    assert OPAQUE.match(theirs) and theirs != mine


def test_key_pattern_passes_no_quiz_of_the_real_course(connection, tmp_path):
    """The "a / a,b,c / false" pattern that passed 4-5 real quizzes is now refused in every one."""
    client = make_app(connection, real_catalog(), tmp_path).test_client()
    AuthActions(client).register(name="Sanne", email="s@example.org")
    for quiz in real_catalog().quizzes.values():
        response = client.post(f"/quiz/{quiz.id}/starten")
        attempt_path = response.headers["Location"]
        html = client.get(attempt_path).get_data(as_text=True)
        assert not re.search(r'value="(a|b|true|false)"', html), quiz.id
        token = re.search(r'name="attempt_token" value="([^"]+)"', html)[1]
        pattern = {"single_choice": ["a"], "multiple_response": ["a", "b", "c"], "true_false": ["false"]}
        form = {f"q.{q.id}": pattern[q.type] for q in quiz.questions if q.type in pattern}
        response = client.post(attempt_path, data={"attempt_token": token, "action": "submit", **form})
        assert response.status_code == 400, quiz.id
