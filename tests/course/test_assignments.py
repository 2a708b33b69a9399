"""Assignment rules as table tests: the status a coordinator sees for one member on one assignment."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from course.assignments import AssignmentStatus, Requirement, local_today, scored_at_least, standing
from course.catalog import Catalog, load_catalog
from course.progress import PageVisit, QuizOutcome, course_progress
from tests.app.quiz.conftest import build_course

DUE = date(2027, 3, 1)
BEFORE, AFTER = date(2027, 2, 28), date(2027, 3, 2)
T1, T2, T3 = (datetime(2027, 2, d, 12, tzinfo=UTC) for d in (1, 2, 3))


@pytest.fixture(scope="module")
def full_quiz_catalog(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    return load_catalog(build_course(tmp_path_factory.mktemp("assignmentcourse") / "course"))


def progress(catalog: Catalog, read: list[tuple[str, str]], seen: list[tuple[str, str]] = (), casuses=(),
             quizzes=None):
    visits = [PageVisit(m, p, T1, T1) for m, p in read] + [PageVisit(m, p, T1, None) for m, p in seen]
    return course_progress(catalog, visits, quizzes or {}, casuses)


def all_pages(catalog: Catalog, module_id: str) -> list[tuple[str, str]]:
    return [(module_id, p.id) for p in catalog.module(module_id).pages]


@pytest.mark.parametrize(("score", "minimum", "reaches"), [
    (0.8, 80, True), (0.7999, 80, False), (1.0, 100, True), (0.29, 29, True), (None, 1, False), (0.0, 1, False)])
def test_a_score_reaches_a_percentage_despite_binary_fractions(score, minimum, reaches):
    assert scored_at_least(score, minimum) is reaches


def test_statuses_from_nothing_to_done_and_late(valid_catalog: Catalog) -> None:
    rule = Requirement(("tweede",), DUE)
    nothing = progress(valid_catalog, [])
    assert standing(rule, nothing, {}, {}, BEFORE).status == AssignmentStatus.NOT_STARTED
    assert standing(rule, nothing, {}, {}, DUE).status == AssignmentStatus.NOT_STARTED  # the deadline day counts
    assert standing(rule, nothing, {}, {}, AFTER).status == AssignmentStatus.OVERDUE
    opened = progress(valid_catalog, [], seen=all_pages(valid_catalog, "tweede"))
    assert standing(rule, opened, {}, {}, BEFORE).status == AssignmentStatus.NOT_STARTED  # opened elsewhere
    assert standing(rule, opened, {}, {}, BEFORE, opened={"tweede"}).status == AssignmentStatus.IN_PROGRESS
    assert standing(rule, opened, {}, {}, AFTER, opened={"tweede"}).status == AssignmentStatus.OVERDUE
    done = progress(valid_catalog, all_pages(valid_catalog, "tweede"))
    late = standing(rule, done, {"tweede": T2}, {}, AFTER)
    assert (late.status, late.completed_at) == (AssignmentStatus.COMPLETED, T2)  # completed late is completed


def test_other_modules_do_not_count_and_the_whole_course_needs_every_module(valid_catalog: Catalog) -> None:
    done_second = progress(valid_catalog, all_pages(valid_catalog, "tweede"))
    assert standing(Requirement(("tweede",), DUE), done_second, {}, {}, BEFORE).status == AssignmentStatus.COMPLETED
    assert standing(Requirement((), DUE), done_second, {}, {}, BEFORE).status == AssignmentStatus.IN_PROGRESS
    first_read = progress(valid_catalog, all_pages(valid_catalog, "eerste"))
    # Module 'eerste' also asks for its casus: its pages alone do not complete it.
    assert standing(Requirement(("eerste",), DUE), first_read, {}, {}, BEFORE).status == AssignmentStatus.IN_PROGRESS
    everything = progress(valid_catalog, all_pages(valid_catalog, "eerste") + all_pages(valid_catalog, "tweede"),
                          casuses=["oefencasus"])
    result = standing(Requirement((), DUE), everything, {"eerste": T1, "tweede": T2}, {"oefencasus": T3}, BEFORE)
    assert (result.status, result.completed_at) == (AssignmentStatus.COMPLETED, T2)


def test_a_named_casus_is_asked_on_top_of_the_modules(valid_catalog: Catalog) -> None:
    done_second = progress(valid_catalog, all_pages(valid_catalog, "tweede"))
    rule = Requirement(("tweede",), DUE, casus_ids=("oefencasus",))
    assert standing(rule, done_second, {"tweede": T1}, {}, BEFORE).status == AssignmentStatus.IN_PROGRESS
    result = standing(rule, done_second, {"tweede": T1}, {"oefencasus": T3}, BEFORE)
    assert (result.status, result.completed_at) == (AssignmentStatus.COMPLETED, T3)
    # A completed casus alone is a start.
    assert standing(rule, progress(valid_catalog, []), {}, {"oefencasus": T3}, BEFORE).status == \
        AssignmentStatus.IN_PROGRESS


def test_a_stricter_knowledge_check_rule(full_quiz_catalog: Catalog) -> None:
    """Passing by the course's rule is not enough when the organisation asks for 80 %."""
    quiz = full_quiz_catalog.quiz_for_module("eerste")
    pages = all_pages(full_quiz_catalog, "eerste")

    def with_score(score: float) -> object:
        outcome = QuizOutcome(1, score, score, score, True, T2)
        return progress(full_quiz_catalog, pages, casuses=["oefencasus"], quizzes={quiz.id: outcome})

    rule = Requirement(("eerste",), DUE, min_quiz_percent=80)
    assert standing(Requirement(("eerste",), DUE), with_score(0.7), {}, {}, BEFORE).status == \
        AssignmentStatus.COMPLETED
    assert standing(rule, with_score(0.7), {}, {}, BEFORE).status == AssignmentStatus.IN_PROGRESS
    assert standing(rule, with_score(0.7), {}, {}, AFTER).status == AssignmentStatus.OVERDUE
    assert standing(rule, with_score(0.8), {}, {}, BEFORE).status == AssignmentStatus.COMPLETED


def test_today_is_the_date_in_the_netherlands() -> None:
    assert local_today(datetime(2027, 2, 28, 23, 30, tzinfo=UTC)) == date(2027, 3, 1)  # 00:30 in Amsterdam
    assert local_today(datetime(2027, 7, 1, 21, 59, tzinfo=UTC)) == date(2027, 7, 1)


def test_progress_with_a_shared_course_shape_is_the_same_without_its_resume_point(valid_catalog: Catalog) -> None:
    """Many learners' progress reuses one lookup of the modules' checks and casussen; only the resume goes."""
    from dataclasses import replace

    from course.progress import CourseShape
    visits = [PageVisit("eerste", p.id, T1, T1) for p in valid_catalog.module("eerste").pages]
    alone = course_progress(valid_catalog, visits, {}, ["oefencasus"])
    shared = course_progress(valid_catalog, visits, {}, ["oefencasus"], shape=CourseShape.of(valid_catalog),
                             resume=False)
    assert alone.resume is not None and shared == replace(alone, resume=None)


@pytest.mark.parametrize(("minimum", "casuses", "stricter"), [
    (None, (), False), (80, (), True), (None, ("oefencasus",), True), (1, ("oefencasus",), True)])
def test_only_a_minimum_score_or_casussen_make_an_assignment_stricter(minimum, casuses, stricter):
    """Work that asks only modules is the course's own rule: it earns no certificate of its own."""
    rule = Requirement(("eerste",), date(2027, 1, 1), minimum, casuses)
    assert rule.stricter is stricter
