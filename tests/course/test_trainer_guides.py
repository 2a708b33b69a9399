"""Trainer guides are content like the rest: checked at start-up, every problem with file and line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from course.catalog import load_catalog
from course.errors import ContentErrors
from tests.conftest import REPO_ROOT, VALID_CONTENT

GUIDE = """---
module: eerste
title: Bijeenkomst bij de eerste module
minutes: 120
live:
  - casus:oefencasus
---

## Doelen

Deelnemers **oefenen** samen.
"""


@pytest.fixture
def content(tmp_path: Path) -> Path:
    root = tmp_path / "course"
    shutil.copytree(VALID_CONTENT, root)
    (root / "trainersgids").mkdir(exist_ok=True)
    return root


def errors_of(root: Path) -> list[str]:
    with pytest.raises(ContentErrors) as raised:
        load_catalog(root)
    return [str(e) for e in raised.value.errors]


def test_a_guide_is_loaded_with_its_live_material_and_rendered_markdown(content: Path) -> None:
    (content / "trainersgids" / "eerste.md").write_text(GUIDE, encoding="utf-8")
    guide = load_catalog(content).trainer_guides["eerste"]
    assert guide.title == "Bijeenkomst bij de eerste module" and guide.minutes == 120
    assert guide.live == (("casus", "oefencasus"),)
    assert "<strong>oefenen</strong>" in guide.html


def test_courses_without_guides_load(content: Path) -> None:
    shutil.rmtree(content / "trainersgids")
    assert dict(load_catalog(content).trainer_guides) == {}


@pytest.mark.parametrize(("text", "expected"), [
    (GUIDE.replace("module: eerste", "module: onbekend"), "eerste.md:2: module: unknown module 'onbekend'"),
    (GUIDE.replace("casus:oefencasus", "casus:bestaat-niet"), "eerste.md:6: live[0]: no casus with id 'bestaat-niet'"),
    (GUIDE.replace("minutes: 120", "minutes: 20"), "eerste.md:4: minutes:"),
    (GUIDE.replace("minutes: 120", "minutes: 120\nduur: 3"), "eerste.md:5: unknown key 'duur'"),
])
def test_mistakes_in_a_guide_name_file_and_line(content: Path, text: str, expected: str) -> None:
    (content / "trainersgids" / "eerste.md").write_text(text, encoding="utf-8")
    assert any(expected in error for error in errors_of(content)), errors_of(content)


def test_a_guide_must_be_named_after_its_module(content: Path) -> None:
    (content / "trainersgids" / "andere-naam.md").write_text(GUIDE, encoding="utf-8")
    assert any("andere-naam.md:2: module: the file of module 'eerste' must be named eerste.md" in e
               for e in errors_of(content))


def test_the_real_course_has_a_guide_for_every_module() -> None:
    catalog = load_catalog(REPO_ROOT)
    assert set(catalog.trainer_guides) == {m.id for m in catalog.modules}
    for guide in catalog.trainer_guides.values():
        assert 120 <= guide.minutes <= 180
        assert "Zorg voor deelnemers" in guide.html  # every session plans care for those the subject touches
