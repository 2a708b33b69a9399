"""Parts of pages rendered once and reused (app/fragments.py): every learner still sees their own progress,
and the Dutch and English interfaces never show each other's words."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from app.fragments import FragmentCache, FragmentLeak
from tests.conftest import make_app, registered_learner

LEARNER_PAGES = ["/", "/modules/eerste/", "/modules/eerste/begin", "/modules/eerste/vervolg", "/voortgang",
                 "/interventies", "/modules/tweede/enige"]


@pytest.fixture
def cached_app(connection, valid_catalog, tmp_path) -> Flask:
    """The app as in production: fragments come from the cache, without rendering them again to compare."""
    return make_app(connection, valid_catalog, tmp_path, FRAGMENT_CACHE_VERIFY=False)


def test_two_learners_each_see_their_own_progress_on_cached_pages(cached_app):
    """Anna read a page, Bram did not: after Anna's pages filled the cache, Bram's show nothing read."""
    anna = registered_learner(cached_app, "Anna Jansen", "anna@example.org")
    bram = registered_learner(cached_app, "Bram Bakker", "bram@example.org")
    anna.post("/modules/eerste/begin/gelezen")
    for path in LEARNER_PAGES:
        assert anna.get(path).status_code == 200
    assert len(cached_app.extensions["leerlijn.fragments"]) > 10  # the pages really were cached
    for path in LEARNER_PAGES:
        bram_html = bram.get(path).get_data(as_text=True)
        anna_html = anna.get(path).get_data(as_text=True)
        assert "Bram Bakker</summary>" in bram_html and "Anna Jansen" not in bram_html, path
        assert "Anna Jansen</summary>" in anna_html and "Bram Bakker" not in anna_html, path
        assert "0 van 3 pagina’s gelezen" in bram_html and "1 van 3 pagina’s gelezen" in anna_html, path
    anna_nav = anna.get("/modules/eerste/vervolg").get_data(as_text=True)
    bram_nav = bram.get("/modules/eerste/vervolg").get_data(as_text=True)
    assert anna_nav.count('class="read-mark"') == 1 and bram_nav.count('class="read-mark"') == 0
    assert "1 van 2 pagina’s gelezen" in anna_nav and "0 van 2 pagina’s gelezen" in bram_nav
    anna_index, bram_index = (c.get("/modules/eerste/").get_data(as_text=True) for c in (anna, bram))
    assert anna_index.count('<span class="status-done">gelezen</span>') == 1
    assert bram_index.count('<span class="status-done">gelezen</span>') == 0
    anna_overview, bram_overview = (c.get("/").get_data(as_text=True) for c in (anna, bram))
    assert "badge-started" in anna_overview and "badge-started" not in bram_overview


def test_the_cached_page_lists_mark_each_learners_own_pages(cached_app):
    """Anna finished the first page, Bram the second: the one cached list beside the pages and on the module's
    index marks, for each, their own page, and no empty slot is left in the page."""
    anna = registered_learner(cached_app, "Anna Jansen", "anna@example.org")
    bram = registered_learner(cached_app, "Bram Bakker", "bram@example.org")
    anna.post("/modules/eerste/begin/gelezen")
    bram.post("/modules/eerste/vervolg/gelezen")
    for _ in range(2):  # the second round comes from the cache
        anna_html, bram_html = (c.get("/modules/eerste/begin").get_data(as_text=True) for c in (anna, bram))
        for html, finished, other in ((anna_html, "begin", "vervolg"), (bram_html, "vervolg", "begin")):
            nav = html[html.index('<nav class="module-toc"'):]
            nav = nav[:nav.index("</nav>")]
            assert re.search(rf'href="/modules/eerste/{finished}"[^>]*>[^<]*</a>\s*<span class="read-mark">', nav)
            assert not re.search(rf'href="/modules/eerste/{other}"[^>]*>[^<]*</a>\s*<span class="read-mark">', nav)
            assert nav.count('class="read-mark"') == 1 and "read-mark:" not in html
        for client, finished, other in ((anna, "begin", "vervolg"), (bram, "vervolg", "begin")):
            index = client.get("/modules/eerste/").get_data(as_text=True)
            done = r'</a>\s*<span class="meta">[^<]*<span class="status-done">gelezen</span>'
            assert re.search(rf'href="/modules/eerste/{finished}"[^>]*>[^<]*{done}', index)
            assert not re.search(rf'href="/modules/eerste/{other}"[^>]*>[^<]*{done}', index)
            assert index.count('class="status-done"') == 1 and "read-mark:" not in index


def test_each_learner_gets_their_own_csrf_token_on_cached_pages(cached_app):
    """The forms of a cached page carry the token of the learner's own session, not the first visitor's."""
    anna = registered_learner(cached_app, "Anna Jansen", "anna@example.org")
    bram = registered_learner(cached_app, "Bram Bakker", "bram@example.org")
    tokens = {}
    for name, client in (("anna", anna), ("bram", bram)):
        html = client.get("/modules/eerste/begin").get_data(as_text=True)
        tokens[name] = set(re.findall(r'name="csrf_token" type="hidden" value="([^"]+)"', html))
        assert tokens[name]
    assert not tokens["anna"] & tokens["bram"]


def test_dutch_and_english_interfaces_do_not_leak_into_each_other(cached_app):
    """One learner in English, one in Dutch, alternating on the same pages: each sees only their language."""
    anna = registered_learner(cached_app, "Anna Jansen", "anna@example.org")
    bram = registered_learner(cached_app, "Bram Bakker", "bram@example.org")
    anna.post("/taal", data={"locale": "en", "next": "/"})
    visitor_en, visitor_nl = cached_app.test_client(), cached_app.test_client()
    visitor_en.post("/taal", data={"locale": "en", "next": "/"})
    for path in LEARNER_PAGES:
        english = anna.get(path).get_data(as_text=True)
        dutch = bram.get(path).get_data(as_text=True)
        assert '<html lang="en">' in english and "My progress" in english and "Mijn voortgang" not in english, path
        assert '<html lang="nl">' in dutch and "Mijn voortgang" in dutch and "My progress" not in dutch, path
        assert "Log out" in english and "Uitloggen" in dutch, path
    english = visitor_en.get("/").get_data(as_text=True)
    dutch = visitor_nl.get("/").get_data(as_text=True)
    assert "Create an account" in english and "Account maken" not in english
    assert "Account maken" in dutch and "Create an account" not in dutch
    # The same address logged in and out: the menu of a visitor, not of the learner who came before.
    assert ">Log in<" in english and "My progress" not in english
    assert ">Inloggen<" in dutch and "Mijn voortgang" not in dutch


def test_the_welcome_page_kept_for_visitors_still_shows_each_visitor_what_is_theirs(cached_app):
    """The welcome page is rendered once per language for visitors, yet a visitor's waiting message, an
    address with a query string (the language link returns to it) and a logged-in learner get their own."""
    visitor = cached_app.test_client()
    first = visitor.get("/").get_data(as_text=True)
    assert visitor.get("/").get_data(as_text=True) == first and "flash" not in first
    with visitor.session_transaction() as cookie:
        cookie["_flashes"] = [("info", "Je bent uitgelogd.")]
    with_message = visitor.get("/").get_data(as_text=True)
    assert "Je bent uitgelogd." in with_message
    assert "Je bent uitgelogd." not in visitor.get("/").get_data(as_text=True)  # shown once, as before
    assert "next=/?bron%3Dmail" in visitor.get("/?bron=mail").get_data(as_text=True)
    assert "bron" not in visitor.get("/").get_data(as_text=True)
    english = cached_app.test_client().get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Create an account" in english and "Create an account" not in visitor.get("/").get_data(as_text=True)
    anna = registered_learner(cached_app, "Anna Jansen", "anna@example.org")
    overview = anna.get("/").get_data(as_text=True)
    assert "Anna Jansen" in overview and "Account maken en beginnen" not in overview
    assert "Anna Jansen" not in visitor.get("/").get_data(as_text=True)
    # The course note, public too: the visitor's header there, the learner's own for Anna.
    note, annas_note = visitor.get("/over-deze-cursus"), anna.get("/over-deze-cursus")
    assert ">Inloggen<" in note.get_data(as_text=True) and "Anna Jansen" not in note.get_data(as_text=True)
    assert "Anna Jansen" in annas_note.get_data(as_text=True)
    assert "About this course" in cached_app.test_client().get(
        "/over-deze-cursus", headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_a_fragment_that_depends_on_more_than_its_key_fails_in_tests():
    """With verification on (as in the test suite) a fragment that would show one learner's data to
    another is caught the second time it renders."""
    cache = FragmentCache(verify=True)
    assert cache.get(("nav", "nl"), lambda: "<p>Anna</p>") == "<p>Anna</p>"
    assert cache.get(("nav", "nl"), lambda: "<p>Anna</p>") == "<p>Anna</p>"
    with pytest.raises(FragmentLeak):
        cache.get(("nav", "nl"), lambda: "<p>Bram</p>")
    assert FragmentCache(verify=False).get(("nav", "nl"), lambda: "<p>Anna</p>") == "<p>Anna</p>"


def test_the_cache_cannot_grow_without_bound():
    cache = FragmentCache(limit=3)
    for n in range(10):
        cache.get(("item", n), lambda n=n: f"<li>{n}</li>")
    assert len(cache) <= 3
    assert cache.get(("item", 9), lambda: "other") == "<li>9</li>"
