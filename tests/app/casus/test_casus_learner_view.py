"""What a learner reads around a casus: where to find casussen, and what "start" does after a finished run."""

from __future__ import annotations

import re

from tests.app.casus.test_casus_runs import RECOMMENDED_PATH


def test_casussen_are_in_the_main_navigation(client, auth):
    """Every page's main menu leads to the casussen."""
    auth.register()
    html = client.get("/").get_data(as_text=True)
    nav = html[html.index('<nav class="site-nav"'):html.index("</nav>", html.index('<nav class="site-nav"'))]
    assert '<a href="/casus/">Casussen</a>' in nav
    index = client.get("/casus/").get_data(as_text=True)
    assert '<a href="/casus/" class="active" aria-current="page">Casussen</a>' in index


def test_after_a_finished_run_start_says_attempt_2_and_links_the_previous_run(client, auth, casus):
    """No silent second attempt: the button names it, and the finished run is one click away."""
    auth.register()
    overview = client.get("/casus/oefencasus/").get_data(as_text=True)
    assert ">Start de casus</button>" in overview and "Bekijk je vorige doorloop" not in overview
    run_id = casus.start()
    for step, data in RECOMMENDED_PATH:
        casus.answer(run_id, step, data)
    overview = client.get("/casus/oefencasus/").get_data(as_text=True)
    assert ">Start poging 2</button>" in overview and ">Start de casus<" not in overview
    assert re.search(rf'<a href="/casus/run/{run_id}">Bekijk je vorige doorloop \(poging 1\)</a>', overview)
    assert "Opnieuw beginnen" not in overview  # nothing to restart: starting is already a new attempt


def test_casus_text_is_marked_dutch_in_the_english_interface(client, auth, casus):
    """A screen reader reads the Dutch course text with a Dutch voice when the interface is English."""
    auth.register()
    client.post("/taal", data={"locale": "en"})
    run_id = casus.start()
    html = casus.page(run_id)
    assert '<html lang="en">' in html
    assert re.search(r'<h1 lang="nl">', html) and re.search(r'<h2 id="stap-title" lang="nl">', html)


def test_item_feedback_has_a_mark_beside_the_words(client, auth, casus):
    """Right and wrong items carry a ✓ or ✗ (and a coloured edge), not only '(niet gekozen — niet goed)'."""
    auth.register()
    run_id = casus.start()
    casus.answer(run_id, "melding")
    casus.answer(run_id, "signalen", {"item": ["sport"]})
    page = casus.page(run_id)
    assert re.search(r'<li class="item-wrong">\s*<span class="verdict-mark" aria-hidden="true">✗</span>'
                     r'<strong>Vader slaat hem soms.</strong>\s*\(niet gekozen — niet goed\)', page)
    assert re.search(r'<li class="item-wrong">\s*<span class="verdict-mark" aria-hidden="true">✗</span>'
                     r'<strong>Tim sport graag.</strong>\s*\(gekozen — niet goed\)', page)


def test_print_view_has_a_print_button(client, auth, casus):
    """A print button (shown by script) beside the sentence that says how to print without it."""
    auth.register()
    run_id = casus.start()
    page = client.get(f"/casus/run/{run_id}/afdrukken").get_data(as_text=True)
    assert '<button type="button" class="button" data-print hidden>Afdrukken</button>' in page
    assert "Gebruik de printfunctie van je browser" in page
