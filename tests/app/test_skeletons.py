"""Logged-in pages kept whole with each learner's parts filled in (app/skeletons.py): from one warm cache
every learner still gets their own page, in their own language, at the app's own address."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from flask import Flask, render_template_string
from markupsafe import escape

from app.fragments import FragmentLeak
from app.skeletons import HOLES, SkeletonCache, hole_function, learner_page
from course.catalog import Catalog, load_catalog
from course.services.accounts import create_user
from tests.app.quiz.conftest import QuizHelper, build_course, option_value
from tests.conftest import VALID_CONTENT, AuthActions, csrf_token, make_app, registered_learner

PAGE = "/modules/eerste/oefenen"  # a page with a practice question (the quiz fixtures' course)


@pytest.fixture(scope="module")
def practice_catalog(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    return load_catalog(build_course(tmp_path_factory.mktemp("skeletons") / "course"))


@pytest.fixture
def cached_app(connection, practice_catalog, tmp_path) -> Flask:
    """The app as in production: pages filled from their skeletons, without rendering them again to compare."""
    return make_app(connection, practice_catalog, tmp_path, FRAGMENT_CACHE_VERIFY=False)


def _learner(app: Flask, name: str, email: str, language: str | None = None):
    client = registered_learner(app, name, email)
    client.get("/")  # the welcome message after registering is shown (a page with a message is not kept)
    if language:
        client.post("/taal", data={"locale": language, "next": "/"})
    return client


def _skeletons(app: Flask) -> SkeletonCache:
    return app.extensions["leerlijn.skeletons"]


def _pages_kept(app: Flask) -> set[tuple]:
    """The keys of whole pages kept (not of the parts kept per state)."""
    return {key for key in _skeletons(app)._store if str(key[0]).endswith(".html")}


def _opaque_values(html: str) -> set[str]:
    return set(re.findall(r'<input type="radio"[^>]*value="([^"]+)"', html))


def _tokens(html: str) -> set[str]:
    return set(re.findall(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html))


def test_learners_get_their_own_module_page_from_one_warm_cache(cached_app):
    """Anna read two pages and checked the practice question, Bram read nothing, Cara reads in English:
    after Anna's visit made the page's skeleton, each sees their own name, count, marks, token and options."""
    anna = _learner(cached_app, "Anna Jansen", "anna@example.org")
    bram = _learner(cached_app, "Bram <b>Bakker</b>", "bram@example.org")
    cara = _learner(cached_app, "Cara Visser", "cara@example.org", language="en")
    for page in ("begin", "vervolg"):
        anna.post(f"/modules/eerste/{page}/gelezen")
    first = anna.get(PAGE).get_data(as_text=True)
    assert len(_skeletons(cached_app)) >= 1
    anna.post("/quiz/vraag/eerste-toets/oefenen", data={"q.oefenen": option_value(first, "Signalen in kaart brengen"),
                                                        "next": PAGE})
    pages = {}
    for _ in range(2):  # the second round is filled from skeletons made in the first
        pages = {name: client.get(PAGE).get_data(as_text=True)
                 for name, client in (("anna", anna), ("bram", bram), ("cara", cara))}
    assert len(_skeletons(cached_app)) >= 2  # Dutch and English
    anna_html, bram_html, cara_html = pages["anna"], pages["bram"], pages["cara"]
    assert "Anna Jansen</summary>" in anna_html and "Bram" not in anna_html and "Cara" not in anna_html
    assert "Bram &lt;b&gt;Bakker&lt;/b&gt;</summary>" in bram_html and "Anna" not in bram_html
    assert "Cara Visser</summary>" in cara_html and '<html lang="en">' in cara_html
    assert "My progress" in cara_html and "Mijn voortgang" not in cara_html
    assert "2 van 4 pagina’s gelezen" in anna_html and "0 van 4 pagina’s gelezen" in bram_html
    assert "0 of 4 pages read" in cara_html
    nav = {name: html[html.index('<nav class="module-toc"'):] for name, html in pages.items()}
    assert nav["anna"][:nav["anna"].index("</nav>")].count('class="read-mark"') == 2
    assert nav["bram"][:nav["bram"].index("</nav>")].count('class="read-mark"') == 0
    # Each learner's own session token and own opaque option values, never another's.
    tokens = {name: _tokens(html) for name, html in pages.items()}
    assert all(tokens.values()) and not tokens["anna"] & tokens["bram"] and not tokens["bram"] & tokens["cara"]
    values = {name: _opaque_values(html) for name, html in pages.items()}
    assert all(values.values()) and not values["anna"] & values["bram"] and not values["bram"] & values["cara"]
    assert values["anna"] == _opaque_values(first)
    # Anna's check was shown to her once (the round before), to nobody else.
    assert "Juist begonnen." not in anna_html + bram_html + cara_html
    assert "\ue000" not in anna_html + bram_html + cara_html


def test_the_feedback_of_a_check_is_shown_once_to_the_learner_who_made_it(cached_app):
    anna = _learner(cached_app, "Anna Jansen", "anna@example.org")
    bram = _learner(cached_app, "Bram Bakker", "bram@example.org")
    html = anna.get(PAGE).get_data(as_text=True)
    bram.get(PAGE)
    anna.post("/quiz/vraag/eerste-toets/oefenen", data={"q.oefenen": option_value(html, "Signalen in kaart brengen"),
                                                        "next": PAGE})
    assert "Juist begonnen." not in bram.get(PAGE).get_data(as_text=True)
    with_feedback = anna.get(PAGE).get_data(as_text=True)
    assert "Juist begonnen." in with_feedback and "Anna Jansen</summary>" in with_feedback
    assert "Juist begonnen." not in anna.get(PAGE).get_data(as_text=True)


@pytest.mark.parametrize("path", ["/", "/voortgang"])
def test_the_parts_kept_per_learners_state_are_kept_per_address_the_app_is_mounted_at(cached_app, path):
    """The progress parts (kept per state) of pages with many of them link where the page was asked for."""
    anna = _learner(cached_app, "Anna Jansen", "anna@example.org")
    anna.post("/modules/eerste/begin/gelezen")
    for _ in range(2):
        at_root = anna.get(path).get_data(as_text=True)
        mounted = anna.get(path, base_url="http://localhost/leerlijn/").get_data(as_text=True)
    assert 'href="/modules/eerste/' in at_root and 'href="/leerlijn/' not in at_root
    assert 'href="/leerlijn/modules/eerste/' in mounted and 'href="/modules/' not in mounted


def test_the_page_is_kept_per_language_and_per_address_the_app_is_mounted_at(cached_app):
    anna = _learner(cached_app, "Anna Jansen", "anna@example.org")
    at_root = anna.get("/modules/eerste/vervolg").get_data(as_text=True)
    mounted = anna.get("/modules/eerste/vervolg", base_url="http://localhost/leerlijn/").get_data(as_text=True)
    assert 'href="/modules/eerste/begin"' in at_root and 'href="/leerlijn/modules/eerste/begin"' not in at_root
    assert 'href="/leerlijn/modules/eerste/begin"' in mounted and 'href="/modules/eerste/begin"' not in mounted
    assert 'action="/leerlijn/taal"' in mounted and 'action="/taal"' in at_root
    anna.post("/taal", data={"locale": "en", "next": "/"})
    english = anna.get("/modules/eerste/vervolg").get_data(as_text=True)
    assert '<html lang="en">' in english and "Log out" in english and "Uitloggen" not in english
    keys = {key[1:3] for key in _skeletons(cached_app)._store if key[0] == "learn/page.html"}
    assert {("nl", ""), ("nl", "/leerlijn"), ("en", "")} <= keys


def test_request_input_does_not_grow_the_cache(cached_app):
    """A made-up page or module id answers 404 before any page is kept; a query string is no key."""
    anna = _learner(cached_app, "Anna Jansen", "anna@example.org")
    assert anna.get("/modules/eerste/begin").status_code == 200
    kept = len(_skeletons(cached_app))
    for path in ("/modules/eerste/" + "x" * 5000, "/modules/" + "y" * 5000 + "/begin", "/modules/eerste/begin%00"):
        assert anna.get(path).status_code == 404
    for n in range(20):
        html = anna.get(f"/modules/eerste/begin?n={n}&x=%22%3E%3Cscript%3E").get_data(as_text=True)
        assert f'name="next" type="hidden" value="/modules/eerste/begin?n={n}&amp;x=%22%3E%3Cscript%3E"' in html
    assert len(_skeletons(cached_app)) == kept


def test_a_message_waiting_is_shown_and_the_page_is_kept_without_it(cached_app):
    anna = _learner(cached_app, "Anna Jansen", "anna@example.org")
    anna.get("/modules/eerste/begin")
    with anna.session_transaction() as cookie:
        cookie["_flashes"] = [("info", "Je antwoorden zijn bewaard.")]
    assert "Je antwoorden zijn bewaard." in anna.get("/modules/eerste/begin").get_data(as_text=True)
    assert "Je antwoorden zijn bewaard." not in anna.get("/modules/eerste/begin").get_data(as_text=True)


def test_a_new_catalog_starts_with_no_pages_kept(connection, valid_catalog, tmp_path):
    """A restart with edited content (a new catalog, a new app) shows the new text, never the old page."""
    first = make_app(connection, valid_catalog, tmp_path / "a", FRAGMENT_CACHE_VERIFY=False)
    anna = _learner(first, "Anna Jansen", "anna@example.org")
    assert "Het vervolg" in anna.get("/modules/eerste/vervolg").get_data(as_text=True)
    edited = shutil.copytree(VALID_CONTENT, tmp_path / "edited")
    page = next(Path(edited, "modules").glob("01-*/02-vervolg.md"))
    page.write_text(page.read_text(encoding="utf-8").replace("Het vervolg", "Het nieuwe vervolg"), encoding="utf-8")
    second = make_app(connection, load_catalog(edited), tmp_path / "b", FRAGMENT_CACHE_VERIFY=False)
    assert len(_skeletons(second)) == 0
    again = second.test_client()
    AuthActions(again).login(email="anna@example.org")
    assert "Het nieuwe vervolg" in again.get("/modules/eerste/vervolg").get_data(as_text=True)


# --- the mechanism ------------------------------------------------------------------------------------

@pytest.fixture
def echo_hole(monkeypatch):
    """A hole that shows the view's ``name``: one learner's part, as far as the cache can tell."""
    monkeypatch.setitem(HOLES, "test-echo", lambda values, prefix: escape(prefix) + values["name"])


def test_a_page_that_shows_one_learners_data_outside_its_holes_fails_in_tests(app, echo_hole):
    """With verification on (as in the test suite) a page whose static part depends on the learner is
    caught the next time it is filled for someone else."""
    cache = SkeletonCache(verify=True)
    with app.test_request_context("/"):
        def page(name: str) -> str:
            def render() -> str:
                return render_template_string("<p>{{ hole('test-echo', 'Hoi ') }}</p><p>{{ other }}</p>",
                                              name=name, other=name)
            return cache.page(("test",), render, {"name": name})
        assert page("Anna") == "<p>Hoi Anna</p><p>Anna</p>"
        with pytest.raises(FragmentLeak):
            page("Bram")
    unverified = SkeletonCache(verify=False)
    with app.test_request_context("/"):
        assert unverified.page(("t",), lambda: render_template_string("{{ hole('test-echo', '') }}", name="A"),
                               {"name": "Bram"}) == "Bram"


def test_a_hole_inside_a_fragment_is_refused(app, echo_hole):
    with app.test_request_context("/"), pytest.raises(FragmentLeak):
        render_template_string("{% call fragment('test-x') %}{{ hole('test-echo', '') }}{% endcall %}", name="A")


def test_a_hole_whose_marker_a_filter_changed_is_refused(app, echo_hole):
    with app.test_request_context("/"), pytest.raises(FragmentLeak):
        SkeletonCache().page(("t",), lambda: render_template_string(
            "{{ hole('test-echo', '')|string|replace(':', ';') }}", name="A"), {"name": "A"})


def test_a_hole_repeated_on_a_page_is_filled_once_and_the_same_everywhere(app, monkeypatch):
    """Five forms, one CSRF token: a hole that stands several times with the same arguments is worked out
    once per page; with other arguments (or unhashable ones) it is worked out for each."""
    calls: list[object] = []

    def counted(values, label):
        calls.append(label)
        return escape(f"{label}{values['n']}")
    monkeypatch.setitem(HOLES, "test-counted", counted)
    template = ("{% for _ in range(3) %}[{{ hole('test-counted', 'a') }}]{% endfor %}"
                "({{ hole('test-counted', 'b') }})<{{ hole('test-counted', ['c']) }}{{ hole('test-counted', ['c']) }}>")
    cache = SkeletonCache()
    with app.test_request_context("/"):
        def page(n: int) -> str:
            return cache.page(("test-counted",), lambda: render_template_string(template), {"n": n})
        page(0)  # records the skeleton
        calls.clear()
        assert page(1) == "[a1][a1][a1](b1)<[&#39;c&#39;]1[&#39;c&#39;]1>"
        assert sorted(map(str, calls)) == ["['c']", "['c']", "a", "b"]
        calls.clear()
        assert page(2) == "[a2][a2][a2](b2)<[&#39;c&#39;]2[&#39;c&#39;]2>"  # nothing carried from one fill to the next
        assert len(calls) == 4


def test_holes_have_one_function_each():
    with pytest.raises(ValueError):
        hole_function("csrf")(lambda values: "")


def test_a_visitor_gets_the_page_rendered_as_it_is(app):
    with app.test_request_context("/"):
        app.preprocess_request()
        assert learner_page("error.html", ("x",), code=404, title="Niet gevonden", message="") != ""
    assert len(_skeletons(app)) == 0


def test_learners_get_their_own_progress_on_the_kept_overview_index_and_dashboard(cached_app):
    """Anna finished the first module's pages and was active just now, Bram never opened a page: after
    Anna's visits made the skeletons, each sees their own status, next step, marks and figures."""
    anna = _learner(cached_app, "Anna Jansen", "anna@example.org")
    bram = _learner(cached_app, "Bram Bakker", "bram@example.org")
    for page in ("begin", "vervolg", "oefenen"):
        anna.post(f"/modules/eerste/{page}/gelezen")
    paths = ("/", "/modules/eerste/", "/voortgang", "/interventies", "/quiz/eerste-toets/")
    for path in paths:  # Anna first: the pages are kept with her progress in the holes
        assert anna.get(path).status_code == 200
    kept = _pages_kept(cached_app)
    pages = {name: {path: client.get(path).get_data(as_text=True) for path in paths}
             for name, client in (("anna", anna), ("bram", bram))}
    assert _pages_kept(cached_app) == kept  # Bram's came from the same skeletons (his states are new)
    anna_pages, bram_pages = pages["anna"], pages["bram"]
    for path in paths:
        assert "Anna Jansen</summary>" in anna_pages[path] and "Bram" not in anna_pages[path], path
        assert "Bram Bakker</summary>" in bram_pages[path] and "Anna" not in bram_pages[path], path
        assert "3 van 4 pagina’s gelezen" in anna_pages[path] and "0 van 4 pagina’s gelezen" in bram_pages[path]
    assert "Verder waar je was" in anna_pages["/"] and "Begin met de eerste module" in bram_pages["/"]
    assert "badge-started" in anna_pages["/"] and "badge-started" not in bram_pages["/"]
    assert "Voordat je begint" in bram_pages["/"] and "Voordat je begint" not in anna_pages["/"]
    assert anna_pages["/modules/eerste/"].count('class="status-done">gelezen') == 3
    assert bram_pages["/modules/eerste/"].count('class="status-done">gelezen') == 0
    assert "Start de module" in bram_pages["/modules/eerste/"]
    assert "Naar de kennischeck" in anna_pages["/modules/eerste/"]
    assert "Laatst actief" in anna_pages["/voortgang"] and "Laatst actief" not in bram_pages["/voortgang"]
    assert '<td class="numeric" data-label="Pagina’s gelezen">3 / 3</td>' in anna_pages["/voortgang"]
    assert '<td class="numeric" data-label="Pagina’s gelezen">0 / 3</td>' in bram_pages["/voortgang"]
    for html in (*anna_pages.values(), *bram_pages.values()):
        assert "\ue000" not in html and "read-mark:" not in html


