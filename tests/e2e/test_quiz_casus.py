"""A full knowledge check with its review, and a casus run with a branch and a reflection, in a real browser."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import axe_check, register, unique_email

pytestmark = pytest.mark.e2e


def _has_endpoint(server, endpoint: str) -> bool:
    return endpoint in {rule.endpoint for rule in server.app.url_map.iter_rules()}


def _answer_everything(form) -> None:
    """Give every question on the form some answer with real clicks and typing (right or wrong)."""
    page = form.page
    names = form.evaluate("""f => [...new Set([...f.querySelectorAll('input[type=radio], input[type=checkbox]')]
                                   .map(i => i.name))]""")
    for name in names:
        form.locator(f'input[name="{name}"]').first.check()
    # Selects per question: an ordering wants every place once, so the n-th select takes the n-th place.
    for question in form.locator("fieldset, .question").all():
        selects = question.locator("select").all()
        for n, select in enumerate(selects):
            values = [v for v in select.locator("option").evaluate_all("os => os.map(o => o.value)") if v]
            select.select_option(values[n % len(values)])
    for field in form.locator("input[type=text], input[type=number], input:not([type])").all():
        if field.is_visible() and field.is_editable():
            field.fill("1")
    for area in form.locator("textarea").all():
        if area.is_visible() and area.is_editable():
            area.fill("Ik zou eerst rustig luisteren en daarna overleggen met een collega.")
    # Every question really has an answer now: no group without a tick, no select or text field left empty.
    empty = form.evaluate("""f => [
        ...[...f.querySelectorAll('input[type=radio], input[type=checkbox]')].map(i => i.name)
            .filter(n => !f.querySelector(`input[name="${n}"]:checked`)),
        ...[...f.querySelectorAll('select, textarea, input[type=text], input[type=number]')]
            .filter(e => e.offsetParent !== null && !e.value).map(e => e.name)]""")
    assert empty == [], f"left unanswered on {page.url}: {empty}"


def test_full_quiz_attempt_with_review(page, live_server, visits):
    """A learner takes the first module's knowledge check, submits it and reads the feedback per question."""
    if not _has_endpoint(live_server, "quiz.overview"):
        pytest.skip("the quiz pages are not there yet")
    catalog = live_server.app.extensions["leerlijn.catalog"]
    quiz = catalog.quiz_for_module(catalog.modules[0].id)
    register(page, live_server, "Fatima El Amrani", unique_email("quiz"))
    page.goto(live_server(f"/modules/{quiz.module}/"))
    page.get_by_role("link", name=quiz.title).click()
    axe_check(page, visits)
    page.get_by_role("button", name="Start de kennischeck").click()
    axe_check(page, visits)

    form = page.locator("form.quiz-form")
    asked = form.locator("section.quiz-question").count()  # a draw from the quiz's bank
    assert asked == quiz.questions_per_attempt
    _answer_everything(form)
    # Wait for the background save as a person would see it, so handing in does not cancel it halfway.
    form.locator(".save-status.state-saved").wait_for()
    assert not form.locator(".question-state.state-error").count()
    page.get_by_role("button", name="Inleveren").click()
    page.wait_for_url(lambda url: urlsplit(url).path.endswith("/resultaat"))
    axe_check(page, visits)
    main = page.locator("main")
    assert "Je score:" in main.inner_text()  # the score, then feedback on every question
    assert main.locator(".mark-correct, .mark-incorrect").count() >= asked
    page.goto(live_server(f"/quiz/{quiz.id}/"))
    axe_check(page, visits)
    assert "Je pogingen" in page.locator("main").inner_text()


def test_casus_run_with_a_branch_and_a_reflection(page, live_server, visits):
    """A learner works through a casus: makes a choice that branches, writes a reflection, reaches the end."""
    if not _has_endpoint(live_server, "casus.overview"):
        pytest.skip("the casus pages are not there yet")
    catalog = live_server.app.extensions["leerlijn.catalog"]
    casus = next(iter(catalog.casuses.values()))
    register(page, live_server, "Ruben Visser", unique_email("casus"))
    page.goto(live_server(f"/casus/{casus.id}/"))
    axe_check(page, visits)
    page.locator("main form button[type=submit]").first.click()
    seen_choice = seen_reflection = False
    for _ in range(40):
        page.wait_for_load_state()
        axe_check(page, visits)
        form = page.locator("form.casus-form")
        if not form.count():
            break  # the end: the debrief has no form
        seen_choice |= form.locator("input[type=radio]").count() > 0
        seen_reflection |= form.locator("textarea").count() > 0
        _answer_everything(form)
        before = page.url
        form.locator("button[type=submit]").last.click()
        page.wait_for_load_state()
        if page.url == before and page.locator("#error-summary").count():
            raise AssertionError(page.locator("#error-summary").inner_text())
    assert seen_choice and seen_reflection
    assert page.locator(".casus-feedback, .casus-step").count()  # feedback and the debrief at the end

    # The learner's run prints cleanly: no header, navigation or buttons on paper.
    page.get_by_role("link", name="Afdrukversie").first.click()
    axe_check(page, visits)
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    assert not page.locator("main .no-print").first.is_visible()
    assert page.get_by_role("heading", level=1).is_visible()


def test_quiz_and_casus_errors_are_summarised_and_accessible(page, live_server, visits):
    """Submitting without answers gives an announced error summary, on the quiz and in a casus, in both languages."""
    if not (_has_endpoint(live_server, "quiz.overview") and _has_endpoint(live_server, "casus.overview")):
        pytest.skip("the quiz and casus pages are not there yet")
    catalog = live_server.app.extensions["leerlijn.catalog"]
    quiz = catalog.quiz_for_module(catalog.modules[0].id)
    register(page, live_server, "Joris de Wit", unique_email("fouten"))
    page.goto(live_server(f"/quiz/{quiz.id}/"))
    page.get_by_role("button", name="Start de kennischeck").click()
    visits.expect(422, page.locator("form.quiz-form").get_attribute("action"))  # sent incomplete on purpose
    page.get_by_role("button", name="Inleveren").click()
    summary = page.locator("#error-summary")
    assert summary.get_attribute("role") == "alert" and summary.get_by_role("link").count() >= 1
    axe_check(page, visits)

    casus = next(iter(catalog.casuses.values()))
    page.goto(live_server(f"/casus/{casus.id}/"))
    page.locator("main form button[type=submit]").first.click()
    for _ in range(10):  # on to the first step that asks something, then send it empty
        form = page.locator("form.casus-form")
        asks = form.locator("input[type=radio], input[type=checkbox], textarea").count() > 0
        visits.expect(422, form.get_attribute("action"))
        form.locator("button[type=submit]").last.click()
        page.wait_for_load_state()
        if asks:
            break
    assert page.locator("#error-summary").get_attribute("role") == "alert"
    axe_check(page, visits)
    page.get_by_role("button", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    axe_check(page, visits)
