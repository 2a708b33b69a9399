"""A learner's main journeys in a real browser: every page accessible (axe-core), usable by keyboard,
on a 360 px phone, without JavaScript and in English."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import enable_two_factor
from tests.e2e.conftest import (
    PASSWORD,
    axe_check,
    confirm_by_mail,
    log_in_with_code,
    register,
    unique_email,
    wait_for_path,
)

pytestmark = pytest.mark.e2e


def _first_pages(server):
    catalog = server.app.extensions["leerlijn.catalog"]
    module = catalog.modules[0]
    return catalog, module, module.pages[0], module.pages[1]


def _diagram_page(catalog):
    """A page with a figure (an SVG diagram with a text alternative)."""
    return next((m, p) for m in catalog.modules for p in m.pages
                if any(kind == "html" and "<figure>" in value for kind, value in p.segments))


def test_register_read_mark_read_and_see_progress(page, live_server, visits):
    """A new learner registers, reads the first page, marks it read and sees the progress everywhere."""
    catalog, module, first, second = _first_pages(live_server)
    page.goto(live_server("/"))
    axe_check(page, visits)
    expect(page.get_by_role("heading", name="Voordat je begint")).to_be_visible()  # the gentle content note
    page.get_by_role("link", name="Account maken en beginnen").click()

    # The form's errors are summarised, linked and announced.
    axe_check(page, visits)
    page.get_by_role("button", name="Account maken").click()
    summary = page.locator("#error-summary")
    assert summary.get_attribute("role") == "alert"
    assert summary.get_by_role("link", name="Vul je naam in.").get_attribute("href") == "#name"
    axe_check(page, visits)
    assert page.evaluate("() => document.activeElement.id") == "error-summary"

    register(page, live_server, "Sanne de Vries", unique_email("journey"))
    axe_check(page, visits)
    page.get_by_role("link", name="Begin met de eerste module").click()
    wait_for_path(page, f"/modules/{module.id}/{first.id}")
    assert page.get_by_role("heading", level=1).inner_text() == first.title
    axe_check(page, visits)

    page.get_by_role("button", name="Gelezen, naar de volgende pagina").click()
    wait_for_path(page, f"/modules/{module.id}/{second.id}")
    toc = page.get_by_role("navigation", name="Pagina’s van deze module")
    assert "gelezen" in toc.get_by_role("listitem").first.inner_text()
    header = page.locator(".header-progress")
    assert re.search(rf"1 van {len(catalog.pages)} pagina’s gelezen", header.inner_text())

    page.get_by_role("link", name="Mijn voortgang").first.click()
    axe_check(page, visits)
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=module.title))
    assert f"1 / {len(module.pages)}" in row.inner_text()

    page.goto(live_server(f"/modules/{module.id}/"))
    axe_check(page, visits)
    assert page.get_by_role("progressbar", name="Voortgang in deze module").get_attribute("value") != "0"

    diagram_module, diagram_page = _diagram_page(catalog)
    page.goto(live_server(f"/modules/{diagram_module.id}/{diagram_page.id}"))
    axe_check(page, visits)
    image = page.locator("figure img").first
    assert image.get_attribute("alt")
    page.locator("summary", has_text="Tekstbeschrijving").first.click()

    page.goto(live_server("/"))
    axe_check(page, visits)
    expect(page.get_by_role("link", name="Verder waar je was")).to_be_visible()
    visits.expect(404, "/modules/bestaat-niet/")  # the not-found page is part of the walk
    for path in ("/interventies", "/interventies?type=veiligheid&age=8", "/account", "/over-deze-cursus",
                 "/modules/bestaat-niet/"):
        page.goto(live_server(path))
        axe_check(page, visits)
    page.get_by_role("group").get_by_text(re.compile("Sanne")).click()  # the account menu
    page.get_by_role("button", name="Uitloggen").click()
    wait_for_path(page, "/inloggen")
    axe_check(page, visits)


def test_language_switch_is_remembered(page, live_server, visits):
    """Switching to English changes the whole interface, survives logging out and in, and switches back."""
    email = unique_email("taal")
    register(page, live_server, "Noor Bakker", email)
    page.get_by_role("button", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    expect(page.get_by_role("link", name="My progress").first).to_be_visible()
    axe_check(page, visits)
    page.get_by_role("link", name="My progress").first.click()
    assert page.get_by_role("heading", level=1).inner_text() == "My progress"
    axe_check(page, visits)

    page.get_by_role("group").get_by_text(re.compile("Noor")).click()
    page.get_by_role("button", name="Log out").click()
    page.context.clear_cookies()
    page.goto(live_server("/inloggen"))
    assert page.locator("html").get_attribute("lang") == "nl"  # a new browser: Dutch until logged in
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    assert page.locator("html").get_attribute("lang") == "en"  # the account remembered English
    page.get_by_role("button", name="Nederlands").click()
    assert page.locator("html").get_attribute("lang") == "nl"
    expect(page.get_by_role("link", name="Mijn voortgang").first).to_be_visible()


def test_phone_width_360(new_page, live_server, visits):
    """At 360 px wide nothing scrolls sideways and every page stays accessible."""
    page = new_page(viewport={"width": 360, "height": 760}, is_mobile=True, has_touch=True)
    catalog, module, first, _ = _first_pages(live_server)

    def fits() -> None:
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"

    page.goto(live_server("/"))
    fits()
    axe_check(page, visits)
    register(page, live_server, "Priya Ramdin", unique_email("phone"), visits)
    fits()
    axe_check(page, visits)
    diagram_module, diagram_page = _diagram_page(catalog)
    for path in (f"/modules/{module.id}/", f"/modules/{module.id}/{first.id}",
                 f"/modules/{diagram_module.id}/{diagram_page.id}", "/voortgang", "/interventies"):
        page.goto(live_server(path))
        fits()
        axe_check(page, visits)
    button = page.get_by_role("button", name="Filteren")
    assert button.bounding_box()["height"] >= 24  # a comfortable touch target

    page.set_viewport_size({"width": 320, "height": 640})  # the narrowest phones still in use
    for path in ("/", f"/modules/{module.id}/{first.id}", "/voortgang", "/account"):
        page.goto(live_server(path))
        fits()


def test_every_course_page_fits_a_phone(new_page, live_server, visits):
    """At 360 px no module page, casus page or knowledge check scrolls sideways (tables scroll in their own box)."""
    from tests.e2e.conftest import assert_no_sideways_scroll
    page = new_page(viewport={"width": 360, "height": 760}, is_mobile=True, has_touch=True)
    catalog = live_server.app.extensions["leerlijn.catalog"]
    register(page, live_server, "Yara Bos", unique_email("smal"))
    paths = ["/casus/", "/voortgang"]
    for module in catalog.modules:
        paths.append(f"/modules/{module.id}/")
        paths += [f"/modules/{module.id}/{p.id}" for p in module.pages]
    paths += [f"/casus/{casus_id}/" for casus_id in catalog.casuses]
    paths += [f"/quiz/{quiz_id}/" for quiz_id in catalog.quizzes]
    for path in paths:
        page.goto(live_server(path))
        assert_no_sideways_scroll(page)
    # A knowledge check and a casus step, as a learner on a phone sees them.
    quiz = catalog.quiz_for_module(catalog.modules[0].id)
    page.goto(live_server(f"/quiz/{quiz.id}/"))
    page.get_by_role("button", name="Start de kennischeck").click()
    axe_check(page, visits)
    casus = next(iter(catalog.casuses.values()))
    page.goto(live_server(f"/casus/{casus.id}/"))
    page.locator("main form button[type=submit]").first.click()
    axe_check(page, visits)


def _tab_to(page, matches, limit: int = 80) -> dict:
    """Press Tab until the focused element matches; returns what is focused (and checks it is visible)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate("""() => {
            const el = document.activeElement; const s = getComputedStyle(el); const r = el.getBoundingClientRect();
            return {tag: el.tagName, text: (el.innerText || el.value || el.getAttribute('aria-label') || '').trim(),
                    id: el.id, outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2,
                    shadow: s.boxShadow !== 'none', visible: r.width > 0 && r.height > 0};
        }""")
        if matches(focused):
            assert focused["visible"] and (focused["outline"] or focused["shadow"]), f"focus not visible: {focused}"
            return focused
    raise AssertionError("never reached the element by pressing Tab")