def test_the_csrf_token_of_a_kept_page_changes_every_second_and_stays_that_sessions(connection, valid_catalog,
                                                                                  tmp_path, monkeypatch):
    """With CSRF on, as in production: a kept page's token is signed for this request (a constant secret on
    every page is what a compression side channel needs), an older one still works, another session's never."""
    import itsdangerous.timed
    clock = [1_800_000_000]
    monkeypatch.setattr(itsdangerous.timed.TimestampSigner, "get_timestamp", lambda _self: clock[0])
    app = make_app(connection, valid_catalog, tmp_path, WTF_CSRF_ENABLED=True, FRAGMENT_CACHE_VERIFY=False)
    session = app.extensions["leerlijn.db"].sessionmaker()
    for email in ("anna@example.org", "bram@example.org"):
        create_user(session, email=email, name=email[:4].title(), password="een-lang-wachtwoord")
    session.close()
    clients = {}
    for email in ("anna@example.org", "bram@example.org"):
        client = clients[email] = app.test_client()
        page = client.get("/inloggen").get_data(as_text=True)
        client.post("/inloggen", data={"csrf_token": csrf_token(page), "email": email,
                                       "password": "een-lang-wachtwoord"})
    anna, bram = clients.values()
    first = csrf_token(anna.get("/modules/eerste/begin").get_data(as_text=True))
    clock[0] += 1
    later = csrf_token(anna.get("/modules/eerste/begin").get_data(as_text=True))
    assert first != later != csrf_token(bram.get("/modules/eerste/begin").get_data(as_text=True))
    # Every form of a page carries the same token: the kept page's holes and a form WTForms renders itself.
    account = anna.get("/account").get_data(as_text=True)
    assert len(re.findall(r'name="csrf_token"', account)) > 2
    assert set(re.findall(r'name="csrf_token" type="hidden" value="([^"]+)"', account)) == {later}
    assert bram.post("/modules/eerste/begin/gelezen", data={"csrf_token": later}).status_code == 400
    assert anna.post("/modules/eerste/begin/gelezen", data={"csrf_token": first}).status_code == 302


