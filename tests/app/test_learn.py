"""Reading the course: overview, module and page views, marking read, progress and the dashboard."""

from __future__ import annotations

import re


def test_anonymous_visitor_sees_the_course_and_must_log_in_to_read(client):
    html = client.get("/").get_data(as_text=True)
    assert "Testcursus" in html and "Eerste module" in html
    response = client.get("/modules/eerste/begin")
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]


def test_page_shows_content_toc_sources_and_navigation(client, auth):
    auth.register()
    html = client.get("/modules/eerste/begin").get_data(as_text=True)
    assert '<h2 id="eerste-kop">' in html
    assert 'class="callout callout-reflectie"' in html
    assert 'href="#nog-een-kop"' in html  # table of contents of the page
    assert "Auteur, A. (2020). Een bron. Uitgever." in html  # module sources at the end
    assert 'rel="next" href="/modules/eerste/vervolg"' in html
    assert '<img src="/media/eerste/img/schema.svg" alt="Een eenvoudig schema"' in html


def test_marking_read_moves_on_and_shows_progress(client, auth):
    auth.register()
    client.get("/modules/eerste/begin")
    response = client.post("/modules/eerste/begin/gelezen")
    assert response.headers["Location"] == "/modules/eerste/vervolg"
    dashboard = client.get("/voortgang").get_data(as_text=True)
    assert "1 / 2" in dashboard
    response = client.post("/modules/eerste/vervolg/gelezen")
    assert response.headers["Location"] == "/casus/oefencasus/"  # the module's next step, not a dead end


def test_mark_read_is_idempotent(client, auth, session):
    from sqlalchemy import func, select

    from course.db import PageProgress
    auth.register()
    client.post("/modules/eerste/begin/gelezen")
    client.post("/modules/eerste/begin/gelezen")
    assert session.scalar(select(func.count()).select_from(PageProgress)) == 1


def test_continue_where_you_left_off(client, auth):
    auth.register()
    client.get("/modules/eerste/vervolg")
    html = client.get("/").get_data(as_text=True)
    assert "Verder waar je was" in html and 'href="/modules/eerste/vervolg"' in html
    client.post("/modules/eerste/vervolg/gelezen")
    html = client.get("/").get_data(as_text=True)
    # The page was finished, so the next unread page is offered.
    assert 'href="/modules/tweede/enige">Verder waar je was' in html


def _writes(statements: list[str]) -> list[str]:
    return [s for s in statements if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]


def test_reloading_a_page_writes_nothing_but_going_back_moves_where_to_continue(client, auth, count_queries):
    """A reload is only read; going back to an earlier page still makes it the place to continue."""
    auth.register()
    client.get("/modules/eerste/begin")
    with count_queries() as counter:
        assert client.get("/modules/eerste/begin").status_code == 200
    assert not _writes(counter.statements), counter.statements
    client.get("/modules/eerste/vervolg")
    with count_queries() as counter:
        client.get("/modules/eerste/begin")
    assert _writes(counter.statements), counter.statements
    assert 'href="/modules/eerste/begin">Verder waar je was' in client.get("/").get_data(as_text=True)


def test_last_activity_follows_a_reload_within_five_minutes(client, auth, session, monkeypatch):
    """Reopening the same page keeps the last-activity moment (dashboard, trainer, purge) at most 5 minutes old."""
    from datetime import timedelta

    from sqlalchemy import select

    from course.db import PageProgress, utcnow
    from course.services import progress as progress_service
    auth.register()
    start = utcnow()
    monkeypatch.setattr(progress_service, "utcnow", lambda: start)
    client.get("/modules/eerste/begin")
    monkeypatch.setattr(progress_service, "utcnow", lambda: start + timedelta(minutes=4))
    client.get("/modules/eerste/begin")
    assert session.scalar(select(PageProgress.last_seen_at)) == start
    monkeypatch.setattr(progress_service, "utcnow", lambda: start + timedelta(minutes=6))
    client.get("/modules/eerste/begin")
    session.expire_all()
    assert session.scalar(select(PageProgress.last_seen_at)) == start + timedelta(minutes=6)


def test_progress_survives_logout_and_login(client, auth):
    auth.register()
    client.post("/modules/eerste/begin/gelezen")
    auth.logout()
    auth.login()
    assert "1 / 2" in client.get("/voortgang").get_data(as_text=True)


def test_a_learner_never_sees_another_learners_progress(client, auth):
    auth.register()
    client.post("/modules/eerste/begin/gelezen")
    client.post("/modules/eerste/vervolg/gelezen")
    auth.logout()
    auth.register(name="Ahmed", email="ahmed@example.org")
    dashboard = client.get("/voortgang").get_data(as_text=True)
    assert "0 / 2" in dashboard and "2 / 2" not in dashboard


def test_unknown_module_or_page_is_a_404_in_the_ui_style(client, auth):
    auth.register()
    for url in ["/modules/bestaat-niet/", "/modules/eerste/bestaat-niet", "/modules/eerste/begin/../../x"]:
        response = client.get(url)
        assert response.status_code == 404
        assert "Pagina niet gevonden" in response.get_data(as_text=True)


