"""The course itself: it loads strictly, and it meets the bar the course sets for its own content."""

from __future__ import annotations

import shutil
from functools import cache
from pathlib import Path

import pytest
import yaml

from course.catalog import CONTENT_ENTRIES, Catalog, load_catalog

ROOT = Path(__file__).resolve().parent.parent.parent
QUIZ_FILES = sorted((ROOT / "quizzes").glob("*.yaml"))
CASUS_FILES = sorted((ROOT / "casuses").glob("*.yaml"))


@cache
def catalog() -> Catalog:
    return load_catalog(ROOT)


def test_the_course_loads_with_zero_errors():
    loaded = catalog()
    assert len(loaded.modules) == 9


def test_the_course_is_read_from_the_files_the_start_up_cache_is_keyed_on_and_no_others(tmp_path):
    """An edit anywhere the loader reads changes the cache key, so a restart never shows the old course."""
    for entry in CONTENT_ENTRIES:
        source = ROOT / entry
        if source.is_dir():
            shutil.copytree(source, tmp_path / entry)
        elif source.exists():
            shutil.copy2(source, tmp_path / entry)
    copy, original = load_catalog(tmp_path), catalog()
    assert copy.modules == original.modules and copy.quizzes == original.quizzes
    assert copy.casuses == original.casuses and copy.jobaids == original.jobaids
    assert copy.interventions == original.interventions and copy.trainer_guides == original.trainer_guides
    assert copy.course == original.course and copy.study_load == original.study_load


@pytest.mark.parametrize("module_index", range(9))
def test_every_module_has_objectives_pages_reflection_and_sources(module_index):
    module = catalog().modules[module_index]
    assert module.objectives and module.sources and module.minutes > 0
    assert len(module.pages) >= 3, f"{module.id}: fewer than 3 pages"
    html = module.intro_html + "".join(v for p in module.pages for k, v in p.segments if k == "html")
    assert "callout-reflectie" in html, f"{module.id}: no reflection prompt"


def test_every_quiz_draws_from_a_bank_at_least_twice_an_attempt():
    """A second attempt is not the first one again: the course keeps the bank rule at its full strength."""
    loaded = catalog()
    assert loaded.course.bank_factor >= 2
    for quiz in loaded.quizzes.values():
        assert len(quiz.questions) >= 2 * quiz.questions_per_attempt, quiz.id


def test_every_module_has_a_quiz_and_the_course_at_least_five_casussen():
    loaded = catalog()
    assert all(loaded.quiz_for_module(m.id) for m in loaded.modules)
    assert len(loaded.casuses) >= 5 and "concentratieproblemen" in loaded.casuses


def test_the_course_has_its_five_diagrams_each_with_a_text_alternative():
    loaded = catalog()
    svgs = [path for path in loaded.media.values() if path.suffix == ".svg"]
    assert len(svgs) >= 5
    for module in loaded.modules:
        for page in module.pages:
            html = "".join(v for k, v in page.segments if k == "html")
            if ".svg" in html:
                assert "figure-description" in html, f"{page.path}: diagram without a text description"


def _feedback_gaps(question: dict) -> list[str]:
    kind = question["type"]
    if kind in ("single_choice", "multiple_response"):
        return [o["id"] for o in question["options"] if not str(o.get("feedback", "")).strip()]
    if kind == "categorise":
        return [i["id"] for i in question["items"] if not str(i.get("feedback", "")).strip()]
    if kind == "true_false":
        return [k for k in ("feedback_true", "feedback_false") if not str(question.get(k, "")).strip()]
    if kind in ("numeric", "short_text"):
        return [k for k in ("feedback_correct", "feedback_incorrect") if not str(question.get(k, "")).strip()]
    return [] if str(question.get("feedback", "")).strip() else ["feedback"]


@pytest.mark.parametrize("path", QUIZ_FILES, ids=lambda p: p.stem)
def test_every_quiz_has_eight_questions_four_types_and_feedback_on_every_option(path):
    quiz = yaml.safe_load(path.read_text(encoding="utf-8"))
    questions = quiz["questions"] + quiz.get("practice", [])
    assert len(questions) >= 8
    assert len({q["type"] for q in questions}) >= 4
    for question in questions:
        assert str(question.get("explanation", "")).strip(), f"{question['id']}: no explanation"
        assert _feedback_gaps(question) == [], f"{question['id']}: options without feedback"


