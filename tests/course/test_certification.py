"""Certification rules, table by table: who earns a certificate, until when it is valid, when it is renewed."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from course.certification import (
    Evidence,
    Missing,
    QuizResult,
    Requirement,
    Shortfall,
    Validity,
    add_months,
    assess,
    first_requirement,
    hours,
    minutes_on_task,
    refresher_open,
    refresher_requirement,
    reminder_due,
    valid_until,
    validity,
)
from course.content.model import Accreditation, EarningRule

T0 = datetime(2026, 3, 2, 9, 0)
H = timedelta(hours=1)
REQ = Requirement(quiz_ids=("toets",), casus_ids=("casus",))


def passed(at: datetime = T0, score: float = 0.8, quiz: str = "toets", ok: bool = True) -> QuizResult:
    return QuizResult(quiz, at, score, ok)


def evidence(complete: bool = True, quizzes: tuple[QuizResult, ...] = (passed(),),
             casuses: tuple[tuple[str, datetime], ...] = (("casus", T0 + H),), minutes: float = 0.0,
             last_page: datetime | None = T0 - H) -> Evidence:
    return Evidence(complete, last_page, quizzes, casuses, minutes)


# requirement, evidence → earned, what is missing, completed at
TABLE = [
    ("everything done", REQ, evidence(), True, (), T0 + H),
    ("course not complete", REQ, evidence(complete=False), False, (Missing(Shortfall.COURSE),), None),
    ("last page read is the latest step", REQ, evidence(last_page=T0 + 3 * H), True, (), T0 + 3 * H),
    ("quiz failed only", REQ, evidence(quizzes=(passed(ok=False, score=0.4),)), False,
     (Missing(Shortfall.QUIZ, "toets"),), None),
    ("another quiz passed", REQ, evidence(quizzes=(passed(quiz="andere"),)), False,
     (Missing(Shortfall.QUIZ, "toets"),), None),
    ("below the minimum percentage", Requirement(("toets",), (), min_quiz_percent=90), evidence(), False,
     (Missing(Shortfall.QUIZ, "toets", 90),), None),
    ("exactly the minimum percentage", Requirement(("toets",), (), min_quiz_percent=70),
     evidence(quizzes=(passed(score=0.7),)), True, (), T0),
    ("first passing attempt counts", Requirement(("toets",), ()),
     evidence(quizzes=(passed(T0 + 2 * H), passed(T0 + H))), True, (), T0 + H),
    ("first attempt at the minimum counts", Requirement(("toets",), (), min_quiz_percent=90),
     evidence(quizzes=(passed(T0), passed(T0 + 2 * H, 0.95))), True, (), T0 + 2 * H),
    ("casus not done", REQ, evidence(casuses=()), False, (Missing(Shortfall.CASUS, "casus"),), None),
    ("other casus done", REQ, evidence(casuses=(("ander", T0),)), False, (Missing(Shortfall.CASUS, "casus"),), None),
    ("too little time", Requirement((), (), min_minutes=120), evidence(minutes=119.5), False,
     (Missing(Shortfall.TIME, needed=120),), None),
    ("just enough time", Requirement((), (), min_minutes=120), evidence(minutes=120), True, (), T0 - H),
    ("everything missing", Requirement(("toets",), ("casus",), min_minutes=10),
     evidence(False, (), (), 0), False,
     (Missing(Shortfall.COURSE), Missing(Shortfall.QUIZ, "toets"), Missing(Shortfall.CASUS, "casus"),
      Missing(Shortfall.TIME, needed=10)), None),
    ("refresher: old work does not count", Requirement(("toets",), ("casus",), course=False, since=T0 + 2 * H),
     evidence(), False, (Missing(Shortfall.QUIZ, "toets"), Missing(Shortfall.CASUS, "casus")), None),
    ("refresher: new work counts, course not asked", Requirement(("toets",), ("casus",), course=False,
                                                                 since=T0 + 2 * H),
     evidence(complete=False, quizzes=(passed(), passed(T0 + 3 * H)), casuses=(("casus", T0 + 4 * H),)), True,
     (), T0 + 4 * H),
    ("refresher: work at the very moment counts", Requirement(("toets",), (), course=False, since=T0),
     evidence(), True, (), T0),
]


@pytest.mark.parametrize(("requirement", "ev", "earned", "missing", "completed_at"),
                         [row[1:] for row in TABLE], ids=[row[0] for row in TABLE])
def test_assess(requirement, ev, earned, missing, completed_at):
    """A learner gets the certificate exactly when every requirement is met, dated at the last step."""
    result = assess(requirement, ev)
    assert (result.earned, result.missing, result.completed_at) == (earned, missing, completed_at)


def test_requirements_follow_the_manifest():
    """The earning rule's casussen and minimum apply; without named casussen every casus of the course counts."""
    every = first_requirement(Accreditation(), ["q1", "q2"], ["c1", "c2"])
    assert every == Requirement(("q1", "q2"), ("c1", "c2"))
    strict = Accreditation(rule=EarningRule(min_quiz_percent=80, casuses=("c2",), min_minutes=90),
                           refresher_casuses=("c1",))
    assert first_requirement(strict, ["q1"], ["c1", "c2"]) == Requirement(("q1",), ("c2",), 80, 90)
    assert refresher_requirement(strict, ["q1"], ["c1", "c2"], T0) == Requirement(
        ("q1",), ("c1",), 80, 0, course=False, since=T0)
    assert refresher_requirement(Accreditation(), ["q1"], ["c1", "c2"], T0).casus_ids == ("c1", "c2")