@pytest.mark.parametrize("part", ["csrf_token()", "page_next"])
def test_a_csrf_token_or_this_address_inside_a_fragment_is_refused(app, part):
    """A fragment is kept for everyone: a token or an address in it would be the first request's on every page."""
    with app.test_request_context("/?van=hier"), pytest.raises(FragmentLeak, match=part.rstrip("()")):
        render_template_string(f"{{% call fragment('x') %}}{{{{ {part} }}}}{{% endcall %}}")


def test_this_address_is_printed_escaped_and_passed_as_a_value(app):
    with app.test_request_context("/voortgang?a=1&b=<x>"):
        html = render_template_string("{{ page_next }}|{{ url_for('auth.login', next=page_next) }}")
    assert html == "/voortgang?a=1&amp;b=&lt;x&gt;|/inloggen?next=/voortgang?a%3D1%26b%3D%3Cx%3E"


def test_each_learner_sees_their_own_attempts_and_result_on_the_kept_quiz_overview(cached_app, session):
    """Anna handed in a perfect attempt and started another, Bram handed in a poor one, Cara has none: from
    the same skeletons each sees their own result, attempts (linked to their own) and way on."""
    learners = {name: _learner(cached_app, name, f"{name.lower()}@example.org") for name in ("Anna", "Bram", "Cara")}
    anna, bram = (QuizHelper(learners[name], session) for name in ("Anna", "Bram"))
    first = anna.start()
    assert anna.post(first, anna.answers(first), action="submit").status_code == 302
    second = anna.start()
    poor = bram.start()
    assert bram.post(poor, bram.answers(poor, right=0), action="submit").status_code == 302
    for _ in range(2):
        pages = {name: client.get("/quiz/eerste-toets/").get_data(as_text=True) for name, client in learners.items()}
    assert "Gehaald" in pages["Anna"] and "telt mee: 100%" in pages["Anna"]
    assert f"/quiz/poging/{second}\"" in pages["Anna"] and f"/quiz/poging/{first}/resultaat" in pages["Anna"]
    assert "Verder met poging 2" in pages["Anna"] and pages["Anna"].count("<tr>") == 3
    assert "Nog niet gehaald" in pages["Bram"] and "telt mee: 0%" in pages["Bram"]
    assert f"/quiz/poging/{poor}/resultaat" in pages["Bram"] and "Nieuwe poging starten" in pages["Bram"]
    assert "Nog 1 poging over." in pages["Bram"] and str(first) not in re.findall(r"poging/(\d+)", pages["Bram"])
    assert "Start de kennischeck" in pages["Cara"] and "Je pogingen" not in pages["Cara"]
    assert "Jouw resultaat" not in pages["Cara"] and "Nog 2 pogingen over." in pages["Cara"]
    for name, html in pages.items():
        assert f"{name}</summary>" in html and "\ue000" not in html
        assert all(other not in html for other in learners if other != name)