def _quiz(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", QUIZ_FILES, ids=lambda p: p.stem)
def test_at_least_seventy_percent_of_each_bank_asks_what_to_do_in_a_situation(path):
    quiz = catalog().quizzes[path.stem]
    situational = sum(q.situational for q in quiz.questions)
    assert situational / len(quiz.questions) >= 0.70, f"{situational}/{len(quiz.questions)}"
    # and so is an attempt, on average: each pool contributes its draw times its situational share
    expected = sum(pool.draw * sum(q.situational for q in quiz.pool_questions(pool.id))
                   / len(quiz.pool_questions(pool.id)) for pool in quiz.pools)
    assert expected / quiz.questions_per_attempt >= 0.70, f"{expected:.1f}/{quiz.questions_per_attempt}"


@pytest.mark.parametrize("path", QUIZ_FILES, ids=lambda p: p.stem)
def test_each_bank_holds_twice_an_attempt_with_a_pool_per_learning_objective(path):
    quiz = catalog().quizzes[path.stem]
    module = next(m for m in catalog().modules if m.id == quiz.module)
    assert quiz.questions_per_attempt >= 8
    assert len(quiz.questions) >= 2 * quiz.questions_per_attempt
    for pool in quiz.pools:
        assert len(quiz.pool_questions(pool.id)) >= 2 * pool.draw, pool.id
    # every learning objective of the module has its own pool, so each attempt samples every objective
    assert sorted(pool.objective for pool in quiz.pools) == list(range(1, len(module.objectives) + 1))


@pytest.mark.parametrize("path", QUIZ_FILES, ids=lambda p: p.stem)
def test_the_key_is_not_given_away_by_position_length_or_always_the_same_truth_value(path):
    questions = _quiz(path)["questions"]
    single = [q for q in questions if q["type"] == "single_choice"]
    positions = {[o.get("correct", False) for o in q["options"]].index(True) for q in single}
    assert len(positions) >= 3, positions

    def key_is_longest(q: dict) -> bool:
        key = next(o for o in q["options"] if o.get("correct"))
        return all(len(key["text"]) > len(o["text"]) for o in q["options"] if o is not key)
    assert sum(map(key_is_longest, single)) <= 0.6 * len(single)
    answers = [q["answer"] for q in questions if q["type"] == "true_false"]
    assert len(set(answers)) == 2 or len(answers) < 2, answers


def test_no_question_appears_in_two_quizzes():
    seen: dict[str, str] = {}
    for path in QUIZ_FILES:
        for question in _quiz(path)["questions"]:
            prompt = " ".join(question["prompt"].split()).lower()
            assert prompt not in seen, f"{path.stem}/{question['id']} repeats {seen.get(prompt)}"
            seen[prompt] = f"{path.stem}/{question['id']}"


def test_no_quiz_cites_the_training_deck_instead_of_its_sources():
    for path in QUIZ_FILES:
        text = path.read_text(encoding="utf-8").lower()
        for phrase in ("trainingspresentatie", "trainingsdia", "cursusbron", "de dia's"):
            assert phrase not in text, f"{path.stem}: '{phrase}'"


def _targets(nxt: str | list | None) -> list[str]:
    if isinstance(nxt, str):
        return [nxt]
    if isinstance(nxt, list):  # a conditional next: when/goto branches
        return [branch["goto"] for branch in nxt]
    return []


def _successors(step: dict) -> list[str]:
    targets = [t for o in step.get("options", []) for t in _targets(o.get("next"))]
    return targets + _targets(step.get("next"))


def _paths_to_debrief(casus: dict) -> int:
    steps = {s["id"]: s for s in casus["steps"]}
    count = 0

    def walk(step_id: str, seen: frozenset[str]) -> None:
        nonlocal count
        if count >= 100:  # enough to know there are several; the graph can have very many
            return
        if steps[step_id]["kind"] == "debrief":
            count += 1
            return
        for target in set(_successors(steps[step_id])):
            if target not in seen:
                walk(target, seen | {target})
    walk(casus["start"], frozenset({casus["start"]}))
    return count


@pytest.mark.parametrize("path", CASUS_FILES, ids=lambda p: p.stem)
def test_every_casus_has_several_paths_to_its_debrief(path):
    casus = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert _paths_to_debrief(casus) >= 2
    kinds = {s["kind"] for s in casus["steps"]}
    assert {"choice", "reflection", "debrief"} <= kinds
