"""Taking a quiz in the browser: start, save as you go, submit, review, and the bad inputs around it."""

from __future__ import annotations

import re

from sqlalchemy import delete, func, select

from course.db import AttemptAnswer, AttemptStatus, QuizAttempt
from tests.app.quiz.conftest import build_course, form_fields, option_value, perfect_raw
from tests.conftest import AuthActions, make_app


def test_overview_states_the_policy(client, auth):
    """Before starting, the learner sees the pass mark, the attempts and which one counts."""
    auth.register()
    html = client.get("/quiz/eerste-toets/").get_data(as_text=True)
    assert "Kennischeck eerste module" in html
    assert "70%" in html and "2 keer" in html and "beste poging telt" in html
    assert "Start de kennischeck" in html


def test_full_attempt_every_type_perfect(client, auth, quiz, session):
    """Answering everything right and submitting gives 100% and a review with explanations and sources."""
    auth.register()
    attempt_id = quiz.start()
    page = client.get(f"/quiz/poging/{attempt_id}").get_data(as_text=True)
    paper = quiz.paper(attempt_id)
    for name in ("q.enkel", "q.meer", "q.waar", paper.opaque.field("volgorde", "signalen"),
                 paper.opaque.field("sorteer", "troost"), "q.getal", "q.woord"):
        assert f'name="{name}"' in page
    response = quiz.post(attempt_id, quiz.answers(attempt_id), action="submit")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/quiz/poging/{attempt_id}/resultaat"
    review = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "100%" in review and "Gehaald" in review
    assert "De meldcode begint met signalen." in review  # explanation
    assert "KNMG (2018)" in review  # source
    assert "Melden komt pas later." in review  # per-option feedback, also for options not chosen
    attempt = session.scalar(select(QuizAttempt).where(QuizAttempt.id == attempt_id))
    assert attempt.status == AttemptStatus.SUBMITTED and attempt.score == 1.0 and attempt.passed
    per_question = session.scalars(select(AttemptAnswer).where(AttemptAnswer.attempt_id == attempt_id)).all()
    assert len(per_question) == 7 and all(a.correct and a.score == 1.0 for a in per_question)


def test_correct_answers_are_not_in_the_page_before_submitting(client, auth, quiz):
    auth.register()
    attempt_id = quiz.start()
    html = client.get(f"/quiz/poging/{attempt_id}").get_data(as_text=True)
    for secret in ("Juist begonnen.", "Melden komt pas later.", "Klopt, bewustwording.", "De meldcode begint",
                   "Het is ongeveer 2,4", "correct", "Juist antwoord", "Veilig Thuis</"):
        assert secret not in html
    # Ordering items are never shown in the right order.
    items = re.findall(r'data-item="([a-z-]+)"', html)
    assert items != ["signalen", "collega", "gesprek"]


def test_saved_answers_survive_logout_and_resume(client, auth, quiz):
    """Answers saved as you go are there again after logging out and in: the attempt resumes."""
    auth.register()
    attempt_id = quiz.start()
    data = quiz.fields(attempt_id, "enkel", {"": ["b"]}) | quiz.fields(attempt_id, "getal", {"": ["3,5"]})
    response = quiz.post(attempt_id, data)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Opgeslagen om" in page  # the visible saved state (no JavaScript)
    assert page.count(">Opgeslagen<") == 2
    auth.logout()
    auth.login()
    overview = client.get("/quiz/eerste-toets/").get_data(as_text=True)
    assert "Verder met poging 1" in overview
    assert quiz.start() == attempt_id  # starting again resumes the open attempt
    page = client.get(f"/quiz/poging/{attempt_id}").get_data(as_text=True)
    assert re.search(rf'value="{quiz.value(attempt_id, "enkel", "b")}"\s+checked', page)
    assert 'value="3,5"' in page


def test_same_order_after_reload(client, auth, quiz):
    auth.register()
    attempt_id = quiz.start()
    first = client.get(f"/quiz/poging/{attempt_id}").get_data(as_text=True)
    second = client.get(f"/quiz/poging/{attempt_id}").get_data(as_text=True)
    order = re.compile(r'data-question="([a-z-]+)"|<label for="([a-z0-9-]+)"|value="([a-z0-9]+)"')
    assert order.findall(first) == order.findall(second)