def test_a_pages_csrf_token_is_the_one_flask_wtf_would_sign_for_that_session_and_second(app, monkeypatch):
    """``signed_csrf_token`` keeps the signer and the payload; the token must stay byte for byte Flask-WTF's,
    whose check (``validate_csrf``) accepts it and refuses it for another session or once it is altered."""
    import itsdangerous.timed
    from flask import g, session
    from flask_wtf.csrf import ValidationError, generate_csrf, validate_csrf

    from app.forms import signed_csrf_token

    monkeypatch.setattr(itsdangerous.timed.TimestampSigner, "get_timestamp", lambda _self: 1_800_000_000)
    app.config["WTF_CSRF_TIME_LIMIT"] = None
    tokens = []
    for _ in range(2):  # the second time with the payload kept
        with app.test_request_context("/"):
            session["csrf_token"] = "a" * 40
            ours = signed_csrf_token()
            del g.csrf_token
            assert generate_csrf() == ours
            validate_csrf(ours)
            with pytest.raises(ValidationError):
                validate_csrf(ours[:-1] + ("A" if ours[-1] != "A" else "B"))
            session["csrf_token"] = "b" * 40
            with pytest.raises(ValidationError):
                validate_csrf(ours)
            tokens.append(ours)
    assert tokens[0] == tokens[1]


