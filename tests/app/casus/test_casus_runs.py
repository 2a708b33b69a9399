"""Working through a casus in the browser: both paths to the debrief, resume, restart, drafts, bad input."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from course.db import CasusDecision, CasusRun, RunStatus
from tests.app.casus.conftest import CASUS

RECOMMENDED_PATH = [
    ("melding", {}),
    ("signalen", {"item": ["slaan"]}),
    ("overleg", {"option": "collega"}),
    ("reflectie", {"answer": "Ik werk <b>vooraan</b> in de keten."}),
    ("checklist", {"criterion": ["feiten"]}),
    ("plan", {"field-zorgen": "Vader slaat.", "field-wie": "Ik bel moeder."}),
]


def _state(session, run_id):
    session.expire_all()
    return session.get(CasusRun, run_id)


def test_overview_shows_intro_and_start(client, auth):
    auth.register()
    html = client.get(f"/casus/{CASUS}/").get_data(as_text=True)
    assert "Een oefencasus" in html and "<strong>Tim</strong>" in html and "10 minuten" in html
    assert "Start de casus" in html
    assert "Een oefencasus" in client.get("/casus/").get_data(as_text=True)


def test_full_run_recommended_path(client, auth, casus, session):
    auth.register()
    run_id = casus.start()
    page = casus.page(run_id)
    assert "De huisarts verwijst Tim door." in page and 'name="run_token"' in page
    token = casus.token(run_id)
    for step, data in RECOMMENDED_PATH:
        casus.answer(run_id, step, data)
        if step == "overleg":
            page = casus.page(run_id)
            assert "Goed, overleg helpt." in page and "aanbevolen" in page
        if step == "reflectie":
            page = casus.page(run_id)
            # the model answer after submitting; the learner's text escaped
            assert "<strong>samenwerking</strong>" in page
            assert "Ik werk &lt;b&gt;vooraan&lt;/b&gt; in de keten." in page and "<b>vooraan" not in page
            assert "Toets je overleg" in page  # conditional next: consulted a colleague -> checklist
    page = casus.page(run_id)
    assert "Jouw pad naast het aanbevolen pad" in page
    assert "Bij 1 van de 1 keuzes volgde je de aanbeveling." in page
    assert "Meldcode: stap 2 – Collegiale consultatie" in page
    assert "Afwegingskader: vraag 1 – Is er een vermoeden van huiselijk geweld of kindermishandeling?" in page
    assert "zonder een collega" not in page  # the remark does not apply
    run = _state(session, run_id)
    assert run.status == RunStatus.COMPLETED and run.completed_at is not None
    decisions = session.scalars(select(CasusDecision).where(CasusDecision.run_id == run_id)
                                .order_by(CasusDecision.position)).all()
    assert [d.step_id for d in decisions] == [s for s, _ in RECOMMENDED_PATH]
    assert decisions[2].choice == {"option": "collega"} and decisions[1].choice == {"selected": ["slaan"]}
    assert decisions[3].choice == {"length": len("Ik werk <b>vooraan</b> in de keten.")}  # never the text
    # print view: choices, reflection and plan
    printed = client.get(f"/casus/run/{run_id}/afdrukken").get_data(as_text=True)
    assert "Ik overleg met een collega." in printed and "Ik bel moeder." in printed
    assert "Ik werk &lt;b&gt;vooraan" in printed
    # the finished run takes no more answers
    assert casus.post(run_id, "nabespreking", token=token).status_code == 400


def test_full_run_risky_path_skips_checklist_and_gets_remark(client, auth, casus):
    auth.register()
    run_id = casus.start()
    casus.answer(run_id, "melding")
    casus.answer(run_id, "signalen", {"item": ["sport"]})
    casus.answer(run_id, "overleg", {"option": "afsluiten"})
    page = casus.page(run_id)
    assert "Zo blijft Tim onveilig." in page and "riskant" in page
    assert "Aanbevolen:" in page and "Goed, overleg helpt." in page  # the recommended option beside it
    casus.answer(run_id, "reflectie", {"answer": "Ik twijfel."})
    assert "Veiligheidsplan" in casus.page(run_id)  # conditional next: no colleague -> straight to the plan
    casus.answer(run_id, "plan", {"field-zorgen": "Zorgen", "field-wie": ""})
    page = casus.page(run_id)
    assert "Je hebt besloten zonder een collega te raadplegen." in page
    assert "Bij 0 van de 1 keuzes volgde je de aanbeveling." in page
    assert "Signalen gezien" not in page  # the casus's variables are for authors, not learners


def test_resume_after_logout_and_login(client, auth, casus):
    auth.register()
    run_id = casus.start()
    casus.answer(run_id, "melding")
    auth.logout()
    auth.login()
    assert "Verder met poging 1" in client.get(f"/casus/{CASUS}/").get_data(as_text=True)
    assert casus.start() == run_id
    assert "Welke signalen zie je?" in casus.page(run_id)


def test_restart_keeps_history(client, auth, casus, session):
    auth.register()
    first = casus.start()
    casus.answer(first, "melding")
    second = casus.restart()
    assert second != first
    assert "De huisarts verwijst Tim door." in casus.page(second)
    overview = client.get(f"/casus/{CASUS}/").get_data(as_text=True)
    assert "Poging 1" in overview and "Poging 2" in overview
    assert "Welke signalen zie je?" in casus.page(first)  # the old run is still there, where it was
    assert session.scalar(select(func.count()).select_from(CasusRun)) == 2


def test_forged_ids_are_refused_without_change(client, auth, casus, session):
    auth.register()
    run_id = casus.start()
    casus.answer(run_id, "melding")
    casus.answer(run_id, "signalen", {"item": ["slaan"]})
    before = _state(session, run_id).state
    assert casus.post(run_id, "overleg", {"option": "bestaat-niet"}).status_code == 400
    assert casus.post(run_id, "bestaat-niet", {"option": "collega"}).status_code in (400, 409)
    assert casus.post(run_id, "signalen", {"item": ["sport"]}).status_code == 409  # not current any more
    assert casus.post(run_id, "plan", {"field-zorgen": "x"}).status_code == 409  # not current yet
    assert client.post(f"/casus/run/{run_id}", data={"step": "overleg", "option": "collega"}).status_code == 400
    assert _state(session, run_id).state == before
    assert session.scalar(select(func.count()).select_from(CasusDecision)) == 2


def test_forged_multi_select_item_refused(client, auth, casus, session):
    auth.register()
    run_id = casus.start()
    casus.answer(run_id, "melding")
    assert casus.post(run_id, "signalen", {"item": ["slaan", "hack"]}).status_code == 400
    assert _state(session, run_id).state["current"] == "signalen"


def test_no_option_chosen_is_a_form_error(client, auth, casus):
    auth.register()
    run_id = casus.start()
    casus.answer(run_id, "melding")
    casus.answer(run_id, "signalen")
    response = casus.post(run_id, "overleg")
    assert response.status_code == 422
    assert "Kies een van de mogelijkheden." in response.get_data(as_text=True)


def test_other_users_run_is_404(client, auth, casus):
    auth.register()
    run_id = casus.start()
    token = casus.token(run_id)
    auth.logout()
    auth.register(name="Ander", email="ander@example.org")
    assert client.get(f"/casus/run/{run_id}").status_code == 404
    assert client.get(f"/casus/run/{run_id}/afdrukken").status_code == 404
    # the owner's tab posting in this browser is explained, not applied (see test_casus_lost_sessions.py)
    assert casus.post(run_id, "melding", token=token).headers["Location"] == "/"
    own = casus.start()
    # someone else's token for another run id is refused too
    assert casus.post(own, "melding", token=token).status_code == 404


def _to_reflection(casus, run_id):
    casus.answer(run_id, "melding")
    casus.answer(run_id, "signalen")
    casus.answer(run_id, "overleg", {"option": "collega"})


def test_oversized_reflection_is_a_form_error_and_nothing_saved(client, auth, casus, session):
    auth.register()
    run_id = casus.start()
    _to_reflection(casus, run_id)
    before = _state(session, run_id)
    state, drafts = before.state, dict(before.drafts)
    for action in ("submit", "draft"):
        response = casus.post(run_id, "reflectie", {"answer": "x" * 5001}, action=action)
        assert response.status_code == 422
        assert "te lang" in response.get_data(as_text=True)
    after = _state(session, run_id)
    assert after.state == state and after.drafts == drafts


def test_draft_saved_without_javascript(client, auth, casus, session):
    auth.register()
    run_id = casus.start()
    _to_reflection(casus, run_id)
    response = casus.post(run_id, "reflectie", {"answer": "Eerste <i>gedachte</i>"}, action="draft")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Concept opgeslagen om" in page
    assert "Eerste &lt;i&gt;gedachte&lt;/i&gt;</textarea>" in page
    # idempotent: saving again changes nothing but the time
    assert casus.post(run_id, "reflectie", {"answer": "Eerste <i>gedachte</i>"}, action="draft").status_code == 302
    assert _state(session, run_id).drafts == {"reflectie": "Eerste <i>gedachte</i>"}
    # the JSON autosave
    response = casus.post(run_id, "reflectie", {"answer": "Tweede"}, action="draft",
                          headers={"Accept": "application/json"})
    assert response.status_code == 200 and response.json["saved_at"]
    # submitting clears the draft
    casus.answer(run_id, "reflectie", {"answer": "Definitief"})
    assert _state(session, run_id).drafts == {}


def test_text_posted_after_session_expired_survives_relogin(client, auth, casus):
    auth.register()
    run_id = casus.start()
    _to_reflection(casus, run_id)
    token = casus.token(run_id)
    with client.session_transaction() as flask_session:
        flask_session.clear()  # what an expired session looks like to the server
    response = casus.post(run_id, "reflectie", {"answer": "Mijn lange tekst"}, token=token)
    assert response.status_code == 302
    assert "/inloggen" in response.headers["Location"]
    assert response.headers["Location"].endswith(f"next=/casus/run/{run_id}")
    assert "Je tekst is bewaard" in client.get(response.headers["Location"]).get_data(as_text=True)
    auth.login()
    assert "Mijn lange tekst</textarea>" in casus.page(run_id)


def test_plan_draft_after_expiry_json(client, auth, casus):
    auth.register()
    run_id = casus.start()
    casus.answer(run_id, "melding")
    casus.answer(run_id, "signalen")
    casus.answer(run_id, "overleg", {"option": "afsluiten"})
    casus.answer(run_id, "reflectie", {"answer": "Iets"})
    token = casus.token(run_id)
    auth.logout()
    response = casus.post(run_id, "plan", {"field-zorgen": "Bewaard plan", "field-wie": "Ik"}, token=token,
                          headers={"Accept": "application/json"})
    assert response.status_code == 401 and "/inloggen" in response.json["login_url"]
    auth.login()
    page = casus.page(run_id)
    assert "Bewaard plan</textarea>" in page and 'value="Ik"' in page


def test_completion_counts_in_module_progress(app, client, auth, casus, session):
    from app.content import catalog
    from course.db import User
    from course.services.progress import course_progress

    auth.register()
    assert "0 / 1" in client.get("/voortgang").get_data(as_text=True)
    run_id = casus.start()
    for step, data in RECOMMENDED_PATH[:-1]:
        casus.answer(run_id, step, data)
    user = session.scalar(select(User))
    with app.app_context():
        progress = course_progress(session, catalog(), user.id)
    assert progress.modules[0].casuses_done == 0 and progress.modules[0].casuses_total == 1
    casus.answer(run_id, *RECOMMENDED_PATH[-1])
    with app.app_context():
        progress = course_progress(session, catalog(), user.id)
    assert progress.modules[0].casuses_done == 1
    assert "1 / 1" in client.get("/voortgang").get_data(as_text=True)


def test_run_page_query_count(client, auth, casus, count_queries):
    auth.register()
    run_id = casus.start()
    casus.answer(run_id, "melding")
    casus.page(run_id)
    with count_queries() as counter:
        casus.page(run_id)
    assert counter.count <= 3, counter.statements


def test_answering_a_step_query_count(client, auth, casus, count_queries):
    """A step's answer: the login, the run (locked), the decision and the run's new state, and nothing after
    the commit to learn whether the run was completed (the service returns the run as the step left it)."""
    auth.register()
    run_id = casus.start()
    token = casus.token(run_id)
    with count_queries() as counter:
        response = casus.post(run_id, "melding", token=token)
    assert response.status_code == 302 and response.headers["Location"].endswith("#feedback")
    assert counter.count <= 4, counter.statements


def test_choice_radios_are_labelled(client, auth, casus):
    auth.register()
    run_id = casus.start()
    casus.answer(run_id, "melding")
    casus.answer(run_id, "signalen")
    page = casus.page(run_id)
    for option in ("collega", "afsluiten"):
        assert re.search(rf'<input type="radio" name="option" id="option-{option}"', page)
        assert f'<label for="option-{option}">' in page


def test_odd_posts_are_refused_without_change(client, auth, casus, session):
    """A draft on a step without text, a missing step id or an expired form token: 4xx, nothing written."""
    auth.register()
    run_id = casus.start()
    casus.answer(run_id, "melding")
    before = _state(session, run_id)
    state, drafts = before.state, dict(before.drafts)
    assert casus.post(run_id, "signalen", {"item": ["slaan"]}, action="draft").status_code == 400
    assert casus.post(run_id, "", {"item": ["slaan"]}).status_code == 400
    assert casus.post(run_id, "signalen", {"item": ["slaan"]}, token="vervalst").status_code == 400
    assert casus.post(run_id, "signalen", {"item": ["slaan"]}, action="draft",
                      headers={"Accept": "application/json"}).status_code == 400
    after = _state(session, run_id)
    assert after.state == state and dict(after.drafts) == drafts
    assert session.scalar(select(func.count()).select_from(CasusDecision)) == 1
