"""The interventions guide: a reference list, filterable by kind and age."""

from __future__ import annotations

import shutil

import pytest

from course.catalog import load_catalog
from tests.conftest import VALID_CONTENT, AuthActions, make_app

GUIDE = """interventions:
  - id: vipp
    name: VIPP-SD
    type: preventie
    target_group: Ouders van jonge kinderen
    age_min: 1
    age_max: 6
    aim: Sensitief opvoeden.
    source: Testbron
  - id: tfcgt
    name: TF-CGT
    type: herstel
    target_group: Kinderen met traumaklachten
    age_min: 3
    age_max: 18
    aim: Traumaverwerking.
    rating_kjp: werkzaam
    source: Testbron
"""


@pytest.fixture
def guide_client(connection, tmp_path, auth):
    root = tmp_path / "content"
    shutil.copytree(VALID_CONTENT, root)
    (root / "interventions.yaml").write_text(GUIDE, encoding="utf-8")
    client = make_app(connection, load_catalog(root), tmp_path).test_client()
    AuthActions(client).register(name="Sanne", email="s@example.org")
    return client


def test_guide_lists_every_intervention_with_its_facts(guide_client):
    html = guide_client.get("/interventies").get_data(as_text=True)
    assert "VIPP-SD" in html and "TF-CGT" in html and "werkzaam" in html and "1 tot 6 jaar" in html


def test_guide_filters_by_type_and_age(guide_client):
    html = guide_client.get("/interventies?type=herstel").get_data(as_text=True)
    assert "TF-CGT" in html and "VIPP-SD" not in html
    html = guide_client.get("/interventies?age=12").get_data(as_text=True)
    assert "TF-CGT" in html and "VIPP-SD" not in html


def test_guide_ignores_a_malformed_filter_with_a_message(guide_client):
    response = guide_client.get("/interventies?age=oud&type=onzin")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "VIPP-SD" in html and "TF-CGT" in html and 'class="error-message"' in html


def test_guide_entries_are_validated_with_file_and_line(tmp_path):
    root = tmp_path / "content"
    shutil.copytree(VALID_CONTENT, root)
    (root / "interventions.yaml").write_text(GUIDE.replace("type: herstel", "type: behandeling"), encoding="utf-8")
    from course.errors import ContentErrors
    with pytest.raises(ContentErrors) as info:
        load_catalog(root)
    (error,) = info.value.errors
    assert str(error).startswith("interventions.yaml:12: interventions[1].type:")


def test_cached_lists_follow_each_learners_filter_and_language(connection, tmp_path):
    """As in production (fragments from the cache, not rendered again): Anna in English filters on recovery,
    Bram in Dutch on prevention, turn by turn; each sees the cards their own filter gives, in their language."""
    root = tmp_path / "content"
    shutil.copytree(VALID_CONTENT, root)
    (root / "interventions.yaml").write_text(GUIDE, encoding="utf-8")
    app = make_app(connection, load_catalog(root), tmp_path, FRAGMENT_CACHE_VERIFY=False)
    anna, bram = app.test_client(), app.test_client()
    AuthActions(anna).register(name="Anna", email="anna@example.org")
    AuthActions(bram).register(name="Bram", email="bram@example.org")
    anna.post("/taal", data={"locale": "en", "next": "/"})
    for _ in range(2):
        english = anna.get("/interventies?type=herstel").get_data(as_text=True)
        dutch = bram.get("/interventies?type=preventie").get_data(as_text=True)
        assert "TF-CGT" in english and "VIPP-SD" not in english and "Recovery" in english
        assert "VIPP-SD" in dutch and "TF-CGT" not in dutch and "Preventie" in dutch and "Recovery" not in dutch
        both = bram.get("/interventies").get_data(as_text=True)
        assert "VIPP-SD" in both and "TF-CGT" in both
