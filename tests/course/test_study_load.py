"""Measured study load: words at study-reading speed plus time for every exercise a learner meets."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from course import studyload
from course.catalog import load_catalog
from tests.conftest import VALID_CONTENT

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def course(tmp_path: Path) -> Path:
    root = tmp_path / "course"
    shutil.copytree(VALID_CONTENT, root)
    return root


def load(root: Path, module_id: str = "tweede"):
    return load_catalog(root).study_load.module(module_id)


def test_words_ignore_markup():
    assert studyload.words("<p>Een <strong>korte</strong> zin.</p>\n<ul><li>twee</li></ul>") == 4


def test_more_text_takes_longer_at_study_reading_speed(course):
    before = load(course)
    page = course / "modules" / "02-tweede" / "01-enige.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n" + "woord " * 1800 + "\n", encoding="utf-8")
    after = load(course)
    assert after.pages.reading - before.pages.reading == pytest.approx(1800 / studyload.WORDS_PER_MINUTE)
    assert after.total.minutes - before.total.minutes == 10  # 1800 words at 180 a minute


def test_a_reflection_prompt_counts_as_an_exercise(course):
    before = load(course)
    page = course / "modules" / "02-tweede" / "01-enige.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n::: reflectie\nWat doe jij?\n:::\n", encoding="utf-8")
    after = load(course)
    assert after.pages.exercises - before.pages.exercises == studyload.MINUTES_PER_REFLECTION_PROMPT


def test_a_casus_counts_its_recommended_path_with_time_to_write(course):
    (casus,) = load_catalog(course).casuses.values()
    measured = studyload.casus_load(casus)
    # The fixture's recommended path: a reflection, a plan of two fields, and five decisions.
    assert measured.exercises == pytest.approx(studyload.MINUTES_PER_REFLECTION_ANSWER
                                               + 2 * studyload.MINUTES_PER_PLAN_FIELD
                                               + 3 * studyload.MINUTES_PER_DECISION)
    assert measured.reading > 0


def test_the_real_course_total_is_the_sum_of_its_modules_and_keeps_the_declared_minutes():
    catalog = load_catalog(ROOT)
    load = catalog.study_load
    assert [m.module_id for m in load.modules] == [m.id for m in catalog.modules]
    assert load.declared == sum(m.minutes for m in catalog.modules)
    assert load.total.minutes == pytest.approx(sum(m.total.reading + m.total.exercises for m in load.modules),
                                               abs=1)
    meldcode = load.module("meldcode")
    assert meldcode.quiz.exercises == catalog.quizzes["meldcode"].questions_per_attempt * 1.5
    assert meldcode.casuses.minutes > 0
