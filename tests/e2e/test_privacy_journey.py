"""Privacy in a real browser: the privacy page, downloading all my data, deleting my account."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PASSWORD, axe_check, register, unique_email, wait_for_path

pytestmark = pytest.mark.e2e


def test_read_the_privacy_page_download_my_data_and_delete_my_account(page, live_server, visits):
    """A learner reads what is kept, downloads a JSON file with their data, then deletes the account for good."""
    email = unique_email("privacy")
    register(page, live_server, "Noor Jansen", email, visits)

    page.get_by_role("contentinfo").get_by_role("link", name="Privacy").click()
    wait_for_path(page, "/privacy")
    axe_check(page, visits)
    expect(page.get_by_text("Je reflecties en plannen zie alleen jij.")).to_be_visible()
    page.get_by_role("link", name="Naar je gegevens op de accountpagina").click()
    wait_for_path(page, "/account")
    axe_check(page, visits)

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download mijn gegevens (JSON)").click()
    download = download_info.value
    assert download.suggested_filename.startswith("leerlijn-gegevens-")
    data = json.loads(Path(download.path()).read_text(encoding="utf-8"))
    assert data["account"]["email"] == email and data["account"]["name"] == "Noor Jansen"

    page.get_by_role("link", name="Mijn account verwijderen").click()
    wait_for_path(page, "/account/verwijderen")
    axe_check(page, visits)
    page.get_by_label("Je wachtwoord").fill("niet-mijn-wachtwoord")
    page.get_by_label("Ik begrijp dat mijn account").check()
    page.get_by_role("button", name="Verwijder mijn account definitief").click()
    summary = page.locator("#error-summary")
    expect(summary.get_by_text("Dit wachtwoord klopt niet. Er is niets verwijderd.")).to_be_visible()
    axe_check(page, visits)

    page.get_by_label("Je wachtwoord").fill(PASSWORD)
    page.get_by_label("Ik begrijp dat mijn account").check()
    page.get_by_role("button", name="Verwijder mijn account definitief").click()
    wait_for_path(page, "/")
    expect(page.get_by_text("Je account en al je gegevens zijn verwijderd.")).to_be_visible()
    expect(page.get_by_role("link", name="Inloggen").first).to_be_visible()

    page.goto(live_server("/inloggen"))
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_text("Deze combinatie van e-mailadres en wachtwoord kennen we niet.")).to_be_visible()
