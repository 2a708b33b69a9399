"""What a learner reads around a knowledge check: which question is wrong, and where to go next."""

from __future__ import annotations

import re

from tests.app.quiz.conftest import paper_fields, perfect_raw, wrong_raw


def _error_summary(html: str) -> str:
    start = html.index('id="error-summary"')
    return html[start:html.index("</div>", start)]


def test_error_summary_names_the_open_question_by_its_own_number(client, auth, quiz):
    """With only the last question open, the summary says "Vraag 7" and links to it, not "Vraag 1"."""
    auth.register()
    attempt_id = quiz.start()
    paper = quiz.paper(attempt_id)
    data: dict = {}
    for pq in paper.questions[:-1]:
        data.update(paper_fields(paper, pq.question.id, perfect_raw(pq.question)))
    response = quiz.post(attempt_id, data, action="submit")
    assert response.status_code == 422
    summary = _error_summary(response.get_data(as_text=True))
    last, n = paper.questions[-1].question.id, len(paper.questions)
    assert re.search(rf'href="#vraag-{re.escape(last)}">Vraag {n}: ', summary), summary
    assert ">Vraag 1: " not in summary


def test_review_lists_the_wrong_questions_and_leads_onwards(client, auth, quiz):
    """After a failed attempt (4 of 7 right) the learner sees which questions were wrong, linked, and a way on."""
    auth.register()
    attempt_id = quiz.start()
    paper = quiz.paper(attempt_id)
    data: dict = {}
    for n, pq in enumerate(paper.questions):
        data.update(paper_fields(paper, pq.question.id, (wrong_raw if n in (1, 3, 5) else perfect_raw)(pq.question)))
    quiz.post(attempt_id, data, action="submit")
    html = client.get(f"/quiz/poging/{attempt_id}/resultaat").get_data(as_text=True)
    start = html.index('class="wrong-questions"')
    section = html[start:html.index("</section>", start)]
    assert "3 vragen niet (helemaal) goed" in section
    linked = re.findall(r'href="#vraag-([^"]+)">Vraag (\d+)</a>', section)
    assert linked == [(paper.questions[n].question.id, str(n + 1)) for n in (1, 3, 5)]
    assert '<a class="button" href="/quiz/eerste-toets/">Nog een poging</a>' in html
    assert re.search(r'<a class="button button-secondary" href="/[^"]+">Verder met ', html)


def _read_module_eerste(client) -> None:
    for page in ("begin", "vervolg", "oefenen"):
        assert client.post(f"/modules/eerste/{page}/gelezen").status_code == 302


def test_review_after_passing_puts_the_next_step_first(client, auth, quiz):
    """All right: no list of wrong questions, and the main button goes on, not to a new attempt."""
    auth.register()
    _read_module_eerste(client)
    attempt_id = quiz.start()
    quiz.post(attempt_id, quiz.answers(attempt_id), action="submit")
    html = client.get(f"/quiz/poging/{attempt_id}/resultaat").get_data(as_text=True)
    assert "Alle vragen goed." in html and 'class="wrong-questions"' not in html
    assert re.search(r'<a class="button next-step" href="/casus/oefencasus/">Naar de casus: ', html)
    overview = client.get("/quiz/eerste-toets/").get_data(as_text=True)
    assert re.search(r'<a class="button next-step" href="/casus/oefencasus/">Naar de casus: ', overview)
    assert 'class="button button-secondary">Nieuwe poging starten' in overview


def test_after_passing_and_the_casus_the_next_step_is_the_next_module(client, auth, quiz):
    """The onward button skips what is done: with the casus finished it leads to the next module."""
    from tests.app.casus.conftest import CasusActions
    from tests.app.casus.test_casus_runs import RECOMMENDED_PATH
    auth.register()
    _read_module_eerste(client)
    casus = CasusActions(client)
    run_id = casus.start()
    for step, data in RECOMMENDED_PATH:
        casus.answer(run_id, step, data)
    attempt_id = quiz.start()
    quiz.post(attempt_id, quiz.answers(attempt_id), action="submit")
    html = client.get(f"/quiz/poging/{attempt_id}/resultaat").get_data(as_text=True)
    assert re.search(r'class="button next-step" href="/modules/tweede/">Volgende module: ', html)
    overview = client.get("/quiz/eerste-toets/").get_data(as_text=True)
    assert re.search(r'class="button next-step" href="/modules/tweede/">Volgende module: ', overview)


def test_quiz_text_is_marked_dutch_in_the_english_interface(client, auth, quiz):
    """In English the interface speaks English, and the Dutch questions are marked lang="nl"."""
    auth.register()
    client.post("/taal", data={"locale": "en"})
    attempt_id = quiz.start()
    html = client.get(f"/quiz/poging/{attempt_id}").get_data(as_text=True)
    assert '<html lang="en">' in html
    prompts = re.findall(r'<div class="question-prompt" id="[^"]+"( lang="nl")?>', html)
    assert prompts and all(prompts), prompts


def test_sentences_on_the_check_page_are_separated(client, auth, quiz):
    """'… zo vaak maken als je wilt. Je beste poging telt.', never 'wilt.Je'."""
    auth.register()
    html = client.get("/quiz/eerste-toets/").get_data(as_text=True)
    policy = html[html.index('<ul class="quiz-policy">'):html.index("</ul>", html.index("quiz-policy"))]
    text = re.sub(r"<[^>]+>", " ", policy)
    assert not re.search(r"\w[.!?][A-Z]", text), text
    assert re.search(r"\. Je (beste|laatste) poging telt\.", re.sub(r"\s+", " ", text))


def test_options_feedback_and_titles_are_marked_dutch_in_english(client, auth, quiz):
    """Not only the prompts: the options, items, categories, feedback and the check's title are lang="nl"."""
    from tests.app.test_content_language import _unmarked
    auth.register()
    client.post("/taal", data={"locale": "en"})
    attempt_id = quiz.start()
    paper = quiz.paper(attempt_id)
    dutch = [paper.title]
    for pq in paper.questions:
        q = pq.question
        for part in [*getattr(q, "options", ()), *getattr(q, "items", ()), *getattr(q, "categories", ())]:
            text = re.sub(r"<[^>]+>", "", getattr(part, "text", None) or getattr(part, "label", ""))
            if len(text) > 3:
                dutch.append(text)
    overview = client.get("/quiz/eerste-toets/").get_data(as_text=True)
    assert not _unmarked(overview, dutch)
    assert not _unmarked(client.get(f"/quiz/poging/{attempt_id}").get_data(as_text=True), dutch)
    quiz.post(attempt_id, quiz.answers(attempt_id), action="submit")
    review = client.get(f"/quiz/poging/{attempt_id}/resultaat").get_data(as_text=True)
    assert not _unmarked(review, dutch), _unmarked(review, dutch)