def test_autosave_answers_json(client, auth, quiz):
    """The page's script saves each change and learns what was saved and what is still to do."""
    auth.register()
    attempt_id = quiz.start()
    data = quiz.fields(attempt_id, "enkel", {"": ["a"]}) | quiz.fields(attempt_id, "getal", {"": ["twee"]})
    response = quiz.post(attempt_id, data, headers={"Accept": "application/json"})
    assert response.status_code == 200
    assert sorted(response.json["saved"]) == ["enkel", "getal"]
    assert response.json["incomplete"] == {"getal": "Vul een getal in, bijvoorbeeld 3 of 2,5."}
    assert response.json["saved_at"]
    # Saved means saved: after a reload the choice is there, and so is the word in the number field,
    # with what is still to do beside it.
    page = client.get(f"/quiz/poging/{attempt_id}").get_data(as_text=True)
    chosen = re.findall(r'<input[^>]*\bchecked\b[^>]*>\s*<label[^>]*>([^<]*)</label>', page)
    assert chosen == ["Signalen in kaart brengen"]  # option a of "enkel", the only choice made
    assert 'value="twee"' in page
    assert "Opgeslagen, nog niet af" in page and "Vul een getal in, bijvoorbeeld 3 of 2,5." in page


def test_a_correctable_mistake_keeps_what_was_typed(client, auth, quiz):
    """Without script: saving keeps the word in the number field as a draft; handing in names the question."""
    auth.register()
    attempt_id = quiz.start()
    data = quiz.fields(attempt_id, "enkel", {"": ["a"]}) | quiz.fields(attempt_id, "getal", {"": ["twee"]})
    response = quiz.post(attempt_id, data)
    assert response.status_code == 302
    page = client.get(f"/quiz/poging/{attempt_id}").get_data(as_text=True)
    assert "Vul een getal in" in page and 'value="twee"' in page
    assert re.search(rf'value="{quiz.value(attempt_id, "enkel", "a")}"\s+checked', page)
    handed_in = quiz.post(attempt_id, {}, action="submit")
    assert handed_in.status_code == 422
    html = handed_in.get_data(as_text=True)
    assert 'href="#vraag-getal"' in html and "Vul een getal in" in html  # the summary links to the question
    assert 'value="twee"' in html


def test_incomplete_ordering_is_kept_and_refused_at_hand_in(client, auth, quiz):
    auth.register()
    attempt_id = quiz.start()
    data = quiz.fields(attempt_id, "volgorde", {"signalen": ["1"], "collega": ["1"], "gesprek": [""]})
    assert quiz.post(attempt_id, data).status_code == 302
    page = client.get(f"/quiz/poging/{attempt_id}").get_data(as_text=True)
    assert "Geef elk onderdeel een plaats" in page
    handed_in = quiz.post(attempt_id, {}, action="submit")
    assert handed_in.status_code == 422
    assert "Geef elk onderdeel een plaats" in handed_in.get_data(as_text=True)


def test_half_sorted_categorisation_survives_a_reload_and_hand_in_waits_for_the_rest(client, auth, quiz, session):
    """One item sorted, the other not yet: the draft is kept (it used to be refused and lost on reload)."""
    auth.register()
    attempt_id = quiz.start()
    half = quiz.fields(attempt_id, "sorteer", {"ontdekken": ["boven"], "troost": [""]})
    saved = quiz.post(attempt_id, half, headers={"Accept": "application/json"})
    assert saved.status_code == 200 and saved.json["saved"] == ["sorteer"]
    assert saved.json["incomplete"] == {"sorteer": "Kies voor elk onderdeel een categorie."}
    page = client.get(f"/quiz/poging/{attempt_id}").get_data(as_text=True)
    boven = quiz.value(attempt_id, "sorteer", "boven")
    field = re.escape(quiz.paper(attempt_id).opaque.field("sorteer", "ontdekken"))
    chosen = rf'name="{field}"[^>]*>\s*<option value="">[^<]*</option>\s*<option value="{boven}" selected'
    assert re.search(chosen, page)
    assert "Kies voor elk onderdeel een categorie." in page

    everything = quiz.answers(attempt_id) | half
    refused = quiz.post(attempt_id, everything, action="submit")
    assert refused.status_code == 422 and 'href="#vraag-sorteer"' in refused.get_data(as_text=True)
    assert session.scalar(select(QuizAttempt.status).where(QuizAttempt.id == attempt_id)) == AttemptStatus.IN_PROGRESS

    handed_in = quiz.post(attempt_id, quiz.answers(attempt_id), action="submit")
    assert handed_in.status_code == 302
    session.expire_all()
    attempt = session.scalar(select(QuizAttempt).where(QuizAttempt.id == attempt_id))
    assert attempt.status == AttemptStatus.SUBMITTED and attempt.score == 1.0


