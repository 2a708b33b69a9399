"""Autosave as a person sees it: choose an answer or type a draft, wait, see "Opgeslagen", reload, still there.

These tests wait for the background save itself (not for a submit that would cancel its timer) and check
the request the script really sent, so a script that posts to the wrong URL fails here.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PASSWORD, register, unique_email
from tests.e2e.test_quiz_casus import _answer_everything

pytestmark = pytest.mark.e2e


def _is_background_save(response, form_action: str) -> bool:
    request = response.request
    return (request.method == "POST" and urlsplit(response.url).path == form_action
            and request.header_value("accept") == "application/json")


def _start_first_quiz(page, live_server):
    catalog = live_server.app.extensions["leerlijn.catalog"]
    quiz = catalog.quiz_for_module(catalog.modules[0].id)
    page.goto(live_server(f"/quiz/{quiz.id}/"))
    page.get_by_role("button", name="Start de kennischeck").click()
    page.wait_for_url(lambda url: "/quiz/poging/" in url)
    page.wait_for_load_state()  # quiz.js is listening from here on
    return page.locator("form.quiz-form")


def _answer_one(question):
    """Answer one question of whatever type the draw gave; returns (control's id, value it should keep)."""
    box = question.locator("input[type=radio], input[type=checkbox]")
    if box.count():
        box.last.check()
        return box.last.get_attribute("id"), True
    selects = question.locator("select").all()
    if selects:  # every item of a categorisation or ordering (one alone is a draft, "nog niet af")
        chosen = []
        for n, select in enumerate(selects):
            values = [v for v in select.locator("option").evaluate_all("os => os.map(o => o.value)") if v]
            chosen.append(values[n % len(values)])  # an ordering's positions 1..n, each once
            select.select_option(chosen[-1])
        return selects[0].get_attribute("id"), chosen[0]
    field = question.locator("input[type=text], input[type=number]").first
    field.fill("2")
    field.press("Tab")  # a text field's change (and so its autosave) comes when the learner moves on
    return field.get_attribute("id"), "2"


def _still_answered(page, control_id: str, expected) -> bool:
    control = page.locator(f'[id="{control_id}"]')
    return control.is_checked() if expected is True else control.input_value() == expected


def test_quiz_answer_is_saved_in_the_background_and_survives_a_reload(page, live_server, visits):
    """Choosing an answer shows "Opgeslagen" at the question and under the form; after a reload it is still chosen."""
    register(page, live_server, "Mila Jansen", unique_email("autosave"))
    form = _start_first_quiz(page, live_server)
    action = form.get_attribute("action")
    question = form.locator("section.quiz-question").first
    with page.expect_response(lambda r: _is_background_save(r, action)) as saved:
        control_id, expected = _answer_one(question)
    assert saved.value.status == 200, saved.value.text()
    state = question.locator(".question-state")
    expect(state).to_have_text("Opgeslagen")  # a later save may follow for the rest of a multi-part answer
    expect(state).to_have_class(re.compile(r"\bstate-saved\b"))
    status = form.locator(".save-status")
    expect(status).to_have_text(re.compile(r"^\s*Opgeslagen om \d\d:\d\d\s*$"))
    expect(status).to_have_class(re.compile(r"\bstate-saved\b"))

    page.reload()
    assert _still_answered(page, control_id, expected)
    # The page was rendered by the server: the saved state is there without waiting for a script.
    assert "Opgeslagen" in page.locator(f'[data-state-for="{question.get_attribute("data-question")}"]').inner_text()


def test_a_failed_background_save_says_so_at_the_question(new_page, live_server, visits):
    """Saving into an attempt that was handed in from another tab shows the server's message, as an error."""
    page = new_page()
    register(page, live_server, "Daan Mulder", unique_email("stale"))
    form = _start_first_quiz(page, live_server)
    action = form.get_attribute("action")

    # A second tab of the same learner (without script, so no background save races the click) hands it in.
    other = new_page(java_script_enabled=False, storage_state=page.context.storage_state())
    other.goto(page.url)
    _answer_everything(other.locator("form.quiz-form"))
    other.get_by_role("button", name="Inleveren").click()
    other.wait_for_url(lambda url: urlsplit(url).path.endswith("/resultaat"))

    visits.expect(409, action)
    question = form.locator("section.quiz-question").first
    with page.expect_response(lambda r: _is_background_save(r, action)) as reply:
        _answer_one(question)
    assert reply.value.status == 409
    message = reply.value.json()["error"]
    status = form.locator(".save-status")
    status.filter(has_text=message).wait_for()
    assert "state-error" in status.get_attribute("class")
    state = question.locator(".question-state")
    assert state.inner_text().strip() == "Niet opgeslagen" and "state-error" in state.get_attribute("class")


def _reflection_step(page, live_server):
    """Walk a casus to its first step with a text field; returns the form there."""
    catalog = live_server.app.extensions["leerlijn.catalog"]
    casus = next(c for c in catalog.casuses.values() if any(s.kind in ("reflection", "plan") for s in c.steps))
    page.goto(live_server(f"/casus/{casus.id}/"))
    page.locator("main form button[type=submit]").first.click()
    for _ in range(40):
        page.wait_for_load_state()
        form = page.locator("form.casus-form")
        assert form.count(), "reached the end of the casus without a reflection step"
        if form.locator("textarea").count():
            return form
        _answer_everything(form)
        form.locator("button[type=submit]").last.click()
    raise AssertionError("no reflection step within 40 steps")


def test_casus_draft_is_saved_while_typing_and_survives_a_reload(page, live_server, visits):
    """Typing a reflection saves a draft after a pause: "Opgeslagen" appears, and a reload keeps the text."""
    register(page, live_server, "Sem de Boer", unique_email("draft"))
    form = _reflection_step(page, live_server)
    action = form.get_attribute("action")
    area = form.locator("textarea").first
    area_id = area.get_attribute("id")
    text = "Ik bespreek mijn zorgen eerst met een collega en noteer wat ik zag."

    with page.expect_response(lambda r: _is_background_save(r, action), timeout=10_000) as saved:
        area.fill(text)
    assert saved.value.status == 200, saved.value.text()
    status = form.locator(".save-status")
    status.filter(has_text="Opgeslagen").wait_for()
    assert "state-saved" in status.get_attribute("class")

    page.reload()
    assert page.locator(f"#{area_id}").input_value() == text


def _question_with_several_selects(page, live_server):
    """A categorise or ordering question from one of the course's knowledge checks (their draw is random)."""
    catalog = live_server.app.extensions["leerlijn.catalog"]
    for module in catalog.modules:
        quiz = catalog.quiz_for_module(module.id)
        if quiz is None:
            continue
        page.goto(live_server(f"/quiz/{quiz.id}/"))
        page.get_by_role("button", name="Start de kennischeck").click()
        page.wait_for_url(lambda url: "/quiz/poging/" in url)
        page.wait_for_load_state()
        form = page.locator("form.quiz-form[data-autosave]")
        if not form.count():
            continue  # feedback after each question: one question per page
        for question in form.locator("section.quiz-question").all():
            if question.locator("select").count() >= 2:
                return form, question
    raise AssertionError("no knowledge check drew a question with several select boxes")


def test_a_half_sorted_answer_is_kept_as_a_draft_and_survives_a_reload(page, live_server, visits):
    """Placing one item of a categorise/ordering question saves it as "nog niet af"; a reload keeps it chosen."""
    register(page, live_server, "Noor Bakker", unique_email("halfway"))
    form, question = _question_with_several_selects(page, live_server)
    action = form.get_attribute("action")
    select = question.locator("select").first
    select_id = select.get_attribute("id")
    value = next(v for v in select.locator("option").evaluate_all("os => os.map(o => o.value)") if v)
    with page.expect_response(lambda r: _is_background_save(r, action)) as saved:
        select.select_option(value)
    assert saved.value.status == 200, saved.value.text()
    state = question.locator(".question-state")
    expect(state).to_contain_text("Opgeslagen, nog niet af")
    expect(state).to_have_class(re.compile(r"\bstate-draft\b"))
    expect(form.locator(".save-status")).to_have_text(re.compile(r"Opgeslagen om \d\d:\d\d"))

    page.reload()
    expect(page.locator(f'[id="{select_id}"]')).to_have_value(value)
    question_id = question.get_attribute("data-question")
    expect(page.locator(f'[data-state-for="{question_id}"]')).to_have_text("Opgeslagen, nog niet af")
    expect(page.locator(f'#vraag-{question_id} .draft-message')).to_be_visible()


def test_a_save_after_logging_out_in_another_tab_leads_to_a_login_that_says_it_was_kept(new_page, live_server,
                                                                                        visits):
    """Logged out in another tab, the learner answers in the quiz tab: the script opens the login page, which
    says the answer was kept (once); after logging in they are back at the attempt with the answer chosen."""
    page = new_page()
    email = unique_email("othertab")
    register(page, live_server, "Lotte Visser", email)
    form = _start_first_quiz(page, live_server)
    action = form.get_attribute("action")
    attempt_path = urlsplit(page.url).path

    other = page.context.new_page()  # the same browser: the same cookies
    other.goto(live_server("/voortgang"))
    other.get_by_role("group").get_by_text(re.compile("Lotte")).click()  # the account menu
    other.get_by_role("button", name="Uitloggen").click()
    other.wait_for_load_state()
    other.close()

    visits.expect(401, action)
    question = form.locator("section.quiz-question").first
    with page.expect_response(lambda r: _is_background_save(r, action)) as reply:
        control_id, expected = _answer_one(question)
    assert reply.value.status == 401
    page.wait_for_url(lambda url: urlsplit(url).path == "/inloggen")
    notice = page.get_by_text("Je was uitgelogd. Je antwoorden zijn bewaard")
    expect(notice).to_have_count(1)
    expect(notice).to_be_visible()

    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(lambda url: urlsplit(url).path == attempt_path)
    assert _still_answered(page, control_id, expected)