def test_media_serves_only_known_files(client):
    response = client.get("/media/eerste/img/schema.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert client.get("/media/eerste/index.md").status_code == 404
    assert client.get("/media/eerste/../../course.yaml").status_code == 404


def test_page_renders_with_a_small_fixed_number_of_queries(client, auth, count_queries):
    auth.register()
    client.get("/modules/eerste/vervolg")
    with count_queries() as counter:
        assert client.get("/modules/eerste/begin").status_code == 200
    assert counter.count <= 4, counter.statements  # user, record visit, read pages
    with count_queries() as counter:
        assert client.get("/modules/eerste/vervolg").status_code == 200
    # the last page names the next step: page rows, quiz results and casus runs instead of read pages
    assert counter.count <= 5, counter.statements


def test_overview_and_dashboard_queries_do_not_grow_with_progress(client, auth, count_queries):
    auth.register()
    with count_queries() as before:
        client.get("/voortgang")
    for module, page in [("eerste", "begin"), ("eerste", "vervolg"), ("tweede", "enige")]:
        client.post(f"/modules/{module}/{page}/gelezen")
    with count_queries() as after:
        client.get("/voortgang")
    assert after.count == before.count <= 5, after.statements


def test_dashboard_shows_overall_percentage_and_last_activity(client, auth):
    auth.register()
    client.post("/modules/tweede/enige/gelezen")
    html = client.get("/voortgang").get_data(as_text=True)
    assert "Laatst actief" in html
    # Module tweede (one page) is done; eerste has two pages and a casus: 1 of 4 steps in all.
    assert re.search(r'<progress max="100" value="25"[^>]*>25%</progress>', html)
    assert "1 van 2 modules afgerond." in html


def test_module_and_overview_show_the_measured_study_load(client, auth, valid_catalog):
    """The learner sees the measured study load, not an author's guess, with what it is made of."""
    load = valid_catalog.study_load.module("eerste")
    shown = -(-load.total.minutes // 5) * 5
    auth.register()
    module = client.get("/modules/eerste/").get_data(as_text=True)
    assert f"Studielast ongeveer {shown} minuten" in module
    assert f"kennischeck {load.quiz.minutes}, casussen {load.casuses.minutes} minuten" in module
    overview = client.get("/").get_data(as_text=True)
    assert f"Studielast ongeveer {shown} minuten" in overview and "Totale studielast: ongeveer" in overview


def _main(html: str) -> str:
    return html[html.index("<main"):html.index("</main>")]


def test_module_page_lists_its_pages_once_and_starts_with_one_button(client, auth):
    """A learner sees one list of pages and one button that says where to go next."""
    auth.register()
    main = _main(client.get("/modules/eerste/").get_data(as_text=True))
    assert main.count('href="/modules/eerste/vervolg"') == 1
    assert re.search(r'<a class="button next-step" href="/modules/eerste/begin">Start de module</a>', main)
    client.post("/modules/eerste/begin/gelezen")
    main = _main(client.get("/modules/eerste/").get_data(as_text=True))
    assert re.search(r'<a class="button next-step" href="/modules/eerste/vervolg">Lees verder: <span>Het vervolg', main)


def test_last_page_says_what_comes_next_and_the_module_reaches_100(client, auth):
    """'Module afronden' is only promised when it is true; doing the casus brings the module to 100 %."""
    from tests.app.casus.conftest import CasusActions
    from tests.app.casus.test_casus_runs import RECOMMENDED_PATH
    casus = CasusActions(client)
    auth.register()
    client.post("/modules/eerste/begin/gelezen")
    page = client.get("/modules/eerste/vervolg").get_data(as_text=True)
    assert "Gelezen, naar de casus</button>" in page and "module afronden" not in page
    client.post("/modules/eerste/vervolg/gelezen")
    module = _main(client.get("/modules/eerste/").get_data(as_text=True))
    assert 'aria-label="Voortgang in deze module">66%' in module  # 2 of 3 steps: the casus is left
    assert re.search(r"<a class=\"button next-step\" href=\"/casus/oefencasus/\">Naar de casus: <span>Een oefencasus",
                     module)
    run_id = casus.start()
    for step, data in RECOMMENDED_PATH:
        casus.answer(run_id, step, data)
    module = _main(client.get("/modules/eerste/").get_data(as_text=True))
    assert 'aria-label="Voortgang in deze module">100%' in module and "Je hebt deze module afgerond." in module
    assert re.search(r'<a class="button next-step" href="/modules/tweede/">Volgende module: <span>Tweede', module)
    debrief = casus.page(run_id)
    assert re.search(r'href="/modules/tweede/">Volgende module: <span>Tweede', debrief)  # onwards from the casus
    client.get("/modules/tweede/enige")
    page = client.get("/modules/tweede/enige").get_data(as_text=True)
    assert "Gelezen, module afronden</button>" in page  # reading it completes the module: now it is true