def test_submit_with_open_questions_is_refused_and_keeps_answers(client, auth, quiz, session):
    auth.register()
    attempt_id = quiz.start()
    response = quiz.post(attempt_id, quiz.fields(attempt_id, "enkel", {"": ["a"]}), action="submit")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "alle vragen beantwoord" in html and "Deze vraag is nog niet beantwoord." in html
    attempt = session.scalar(select(QuizAttempt).where(QuizAttempt.id == attempt_id))
    assert attempt.status == AttemptStatus.IN_PROGRESS
    assert session.scalar(select(func.count()).select_from(AttemptAnswer)) == 1  # the one answer is kept


def test_forged_question_and_option_ids_are_refused_whole(client, auth, quiz, session):
    """Made-up ids give a 400 and nothing of the request is written."""
    auth.register()
    attempt_id = quiz.start()
    token = quiz.token(attempt_id)
    for forged in (form_fields("verzonnen", {"": ["a"]}), form_fields("enkel", {"": ["zz"]}),
                   form_fields("volgorde", {"bestaat-niet": ["1"]}), form_fields("sorteer", {"troost": ["midden"]}),
                   form_fields("waar", {"": ["misschien"]}), {"q.enkel": ["a", "b"]}):
        response = quiz.post(attempt_id, form_fields("woord", {"": ["Veilig Thuis"]}) | forged, token=token)
        assert response.status_code == 400, forged
    assert session.scalar(select(func.count()).select_from(AttemptAnswer)) == 0


def test_missing_or_forged_token_is_refused(client, auth, quiz):
    auth.register()
    attempt_id = quiz.start()
    data = quiz.fields(attempt_id, "enkel", {"": ["a"]})
    assert client.post(f"/quiz/poging/{attempt_id}", data=data).status_code == 400
    assert quiz.post(attempt_id, data, token="niet-echt").status_code == 400


def test_double_submit_is_idempotent(client, auth, quiz, session):
    """Pressing submit twice gives the same result and changes nothing the second time."""
    auth.register()
    attempt_id = quiz.start()
    token = quiz.token(attempt_id)
    answers = quiz.answers(attempt_id, right=5)
    first = quiz.post(attempt_id, answers, action="submit", token=token)
    attempt = session.scalar(select(QuizAttempt).where(QuizAttempt.id == attempt_id))
    score, submitted_at = attempt.score, attempt.submitted_at
    second = quiz.post(attempt_id, quiz.answers(attempt_id), action="submit", token=token)
    assert first.headers["Location"] == second.headers["Location"]
    session.expire_all()
    attempt = session.scalar(select(QuizAttempt).where(QuizAttempt.id == attempt_id))
    assert (attempt.score, attempt.submitted_at) == (score, submitted_at)
    assert session.scalar(select(func.count()).select_from(QuizAttempt)) == 1


