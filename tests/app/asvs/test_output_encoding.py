"""What people type comes back as text, never as markup (ASVS 4.0.3 V5.3.3; 5.0 V1.2.1)."""

from __future__ import annotations

from sqlalchemy import update

from course.db import User
from course.services import casuses as casus_service
from tests.app.asvs.conftest import log_in

HOSTILE = '<img src=x onerror="alert(1)"><script>alert(2)</script>'


def test_a_name_and_a_reflection_full_of_markup_are_shown_as_text(client, session, full_catalog, actors):
    learner = actors["learner"].learner
    session.execute(update(User).where(User.id == learner.id).values(name=HOSTILE))
    session.commit()
    casuses = full_catalog.casuses
    run = casus_service.restart(session, learner.id, casuses["oefencasus"])
    for step, raw in [("melding", {}), ("signalen", {"item": ["slaan"]}), ("overleg", {"option": ["afsluiten"]}),
                      ("reflectie", {"answer": [HOSTILE]})]:
        casus_service.submit_step(session, learner.id, run.id, step, raw, casuses=casuses)
    log_in(client, learner.email)
    pages = [client.get(url).get_data(as_text=True) for url in
             ["/account", f"/casus/run/{run.id}", f"/casus/run/{run.id}/afdrukken"]]
    log_in(admin := client.application.test_client(), actors["site_admin"].learner.email)
    pages.append(admin.get("/beheer/gebruikers").get_data(as_text=True))
    for html in pages:
        assert "<script>alert(2)" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in pages[0] and "&lt;script&gt;alert(2)" in pages[2]
    assert "&lt;img src=x" in pages[3]
