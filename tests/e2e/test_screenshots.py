"""Screenshots of the main pages for the README (docs/screenshots/), at desktop width and at 360 px.

Opt-in: runs only with LEERLIJN_SCREENSHOTS=1 (scripts/update-screenshots sets it), so the normal test run
never rewrites committed images.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.e2e.conftest import register, unique_email

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(os.environ.get("LEERLIJN_SCREENSHOTS") != "1",
                       reason="screenshots are made on request: scripts/update-screenshots"),
]

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SIZES = {"desktop": {"width": 1280, "height": 860}, "mobile": {"width": 360, "height": 780}}


@pytest.mark.parametrize("size", list(SIZES))
def test_screenshots_of_the_main_pages(new_page, live_server, size):
    """Overview, module, a page with a diagram, dashboard, quiz and casus, as a learner sees them."""
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob(f"*-{size}.png"):
        old.unlink()
    mobile = size == "mobile"
    page = new_page(viewport=SIZES[size], device_scale_factor=1, is_mobile=mobile, has_touch=mobile)
    catalog = live_server.app.extensions["leerlijn.catalog"]

    def shot(name: str) -> None:
        page.evaluate("() => document.activeElement && document.activeElement.blur()")
        page.screenshot(path=str(OUT / f"{name}-{size}.png"))

    page.goto(live_server("/"))
    shot("welcome")
    register(page, live_server, "Sanne de Vries", unique_email(f"shots{size}"))
    # Some progress, so the bars and badges show something.
    first = catalog.modules[0]
    for p in first.pages[:3]:
        page.goto(live_server(f"/modules/{first.id}/{p.id}"))
        page.get_by_role("button", name="Gelezen", exact=False).click()
    page.goto(live_server("/"))
    shot("overview")
    page.goto(live_server(f"/modules/{first.id}/"))
    shot("module")
    module, diagram = next((m, p) for m in catalog.modules for p in m.pages
                           if any(kind == "html" and "<figure>" in value for kind, value in p.segments))
    page.goto(live_server(f"/modules/{module.id}/{diagram.id}"))
    page.locator("figure").first.scroll_into_view_if_needed()
    page.evaluate("() => window.scrollBy(0, -120)")
    shot("diagram")
    page.goto(live_server("/voortgang"))
    shot("dashboard")

    quiz = catalog.quiz_for_module(first.id)
    if quiz is not None and "quiz.overview" in {r.endpoint for r in live_server.app.url_map.iter_rules()}:
        page.goto(live_server(f"/quiz/{quiz.id}/"))
        start = page.get_by_role("button", name="Start de kennischeck")
        if start.count():
            start.click()
            shot("quiz-question")
    casus = next(iter(catalog.casuses.values()), None)
    if casus is not None and "casus.overview" in {r.endpoint for r in live_server.app.url_map.iter_rules()}:
        page.goto(live_server(f"/casus/{casus.id}/"))
        start = page.locator("main form button[type=submit]").first
        if start.count():
            start.click()
            page.wait_for_load_state()
            for _ in range(5):  # on to the first decision: that is what a casus is about
                form = page.locator("form.casus-form")
                if not form.count() or form.locator("input[type=radio]").count():
                    break
                form.locator("button[type=submit]").last.click()
                page.wait_for_load_state()
            page.locator("#stap").scroll_into_view_if_needed()
            shot("casus-step")