def test_answers_after_submit_are_refused(client, auth, quiz, session):
    auth.register()
    attempt_id = quiz.start()
    token = quiz.token(attempt_id)
    quiz.post(attempt_id, quiz.answers(attempt_id, right=0), action="submit", token=token)
    graded = session.execute(select(AttemptAnswer.question_id, AttemptAnswer.raw, AttemptAnswer.score)).all()
    response = quiz.post(attempt_id, quiz.answers(attempt_id), token=token, headers={"Accept": "application/json"})
    assert response.status_code == 409
    assert "ingeleverd" in response.json["error"]
    session.expire_all()
    assert session.execute(select(AttemptAnswer.question_id, AttemptAnswer.raw, AttemptAnswer.score)).all() == graded
    # The attempt page itself now leads to the review.
    assert client.get(f"/quiz/poging/{attempt_id}").headers["Location"].endswith("/resultaat")


def test_another_users_attempt_is_not_found(client, auth, quiz):
    auth.register()
    attempt_id = quiz.start()
    token = quiz.token(attempt_id)
    auth.logout()
    auth.register(name="Ander", email="ander@example.org")
    assert client.get(f"/quiz/poging/{attempt_id}").status_code == 404
    assert client.get(f"/quiz/poging/{attempt_id}/resultaat").status_code == 404
    # Their token in the other user's session opens nothing to this user (test_lost_sessions.py: it keeps
    # the page owner's answer).
    assert "Signalen" not in quiz.post(attempt_id, quiz.fields(attempt_id, "enkel", {"": ["a"]}),
                                       token=token, follow_redirects=True).get_data(as_text=True)
    own = quiz.start()
    own_token = quiz.token(own)
    assert quiz.post(attempt_id, quiz.fields(attempt_id, "enkel", {"": ["a"]}), token=own_token).status_code == 404
    assert client.get("/quiz/poging/999999").status_code == 404


def test_pass_and_fail_threshold(client, auth, quiz):
    """5 of 7 (71%) passes a pass mark of 70; 4 of 7 (57%) does not; the best attempt counts."""
    auth.register()
    first = quiz.start()
    quiz.post(first, quiz.answers(first, right=4), action="submit")
    html = client.get(f"/quiz/poging/{first}/resultaat").get_data(as_text=True)
    assert "Nog niet gehaald" in html and "57%" in html
    second = quiz.start()
    assert second != first
    quiz.post(second, quiz.answers(second, right=5), action="submit")
    html = client.get(f"/quiz/poging/{second}/resultaat").get_data(as_text=True)
    assert "Gehaald" in html and "71%" in html
    overview = client.get("/quiz/eerste-toets/").get_data(as_text=True)
    assert "Je hebt alle pogingen gebruikt." in overview
    assert "Gehaald" in overview


def test_no_attempts_left(client, auth, quiz, session):
    auth.register()
    for _ in range(2):
        attempt_id = quiz.start()
        quiz.post(attempt_id, quiz.answers(attempt_id, right=0), action="submit")
    response = client.post("/quiz/eerste-toets/starten")
    assert response.status_code == 302 and response.headers["Location"] == "/quiz/eerste-toets/"
    assert "alle pogingen" in client.get("/quiz/eerste-toets/").get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(QuizAttempt)) == 2


def test_answer_posted_after_the_session_expired_is_kept(client, auth, quiz, session):
    """The login session ran out while answering: the answers are kept and are there after logging in."""
    auth.register()
    attempt_id = quiz.start()
    token = quiz.token(attempt_id)
    with client.session_transaction() as flask_session:
        flask_session.clear()  # what an expired session looks like to the server
    response = quiz.post(attempt_id, quiz.fields(attempt_id, "enkel", {"": ["c"]}), token=token)
    assert response.status_code == 302
    assert "/inloggen" in response.headers["Location"]
    assert response.headers["Location"].endswith(f"next=/quiz/poging/{attempt_id}")
    assert "Je antwoorden zijn bewaard" in client.get(response.headers["Location"]).get_data(as_text=True)
    auth.login()
    page = client.get(f"/quiz/poging/{attempt_id}").get_data(as_text=True)
    assert re.search(rf'value="{quiz.value(attempt_id, "enkel", "c")}"\s+checked', page)


