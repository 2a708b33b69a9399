"""Single sign-on in a real browser, against the real OpenID Connect provider of tests/app/sso/provider.py: the
login page's button, finding the organisation by the work address, the provider and back (the site's CSP and
cookies as they are), and a provider that signs with another key ending on the login page with a message."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from course.db import Organisation, User
from course.services import sso
from tests.app.sso.provider import Provider, Running
from tests.e2e.conftest import axe_check, wait_for_path

pytestmark = pytest.mark.e2e

SECRET = "e2e-geheim-0123456789"


@pytest.fixture(scope="module")
def running_provider() -> Iterator[Provider]:
    running = Running(Provider())
    yield running.provider
    running.stop()


@pytest.fixture
def organisation(live_server, running_provider, monkeypatch) -> tuple[str, str]:
    """An organisation of the e2e database that signs its people in through the provider: (slug, domain)."""
    slug = f"sso-e2e-{os.getpid()}"
    domain = f"{slug}.example.org"
    app = live_server.app
    monkeypatch.setitem(app.config, "SSO_ALLOW_HTTP", True)  # the provider speaks http on 127.0.0.1
    monkeypatch.setitem(app.config, "SSO_ALLOW_PRIVATE_HOSTS", True)
    monkeypatch.setenv(sso.secret_variable(slug), SECRET)
    running_provider.reset()
    running_provider.register("leerlijn-e2e", SECRET, live_server(f"/sso/{slug}/callback"))
    session = app.extensions["leerlijn.db"].sessionmaker()
    try:
        if session.scalar(select(Organisation).where(Organisation.slug == slug)) is None:
            session.add(Organisation(slug=slug, name="Wijkteam Oost"))
            session.commit()
        sso.configure(session, None, slug, environ=os.environ, key=None, allow_http=True,
                      issuer=running_provider.issuer, client_id="leerlijn-e2e", domains=[domain])
    finally:
        session.close()
    return slug, domain


def test_a_new_colleague_signs_in_through_the_organisation_on_a_phone(new_page, live_server, visits,
                                                                      running_provider, organisation):
    """From the login page to the course, with an account made on the way; every page passes axe."""
    _slug, domain = organisation
    running_provider.sign_in_as("e2e-anna", f"anna@{domain}", name="Anna de Wit")
    page = new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)

    page.goto(live_server("/inloggen"))
    page.get_by_role("link", name="Inloggen via je organisatie").click()
    wait_for_path(page, "/inloggen/organisatie")
    axe_check(page, visits)
    page.get_by_label("E-mailadres van je werk").fill(f"anna@{domain}")
    page.get_by_role("button", name="Verder").click()
    onward = page.get_by_role("link", name="Verder naar Wijkteam Oost")
    onward.wait_for()
    axe_check(page, visits)
    onward.click()  # to the provider, and straight back

    wait_for_path(page, "/")
    assert "Welkom, Anna de Wit. Je bent ingelogd via Wijkteam Oost." in page.inner_text("body")
    axe_check(page, visits)
    session = live_server.app.extensions["leerlijn.db"].sessionmaker()
    try:
        assert session.scalar(select(User.name).where(User.email == f"anna@{domain}")) == "Anna de Wit"
    finally:
        session.close()

    # Logging out takes the phone to the provider to log out there too (past the CSP), and back.
    page.locator("details.account-menu summary").click()
    page.get_by_role("button", name="Uitloggen").click()
    wait_for_path(page, "/inloggen")
    assert len(running_provider.logouts) == 1 and running_provider.person == {}
    assert "Je bent uitgelogd." in page.inner_text("body")
    axe_check(page, visits)


def test_a_forged_signature_ends_on_the_login_page_with_a_message(new_page, live_server, visits, running_provider,
                                                                  organisation):
    """The provider signing with a key it did not publish: back on the login page, told why, not logged in."""
    slug, domain = organisation
    running_provider.sign_in_as("e2e-bram", f"bram@{domain}")
    running_provider.misbehave["sign_with_other_key"] = True
    page = new_page()

    page.goto(live_server(f"/sso/{slug}/login"))

    wait_for_path(page, "/inloggen")
    assert "niet echt ondertekend" in page.inner_text("body")
    axe_check(page, visits)
    page.goto(live_server("/voortgang"))
    wait_for_path(page, "/inloggen")
