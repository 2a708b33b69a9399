"""Progress rules, table by table: the figures a learner sees on the dashboard and an organisation certifies on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from types import MappingProxyType

import pytest

from course.catalog import Catalog
from course.content.model import (
    CasusesRule,
    CompletionRules,
    Course,
    Module,
    Page,
    PagesRule,
    QuizRule,
)
from course.progress import (
    NextStep,
    PageVisit,
    QuizOutcome,
    QuizStatus,
    SubmittedAttempt,
    course_progress,
    module_done_at,
    module_progress,
    next_step,
    percent,
    quiz_outcome,
    quiz_status,
    visit_needs_recording,
)

T0 = datetime(2026, 3, 2, 9, 0)


def page(module_id: str, page_id: str, order: int = 1) -> Page:
    return Page(page_id, module_id, order, page_id.title(), None, 5, (), (), 100, f"modules/{module_id}/{page_id}.md")


def module(module_id: str, *page_ids: str) -> Module:
    pages = tuple(page(module_id, p, n) for n, p in enumerate(page_ids, 1))
    return Module(module_id, 1, module_id.title(), "", 10, (), (), "", pages, 200)


MODULE = module("m", "een", "twee")
FAILED = QuizOutcome(1, 0.5, 0.5, 0.5, False, T0)
PASSED = QuizOutcome(2, 0.8, 0.8, 0.8, True, T0)
QUIZ_STATES = {"no quiz": (None, None), "not started": ("toets", None), "failed": ("toets", FAILED),
               "passed": ("toets", PASSED)}
DEFAULT = CompletionRules()  # pages all, quiz passed, casuses all


def rules(pages: str = "all", quiz: str = "passed", casuses: str = "all") -> CompletionRules:
    return CompletionRules(PagesRule(pages), QuizRule(quiz), CasusesRule(casuses))


# rules, pages read, quiz state, the module's casuses, casuses completed → done, total, complete, percent, started
TABLE = [
    # the manifest's default: every page, the quiz passed, every casus
    (DEFAULT, 0, "not started", 2, 0, 0, 5, False, 0, False),
    (DEFAULT, 2, "failed", 2, 2, 4, 5, False, 80, True),  # a failed check does not complete a module
    (DEFAULT, 2, "passed", 2, 2, 5, 5, True, 100, True),
    (DEFAULT, 2, "passed", 2, 1, 4, 5, False, 80, True),  # one casus short
    (DEFAULT, 1, "passed", 2, 2, 4, 5, False, 80, True),  # one page short
    (DEFAULT, 0, "failed", 2, 0, 0, 5, False, 0, True),  # a failed attempt is a start
    (DEFAULT, 0, "passed", 2, 0, 1, 5, False, 20, True),
    (DEFAULT, 0, "not started", 2, 1, 1, 5, False, 20, True),  # a completed casus is a start
    (DEFAULT, 1, "not started", 2, 0, 1, 5, False, 20, True),  # a page read is a start
    (DEFAULT, 2, "no quiz", 2, 2, 4, 4, True, 100, True),
    (DEFAULT, 2, "no quiz", 0, 0, 2, 2, True, 100, True),
    (DEFAULT, 1, "no quiz", 0, 0, 1, 2, False, 50, True),
    (DEFAULT, 2, "not started", 0, 0, 2, 3, False, 66, True),  # 66.7 % is rounded down
    (DEFAULT, 2, "failed", 0, 0, 2, 3, False, 66, True),
    (DEFAULT, 2, "passed", 0, 0, 3, 3, True, 100, True),
    # quiz: attempted: any submitted attempt counts, passed or not
    (rules(quiz="attempted"), 2, "failed", 2, 2, 5, 5, True, 100, True),
    (rules(quiz="attempted"), 2, "passed", 2, 2, 5, 5, True, 100, True),
    (rules(quiz="attempted"), 2, "not started", 2, 2, 4, 5, False, 80, True),
    (rules(quiz="attempted"), 0, "failed", 0, 0, 1, 3, False, 33, True),
    (rules(quiz="attempted"), 2, "no quiz", 0, 0, 2, 2, True, 100, True),
    # quiz: none: the quiz is not a step, but taking it still starts the module
    (rules(quiz="none"), 2, "failed", 2, 2, 4, 4, True, 100, True),
    (rules(quiz="none"), 2, "not started", 2, 2, 4, 4, True, 100, True),
    (rules(quiz="none"), 0, "failed", 2, 0, 0, 4, False, 0, True),
    (rules(quiz="none"), 0, "passed", 0, 0, 0, 2, False, 0, True),
    (rules(quiz="none"), 0, "not started", 2, 0, 0, 4, False, 0, False),
    # pages: none: reading is not a step, but it still starts the module
    (rules(pages="none"), 0, "passed", 2, 2, 3, 3, True, 100, True),
    (rules(pages="none"), 2, "failed", 2, 2, 2, 3, False, 66, True),
    (rules(pages="none"), 2, "not started", 0, 0, 0, 1, False, 0, True),
    (rules(pages="none"), 0, "failed", 2, 1, 1, 3, False, 33, True),
    # casuses: none: a completed casus is not a step, but it still starts the module
    (rules(casuses="none"), 2, "passed", 2, 0, 3, 3, True, 100, True),
    (rules(casuses="none"), 0, "not started", 2, 1, 0, 3, False, 0, True),
    (rules(casuses="none"), 1, "failed", 2, 2, 1, 3, False, 33, True),
    # nothing counts: the module has nothing to do, so it is complete, though not started
    (rules("none", "none", "none"), 0, "not started", 2, 0, 0, 0, True, 100, False),
    (rules("none", "none", "none"), 0, "no quiz", 0, 0, 0, 0, True, 100, False),
    (rules("none", "none", "none"), 1, "failed", 2, 1, 0, 0, True, 100, True),
    (rules("none", "passed", "none"), 2, "no quiz", 2, 2, 0, 0, True, 100, True),
    (rules("none", "passed", "none"), 2, "failed", 2, 2, 0, 1, False, 0, True),
]


@pytest.mark.parametrize(("completion", "pages_read", "quiz_state", "casuses", "casuses_completed", "done", "total",
                          "complete", "percentage", "started"), TABLE)
def test_module_progress_table(completion, pages_read, quiz_state, casuses, casuses_completed, done, total, complete,
                               percentage, started):
    """Each completion rule gives exactly these figures for each state of pages, knowledge check and casussen."""
    quiz_id, outcome = QUIZ_STATES[quiz_state]
    own = [f"casus-{n}" for n in range(casuses)]
    progress = module_progress(MODULE, completion, ["een", "twee"][:pages_read], quiz_id, outcome, own,
                               own[:casuses_completed])
    assert (progress.steps_done, progress.steps_total) == (done, total)
    assert progress.complete is complete
    assert progress.percent == percentage
    assert progress.started is started
    assert progress.quiz_status == QuizStatus(quiz_state.replace(" ", "_") if quiz_id else "none")


def test_module_progress_keeps_what_the_pages_show():
    """The module page lists pages read, the best score and the casussen done, by id."""
    progress = module_progress(MODULE, DEFAULT, ["twee", "weg", "een", "twee"], "toets",
                               QuizOutcome(3, 0.9, 0.4, 0.4, False, T0), ["c1", "c2", "c3"], ["c2", "elders", "c3"])
    assert progress.pages_read == frozenset({"een", "twee"})  # a page no longer in the module does not count
    assert progress.quiz_best_score == 0.9
    assert progress.quiz_status == QuizStatus.FAILED  # the counted (last) attempt failed
    assert progress.casuses_completed == frozenset({"c2", "c3"})  # another module's casus does not count
    assert (progress.casuses_done, progress.casuses_total) == (2, 3)
    assert (progress.steps_done, progress.steps_total) == (4, 6)
    assert progress.module is MODULE


def test_module_progress_without_attempts_has_no_score():
    progress = module_progress(MODULE, DEFAULT, [], "toets", None, [], [])
    assert progress.quiz_best_score is None and progress.quiz_status == QuizStatus.NOT_STARTED


def test_an_outcome_with_zero_attempts_is_not_started():
    outcome = QuizOutcome(0, None, None, None, False, None)
    assert quiz_status(True, outcome) == QuizStatus.NOT_STARTED
    assert quiz_status(False, PASSED) == QuizStatus.NONE
    assert quiz_status(True, FAILED) == QuizStatus.FAILED
    assert quiz_status(True, PASSED) == QuizStatus.PASSED


@pytest.mark.parametrize(("done", "total", "expected"), [
    (0, 5, 0), (1, 3, 33), (2, 3, 66), (1, 8, 12), (5, 8, 62), (7, 8, 87), (199, 200, 99), (200, 200, 100),
    (1, 1, 100), (0, 1, 0)])
def test_percent_rounds_down_so_100_means_done(done, total, expected):
    """A progress bar never shows 100 % before the last step: 199 of 200 is 99 %."""
    assert percent(done, total) == expected


# --- quiz outcome over attempts -----------------------------------------------------------------

def attempt(score: float | None, passed: bool, counts: str = "best", minute: int = 0) -> SubmittedAttempt:
    return SubmittedAttempt(score, passed, counts, T0 + timedelta(minutes=minute))


def test_best_attempt_counts():
    outcome = quiz_outcome([attempt(0.5, False), attempt(0.9, True, minute=1), attempt(0.6, False, minute=2)])
    assert outcome == QuizOutcome(3, 0.9, 0.6, 0.9, True, T0 + timedelta(minutes=2))


def test_a_modules_latest_step_is_its_latest_reading_or_hand_in():
    """An assignment's completion date: per module the last page read (also one no longer in the course) or
    check handed in, whichever came later; a page only opened, or a check of no module, is no step."""
    at = [T0 + timedelta(minutes=n) for n in range(6)]
    visits = [PageVisit("m1", "a", at[5], at[1]), PageVisit("m1", "weg", at[2], at[3]),
              PageVisit("m2", "b", at[5], None), PageVisit("m3", "c", at[4], at[4])]
    quizzes = {"q1": QuizOutcome(1, 0.5, 0.5, 0.5, False, at[2]), "q2": QuizOutcome(1, 1.0, 1.0, 1.0, True, at[3]),
               "q3": QuizOutcome(1, 1.0, 1.0, 1.0, True, at[0]), "los": QuizOutcome(1, 1.0, 1.0, 1.0, True, at[5])}
    done = module_done_at(visits, quizzes, {"q1": "m1", "q2": "m2", "q3": "m3"})
    assert done == {"m1": at[3], "m2": at[3], "m3": at[4]}


def test_last_attempt_counts_when_the_latest_says_so():
    """With "the last attempt counts", a pass followed by a fail is a fail."""
    outcome = quiz_outcome([attempt(0.9, True, "last"), attempt(0.4, False, "last", minute=5)])
    assert outcome == QuizOutcome(2, 0.9, 0.4, 0.4, False, T0 + timedelta(minutes=5))


def test_the_policy_of_the_latest_attempt_decides():
    outcome = quiz_outcome([attempt(0.9, True, "last"), attempt(0.4, False, "best", minute=1)])
    assert (outcome.counted_score, outcome.passed) == (0.9, True)
    outcome = quiz_outcome([attempt(0.9, True, "best"), attempt(0.4, False, "last", minute=1)])
    assert (outcome.counted_score, outcome.passed) == (0.4, False)


def test_a_pass_wins_a_tie_and_a_missing_score_is_lowest():
    outcome = quiz_outcome([attempt(0.7, False), attempt(0.7, True, minute=1), attempt(None, False, minute=2)])
    assert (outcome.best_score, outcome.passed, outcome.last_score) == (0.7, True, None)
    outcome = quiz_outcome([attempt(None, False), attempt(0.0, False, minute=1)])
    assert outcome.attempts == 2 and outcome.best_score is None  # the first of equals is kept
    assert quiz_outcome([attempt(0.7, True), attempt(0.7, False)]).passed


def test_an_outcome_needs_an_attempt():
    with pytest.raises(IndexError):
        quiz_outcome([])


# --- the whole course -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Owned:
    """Stands in for a quiz or casus: all the progress rules look at is its id and module."""

    id: str
    module: str

    @property
    def title(self) -> str:
        return self.id.title()


def catalog(completion: CompletionRules = DEFAULT) -> Catalog:
    modules = (module("a", "a1", "a2"), module("b", "b1"), module("c", "c1", "c2", "c3"))
    return Catalog(Path("."), Course("cursus", "Cursus", "", "", completion), modules,
                   MappingProxyType({"toets-a": Owned("toets-a", "a"), "toets-b": Owned("toets-b", "b")}),
                   MappingProxyType({"casus-c": Owned("casus-c", "c")}), (), MappingProxyType({}))


def visit(module_id: str, page_id: str, minute: int, read: int | None = None) -> PageVisit:
    return PageVisit(module_id, page_id, T0 + timedelta(minutes=minute),
                     None if read is None else T0 + timedelta(minutes=read))


def test_course_progress_before_anything():
    progress = course_progress(catalog(), [], {}, [])
    assert (progress.percent, progress.modules_complete, progress.last_activity, progress.resume) == (0, 0, None, None)
    assert [m.module.id for m in progress.modules] == ["a", "b", "c"]
    assert [(m.steps_done, m.steps_total) for m in progress.modules] == [(0, 3), (0, 2), (0, 4)]


def test_course_progress_after_one_failed_and_one_passed_check():
    """All pages read, module a's check failed, b's passed, the casus done: 8 of 9 steps, 2 of 3 modules."""
    visits = [visit("a", "a1", 1, 1), visit("a", "a2", 2, 2), visit("b", "b1", 3, 3),
              visit("c", "c1", 4, 4), visit("c", "c2", 5, 5), visit("c", "c3", 6, 6)]
    quizzes = {"toets-a": FAILED, "toets-b": PASSED}
    progress = course_progress(catalog(), visits, quizzes, ["casus-c"])
    assert [(m.steps_done, m.steps_total, m.complete) for m in progress.modules] == [
        (2, 3, False), (2, 2, True), (4, 4, True)]
    assert (progress.percent, progress.modules_complete) == (88, 2)  # 8/9 = 88.9 %, rounded down
    assert [m.quiz_status for m in progress.modules] == [QuizStatus.FAILED, QuizStatus.PASSED, QuizStatus.NONE]


def test_course_percentage_is_100_only_when_every_step_is_done():
    visits = [visit(m, p, 1, 1) for m, p in [("a", "a1"), ("a", "a2"), ("b", "b1"), ("c", "c1"), ("c", "c2"),
                                             ("c", "c3")]]
    done = course_progress(catalog(), visits, {"toets-a": PASSED, "toets-b": PASSED}, ["casus-c"])
    assert (done.percent, done.modules_complete) == (100, 3)
    almost = course_progress(catalog(), visits, {"toets-a": PASSED, "toets-b": PASSED}, [])
    assert (almost.percent, almost.modules_complete) == (88, 2)


def test_course_with_nothing_to_do_is_complete():
    progress = course_progress(catalog(rules("none", "none", "none")), [], {}, [])
    assert (progress.percent, progress.modules_complete) == (100, 3)
    empty = Catalog(Path("."), Course("x", "X", "", "", DEFAULT), (), MappingProxyType({}), MappingProxyType({}),
                    (), MappingProxyType({}))
    assert course_progress(empty, [], {}, []).percent == 0


def test_attempted_rule_counts_the_failed_check_course_wide():
    progress = course_progress(catalog(rules(quiz="attempted")), [], {"toets-a": FAILED}, [])
    assert (progress.percent, progress.modules[0].steps_done) == (11, 1)  # 1 of 9


def test_last_activity_is_the_latest_of_pages_read_opened_and_quizzes():
    visits = [visit("a", "a1", 1, 7), visit("b", "b1", 3), visit("weg", "oud", 9)]
    assert course_progress(catalog(), visits, {}, []).last_activity == T0 + timedelta(minutes=9)
    assert course_progress(catalog(), visits[:2], {}, []).last_activity == T0 + timedelta(minutes=7)
    later = QuizOutcome(1, 1.0, 1.0, 1.0, True, T0 + timedelta(minutes=20))
    never = QuizOutcome(1, 1.0, 1.0, 1.0, True, None)
    assert course_progress(catalog(), visits, {"toets-a": later, "x": never}, []).last_activity == \
        T0 + timedelta(minutes=20)
    assert course_progress(catalog(), [], {"toets-a": never}, []).last_activity is None


@pytest.mark.parametrize(("visits", "expected"), [
    ([], None),
    ([visit("weg", "oud", 5)], None),  # a page no longer in the course is no place to resume
    ([visit("a", "a1", 1), visit("b", "b1", 3), visit("a", "a2", 2)], ("b", "b1")),  # the last opened, unread
    ([visit("a", "a1", 1), visit("b", "b1", 3, 3)], ("c", "c1")),  # finished: the first unread page after it
    ([visit("a", "a1", 1, 1), visit("b", "b1", 3, 3), visit("c", "c1", 4, 4), visit("c", "c2", 1, 1)],
     ("c", "c3")),  # skipping pages read already
    ([visit("c", "c3", 5, 5), visit("a", "a1", 1, 1)], ("a", "a2")),  # wrapping round to the start
    ([visit("c", "c3", 5, 5)], ("a", "a1")),
    ([visit(m, p, n, n) for n, (m, p) in enumerate([("a", "a1"), ("a", "a2"), ("b", "b1"), ("c", "c1"),
                                                    ("c", "c3"), ("c", "c2")])], ("c", "c2")),  # all read
    ([visit("a", "a2", 1), visit("b", "b1", 9), visit("weg", "oud", 20)], ("b", "b1")),
    ([visit("a", "a2", 4), visit("a", "a1", 4)], ("a", "a2")),  # a tie: the first row
])
def test_resume_point(visits, expected):
    """'Verder waar je was' opens the page last opened, or the next unread one if that one was finished."""
    assert course_progress(catalog(), visits, {}, []).resume == expected


@pytest.mark.parametrize(("visits", "opened", "minute", "expected"), [
    ([], ("a", "a1"), 0, True),  # a page never opened is written: it is new progress
    ([visit("a", "a2", 1)], ("a", "a1"), 1, True),
    ([visit("a", "a1", 1)], ("a", "a1"), 5, False),  # the page opened last, reopened 4 minutes later
    ([visit("a", "a1", 1)], ("a", "a1"), 6, True),  # 5 minutes later: its last-seen moment is refreshed
    ([visit("a", "a1", 3), visit("b", "b1", 1)], ("a", "a1"), 4, False),
    ([visit("a", "a1", 3, 3), visit("b", "b1", 1)], ("a", "a1"), 3, False),  # read or not: the same rule
    ([visit("a", "a1", 1), visit("b", "b1", 3)], ("a", "a1"), 4, True),  # back to a page: where to continue moves
    ([visit("a", "a1", 3), visit("b", "b1", 3)], ("a", "a1"), 4, True),  # a tie: written, so it is the last
])
def test_a_reopened_page_is_written_only_when_a_figure_would_change(visits, opened, minute, expected):
    """Reloading the page opened last writes nothing for 5 minutes; every other visit is written at once."""
    assert visit_needs_recording(visits, *opened, T0 + timedelta(minutes=minute)) is expected


def test_the_resolution_of_last_seen_can_be_chosen():
    visits = [visit("a", "a1", 0)]
    assert visit_needs_recording(visits, "a", "a1", T0 + timedelta(minutes=9), timedelta(minutes=10)) is False
    assert visit_needs_recording(visits, "a", "a1", T0 + timedelta(minutes=10), timedelta(minutes=10)) is True


ALL_READ = [("a", "a1"), ("a", "a2"), ("b", "b1"), ("c", "c1"), ("c", "c2"), ("c", "c3")]


@pytest.mark.parametrize(("read", "quizzes", "casuses", "module_id", "expected"), [
    ([], {}, [], "a", ("page", "a1", "A1")),
    ([("a", "a1")], {}, [], "a", ("page", "a2", "A2")),
    ([("a", "a2")], {}, [], "a", ("page", "a1", "A1")),  # an unread page earlier in the module comes first
    (ALL_READ, {}, [], "a", ("quiz", "toets-a", "Toets-A")),  # every page read: the knowledge check, not 'finished'
    (ALL_READ, {"toets-a": FAILED}, [], "a", ("quiz", "toets-a", "Toets-A")),  # failed: try again
    (ALL_READ, {"toets-a": PASSED}, [], "a", ("module", "b", "B")),
    (ALL_READ, {}, [], "c", ("casus", "casus-c", "Casus-C")),
    (ALL_READ, {"toets-a": PASSED}, ["casus-c"], "c", ("module", "b", "B")),  # after the last module: wrap round
    (ALL_READ, {"toets-a": PASSED, "toets-b": PASSED}, ["casus-c"], "b", ("done", None, None)),
])
def test_next_step_pages_then_check_then_casus_then_next_module(read, quizzes, casuses, module_id, expected):
    """The one next-step button: what it leads to, the title on it, and the module it is shown in."""
    progress = course_progress(catalog(), [visit(m, p, 1, 1) for m, p in read], quizzes, casuses)
    assert next_step(catalog(), progress, module_id) == NextStep(expected[0], module_id, *expected[1:])


def test_next_step_after_a_failed_check_moves_on_when_attempting_is_enough():
    progress = course_progress(catalog(rules(quiz="attempted")), [visit(m, p, 1, 1) for m, p in ALL_READ],
                               {"toets-a": FAILED}, [])
    assert next_step(catalog(rules(quiz="attempted")), progress, "a").target == "b"
