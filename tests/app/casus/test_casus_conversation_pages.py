"""A conversation in the browser: the learner reads what the parent says, chooses a line and hears the reply."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import Connection, select

from course.catalog import load_catalog
from course.db import CasusDecision
from tests.conftest import FIXTURES, VALID_CONTENT, make_app

GESPREK = FIXTURES / "content" / "casus" / "conversation" / "gesprek.yaml"


@pytest.fixture(scope="module")
def conversation_catalog(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("gesprek") / "course"
    shutil.copytree(VALID_CONTENT, root)
    text = GESPREK.read_text(encoding="utf-8").replace("module: meldcode", "module: tweede")
    (root / "casuses" / "gesprek.yaml").write_text(text, encoding="utf-8")
    return load_catalog(root)


@pytest.fixture
def app(connection: Connection, conversation_catalog, tmp_path: Path) -> Flask:
    return make_app(connection, conversation_catalog, tmp_path)


def _start(client) -> int:
    response = client.post("/casus/gesprek/starten")
    assert response.status_code == 302
    return int(re.search(r"/casus/run/(\d+)", response.headers["Location"])[1])


def _say(client, run_id: int, step: str, option: str | None):
    page = client.get(f"/casus/run/{run_id}").get_data(as_text=True)
    token = re.search(r'name="run_token" value="([^"]+)"', page)[1]
    data = {"run_token": token, "step": step, "action": "submit"}
    if option:
        data["option"] = option
    return client.post(f"/casus/run/{run_id}", data=data)


def test_the_parent_answers_according_to_what_the_learner_said(client, auth, session):
    auth.register()
    run_id = _start(client)
    page = client.get(f"/casus/run/{run_id}").get_data(as_text=True)
    assert "Moeder van Sam:" in page and "Waarom wilde u mij spreken?" in page
    assert "Wat zeg je tegen Moeder van Sam?" in page and 'name="option"' in page

    assert _say(client, run_id, "opening", None).status_code == 422  # nothing chosen: asked again
    assert _say(client, run_id, "opening", "zorg-benoemen").status_code == 302
    page = client.get(f"/casus/run/{run_id}").get_data(as_text=True)
    assert "Jij:" in page and "Ik maak me zorgen over Sam." in page
    assert "hij slaapt slecht de laatste tijd" in page  # the reply to this line
    assert "(Ze kijkt je afwachtend aan.)" in page and "jas aan" not in page  # the next opening, by state

    assert _say(client, run_id, "doorvragen", "open-vraag").status_code == 302
    page = client.get(f"/casus/run/{run_id}").get_data(as_text=True)
    assert "Mijn man drinkt weer." in page  # trust was built, so she tells
    assert "Nabespreking" in page and "Moeder vertrouwde je genoeg" in page
    recorded = session.scalars(select(CasusDecision.choice).where(CasusDecision.run_id == run_id)
                               .order_by(CasusDecision.position)).all()
    assert recorded == [{"option": "zorg-benoemen", "reply": "0"}, {"option": "open-vraag", "reply": "0"}]


def test_an_accusation_closes_the_conversation(client, auth):
    auth.register()
    run_id = _start(client)
    _say(client, run_id, "opening", "beschuldigen")
    page = client.get(f"/casus/run/{run_id}").get_data(as_text=True)
    assert "Ik ga nu weg." in page and "(Ze staat met haar jas aan bij de deur.)" in page
    assert "Aanbevolen:" in page and "Ik wil graag horen hoe u dat ziet." in page
    _say(client, run_id, "doorvragen", "open-vraag")
    page = client.get(f"/casus/run/{run_id}").get_data(as_text=True)
    assert "Dat gaat u niets aan." in page and "Mijn man drinkt weer." not in page
