"""A live session in two browsers: the trainer's projector and a participant's phone. Each sees the other's
actions without reloading by hand: the phone shows the question when the trainer starts, the projector
counts the answer, and the result bars appear when the trainer presses R."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy.orm import Session

from course.db import Role
from course.services.accounts import create_user
from tests.e2e.conftest import PASSWORD, LiveServer, axe_check, unique_email, wait_for_path

pytestmark = pytest.mark.e2e


def log_in(page: Any, server: LiveServer, email: str) -> None:
    page.goto(server("/inloggen"))
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    wait_for_path(page, "/")


def test_the_phone_follows_the_projector_and_the_projector_counts_the_phone(live_server: LiveServer,
                                                                             new_page: Any, visits: Any) -> None:
    email = unique_email("trainer")
    with Session(live_server.app.extensions["leerlijn.db"].engine) as session:
        create_user(session, email=email, name="Tara Trainer", password=PASSWORD, role=Role.TRAINER)

    trainer = new_page()
    log_in(trainer, live_server, email)
    trainer.goto(live_server("/trainer/live/nieuw"))
    axe_check(trainer, visits)
    trainer.get_by_label("Titel op het scherm").fill("Meldcode in de praktijk")
    trainer.get_by_label("Wat wil je met de groep doen?").select_option("prompts")
    trainer.get_by_label("Toon uitslagen vanaf zoveel antwoorden").fill("1")
    trainer.locator("#prompts-0-kind").select_option("single")
    trainer.locator("#prompts-0-text").fill("Bel je Veilig Thuis voor advies?")
    trainer.locator("#prompts-0-options").fill("Ja, vandaag\nEerst overleggen met een collega")
    trainer.get_by_role("button", name="Sessie aanmaken").click()
    code = trainer.locator("strong.code").first.inner_text()
    assert re.fullmatch(r"[A-Z2-9]{6}", code)
    trainer.goto(trainer.url + "/scherm")
    axe_check(trainer, visits)
    assert trainer.locator(".big-code").inner_text() == code

    phone = new_page(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    phone.goto(live_server("/live"))
    phone.get_by_label("Sessiecode").fill(code.lower())
    phone.get_by_role("button", name="Meedoen").click()
    phone.get_by_role("button", name="Meedoen").click()
    phone.get_by_text("Wacht tot de trainer begint").wait_for()
    axe_check(phone, visits)

    # The projector counts the participant without a reload.
    trainer.get_by_text("1 deelnemer").wait_for()
    trainer.keyboard.press("s")  # start
    trainer.get_by_text("Bel je Veilig Thuis voor advies?").wait_for()

    # The phone shows the question by itself, and the answer goes in.
    phone.get_by_label("Eerst overleggen met een collega").check(timeout=15_000)
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    axe_check(phone, visits)
    phone.get_by_role("button", name="Versturen").click()
    phone.get_by_text("Je antwoord is binnen.").first.wait_for()
    assert "Eerst overleggen met een collega" in phone.locator("[role=status]").first.inner_text()

    trainer.get_by_text("1 antwoord", exact=True).wait_for(timeout=15_000)
    trainer.keyboard.press("r")  # show the result
    bar = trainer.locator(".bars .bar").filter(has_text="Eerst overleggen")
    bar.wait_for()
    assert "100% (1)" in bar.inner_text()
    assert "0% (0)" in trainer.locator(".bars .bar").filter(has_text="Ja, vandaag").inner_text()
    axe_check(trainer, visits)

    trainer.keyboard.press("e")  # end
    phone.get_by_text("De sessie is afgelopen").wait_for(timeout=15_000)