M = timedelta(minutes=1)
# spans → minutes
TIME_TABLE = [
    ("nothing", [], 0),
    ("one span", [(T0, T0 + 20 * M)], 20),
    ("capped at an hour", [(T0, T0 + 5 * H)], 60),
    ("overlaps counted once", [(T0, T0 + 20 * M), (T0 + 10 * M, T0 + 30 * M)], 30),
    ("nested", [(T0, T0 + 30 * M), (T0 + 5 * M, T0 + 10 * M)], 30),
    ("apart", [(T0, T0 + 10 * M), (T0 + H, T0 + H + 10 * M)], 20),
    ("touching", [(T0, T0 + 10 * M), (T0 + 10 * M, T0 + 15 * M)], 15),
    ("end before start", [(T0, T0 - M)], 0),
    ("a long span cut before it overlaps", [(T0, T0 + 3 * H), (T0 + 2 * H, T0 + 2 * H + 10 * M)], 70),
]


@pytest.mark.parametrize(("spans", "minutes"), [r[1:] for r in TIME_TABLE], ids=[r[0] for r in TIME_TABLE])
def test_minutes_on_task(spans, minutes):
    """Time on task counts what a learner spent, without double counting or a tab left open all day."""
    assert minutes_on_task(spans) == minutes


@pytest.mark.parametrize(("day", "months", "expected"), [
    (date(2026, 1, 31), 1, date(2026, 2, 28)), (date(2024, 1, 31), 1, date(2024, 2, 29)),
    (date(2026, 3, 2), 36, date(2029, 3, 2)), (date(2026, 11, 15), 2, date(2027, 1, 15)),
    (date(2026, 12, 1), 12, date(2027, 12, 1)),
])
def test_add_months(day, months, expected):
    assert add_months(day, months) == expected


THREE_YEARS = Accreditation(valid_months=36, remind_days_before=60)


@pytest.mark.parametrize(("accreditation", "completed", "previous", "expected"), [
    (Accreditation(), date(2026, 3, 2), None, None),
    (THREE_YEARS, date(2026, 3, 2), None, date(2029, 3, 2)),
    (THREE_YEARS, date(2029, 2, 1), date(2029, 3, 2), date(2032, 3, 2)),  # renewed early: nothing lost
    (THREE_YEARS, date(2029, 5, 1), date(2029, 3, 2), date(2032, 5, 1)),  # renewed after it ran out
])
def test_valid_until(accreditation, completed, previous, expected):
    """A certificate runs for the manifest's period; renewing early continues from the old last day."""
    assert valid_until(completed, accreditation, previous) == expected


UNTIL = date(2029, 3, 2)


@pytest.mark.parametrize(("revoked", "until", "today", "expected"), [
    (False, None, date(2040, 1, 1), Validity.VALID),
    (False, UNTIL, UNTIL, Validity.VALID),
    (False, UNTIL, UNTIL + timedelta(days=1), Validity.EXPIRED),
    (True, UNTIL, date(2027, 1, 1), Validity.REVOKED),
    (True, UNTIL, UNTIL + timedelta(days=9), Validity.REVOKED),
])
def test_validity(revoked, until, today, expected):
    """Valid up to and including the last day; a revoked certificate says so whatever its date."""
    assert validity(revoked, until, today) == expected


@pytest.mark.parametrize(("until", "today", "opened", "due"), [
    (None, date(2030, 1, 1), False, False),
    (UNTIL, UNTIL - timedelta(days=61), False, False),
    (UNTIL, UNTIL - timedelta(days=60), True, True),
    (UNTIL, UNTIL, True, True),
    (UNTIL, UNTIL + timedelta(days=1), True, False),  # run out: the refresher stays open, no more reminding
])
def test_refresher_window_and_reminders(until, today, opened, due):
    """The refresher opens with the reminder, two months before the last day, and stays open after it."""
    assert refresher_open(until, today, 60) == opened
    assert reminder_due(until, today, 60) == due


@pytest.mark.parametrize(("minutes", "expected"), [(1, 0.5), (44, 0.5), (45, 1.0), (240, 4.0), (255, 4.5),
                                                    (269, 4.5), (285, 5.0)])
def test_hours(minutes, expected):
    """Study load on a certificate in half hours."""
    assert hours(minutes) == expected
