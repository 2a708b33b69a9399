"""What a learner sees on a phone, with JavaScript on and off: a compact header, one next step from the
module to its casus and onwards, casus choices as large as the quiz's, and no page that scrolls sideways."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_no_sideways_scroll, axe_check, register, unique_email, wait_for_path
from tests.e2e.test_autosave import _answer_one, _still_answered

PHONE = {"width": 360, "height": 740}


def _content_top(page: Any) -> float:
    return page.evaluate("() => document.querySelector('main h1').getBoundingClientRect().top")


@pytest.mark.parametrize("script", [True, False], ids=["js", "no-js"])
def test_phone_journey_module_to_casus_debrief(new_page, live_server, visits, script):
    """At 360 px: the header leaves the content near the top, the menu opens, the module's button starts it, the
    last page leads to the check, an answer is saved (in the background, or by "Antwoorden opslaan" without
    script) and still chosen after a reload, and the casus ends in a short summary; nothing scrolls sideways."""
    page = new_page(viewport=PHONE, java_script_enabled=script)
    register(page, live_server, "Mila Jansen", unique_email("phone"))
    catalog = live_server.app.extensions["leerlijn.catalog"]
    module = next(m for m in catalog.modules if catalog.casuses_for_module(m.id))
    page.goto(live_server(f"/modules/{module.id}/"))
    axe_check(page, visits)
    header = page.evaluate("() => document.querySelector('header').getBoundingClientRect().height")
    assert header < 90, f"the header takes {header}px on a phone"
    assert _content_top(page) < 160  # the module's title, under the header and the breadcrumbs
    assert not page.get_by_role("link", name="Casussen").is_visible()  # folded in the menu
    page.locator(".phone-menu summary").click()
    assert page.get_by_role("link", name="Casussen").is_visible()
    page.locator(".phone-menu summary").click()

    page.get_by_role("link", name="Start de module").click()
    wait_for_path(page, f"/modules/{module.id}/{module.pages[0].id}")
    for n, _p in enumerate(module.pages):
        assert_no_sideways_scroll(page)
        if n < len(module.pages) - 1:
            page.get_by_role("button", name="Gelezen, naar de volgende pagina").click()
            wait_for_path(page, f"/modules/{module.id}/{module.pages[n + 1].id}")
    page.get_by_role("button", name="Gelezen, naar de kennischeck").click()
    quiz = catalog.quiz_for_module(module.id)
    wait_for_path(page, f"/quiz/{quiz.id}/")
    axe_check(page, visits)
    page.get_by_role("button", name="Start de kennischeck").click()
    page.wait_for_url(lambda url: "/quiz/poging/" in url)
    page.wait_for_load_state()  # with script, quiz.js is listening from here on
    # A question answered by one click: half a categorise question is refused on saving (see the report), so
    # its first select alone would not be saved.
    question = page.locator("form.quiz-form section.quiz-question").filter(
        has=page.locator("input[type=radio], input[type=checkbox]")).first
    question_id = question.get_attribute("data-question")
    control_id, expected = _answer_one(question)
    if script:
        expect(question.locator(".question-state")).to_have_text("Opgeslagen")  # saved in the background
    else:
        page.get_by_role("button", name="Antwoorden opslaan").click()
        expect(page.get_by_text(re.compile(r"Opgeslagen om \d\d:\d\d"))).to_be_visible()
    page.reload()
    assert _still_answered(page, control_id, expected)
    expect(page.locator(f'[data-state-for="{question_id}"]')).to_have_text("Opgeslagen")
    axe_check(page, visits)

    casus = catalog.casuses_for_module(module.id)[0]
    page.goto(live_server(f"/casus/{casus.id}/"))
    page.get_by_role("button", name="Start de casus").click()
    axe_check(page, visits)
    for _ in range(60):
        if page.locator(".casus-path-summary").count():
            break
        radios = page.locator(".casus-options input[type=radio]")
        if radios.count():
            size = radios.first.bounding_box()
            assert size["width"] >= 18 and size["height"] >= 18, size  # as large as the quiz's
            assert page.locator(".casus-options legend").evaluate("e => getComputedStyle(e).fontWeight") == "400"
            radios.first.check()
        boxes = page.locator(".casus-options input[type=checkbox]")
        for i in range(min(boxes.count(), 2)):
            boxes.nth(i).check()
        for field in page.locator("form.casus-form textarea, form.casus-form input[type=text]").all():
            field.fill("Mijn eigen woorden.")
        page.locator("form.casus-form button[type=submit]").last.click()
        page.wait_for_load_state()
        assert_no_sideways_scroll(page)
    summary = page.locator(".casus-path-summary")
    assert summary.is_visible() and "meldcode stap" in summary.inner_text()
    assert not page.locator("details.casus-details").first.evaluate("d => d.open")  # the long part folded
    axe_check(page, visits)
    page.goto(page.url.split("#")[0] + "/afdrukken")
    assert page.get_by_role("button", name="Afdrukken").is_visible() == script  # printing from a button needs script
    axe_check(page, visits)


def test_pages_without_javascript_are_checked_by_axe_too(new_page, live_server):
    """A violation on a page shown without JavaScript is reported, not lost in a check that cannot run."""
    page = new_page(java_script_enabled=False)
    page.goto(live_server("/inloggen"))
    axe_check(page)
    page.evaluate("() => document.querySelector('main').insertAdjacentHTML('beforeend',"
                  " '<img src=\"data:image/gif;base64,R0lGODlhAQABAAAAACw=\">')")
    with pytest.raises(AssertionError, match="image-alt"):
        axe_check(page)


def test_module_page_uses_a_desktop_screen_and_stacks_on_a_phone(new_page, live_server, visits):
    """At 1280 px what is left to finish the module stands beside its text, not under a blank right half; at
    360 px it comes after the text."""
    page = new_page()
    register(page, live_server, "Mila Jansen", unique_email("wide"))
    page.goto(live_server("/modules/meldcode/"))
    axe_check(page, visits)
    text = page.locator("main article.reading").bounding_box()
    aside = page.get_by_role("complementary", name="Afronden").bounding_box()
    assert aside["x"] >= text["x"] + text["width"], (text, aside)  # beside the text
    assert aside["x"] + aside["width"] > 1100  # using the right of the screen
    assert aside["y"] < 400  # level with the module's start, not below the long text

    page.set_viewport_size(PHONE)
    text = page.locator("main article.reading").bounding_box()
    aside = page.get_by_role("complementary", name="Afronden").bounding_box()
    assert aside["y"] >= text["y"] + text["height"]  # after the text
    assert_no_sideways_scroll(page)