def test_keyboard_only_journey(page, live_server, visits):
    """With the keyboard alone: skip link, register, start reading, mark read; focus is always visible."""
    _, module, first, second = _first_pages(live_server)
    page.goto(live_server("/registreren"))
    skip = _tab_to(page, lambda f: f["text"] == "Naar de inhoud", limit=1)
    assert skip["tag"] == "A"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"

    _tab_to(page, lambda f: f["id"] == "name")
    page.keyboard.type("Kees Jansen")
    page.keyboard.press("Tab")
    email = unique_email("keyboard")
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    _tab_to(page, lambda f: f["tag"] == "BUTTON" and f["text"] == "Account maken")
    page.keyboard.press("Enter")
    confirm_by_mail(page, live_server, email, keyboard=True)

    _tab_to(page, lambda f: f["text"] == "Begin met de eerste module")
    page.keyboard.press("Enter")
    wait_for_path(page, f"/modules/{module.id}/{first.id}")
    _tab_to(page, lambda f: f["text"].startswith("Gelezen"), limit=150)
    page.keyboard.press("Enter")
    wait_for_path(page, f"/modules/{module.id}/{second.id}")

    # The account menu opens and works from the keyboard.
    page.keyboard.press("Home")
    page.goto(live_server("/voortgang"))
    _tab_to(page, lambda f: f["tag"] == "SUMMARY")
    page.keyboard.press("Enter")
    _tab_to(page, lambda f: f["text"] == "Mijn account", limit=3)
    page.keyboard.press("Enter")
    wait_for_path(page, "/account")
    axe_check(page, visits)


