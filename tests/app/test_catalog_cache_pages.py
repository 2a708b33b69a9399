"""A restarted app reads the course back from its cache: learners see exactly what a full load shows them."""

from __future__ import annotations

from pathlib import Path

from app.config import REPO_ROOT
from course.catalog_cache import load_catalog_cached
from tests.conftest import AuthActions, make_app, without_csrf_tokens


def test_the_real_course_read_back_from_the_cache_shows_every_page_as_loaded(connection, tmp_path: Path):
    """After a restart a learner sees the same pages, embedded questions, quiz and casus as before it."""
    loaded = load_catalog_cached(REPO_ROOT, None, tmp_path / "cache")  # loaded in full, and kept
    cached = load_catalog_cached(REPO_ROOT, None, tmp_path / "cache")
    assert cached is not loaded and cached == loaded
    module, casus = loaded.modules[0], next(iter(loaded.casuses))
    quiz = loaded.quiz_for_module(module.id).id
    paths = ["/", f"/modules/{module.id}/", *(f"/modules/{module.id}/{p.id}" for p in module.pages),
             f"/quiz/{quiz}/", f"/casus/{casus}/", "/interventies", "/voortgang"]
    fresh, restarted = (make_app(connection, c, tmp_path).test_client() for c in (loaded, cached))
    AuthActions(fresh).register(name="Sanne", email="sanne@example.org")
    AuthActions(restarted).login(email="sanne@example.org")
    for path in paths:
        fresh.get(path)  # a first visit may record it; reloading it right away changes nothing
        expected, again = fresh.get(path), restarted.get(path)
        assert expected.status_code == again.status_code == 200, path
        assert without_csrf_tokens(again.get_data(as_text=True)) == without_csrf_tokens(
            expected.get_data(as_text=True)), path
