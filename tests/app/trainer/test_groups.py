"""Groups: a trainer makes one, learners join with the code, the trainer sees progress and the group's
decisions in aggregate — only above the minimum, never a member's own texts unless they share them."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from course.db import Group, GroupMember, Role
from tests.app.casus.conftest import CasusActions
from tests.app.trainer.conftest import learners, location_id, logged_in, make_user, text


def make_group(trainer: FlaskClient, name: str = "Jeugdteam Noord") -> int:
    return location_id(trainer.post("/trainer/groepen/nieuw", data={"name": name, "starts_on": "2026-12-01",
                                                                    "ends_on": "2027-01-31"}),
                       r"/trainer/groepen/(\d+)$")


def join_code(session: Session, group_id: int) -> str:
    session.expire_all()
    return session.get(Group, group_id).join_code


def test_a_learner_sees_no_trainer_area(app: Flask, session: Session) -> None:
    (learner,) = learners(app, session, 1)
    assert learner.get("/trainer/").status_code == 403
    assert learner.post("/trainer/groepen/nieuw", data={"name": "x"}).status_code == 403
    assert "Trainer" not in text(learner.get("/groepen/"))


def test_a_trainer_creates_a_group_with_a_code_and_a_qr_code(trainer: FlaskClient, session: Session) -> None:
    group_id = make_group(trainer)
    page = trainer.get(f"/trainer/groepen/{group_id}")
    html = page.get_data(as_text=True)
    code = join_code(session, group_id)
    assert re.fullmatch(r"[A-HJ-NP-Z2-9]{8}", code)
    assert code in text(page) and "<svg" in html and 'class="qr-code"' in html
    assert f"/groepen/deelnemen/{code}" in html
    assert "Jeugdteam Noord" in text(trainer.get("/trainer/"))


def test_end_date_before_start_date_is_refused(trainer: FlaskClient, session: Session) -> None:
    response = trainer.post("/trainer/groepen/nieuw", data={"name": "X", "starts_on": "2027-01-02",
                                                            "ends_on": "2027-01-01"})
    assert response.status_code == 422 and "De einddatum ligt voor de begindatum." in text(response)
    assert session.scalars(select(Group)).all() == []


def test_learners_join_with_the_code_as_typed_and_twice_is_harmless(app: Flask, trainer: FlaskClient,
                                                                     session: Session) -> None:
    group_id = make_group(trainer)
    code = join_code(session, group_id)
    (learner,) = learners(app, session, 1)
    typed = f" {code[:4].lower()}-{code[4:]} "
    assert learner.post("/groepen/deelnemen", data={"code": typed}).status_code == 302
    assert learner.post("/groepen/deelnemen", data={"code": code}).status_code == 302
    assert len(session.scalars(select(GroupMember)).all()) == 1
    assert "Jeugdteam Noord" in text(learner.get("/groepen/"))
    assert "Cursist 0" in text(trainer.get(f"/trainer/groepen/{group_id}"))


def test_an_unknown_code_and_a_closed_group_say_why(app: Flask, trainer: FlaskClient, session: Session) -> None:
    (learner,) = learners(app, session, 1)
    response = learner.post("/groepen/deelnemen", data={"code": "ZZZZZZZZ"})
    assert response.status_code == 422 and "Er is geen groep met deze code." in text(response)
    group_id = make_group(trainer)
    assert trainer.post(f"/trainer/groepen/{group_id}/sluiten").status_code == 302
    response = learner.post("/groepen/deelnemen", data={"code": join_code(session, group_id)})
    assert response.status_code == 422 and "Deze groep is gesloten" in text(response)


def test_the_qr_link_only_fills_in_the_form(app: Flask, trainer: FlaskClient, session: Session) -> None:
    code = join_code(session, make_group(trainer))
    (learner,) = learners(app, session, 1)
    page = learner.get(f"/groepen/deelnemen/{code}")
    assert page.status_code == 200 and f'value="{code}"' in page.get_data(as_text=True)
    assert session.scalars(select(GroupMember)).all() == []


def test_the_trainer_removes_a_member_and_another_trainer_cannot(app: Flask, trainer: FlaskClient,
                                                                  session: Session) -> None:
    group_id = make_group(trainer)
    (learner,) = learners(app, session, 1)
    learner.post("/groepen/deelnemen", data={"code": join_code(session, group_id)})
    member_id = session.scalars(select(GroupMember.user_id)).one()
    make_user(session, "ander@example.org", role=Role.TRAINER)
    other = logged_in(app, "ander@example.org")
    assert other.get(f"/trainer/groepen/{group_id}").status_code == 404
    assert other.post(f"/trainer/groepen/{group_id}/leden/{member_id}/verwijderen").status_code == 404
    assert len(session.scalars(select(GroupMember)).all()) == 1
    assert trainer.post(f"/trainer/groepen/{group_id}/leden/{member_id}/verwijderen").status_code == 302
    assert session.scalars(select(GroupMember)).all() == []
    assert "Cursist 0" not in text(trainer.get(f"/trainer/groepen/{group_id}"))


def walk_casus(client: FlaskClient, overleg: str) -> None:
    actions = CasusActions(client)
    run_id = actions.start()
    actions.answer(run_id, "melding")
    actions.answer(run_id, "signalen", {"item": ["slaan"]})
    actions.answer(run_id, "overleg", {"option": overleg})
    actions.answer(run_id, "reflectie", {"answer": f"Mijn geheime gedachte bij {overleg}"})


def test_the_heatmap_shows_the_spread_only_from_five_members(app: Flask, trainer: FlaskClient,
                                                              session: Session) -> None:
    group_id = make_group(trainer)
    code = join_code(session, group_id)
    group = learners(app, session, 5)
    for n, learner in enumerate(group):
        learner.post("/groepen/deelnemen", data={"code": code})
        if n < 4:
            walk_casus(learner, "afsluiten" if n < 3 else "collega")
    page = text(trainer.get(f"/trainer/groepen/{group_id}"))
    assert "1 vraag of keuzemoment wordt nog niet getoond" in page
    assert "Ik sluit het dossier." not in page  # four members: withheld

    walk_casus(group[4], "collega")
    page = text(trainer.get(f"/trainer/groepen/{group_id}"))
    assert "40% van 5 deelnemers koos het aanbevolen antwoord." in page
    assert "Ik overleg met een collega. aanbevolen 40% (2)" in page
    assert "Ik sluit het dossier. 60% (3)" in page
    assert "geheime gedachte" not in page


def test_reflections_reach_the_trainer_only_while_shared(app: Flask, trainer: FlaskClient, session: Session) -> None:
    group_id = make_group(trainer)
    (learner,) = learners(app, session, 1)
    learner.post("/groepen/deelnemen", data={"code": join_code(session, group_id)})
    walk_casus(learner, "collega")
    assert "geheime gedachte" not in text(trainer.get(f"/trainer/groepen/{group_id}/reflecties"))
    assert learner.post(f"/groepen/{group_id}/delen", data={"share": "1"}).status_code == 302
    assert "Mijn geheime gedachte bij collega" in text(trainer.get(f"/trainer/groepen/{group_id}/reflecties"))
    learner.post(f"/groepen/{group_id}/delen", data={"share": "0"})
    assert "geheime gedachte" not in text(trainer.get(f"/trainer/groepen/{group_id}/reflecties"))


def test_a_learner_leaves_and_cannot_touch_a_group_they_are_not_in(app: Flask, trainer: FlaskClient,
                                                                    session: Session) -> None:
    group_id = make_group(trainer)
    a, b = learners(app, session, 2)
    a.post("/groepen/deelnemen", data={"code": join_code(session, group_id)})
    assert b.post(f"/groepen/{group_id}/delen", data={"share": "1"}).status_code == 404
    assert b.post(f"/groepen/{group_id}/verlaten").status_code == 404
    assert a.post(f"/groepen/{group_id}/verlaten").status_code == 302
    assert session.scalars(select(GroupMember)).all() == []


@pytest.mark.parametrize("members", [3, 12])
def test_the_group_page_needs_the_same_queries_for_any_group_size(app: Flask, trainer: FlaskClient,
                                                                   session: Session, count_queries, members: int
                                                                   ) -> None:
    group_id = make_group(trainer)
    code = join_code(session, group_id)
    for learner in learners(app, session, members, prefix=f"g{members}x"):
        learner.post("/groepen/deelnemen", data={"code": code})
    with count_queries() as counter:
        assert trainer.get(f"/trainer/groepen/{group_id}").status_code == 200
    assert counter.count <= 10, counter.statements


def test_trainer_guides_are_for_trainers_only(app: Flask, trainer: FlaskClient, session: Session) -> None:
    (learner,) = learners(app, session, 1)
    assert learner.get("/trainer/gids/").status_code == 403
    assert trainer.get("/trainer/gids/bestaat-niet").status_code == 404


def test_a_trainer_reads_a_guide_and_prepares_its_live_casus(trainer: FlaskClient) -> None:
    index = text(trainer.get("/trainer/gids/"))
    assert "Bijeenkomst bij de eerste module" in index and "120 minuten" in index
    page = trainer.get("/trainer/gids/eerste")
    assert "Kondig de casus vooraf aan." in text(page)
    assert "/trainer/live/nieuw?bron=casus:oefencasus" in page.get_data(as_text=True).replace("%3A", ":")
    form = trainer.get("/trainer/live/nieuw?bron=casus:oefencasus").get_data(as_text=True)
    assert re.search(r'<option selected value="casus:oefencasus">|<option value="casus:oefencasus" selected', form)