def test_autosave_with_expired_session_answers_401_with_login_url(client, auth, quiz):
    auth.register()
    attempt_id = quiz.start()
    token = quiz.token(attempt_id)
    auth.logout()
    response = quiz.post(attempt_id, quiz.fields(attempt_id, "enkel", {"": ["c"]}), token=token,
                         headers={"Accept": "application/json"})
    assert response.status_code == 401 and "/inloggen" in response.json["login_url"]
    auth.login()
    page = client.get(f"/quiz/poging/{attempt_id}").get_data(as_text=True)
    assert re.search(rf'value="{quiz.value(attempt_id, "enkel", "c")}"\s+checked', page)


def test_review_still_works_after_the_quiz_file_changed(client, auth, quiz, connection, tmp_path):
    """An old attempt is reviewed with the questions it was given, even when the quiz was rewritten."""
    auth.register()
    attempt_id = quiz.start()
    quiz.post(attempt_id, quiz.answers(attempt_id), action="submit")

    course = build_course(tmp_path / "changed")
    quiz_file = course / "quizzes" / "eerste-toets.yaml"
    text = quiz_file.read_text(encoding="utf-8")
    text = text.replace("Welke stap komt **eerst**?", "Een heel andere vraag?")
    text = text[:text.index("  - id: meer")]  # only the first question is left
    quiz_file.write_text(text, encoding="utf-8")
    (course / "modules" / "01-eerste" / "03-oefenen.md").unlink()
    from course.catalog import load_catalog
    changed = load_catalog(course)
    assert len(changed.quizzes["eerste-toets"].questions) == 1

    app2 = make_app(connection, changed, tmp_path)
    client2 = app2.test_client()
    with client.session_transaction() as old, client2.session_transaction() as new:
        new.update(dict(old))
    html = client2.get(f"/quiz/poging/{attempt_id}/resultaat").get_data(as_text=True)
    assert "Welke stap komt <strong>eerst</strong>?" in html
    assert "Een heel andere vraag" not in html
    assert "Hoe heet het advies- en meldpunt?" in html and "100%" in html


def test_feedback_after_each_question(client, auth, quiz, session):
    """With feedback after each question, checking shows the feedback and fixes the answer."""
    auth.register()
    attempt_id = quiz.start("tweede-toets")
    paper = quiz.paper(attempt_id)
    first = paper.questions[0].question
    page = client.get(f"/quiz/poging/{attempt_id}").get_data(as_text=True)
    assert "Controleer mijn antwoord" in page and first.prompt in page
    token = quiz.token(attempt_id)
    response = quiz.post(attempt_id, quiz.fields(attempt_id, first.id, perfect_raw(first)) | {"question": first.id},
                         action="check", token=token)
    assert response.status_code == 302 and "vraag=1" in response.headers["Location"]
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Goed." in html and "Rekenen." in html and "Volgende vraag" in html
    # Changing a checked answer is refused.
    other = {"": ["false"] if first.type == "true_false" else ["drie"]}
    changed = quiz.post(attempt_id, quiz.fields(attempt_id, first.id, other) | {"question": first.id},
                        action="check", token=token)
    assert changed.status_code == 409
    # Checking without an answer is a form error.
    second = paper.questions[1].question
    response = quiz.post(attempt_id, {"question": second.id}, action="check", token=token)
    assert response.status_code == 422 and "eerst een antwoord" in response.get_data(as_text=True)
    quiz.post(attempt_id, quiz.fields(attempt_id, second.id, perfect_raw(second)) | {"question": second.id},
              action="check", token=token)
    final = client.get(f"/quiz/poging/{attempt_id}?vraag=3").get_data(as_text=True)
    assert "alle vragen beantwoord" in final
    response = quiz.post(attempt_id, {}, action="submit", token=token)
    assert response.headers["Location"].endswith("/resultaat")
    assert "100%" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_a_save_that_would_change_a_checked_answer_keeps_nothing_of_the_post(client, auth, quiz, session):
    """With feedback after each question, a background save that changes a checked answer is refused as a
    whole: the checked answer stays, and the other answer posted with it is not saved either."""
    auth.register()
    attempt_id = quiz.start("tweede-toets")
    paper = quiz.paper(attempt_id)
    first, second = paper.questions[0].question, paper.questions[1].question
    token = quiz.token(attempt_id)
    quiz.post(attempt_id, quiz.fields(attempt_id, first.id, perfect_raw(first)) | {"question": first.id},
              action="check", token=token)
    changed = {"": ["false"] if first.type == "true_false" else ["drie"]}
    response = quiz.post(attempt_id, quiz.fields(attempt_id, first.id, changed)
                         | quiz.fields(attempt_id, second.id, perfect_raw(second)),
                         token=token, headers={"Accept": "application/json"})
    assert response.status_code == 409
    session.expire_all()
    stored = dict(session.execute(select(AttemptAnswer.question_id, AttemptAnswer.raw)
                                  .where(AttemptAnswer.attempt_id == attempt_id)).all())
    assert stored == {first.id: perfect_raw(first)}


