"""An organisation's admin on a phone: the organisation's pages fit 360 px and pass axe, and an API key is
made with a chosen lifetime and shown once, readable in full."""

from __future__ import annotations

import re

import pytest

from course.db import Role
from course.services import accounts, orgs
from tests.conftest import enable_two_factor
from tests.e2e.conftest import PASSWORD, axe_check, log_in_with_code, unique_email

pytestmark = pytest.mark.e2e


def test_an_admin_on_a_phone_goes_through_the_organisation_pages_and_makes_an_api_key(new_page, live_server,
                                                                                     visits):
    email = unique_email("orgbeheer")
    slug = re.sub(r"[^a-z0-9-]", "-", email.split("@")[0])[:40]
    with live_server.app.extensions["leerlijn.db"].sessionmaker() as session:
        admin = accounts.create_user(session, email=email, name="Fatima Bakker", password=PASSWORD,
                                     role=Role.LEARNER)
        orgs.create_organisation(session, slug=slug, name="Jeugdzorg Noord", admin_email=email)
        secret = enable_two_factor(session, admin.id)
    page = new_page(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    log_in_with_code(page, live_server, email, secret)

    for path in ("/", "/uitnodigen", "/importeren", "/opdrachten/", "/opdrachten/nieuw", "/rapport",
                 "/api-sleutels"):
        page.goto(live_server(f"/organisatie/{slug}{path}"))
        axe_check(page, visits)  # also: nothing scrolls sideways at 360 px

    page.get_by_label("Naam van de sleutel").fill("AFAS koppeling")
    page.get_by_label("Leden lezen").check()
    page.get_by_label("90 dagen").check()
    page.get_by_role("button", name="Sleutel maken").click()

    token = page.get_by_label("Sleutel", exact=True)
    assert token.input_value().startswith("llapi_")
    box = token.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360  # the whole key in view to copy
    row = page.get_by_role("row", name="AFAS koppeling")
    assert "Leden lezen" in row.inner_text()
    axe_check(page, visits)
