"""What a learner is told when a casus answer arrives in an unusual state: another account logged in in the
same browser, a changed password, an expired login (issue 9, finding 8, the casus side)."""

from __future__ import annotations

from sqlalchemy import select

from course.db import CasusRun, User
from course.services.accounts import change_password

JSON = {"Accept": "application/json"}


def _run(session, run_id: int) -> CasusRun:
    session.expire_all()
    return session.get(CasusRun, run_id)


def _to_choice(casus, run_id: int) -> None:
    casus.answer(run_id, "melding")
    casus.answer(run_id, "signalen", {"item": ["slaan"]})


def _at_a_choice_when_the_login_expired(client, auth, casus) -> tuple[int, str]:
    """A learner's run at a choice, the page's work token, and then the login gone (expired)."""
    auth.register()
    run_id = casus.start()
    _to_choice(casus, run_id)
    token = casus.token(run_id)
    with client.session_transaction() as flask_session:
        flask_session.clear()
    return run_id, token


def test_a_tab_of_another_account_keeps_its_choice_and_explains(client, auth, casus, session):
    """A's casus tab chooses while B is logged in in the same browser: A's choice waits for A, B stays B."""
    auth.register()
    run_id = casus.start()
    _to_choice(casus, run_id)
    token = casus.token(run_id)
    auth.logout()
    auth.register(name="Bram", email="bram@example.org")
    background = casus.post(run_id, "overleg", {"option": "collega"}, token=token, headers=JSON)
    assert background.status_code == 409 and "ander account" in background.json["error"]
    response = casus.post(run_id, "overleg", {"option": "collega"}, token=token)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "ander account" in page and "bewaard" in page and "Bram" in page  # B is still logged in
    assert client.get(f"/casus/run/{run_id}").status_code == 404  # and still cannot open A's run
    run = _run(session, run_id)
    assert run.state["current"] == "overleg" and len(run.state["path"]) == 2  # kept, not applied for A
    auth.logout()
    auth.login()
    page = casus.page(run_id)
    assert 'value="collega" checked' in page and 'value="afsluiten" checked' not in page
    casus.answer(run_id, "overleg", {"option": "collega"})
    assert _run(session, run_id).drafts == {}  # confirming it clears what was kept


def test_a_tab_of_another_account_keeps_its_reflection_text(client, auth, casus, session):
    auth.register()
    run_id = casus.start()
    _to_choice(casus, run_id)
    casus.answer(run_id, "overleg", {"option": "collega"})
    token = casus.token(run_id)
    auth.logout()
    auth.register(name="Bram", email="bram@example.org")
    response = casus.post(run_id, "reflectie", {"answer": "Mijn tekst van A"}, token=token, headers=JSON)
    assert response.status_code == 409 and "ander account" in response.json["error"]
    assert _run(session, run_id).drafts == {"reflectie": "Mijn tekst van A"}
    bram = session.scalar(select(User).where(User.email == "bram@example.org"))
    assert session.scalar(select(CasusRun).where(CasusRun.user_id == bram.id)) is None


def test_nothing_to_keep_from_another_accounts_tab_still_explains(client, auth, casus, session):
    auth.register()
    run_id = casus.start()
    token = casus.token(run_id)
    auth.logout()
    auth.register(name="Bram", email="bram@example.org")
    response = casus.post(run_id, "overleg", {"option": "collega"}, token=token, headers=JSON)  # not current
    assert response.status_code == 409 and "ander account" in response.json["error"]
    assert "bewaard" not in response.json["error"]
    assert _run(session, run_id).drafts == {}


def test_an_answer_after_a_password_change_says_why_it_was_not_saved(client, auth, casus, session):
    """The page's token is void after a password change: nothing saved, the reason given, the text given back."""
    auth.register()
    run_id = casus.start()
    _to_choice(casus, run_id)
    casus.answer(run_id, "overleg", {"option": "collega"})
    token = casus.token(run_id)
    user = session.scalar(select(User))
    change_password(session, user.id, current="een-lang-wachtwoord", new="een-ander-lang-wachtwoord")
    autosave = casus.post(run_id, "reflectie", {"answer": "Tekst <b>na</b> de wijziging"}, action="draft",
                          token=token, headers=JSON)
    assert autosave.status_code == 401
    assert "wachtwoord is gewijzigd" in autosave.json["error"] and "niet opgeslagen" in autosave.json["error"]
    assert "/inloggen" in autosave.json["login_url"]
    response = casus.post(run_id, "reflectie", {"answer": "Tekst <b>na</b> de wijziging"}, token=token)
    assert response.status_code == 401
    page = response.get_data(as_text=True)
    assert "wachtwoord is gewijzigd" in page and "niet opgeslagen" in page
    assert page.count("wachtwoord is gewijzigd") == 1  # the background save's message is this page's own
    assert "Tekst &lt;b&gt;na&lt;/b&gt; de wijziging</textarea>" in page  # to copy, escaped
    run = _run(session, run_id)
    assert run.drafts == {} and run.state["current"] == "reflectie"


def test_a_choice_posted_after_the_login_expired_is_kept_for_after_login(client, auth, casus, session):
    run_id, token = _at_a_choice_when_the_login_expired(client, auth, casus)
    response = casus.post(run_id, "overleg", {"option": "afsluiten"}, token=token)
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]
    assert "Je keuze is onthouden" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert _run(session, run_id).state["current"] == "overleg"
    auth.login()
    assert 'value="afsluiten" checked' in casus.page(run_id)


def test_a_background_save_after_the_login_expired_is_explained_on_the_login_page_the_script_opens(
        client, auth, casus, session):
    run_id, token = _at_a_choice_when_the_login_expired(client, auth, casus)
    response = casus.post(run_id, "overleg", {"option": "afsluiten"}, token=token, headers=JSON)
    assert response.status_code == 401
    assert "Je keuze is onthouden" in client.get(response.json["login_url"]).get_data(as_text=True)


def test_forged_choices_from_an_absent_owner_are_not_kept(client, auth, casus, session):
    auth.register()
    run_id = casus.start()
    _to_choice(casus, run_id)
    token = casus.token(run_id)
    auth.logout()
    for data in ({"option": "bestaat-niet"}, {}, {"option": "x" * 5000}):
        assert casus.post(run_id, "overleg", data, token=token).status_code == 302
    assert _run(session, run_id).drafts == {}