def test_a_save_with_nothing_to_save_changes_nothing(client, auth, quiz, session):
    """A background save without an answer in it (only a half-typed field elsewhere is no answer) says
    nothing was saved, and the attempt keeps the moment of its last real save."""
    auth.register()
    attempt_id = quiz.start()
    token = quiz.token(attempt_id)
    assert quiz.post(attempt_id, quiz.fields(attempt_id, "enkel", {"": ["a"]}), token=token,
                     headers={"Accept": "application/json"}).json["saved"] == ["enkel"]
    session.expire_all()
    saved_at = session.scalar(select(QuizAttempt.last_saved_at).where(QuizAttempt.id == attempt_id))
    empty = quiz.post(attempt_id, {}, token=token, headers={"Accept": "application/json"})
    assert empty.status_code == 200 and empty.json == {"saved": [], "saved_at": None, "incomplete": {}}
    session.expire_all()
    assert session.scalar(select(QuizAttempt.last_saved_at).where(QuizAttempt.id == attempt_id)) == saved_at


def test_a_new_attempt_under_a_reused_id_is_saved_against_its_own_paper(client, auth, quiz, session):
    """A worker keeps the papers it parsed; when SQLite gives a deleted attempt's id to another learner's new
    attempt, that learner's answers are read with their own paper (their page's values), not the old one."""
    auth.register()
    first = quiz.start()
    assert quiz.post(first, quiz.answers(first), headers={"Accept": "application/json"}).status_code == 200
    session.execute(delete(QuizAttempt).where(QuizAttempt.id == first))  # e.g. the account was deleted
    session.commit()
    auth.logout()
    auth.register(name="Ander", email="ander@example.org")
    second = quiz.start()
    if session.get_bind().dialect.name == "sqlite":
        assert second == first  # SQLite hands out the highest id again
    answers = quiz.answers(second)
    response = quiz.post(second, answers, headers={"Accept": "application/json"})
    assert response.status_code == 200, response.get_data(as_text=True)
    paper = quiz.paper(second)
    session.expire_all()
    stored = dict(session.execute(select(AttemptAnswer.question_id, AttemptAnswer.raw)
                                  .where(AttemptAnswer.attempt_id == second)).all())
    assert stored == {pq.question.id: perfect_raw(pq.question) for pq in paper.questions}


