"""The page frame every learner sees: header with course and progress, account menu, breadcrumbs, skip link,
and nothing that the Content-Security-Policy would block."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[2] / "app"
TEMPLATES = sorted(APP.glob("**/templates/**/*.html"))


def test_header_shows_course_progress_and_account_menu(client, auth):
    """A learner sees the course, how many pages they read and a menu with their name."""
    auth.register()
    client.post("/modules/eerste/begin/gelezen")
    html = client.get("/interventies").get_data(as_text=True)
    assert "Testcursus" in html
    assert "1 van 3 pagina’s gelezen" in html
    assert '<details class="account-menu">' in html and "Sanne de Vries</summary>" in html
    assert 'class="skip-link no-print" href="#main"' in html and '<main id="main" tabindex="-1">' in html
    assert 'aria-current="page">Interventiegids' in html


def test_visitors_see_no_progress_but_the_content_note(client):
    """Before logging in there is no progress in the header, and the gentle content note is on the front page."""
    html = client.get("/").get_data(as_text=True)
    assert "pagina’s gelezen" not in html
    assert "Voordat je begint" in html and 'href="/over-deze-cursus"' in html


@pytest.mark.parametrize("path", ["/interventies", "/over-deze-cursus"])
def test_header_progress_costs_at_most_one_query(client, auth, count_queries, path):
    """Pages that load no progress of their own pay one small query for the header's progress."""
    auth.register()
    with count_queries() as counter:
        client.get(path)
    with_header = counter.count
    client.post("/uitloggen")
    assert with_header <= 2, counter.statements  # the user, and the pages read


def test_the_login_query_brings_each_learners_own_pages_read_for_the_header(app, client, auth, count_queries):
    """Anna (English) read two pages, Bram (Dutch) none: on pages that load no progress of their own, each
    header counts their own pages, and the login's query brings them (one query for the whole page)."""
    from tests.conftest import AuthActions
    auth.register(name="Anna Jansen", email="anna@example.org")
    client.post("/taal", data={"locale": "en", "next": "/"})
    client.post("/modules/eerste/begin/gelezen")
    client.post("/modules/tweede/enige/gelezen")
    bram = app.test_client()
    AuthActions(bram).register(name="Bram Bakker", email="bram@example.org")
    for path in ["/interventies", "/quiz/eerste-toets/", "/over-deze-cursus"]:
        with count_queries() as counter:
            anna_html = client.get(path).get_data(as_text=True)
        bram_html = bram.get(path).get_data(as_text=True)
        assert "2 of 3 pages read" in anna_html and "Anna Jansen" in anna_html, path
        assert "0 van 3 pagina’s gelezen" in bram_html and "Anna Jansen" not in bram_html, path
        assert not [s for s in counter.statements if s.lstrip().upper().startswith("SELECT")][1:], counter.statements
    client.post("/modules/eerste/vervolg/gelezen")
    assert "3 of 3 pages read" in client.get("/interventies").get_data(as_text=True)


def test_header_reuses_the_progress_a_page_already_loaded(client, auth, count_queries):
    """The overview, module and dashboard already know the progress: the header adds no query there."""
    auth.register()
    client.post("/modules/eerste/begin/gelezen")
    for path in ["/", "/modules/eerste/", "/voortgang", "/modules/eerste/vervolg"]:
        with count_queries() as counter:
            html = client.get(path).get_data(as_text=True)
        assert "1 van 3 pagina’s gelezen" in html
        assert sum("page_progress" in s for s in counter.statements) == 1 + (path == "/modules/eerste/vervolg"), (
            path, counter.statements)


def test_breadcrumbs_on_inner_pages(client, auth):
    """Inner pages say where you are, with the current page marked for screen readers."""
    auth.register()
    html = client.get("/modules/eerste/begin").get_data(as_text=True)
    assert '<nav class="breadcrumbs" aria-label="Kruimelpad">' in html
    assert '<span aria-current="page">' in html
    assert '<nav class="breadcrumbs"' in client.get("/voortgang").get_data(as_text=True)


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(APP)))
def test_templates_have_no_inline_styles_or_scripts(template):
    """The CSP allows only our own files: no style attributes, <style> blocks, inline scripts or on* handlers."""
    source = template.read_text(encoding="utf-8")
    assert not re.search(r"\sstyle\s*=", source), "inline style attribute"
    assert not re.search(r"<style[\s>]", source), "<style> block"
    assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", source), "inline <script>"
    assert not re.search(r"\son[a-z]+\s*=\s*[\"']", source), "inline event handler"
    assert "javascript:" not in source


def test_print_stylesheet_offers_print_classes():
    """Casus runs and the safety plan can mark screen-only and paper-only parts."""
    css = (APP / "static" / "css" / "leerlijn.css").read_text(encoding="utf-8")
    assert ".print-only { display: none; }" in css
    print_section = css[css.index("@media print"):]
    assert ".no-print" in print_section and ".print-only { display: block; }" in print_section