def test_a_csrf_token_is_signed_once_per_second_and_kept_with_the_second_it_carries(monkeypatch):
    """Within one second a session's token is the same string (kept, not signed again); when the clock turns
    between the look-up and the signing, the token is kept under the second it carries, never an earlier one
    (a token dated after its page would fail Flask-WTF's age check as 'negative')."""
    import itsdangerous.timed
    from itsdangerous import URLSafeTimedSerializer

    from app.forms import _CsrfSigner

    readings = iter([1_800_000_000, 1_800_000_001, 1_800_000_002, 1_800_000_002, 1_800_000_003, 1_800_000_003,
                      1_800_000_003])
    monkeypatch.setattr(itsdangerous.timed.TimestampSigner, "get_timestamp", lambda _self: next(readings))
    signer = _CsrfSigner("a-secret-key-of-the-test-0000000000000000")
    serializer = URLSafeTimedSerializer("a-secret-key-of-the-test-0000000000000000", salt="wtf-csrf-token")

    first = signer.sign("r" * 40)  # signed at …000
    turned = signer.sign("r" * 40)  # looked up at …001, signed at …002
    again = signer.sign("r" * 40)  # …002: the kept one
    later = signer.sign("r" * 40)  # …003: signed anew

    assert len({first, turned, later}) == 3 and again == turned
    assert [serializer.loads(token, return_timestamp=True)[1].timestamp() for token in (first, turned, later)] == [
        1_800_000_000, 1_800_000_002, 1_800_000_003]
    assert signer.sign("s" * 40) not in (turned, later)  # another session's own
