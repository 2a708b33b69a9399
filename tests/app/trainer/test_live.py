"""Live sessions: the trainer runs them from a console and a projector view; participants join with the
code (with or without an account) and answer on their phones."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from course.certification import minutes_on_task
from course.db import CasusRun, LiveAnswer, LiveParticipant, LiveSession, ModuleSummary, RunStatus, TimeOnTask
from tests.app.trainer.conftest import learners, location_id, text


def new_session(trainer: FlaskClient, source: str = "quiz:eerste-toets", **extra: str) -> int:
    data = {"title": "Training meldcode", "source": source, "min_results": "2", **extra}
    return location_id(trainer.post("/trainer/live/nieuw", data=data), r"/trainer/live/(\d+)$")


def live_row(session: Session, live_id: int) -> LiveSession:
    session.expire_all()
    return session.get(LiveSession, live_id)


def act(trainer: FlaskClient, session: Session, live_id: int, action: str, version: int | None = None) -> str:
    version = live_row(session, live_id).version if version is None else version
    response = trainer.post(f"/trainer/live/{live_id}/bediening", data={"action": action, "version": version},
                            follow_redirects=True)
    assert response.status_code == 200
    return text(response)


def join(app: Flask, code: str, name: str | None = None) -> FlaskClient:
    phone = app.test_client()
    assert phone.get(f"/live/{code}").status_code == 200
    data = {"name": name} if name else {}
    assert phone.post(f"/live/{code}/meedoen", data=data).status_code == 302
    return phone


def current_key(phone: FlaskClient, code: str) -> str:
    match = re.search(r'name="item" type="hidden" value="([^"]+)"', phone.get(f"/live/{code}").get_data(as_text=True))
    assert match, "no open question on the phone"
    return match[1]


def vote(phone: FlaskClient, code: str, *answers: str, key: str | None = None) -> str:
    response = phone.post(f"/live/{code}/antwoord", data={"item": key or current_key(phone, code),
                                                          "answer": list(answers)}, follow_redirects=True)
    return text(response)


def test_a_quiz_session_from_lobby_to_summary(app: Flask, trainer: FlaskClient, session: Session) -> None:
    live_id = new_session(trainer)
    code = live_row(session, live_id).code
    assert re.fullmatch(r"[A-HJ-NP-Z2-9]{6}", code)
    screen = text(trainer.get(f"/trainer/live/{live_id}/scherm"))
    assert code in screen and "0 deelnemers" in screen

    phones = [join(app, code) for _ in range(3)]
    assert "Wacht tot de trainer begint" in text(phones[0].get(f"/live/{code}"))
    assert "3 deelnemers" in text(trainer.get(f"/trainer/live/{live_id}/scherm"))

    act(trainer, session, live_id, "start")
    assert "Vraag 1 van 3" in text(trainer.get(f"/trainer/live/{live_id}/scherm"))  # choice and true/false only
    assert "Je antwoord is binnen." in vote(phones[0], code, "b")
    vote(phones[1], code, "b")
    vote(phones[2], code, "a")
    screen = act(trainer, session, live_id, "show_results")
    assert "3 antwoorden" in screen
    assert "67% (2)" in screen and "33% (1)" in screen
    assert "aanbevolen" not in screen.split("Notities voor de trainer")[0].split("Wat de groep nu ziet")[1]

    late = join(app, code)
    act(trainer, session, live_id, "show_answer")
    screen = text(trainer.get(f"/trainer/live/{live_id}/scherm"))
    assert "Toelichting" in screen and "aanbevolen" in screen
    assert "Antwoorden is nu gesloten." in text(late.get(f"/live/{code}"))
    assert "Je antwoord is binnen." in text(phones[0].get(f"/live/{code}"))

    act(trainer, session, live_id, "next")
    assert "Vraag 2 van 3" in text(trainer.get(f"/trainer/live/{live_id}/scherm"))
    act(trainer, session, live_id, "end")
    assert "De sessie is afgelopen" in text(phones[2].get(f"/live/{code}"))
    summary = text(trainer.get(f"/trainer/live/{live_id}/samenvatting"))
    assert "Vraag 1" in summary and "67% (2)" in summary
    csv = trainer.get(f"/trainer/live/{live_id}/uitslagen.csv")
    assert csv.mimetype == "text/csv"
    body = csv.get_data(as_text=True)
    assert body.startswith("\ufeffvraag;nummer;antwoord;aantal;procent;aanbevolen")
    assert ";2;67;" in body


def test_results_stay_hidden_below_the_minimum(app: Flask, trainer: FlaskClient, session: Session) -> None:
    live_id = new_session(trainer, min_results="3")
    code = live_row(session, live_id).code
    phones = [join(app, code) for _ in range(2)]
    act(trainer, session, live_id, "start")
    for phone in phones:
        vote(phone, code, "a")
    screen = act(trainer, session, live_id, "show_results")
    assert "De uitslag verschijnt vanaf 3 antwoorden." in screen and "100% (2)" not in screen


def test_one_answer_per_participant_and_none_after_the_lock(app: Flask, trainer: FlaskClient,
                                                            session: Session) -> None:
    live_id = new_session(trainer)
    code = live_row(session, live_id).code
    phone = join(app, code)
    act(trainer, session, live_id, "start")
    key = current_key(phone, code)
    vote(phone, code, "a", key=key)
    assert "Je had deze vraag al beantwoord; je eerste antwoord telt." in vote(phone, code, "b", key=key)
    late = join(app, code)
    act(trainer, session, live_id, "lock")
    assert "Antwoorden is gesloten voor deze vraag." in vote(late, code, "a", key=key)
    act(trainer, session, live_id, "open")
    act(trainer, session, live_id, "next")
    assert "Deze vraag is niet meer aan de beurt" in vote(late, code, "a", key=key)
    values = session.scalars(select(LiveAnswer.value)).all()
    assert values == ["a"]


def test_forged_answers_and_codes_change_nothing(app: Flask, trainer: FlaskClient, session: Session) -> None:
    live_id = new_session(trainer)
    code = live_row(session, live_id).code
    phone = join(app, code)
    act(trainer, session, live_id, "start")
    assert phone.post(f"/live/{code}/antwoord", data={"item": current_key(phone, code),
                                                     "answer": "zzz"}).status_code == 400
    assert phone.get("/live/ZZZZZZ").status_code == 404
    assert phone.post("/live/ZZZZZZ/antwoord", data={"item": "x", "answer": "a"}).status_code == 404
    stranger = app.test_client()
    response = stranger.post(f"/live/{code}/antwoord", data={"item": "q-enkel", "answer": "a"}, follow_redirects=True)
    assert "Doe eerst mee met de sessie" in text(response)
    assert session.scalar(select(func.count(LiveAnswer.id))) == 0


def test_a_double_clicked_next_moves_one_question(app: Flask, trainer: FlaskClient, session: Session) -> None:
    live_id = new_session(trainer)
    act(trainer, session, live_id, "start")
    version = live_row(session, live_id).version
    act(trainer, session, live_id, "next", version)
    page = act(trainer, session, live_id, "next", version)
    assert "De sessie was intussen al veranderd" in page
    assert live_row(session, live_id).state["index"] == 1


def test_rejoining_keeps_the_participant_and_their_answer(app: Flask, trainer: FlaskClient,
                                                          session: Session) -> None:
    live_id = new_session(trainer, ask_names="y")
    code = live_row(session, live_id).code
    phone = join(app, code, name="Sam")
    act(trainer, session, live_id, "start")
    vote(phone, code, "a")
    phone.post(f"/live/{code}/meedoen", data={"name": "Sam"})
    page = text(phone.get(f"/live/{code}"))
    assert "Je doet mee als Sam." in page and "Je antwoord is binnen." in page
    assert session.scalar(select(func.count(LiveParticipant.id))) == 1


def test_names_are_dropped_unless_the_trainer_asks(app: Flask, trainer: FlaskClient, session: Session) -> None:
    live_id = new_session(trainer)
    join(app, live_row(session, live_id).code, name="Sam")
    assert session.scalars(select(LiveParticipant.display_name)).all() == [None]


def test_other_trainers_and_learners_cannot_reach_a_session(app: Flask, trainer: FlaskClient,
                                                            session: Session) -> None:
    live_id = new_session(trainer)
    (learner,) = learners(app, session, 1)
    for url in (f"/trainer/live/{live_id}", f"/trainer/live/{live_id}/scherm", f"/trainer/live/{live_id}/stand"):
        assert learner.get(url).status_code == 403
    assert learner.post(f"/trainer/live/{live_id}/bediening", data={"action": "end", "version": 1}).status_code == 403


def test_prompts_poll_rating_words_and_moderated_open_answers(app: Flask, trainer: FlaskClient,
                                                              session: Session) -> None:
    data = {"prompts-0-kind": "open", "prompts-0-text": "Wat raakte je?",
            "prompts-1-kind": "single", "prompts-1-text": "Bel je Veilig Thuis?", "prompts-1-options": "Ja\nNee",
            "prompts-2-kind": "rating", "prompts-2-text": "Hoe zeker ben je?",
            "prompts-3-kind": "words", "prompts-3-text": "Drie woorden voor veiligheid"}
    live_id = new_session(trainer, "prompts", **data)
    code = live_row(session, live_id).code
    a, b = join(app, code), join(app, code)
    act(trainer, session, live_id, "start")
    vote(a, code, "Dat het kind niets zei")
    vote(b, code, "Naam van een cliënt")
    console = trainer.get(f"/trainer/live/{live_id}").get_data(as_text=True)
    hidden_id = re.search(r'name="answer_id" value="(\d+)"><input type="hidden" name="hidden" value="1">'
                          r'\s*<button[^>]*>Verbergen', console.split("Naam van een cliënt")[1])
    assert hidden_id
    trainer.post(f"/trainer/live/{live_id}/antwoorden", data={"answer_id": hidden_id[1], "hidden": "1"})
    screen = act(trainer, session, live_id, "show_results")
    assert "Dat het kind niets zei" in screen.split("Open antwoorden")[0]
    assert "Naam van een cliënt" not in screen.split("Open antwoorden")[0]
    act(trainer, session, live_id, "next")
    vote(a, code, "o1")
    vote(b, code, "o1")
    assert "100% (2)" in act(trainer, session, live_id, "show_results")
    act(trainer, session, live_id, "next")
    vote(a, code, "4")
    vote(b, code, "5")
    assert "Gemiddeld: 4,5" in act(trainer, session, live_id, "show_results")
    act(trainer, session, live_id, "next")
    vote(a, code, "rust veiligheid")
    vote(b, code, "Rust")
    screen = act(trainer, session, live_id, "show_results")
    assert "rust (2)" in screen and "veiligheid (1)" in screen


def test_a_poll_without_options_is_refused_with_a_message(trainer: FlaskClient, session: Session) -> None:
    response = trainer.post("/trainer/live/nieuw", data={"title": "X", "source": "prompts", "min_results": "3",
                                                         "prompts-0-kind": "single", "prompts-0-text": "Ja of nee?"})
    assert response.status_code == 422 and "Een peiling heeft 2 tot 8 antwoordmogelijkheden" in text(response)
    assert session.scalars(select(LiveSession)).all() == []


def test_polling_answers_304_until_something_changes(app: Flask, trainer: FlaskClient, session: Session) -> None:
    live_id = new_session(trainer)
    code = live_row(session, live_id).code
    phone = join(app, code)
    first = phone.get(f"/live/{code}/stand")
    etag = first.headers["ETag"]
    assert phone.get(f"/live/{code}/stand", headers={"If-None-Match": etag}).status_code == 304
    presenter = trainer.get(f"/trainer/live/{live_id}/stand")
    assert trainer.get(f"/trainer/live/{live_id}/stand",
                       headers={"If-None-Match": presenter.headers["ETag"]}).status_code == 304
    act(trainer, session, live_id, "start")
    assert phone.get(f"/live/{code}/stand", headers={"If-None-Match": etag}).status_code == 200
    join(app, code)  # a new participant changes the presenter's count
    assert trainer.get(f"/trainer/live/{live_id}/stand",
                       headers={"If-None-Match": presenter.headers["ETag"]}).status_code == 200


def test_a_live_casus_follows_the_path_the_trainer_takes(app: Flask, trainer: FlaskClient, session: Session
                                                         ) -> None:
    live_id = new_session(trainer, "casus:oefencasus")
    code = live_row(session, live_id).code
    (learner,) = learners(app, session, 1)
    learner.post(f"/live/{code}/meedoen")
    anon = join(app, code)
    act(trainer, session, live_id, "start")

    def take(*chosen: str) -> str:
        version = live_row(session, live_id).version
        return text(trainer.post(f"/trainer/live/{live_id}/pad", data={"version": version, "chosen": list(chosen)},
                                 follow_redirects=True))

    assert "De huisarts verwijst Tim door." in text(anon.get(f"/live/{code}"))
    take()
    vote(anon, code, "slaan")
    vote(learner, code, "slaan", "sport")
    take("slaan")
    vote(anon, code, "afsluiten")
    vote(learner, code, "afsluiten")
    console = trainer.get(f"/trainer/live/{live_id}").get_data(as_text=True)
    assert re.search(r'value="afsluiten" id="chosen-afsluiten" checked', console)  # the majority is preselected
    take("collega")  # the trainer deliberately takes the other path
    assert "Waar in de keten werk jij?" in text(anon.get(f"/live/{code}"))
    take()
    assert "Wat heb je besproken?" in text(anon.get(f"/live/{code}"))  # the colleague branch
    take("feiten")
    take()
    assert "Zo verliep de casus." in text(anon.get(f"/live/{code}"))
    act(trainer, session, live_id, "end")
    summary = text(trainer.get(f"/trainer/live/{live_id}/samenvatting"))
    assert "Het pad van de groep" in summary and "1 van 1 keuzes volgden de aanbeveling." in summary

    assert learner.post(f"/live/{code}/bewaren").status_code == 302
    assert learner.post(f"/live/{code}/bewaren").status_code == 302
    runs = session.scalars(select(CasusRun)).all()
    assert len(runs) == 1 and runs[0].status == RunStatus.COMPLETED
    # The kept run counts as time on task in the learner's stored figure, as the report reads it.
    stored = session.execute(select(TimeOnTask.user_id, TimeOnTask.minutes_on_task)).all()
    assert stored == [(runs[0].user_id, minutes_on_task([(runs[0].started_at, runs[0].completed_at)]))]
    # So does the casus in their standing per module, stored after that figure (the report reads it).
    kept = session.execute(select(ModuleSummary.module_id, ModuleSummary.casuses_done, ModuleSummary.basis)
                           .where(ModuleSummary.user_id == runs[0].user_id, ModuleSummary.casuses_done > 0)).all()
    version = session.scalar(select(TimeOnTask.version))
    assert kept == [(app.extensions["leerlijn.catalog"].casuses[runs[0].casus_id].module, 1, version)]
    assert "/inloggen" in anon.post(f"/live/{code}/bewaren").headers["Location"]


def test_a_casus_fork_without_a_choice_asks_for_one(app: Flask, trainer: FlaskClient, session: Session) -> None:
    live_id = new_session(trainer, "casus:oefencasus")
    act(trainer, session, live_id, "start")
    for chosen in ([], ["slaan"]):
        trainer.post(f"/trainer/live/{live_id}/pad", data={"version": live_row(session, live_id).version,
                                                           "chosen": chosen})
    before = live_row(session, live_id).version
    page = text(trainer.post(f"/trainer/live/{live_id}/pad", data={"version": before}, follow_redirects=True))
    assert "Kies een van de mogelijkheden." in page
    assert live_row(session, live_id).version == before
