"""Every page of the real course renders for a learner: modules, pages with embedded questions, quizzes."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from course.catalog import Catalog, load_catalog
from tests.conftest import AuthActions, make_app

ROOT = Path(__file__).resolve().parent.parent.parent


@cache
def real_catalog() -> Catalog:
    return load_catalog(ROOT)


@pytest.fixture
def learner(connection, tmp_path):
    client = make_app(connection, real_catalog(), tmp_path).test_client()
    AuthActions(client).register(name="Sanne", email="s@example.org")
    return client


def test_every_module_page_and_quiz_of_the_course_renders(learner):
    catalog = real_catalog()
    embedded = 0
    for module in catalog.modules:
        assert learner.get(f"/modules/{module.id}/").status_code == 200, module.id
        for page in module.pages:
            response = learner.get(f"/modules/{module.id}/{page.id}")
            assert response.status_code == 200, page.path
            html = response.get_data(as_text=True)
            for kind, ref in page.segments:
                if kind == "question":
                    embedded += 1
                    assert f"vraag-{ref.replace('/', '-')}" in html, f"{page.path}: embedded {ref} not shown"
    assert embedded >= 9
    for quiz in catalog.quizzes.values():
        assert learner.get(f"/quiz/{quiz.id}/").status_code == 200, quiz.id


def test_every_diagram_is_served_as_an_image(learner):
    for (module_id, relative), path in real_catalog().media.items():
        response = learner.get(f"/media/{module_id}/{relative}")
        assert response.status_code == 200 and response.data == path.read_bytes()


def test_every_module_page_lists_its_pages_once(learner):
    """The module page is one list of its pages with one start button, not the same list three times."""
    for module in real_catalog().modules:
        html = learner.get(f"/modules/{module.id}/").get_data(as_text=True)
        main = html[html.index("<main"):html.index("</main>")]
        for page in module.pages:
            assert main.count(f'href="/modules/{module.id}/{page.id}"') == 1 + (page == module.pages[0]), \
                (module.id, page.id)  # the first page once more behind "Start de module"
        assert "Start de module</a>" in main
