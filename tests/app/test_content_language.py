"""In the English interface the Dutch course text is marked lang="nl" on every page a learner walks through,
so a screen reader reads it with a Dutch voice; dates are written the English way."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from tests.app.casus.conftest import CasusActions
from tests.app.casus.test_casus_runs import RECOMMENDED_PATH

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class LangText(HTMLParser):
    """Every text node of <main> with the language it is in (the nearest lang attribute)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str | None]] = []
        self.in_main = False
        self.texts: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        if tag == "main":
            self.in_main = True
        if tag not in VOID:
            self.stack.append((tag, dict(attrs).get("lang")))

    def handle_endtag(self, tag):
        while self.stack:
            name, _lang = self.stack.pop()
            if name == tag:
                break
        if tag == "main":
            self.in_main = False

    def handle_data(self, data):
        if self.in_main and data.strip():
            lang = next((lang for _tag, lang in reversed(self.stack) if lang), "en")
            self.texts.append((data.strip(), lang))


def _unmarked(html: str, dutch: list[str]) -> list[str]:
    parser = LangText()
    parser.feed(html)
    return [f"{text!r}" for text, lang in parser.texts if lang != "nl" and any(d in text for d in dutch)]


DUTCH = ["Eerste module", "Het vervolg", "Een oefencasus", "Kennischeck eerste module", "Ik overleg met een collega",
         "Wat doe je nu?", "Welke signalen zie je?", "Vader slaat hem soms", "Tweede module"]


def test_dutch_course_text_is_marked_on_every_page_in_english(client, auth):
    auth.register()
    client.post("/taal", data={"locale": "en"})
    casus = CasusActions(client)
    run_id = casus.start()
    for step, data in RECOMMENDED_PATH:
        casus.answer(run_id, step, data)
    urls = ["/", "/voortgang", "/modules/eerste/", "/modules/eerste/begin", "/modules/eerste/vervolg", "/casus/",
            "/casus/oefencasus/", f"/casus/run/{run_id}", f"/casus/run/{run_id}/afdrukken"]
    problems = {}
    for url in urls:
        html = client.get(url).get_data(as_text=True)
        assert '<html lang="en">' in html, url
        if unmarked := _unmarked(html, DUTCH):
            problems[url] = unmarked
    assert not problems, "\n".join(f"{url}: {texts}" for url, texts in problems.items())


def test_percentages_and_dates_follow_the_locale(client, auth):
    """Figures go through Flask-Babel: a date on the casus history reads the British way in English (26/11/2026)."""
    auth.register()
    casus = CasusActions(client)
    casus.start()
    dutch = client.get("/casus/oefencasus/").get_data(as_text=True)
    client.post("/taal", data={"locale": "en"})
    english = client.get("/casus/oefencasus/").get_data(as_text=True)
    assert re.search(r'data-label="Begonnen">\d{2}-\d{2}-\d{4},? \d{2}:\d{2}<', dutch)
    assert re.search(r'data-label="Started">\d{2}/\d{2}/\d{4},? \d{2}:\d{2}<', english)
    module = client.get("/modules/eerste/").get_data(as_text=True)
    assert re.search(r'<progress max="100" value="0" aria-label="Progress in this module">0%</progress>', module)
