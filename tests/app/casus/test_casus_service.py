"""The casus service: summaries and completion in one query each, drafts, and ownership."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from course.casus.engine import StepNotCurrent
from course.casus.kinds import InputError
from course.db import CasusRun, User
from course.errors import DomainError, NotFound
from course.services import casuses as service


@pytest.fixture
def setup(app, auth, session, valid_catalog):
    auth.register()
    user = session.scalar(select(User))
    return user.id, valid_catalog.casuses["oefencasus"], valid_catalog.casuses


def test_summaries_and_completion_one_query_each(setup, session, count_queries):
    user_id, casus, casuses = setup
    first = service.start_or_resume(session, user_id, casus)
    assert service.start_or_resume(session, user_id, casus).id == first.id
    for step, raw in [("melding", {}), ("signalen", {}), ("overleg", {"option": ["afsluiten"]}),
                      ("reflectie", {"answer": ["x"]}), ("plan", {"field-zorgen": ["y"]})]:
        service.submit_step(session, user_id, first.id, step, raw, casuses=casuses)
    second = service.restart(session, user_id, casus)
    with count_queries() as counter:
        summaries = service.casus_summaries(session, user_id)
        completed = service.completed_casus_ids(session, user_id)
    assert counter.count == 2
    assert completed == {"oefencasus"}
    summary = summaries["oefencasus"]
    assert summary.runs == 2 and summary.completed and summary.in_progress_run_id == second.id


def test_drafts_and_refusals(setup, session):
    user_id, casus, casuses = setup
    run = service.start_or_resume(session, user_id, casus)
    with pytest.raises(StepNotCurrent):
        service.save_draft(session, user_id, run.id, "reflectie", "te vroeg", casuses=casuses)
    with pytest.raises(DomainError):
        service.save_draft(session, user_id, run.id, "melding", "geen tekststap", casuses=casuses)
    for step, raw in [("melding", {}), ("signalen", {}), ("overleg", {"option": ["collega"]})]:
        service.submit_step(session, user_id, run.id, step, raw, casuses=casuses)
    service.save_draft(session, user_id, run.id, "reflectie", "concept", casuses=casuses)
    with pytest.raises(InputError):
        service.save_draft(session, user_id, run.id, "reflectie", "x" * 5001, casuses=casuses)
    assert service.view_run(session, user_id, run.id, casuses=casuses).drafts == {"reflectie": "concept"}
    with pytest.raises(NotFound):
        service.view_run(session, user_id + 1, run.id, casuses=casuses)
    with pytest.raises(NotFound):
        service.submit_step(session, user_id + 1, run.id, "reflectie", {"answer": ["x"]}, casuses=casuses)


def test_unreadable_state_offers_restart(setup, session, client):
    user_id, casus, casuses = setup
    run = service.start_or_resume(session, user_id, casus)
    session.get(CasusRun, run.id).state = {"version": 1, "current": "verdwenen", "variables": {}, "path": []}
    session.commit()
    view = service.view_run(session, user_id, run.id, casuses=casuses)
    assert not view.readable
    assert "Opnieuw beginnen" in client.get(f"/casus/run/{run.id}").get_data(as_text=True)
    with pytest.raises(DomainError):
        service.submit_step(session, user_id, run.id, "melding", {}, casuses=casuses)