def test_main_journey_works_without_javascript(new_page, live_server, visits):
    """With JavaScript off a learner can still register, read, mark read, switch language and log out."""
    page = new_page(java_script_enabled=False)
    _, module, _, second = _first_pages(live_server)
    page.goto(live_server("/registreren"))
    page.get_by_role("button", name="Account maken").click()  # server-side errors, no script needed
    expect(page.locator("#error-summary")).to_be_visible()
    register(page, live_server, "Lotte Smit", unique_email("nojs"))
    page.get_by_role("link", name="Begin met de eerste module").click()
    page.get_by_role("button", name="Gelezen, naar de volgende pagina").click()
    wait_for_path(page, f"/modules/{module.id}/{second.id}")
    page.goto(live_server("/voortgang"))
    assert f"1 / {len(module.pages)}" in page.get_by_role("row").nth(1).inner_text()
    page.locator(".account-menu summary").click()  # <details> opens without script
    expect(page.get_by_role("link", name="Mijn account")).to_be_visible()
    page.get_by_role("button", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    page.goto(live_server("/interventies?type=preventie"))
    assert page.get_by_role("heading", level=1).inner_text() == "Interventions guide"
    page.locator(".account-menu summary").click()
    page.get_by_role("button", name="Log out").click()
    wait_for_path(page, "/inloggen")


def test_administrator_pages(page, live_server, visits):
    """An administrator's user list is as accessible as the learner's pages."""
    from course.db import Role
    from course.services import accounts
    email = unique_email("beheer")
    with live_server.app.extensions["leerlijn.db"].sessionmaker() as session:
        admin = accounts.create_user(session, email=email, name="Beheerder", password=PASSWORD,
                                     role=Role.SITE_ADMIN)
        secret = enable_two_factor(session, admin.id)
    log_in_with_code(page, live_server, email, secret)
    page.locator(".account-menu summary").click()
    page.get_by_role("link", name="Beheer").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Gebruikers"
    axe_check(page, visits)