def test_embedded_question_gives_instant_feedback(client, auth):
    """A question inside a module page is checked on the spot and the page shows the feedback."""
    auth.register()
    page = client.get("/modules/eerste/oefenen").get_data(as_text=True)
    assert 'action="/quiz/vraag/eerste-toets/oefenen"' in page
    assert "Juist begonnen." not in page
    response = client.post("/quiz/vraag/eerste-toets/oefenen", data={
        "q.oefenen": option_value(page, "Signalen in kaart brengen"), "next": "/modules/eerste/oefenen"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/modules/eerste/oefenen#vraag-eerste-toets-oefenen"
    page = client.get("/modules/eerste/oefenen").get_data(as_text=True)
    assert "Juist begonnen." in page and "De meldcode begint met signalen." in page
    # Shown once: a reload asks the question afresh.
    assert "Juist begonnen." not in client.get("/modules/eerste/oefenen").get_data(as_text=True)


def test_embedded_feedback_is_shown_to_the_learner_who_checked_only(app, client, auth, count_queries):
    """Anna checks a practice question: her page shows the feedback once; Bram, on the same page, sees none,
    and the page's own query brings the check (no query more than a page without questions)."""
    auth.register(name="Anna Jansen", email="anna@example.org")
    bram = app.test_client()
    AuthActions(bram).register(name="Bram Bakker", email="bram@example.org")
    page = client.get("/modules/eerste/oefenen").get_data(as_text=True)
    client.post("/quiz/vraag/eerste-toets/oefenen", data={
        "q.oefenen": option_value(page, "Signalen in kaart brengen"), "next": "/modules/eerste/oefenen"})
    # Reloads of two last pages of a module (which name the next step), one without questions.
    bram.get("/modules/tweede/enige")
    with count_queries() as plain:
        bram.get("/modules/tweede/enige")
    bram.get("/modules/eerste/oefenen")
    with count_queries() as practice:
        bram_page = bram.get("/modules/eerste/oefenen").get_data(as_text=True)
    assert "Juist begonnen." not in bram_page and "Bram Bakker" in bram_page
    assert practice.count == plain.count, practice.statements
    anna_page = client.get("/modules/eerste/oefenen").get_data(as_text=True)
    assert "Juist begonnen." in anna_page and "Bram Bakker" not in anna_page
    assert "Juist begonnen." not in client.get("/modules/eerste/oefenen").get_data(as_text=True)


def test_embedded_question_bad_input(client, auth):
    auth.register()
    assert client.post("/quiz/vraag/eerste-toets/oefenen", data={"q.oefenen": "zz"}).status_code == 400
    assert client.post("/quiz/vraag/eerste-toets/bestaat-niet", data={}).status_code == 404
    # An unanswered check with a foreign "next": back to this site only, with the question's anchor.
    response = client.post("/quiz/vraag/eerste-toets/oefenen", data={"next": "https://evil.example/"})
    assert response.status_code == 302 and response.headers["Location"] == "/#vraag-eerste-toets-oefenen"
    assert "eerst een antwoord" not in client.get("/").get_data(as_text=True)
    # The question's own page asks for an answer, once, and shows no feedback.
    page = client.get("/modules/eerste/oefenen").get_data(as_text=True)
    assert "Kies of vul eerst een antwoord in." in page and "Juist begonnen." not in page
    assert "Kies of vul eerst een antwoord in." not in client.get("/modules/eerste/oefenen").get_data(as_text=True)


def test_graded_questions_cannot_be_checked_as_practice(client, auth):
    """The instant check on pages answers for practice questions only: it never reveals a graded key."""
    auth.register()
    response = client.post("/quiz/vraag/eerste-toets/enkel",
                           data={"q.enkel": "a", "next": "/modules/eerste/oefenen"})
    assert response.status_code == 404


def test_unknown_quiz_is_404(client, auth):
    auth.register()
    assert client.get("/quiz/bestaat-niet/").status_code == 404
    assert client.post("/quiz/bestaat-niet/starten").status_code == 404


def test_review_shows_the_key_only_after_passing_or_the_last_attempt(client, auth, quiz):
    """A failed attempt with attempts left shows own answers and marks, not the right answers; the last one does."""
    auth.register()
    first = quiz.start()
    quiz.post(first, quiz.answers(first, right=0), action="submit")
    html = client.get(f"/quiz/poging/{first}/resultaat").get_data(as_text=True)
    assert "Jouw keuze: onjuist" in html
    assert "Juist antwoord" not in html and "Toelichting" not in html and "De juiste volgorde" not in html
    assert "zodra je de kennischeck hebt gehaald, of na je laatste poging" in html
    second = quiz.start()
    quiz.post(second, quiz.answers(second, right=0), action="submit")
    html = client.get(f"/quiz/poging/{second}/resultaat").get_data(as_text=True)
    assert "Juist antwoord" in html and "Toelichting" in html and "De juiste volgorde" in html
    # The first attempt's review now shows the key as well: no attempts are left.
    assert "Toelichting" in client.get(f"/quiz/poging/{first}/resultaat").get_data(as_text=True)
