"""A casus file that changes after a run never changes or hides what that run showed: a finished run keeps
its choices and the learner's own texts, a run in progress goes on with the version it started on."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from course.catalog import Catalog, load_catalog
from course.db import CasusRun, CasusVersion, RunStatus
from tests.app.casus.conftest import CASUS, CasusActions
from tests.app.casus.test_casus_runs import RECOMMENDED_PATH
from tests.conftest import VALID_CONTENT, AuthActions, make_app

REFLECTION = "Ik werk <b>vooraan</b> in de keten."


@pytest.fixture
def content(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(VALID_CONTENT, root)
    return root


def edit_casus(root: Path) -> Catalog:
    """Rename the reflection step and reword a choice, as an author might; the course reloaded after it."""
    path = root / "casuses" / f"{CASUS}.yaml"
    text = path.read_text(encoding="utf-8")
    edited = (text.replace("id: reflectie", "id: jouw-rol").replace("goto: reflectie", "goto: jouw-rol")
              .replace("next: reflectie", "next: jouw-rol")
              .replace("Ik overleg met een collega.", "Ik bespreek het met een collega."))
    assert edited.count("jouw-rol") >= 3
    path.write_text(edited, encoding="utf-8")
    return load_catalog(root)


def browser(app) -> tuple[AuthActions, CasusActions]:
    client = app.test_client()
    return AuthActions(client), CasusActions(client)


def test_a_finished_run_shows_its_own_version_after_the_casus_file_changed(connection, tmp_path, content, session):
    """After an author edits the casus, the learner's finished run still shows their reflection and choices."""
    before = make_app(connection, load_catalog(content), tmp_path)
    auth, casus = browser(before)
    auth.register()
    run_id = casus.start()
    for step, data in RECOMMENDED_PATH:
        casus.answer(run_id, step, data)

    after = make_app(connection, edit_casus(content), tmp_path)
    auth, casus = browser(after)
    auth.login()
    page = casus.page(run_id)
    assert "veranderd" not in page and "aangepast" not in page
    assert "Jouw pad naast het aanbevolen pad" in page  # the debrief
    assert "Ik overleg met een collega." in page and "Ik bespreek het" not in page  # the choice as it was shown
    assert "Ik werk &lt;b&gt;vooraan&lt;/b&gt; in de keten." in page  # the learner's own reflection
    assert "Vader slaat." in page and "Ik bel moeder." in page  # and plan
    printed = casus.client.get(f"/casus/run/{run_id}/afdrukken").get_data(as_text=True)
    assert "Ik werk &lt;b&gt;vooraan" in printed and "Ik overleg met een collega." in printed
    assert "Ik bel moeder." in printed
    # A new run gets the new version.
    new_run = casus.restart()
    casus.answer(new_run, "melding")
    casus.answer(new_run, "signalen", {"item": ["slaan"]})
    assert "Ik bespreek het met een collega." in casus.page(new_run)
    assert session.scalar(select(func.count()).select_from(CasusVersion)) == 2


def test_a_run_in_progress_goes_on_with_its_version_and_keeps_its_draft(connection, tmp_path, content, session):
    """A learner halfway through when the casus changes is told so, keeps their draft and can finish."""
    before = make_app(connection, load_catalog(content), tmp_path)
    auth, casus = browser(before)
    auth.register()
    run_id = casus.start()
    for step, data in RECOMMENDED_PATH[:3]:
        casus.answer(run_id, step, data)
    assert casus.post(run_id, "reflectie", {"answer": "Half af"}, action="draft").status_code == 302

    after = make_app(connection, edit_casus(content), tmp_path)
    auth, casus = browser(after)
    auth.login()
    page = casus.page(run_id)
    assert "Deze casus is aangepast sinds je deze poging begon." in page
    assert "Half af" in page and 'name="step" value="reflectie"' in page
    for step, data in RECOMMENDED_PATH[3:]:
        casus.answer(run_id, step, data)
    page = casus.page(run_id)
    assert "Jouw pad naast het aanbevolen pad" in page and "Ik werk &lt;b&gt;vooraan" in page
    session.expire_all()
    assert session.get(CasusRun, run_id).status == RunStatus.COMPLETED


def test_a_run_started_before_versions_were_kept_still_meets_the_current_file(connection, tmp_path, content,
                                                                              session):
    """Without a kept version (runs from before this), a changed casus offers a fresh start, as before."""
    before = make_app(connection, load_catalog(content), tmp_path)
    auth, casus = browser(before)
    auth.register()
    run_id = casus.start()
    casus.answer(run_id, "melding")
    session.execute(CasusVersion.__table__.delete())
    session.commit()

    after = make_app(connection, edit_casus(content), tmp_path)
    auth, casus = browser(after)
    auth.login()
    page = casus.page(run_id)
    assert "aangepast" not in page and "Welke signalen zie je?" in page  # the state still fits the new file


def test_a_version_that_is_no_longer_valid_falls_back_to_the_current_file(valid_catalog):
    """An old text that does not load any more (a module removed since…) is not used."""
    current = valid_catalog.casuses[CASUS]
    assert valid_catalog.casus_version(CASUS, current.source) is current
    broken = current.source.replace("module: eerste", "module: bestaat-niet")
    assert valid_catalog.casus_version(CASUS, broken) is None
    assert valid_catalog.casus_version("ander", current.source) is None  # the id must match


def test_reflections_shared_with_a_trainer_survive_a_changed_casus(connection, tmp_path, content, session):
    """A learner who shares reflections with their group's trainer: the trainer still reads them after an edit."""
    from course.db import Role
    from tests.app.trainer.conftest import logged_in, make_user, text
    from tests.app.trainer.test_groups import join_code, make_group

    before = make_app(connection, load_catalog(content), tmp_path)
    make_user(session, "trainer@example.org", Role.TRAINER)
    group_id = make_group(logged_in(before, "trainer@example.org"))
    auth, casus = browser(before)
    auth.register()
    assert casus.client.post("/groepen/deelnemen", data={"code": join_code(session, group_id)}).status_code == 302
    assert casus.client.post(f"/groepen/{group_id}/delen", data={"share": "1"}).status_code == 302
    run_id = casus.start()
    for step, data in RECOMMENDED_PATH:
        casus.answer(run_id, step, data)

    after = make_app(connection, edit_casus(content), tmp_path)
    page = text(logged_in(after, "trainer@example.org").get(f"/trainer/groepen/{group_id}/reflecties"))
    assert "Jouw rol Ik werk &lt;b&gt;vooraan&lt;/b&gt; in de keten." in page
