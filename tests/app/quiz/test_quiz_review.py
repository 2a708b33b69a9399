"""The review of a submitted attempt: what a learner reads after getting (almost) everything wrong."""

from __future__ import annotations

import re

import pytest

from tests.app.quiz.conftest import form_fields, perfect_raw
from tests.app.quiz.test_quiz_progress import visible_text


def review_text(client, quiz, right: int) -> tuple[str, str]:
    attempt_id = quiz.start()
    response = quiz.post(attempt_id, quiz.answers(attempt_id, right=right), action="submit")
    assert response.status_code == 302
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    return html, visible_text(html)


def verdicts(html: str) -> list[str]:
    return re.findall(r'<p class="verdict"><strong>(.*?)</strong></p>', html)


def test_review_of_a_wrong_attempt(client, auth, quiz):
    """Every question wrong: 0 %, not passed, each question says so with the feedback for what was chosen.

    With an attempt left the key stays hidden; after the last attempt the review shows it too.
    """
    auth.register()
    html, text = review_text(client, quiz, right=0)
    assert "Je score: 0% Nog niet gehaald. Je had 70% nodig." in text
    assert verdicts(html) == ["Niet goed."] * 7
    assert "Melden Jouw keuze: onjuist Melden komt pas later." in text  # the feedback on the choice made
    assert "Nee, de lijst is voor bewustwording." in text  # true/false: for the choice made
    assert "Juist begonnen." not in text and "Klopt, bewustwording." not in text  # nothing of the key
    assert "Juist antwoord" not in text and "Het is ongeveer 2,4." not in text

    html, text = review_text(client, quiz, right=0)  # the last attempt: now the key is shown
    assert "Je score: 0% Nog niet gehaald. Je had 70% nodig." in text
    assert verdicts(html) == ["Niet goed."] * 7
    # Single choice: the wrong choice is marked, its feedback shown, the right option pointed out.
    assert "Melden Jouw keuze: onjuist Melden komt pas later." in text
    assert "Signalen in kaart brengen Juist antwoord Juist begonnen." in text
    # True/false: the feedback written for the choice made, not for the other one.
    assert "Nee, de lijst is voor bewustwording." in text and "Klopt, bewustwording." not in text
    # Ordering: no item in its place, each with where it belongs.
    assert text.count("Hoort op plaats") == 3 and "Juiste plaats" not in text
    # Numeric and short text: the feedback for a wrong answer and the answer that was expected.
    assert "Juist antwoord: 2,4 (goed gerekend vanaf 2,3 tot en met 2,5)" in text
    assert "Het is ongeveer 2,4." in text and "Het is Veilig Thuis." in text
    assert 'value="999"' in html and 'value="iets anders"' in html
    # Explanations are there for every question, right or wrong.
    assert text.count("Toelichting") == 7


def test_review_of_a_partly_right_attempt(client, auth, quiz):
    """Four right out of seven: 57 % (not rounded up), each verdict matching its question."""
    auth.register()
    html, text = review_text(client, quiz, right=4)
    assert "Je score: 57% Nog niet gehaald. Je had 70% nodig." in text
    found = verdicts(html)
    assert sorted(found) == sorted(["Goed."] * 4 + ["Niet goed."] * 3), found


def test_an_ordering_place_no_page_sends_is_refused_not_a_server_error(client, auth, quiz):
    """'²' passes str.isdigit() but not int(): the answer is refused with 400 and nothing is saved."""
    auth.register()
    attempt_id = quiz.start()
    paper = quiz.paper(attempt_id)
    ordering = next(pq.question for pq in paper.questions if pq.question.type == "ordering")
    raw = perfect_raw(ordering)
    raw[next(iter(raw))] = ["²"]
    response = quiz.post(attempt_id, form_fields(ordering.id, raw))
    assert response.status_code == 400
    assert "laatst opgeslagen" not in client.get(f"/quiz/poging/{attempt_id}").get_data(as_text=True)


@pytest.mark.parametrize(("template", "expected"), [
    ("{{ 0.695|percent }}", "69%"),  # 69.5 % must not read as a 70 % pass mark
    ("{{ 0.7|percent }}", "70%"),
    ("{{ 0.57|percent }}", "57%"),  # 0.57 * 100 is 56.99999999999999 in floating point
    ("{{ 0.999|percent }}", "99%"),
    ("{{ 1.0|percent }}", "100%"),
    ("{{ none|percent }}", "–"),
    ("{{ 69.5|decimal }}%", "69,5%"),
    ("{{ 70.0|decimal }}%", "70%"),
])
def test_scores_and_pass_marks_are_shown_as_they_count(app, template, expected):
    with app.test_request_context("/"):
        assert app.jinja_env.from_string(template).render() == expected
