"""Certification rules: when a learner earns a certificate, how long it is valid, when it is renewed. Pure.

A certificate is earned by completing the course by its own rules (course.progress) plus the manifest's
earning rule (course.content.model.EarningRule): every knowledge check passed (with at least a minimum
percentage, if set), the named casussen completed, and a minimum recorded time on task. A refresher renews
it: every knowledge check passed again and the refresher's casussen completed again, each *after* the
refresher opened, so work done for the first certificate does not count twice.

The services fetch rows and build an ``Evidence``; every decision lives here, tested table by table.
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from course.content.model import Accreditation

# A stretch of activity counts for at most this long: a page left open over lunch is not study time.
MAX_MINUTES_PER_ACTIVITY = 60


class Shortfall(StrEnum):
    """What still stands between a learner and the certificate."""

    COURSE = "course"  # the course is not complete by its own rules
    QUIZ = "quiz"  # a knowledge check not passed (at the minimum percentage, if one is set)
    CASUS = "casus"  # a casus not completed
    TIME = "time"  # too little recorded time on task


@dataclass(frozen=True)
class Missing:
    kind: Shortfall
    target: str | None = None  # the quiz or casus id
    needed: int | None = None  # the minimum percentage or minutes


@dataclass(frozen=True)
class QuizResult:
    """One submitted attempt at a knowledge check."""

    quiz_id: str
    submitted_at: datetime
    score: float  # 0..1
    passed: bool  # by the quiz's own pass mark


@dataclass(frozen=True)
class Evidence:
    """What one learner did, as far as certification cares."""

    course_complete: bool  # every module complete by the manifest's completion rules
    course_last_step_at: datetime | None  # the latest page read: when reading the course was done
    quiz_results: tuple[QuizResult, ...] = ()
    casus_completions: tuple[tuple[str, datetime], ...] = ()  # (casus id, completed at), every completed run
    minutes_on_task: float = 0.0


@dataclass(frozen=True)
class Requirement:
    """What one certificate (first or renewed) asks, as plain values."""

    quiz_ids: tuple[str, ...]
    casus_ids: tuple[str, ...]
    min_quiz_percent: int | None = None
    min_minutes: int = 0
    course: bool = True  # the whole course complete (a refresher does not ask it again)
    since: datetime | None = None  # only work from this moment on counts (a refresher)


@dataclass(frozen=True)
class Assessment:
    earned: bool
    missing: tuple[Missing, ...]
    completed_at: datetime | None  # the moment the last required step was done (earned only)


def first_requirement(accreditation: Accreditation, quiz_ids: Iterable[str], casus_ids: Iterable[str]
                      ) -> Requirement:
    """What the first certificate asks: the course's ``quiz_ids`` and the rule's casussen (default: ``casus_ids``)."""
    rule = accreditation.rule
    casuses = tuple(casus_ids) if rule.casuses is None else rule.casuses
    return Requirement(tuple(quiz_ids), casuses, rule.min_quiz_percent, rule.min_minutes)


def refresher_requirement(accreditation: Accreditation, quiz_ids: Iterable[str], casus_ids: Iterable[str],
                          since: datetime) -> Requirement:
    """What renewing asks: every knowledge check and the refresher's casussen again, each done after ``since``."""
    casuses = tuple(casus_ids) if accreditation.refresher_casuses is None else accreditation.refresher_casuses
    return Requirement(tuple(quiz_ids), casuses, accreditation.rule.min_quiz_percent, course=False, since=since)


def scored_at_least(score: float, minimum: int) -> bool:
    """Whether a score (0..1) reaches ``minimum`` percent; 0.7 reaches 70 despite binary fractions."""
    return round(score * 100, 6) >= minimum


def assess(requirement: Requirement, evidence: Evidence) -> Assessment:
    """Whether ``evidence`` meets ``requirement``, what is missing, and when it was met.

    A knowledge check counts from its first attempt that passed (and reached the minimum percentage); a
    casus from its first completion; both only from ``requirement.since`` on, when set. The completion
    moment is the latest of those and, for a first certificate, of the last page read.
    """
    since = requirement.since
    missing: list[Missing] = []
    moments: list[datetime] = []
    if requirement.course:
        if not evidence.course_complete:
            missing.append(Missing(Shortfall.COURSE))
        elif evidence.course_last_step_at is not None:
            moments.append(evidence.course_last_step_at)
    minimum = requirement.min_quiz_percent
    for quiz_id in requirement.quiz_ids:
        counting = [r.submitted_at for r in evidence.quiz_results
                    if r.quiz_id == quiz_id and r.passed and (since is None or r.submitted_at >= since)
                    and (minimum is None or scored_at_least(r.score, minimum))]
        if counting:
            moments.append(min(counting))
        else:
            missing.append(Missing(Shortfall.QUIZ, quiz_id, minimum))
    for casus_id in requirement.casus_ids:
        done = [at for cid, at in evidence.casus_completions if cid == casus_id and (since is None or at >= since)]
        if done:
            moments.append(min(done))
        else:
            missing.append(Missing(Shortfall.CASUS, casus_id))
    if evidence.minutes_on_task < requirement.min_minutes:
        missing.append(Missing(Shortfall.TIME, needed=requirement.min_minutes))
    earned = not missing
    return Assessment(earned, tuple(missing), max(moments, default=None) if earned else None)


def minutes_on_task(spans: Iterable[tuple[datetime, datetime]], cap: int = MAX_MINUTES_PER_ACTIVITY) -> float:
    """Recorded time on task in minutes: each (start, end) of an activity, cut at ``cap`` minutes, overlaps
    counted once. An end before its start counts nothing."""
    clipped = sorted((start, min(end, start + timedelta(minutes=cap))) for start, end in spans if end > start)
    total = timedelta()
    current: tuple[datetime, datetime] | None = None
    for start, end in clipped:
        if current is not None and start <= current[1]:
            current = (current[0], max(current[1], end))
            continue
        if current is not None:
            total += current[1] - current[0]
        current = (start, end)
    if current is not None:
        total += current[1] - current[0]
    return total.total_seconds() / 60


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months; the 31st becomes the month's last day where it has none."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def valid_until(completed_on: date, accreditation: Accreditation, previous_until: date | None = None) -> date | None:
    """The last day a certificate is valid, or None when the course's certificates never expire.

    A renewal before the old certificate ran out continues from its last day, so renewing early loses
    nothing; after it ran out, the new period starts on the completion date.
    """
    if accreditation.valid_months is None:
        return None
    start = completed_on if previous_until is None or previous_until < completed_on else previous_until
    return add_months(start, accreditation.valid_months)


class Validity(StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    REVOKED = "revoked"


def validity(revoked: bool, until: date | None, today: date) -> Validity:
    """A certificate's state on ``today``: revoked wins; valid up to and including its last day."""
    if revoked:
        return Validity.REVOKED
    if until is not None and today > until:
        return Validity.EXPIRED
    return Validity.VALID


def refresher_open(until: date | None, today: date, remind_days_before: int) -> bool:
    """Whether the refresher may be taken on ``today``: from ``remind_days_before`` days before the last valid
    day on, and any time after it ran out; never for a certificate that does not expire."""
    return until is not None and today >= until - timedelta(days=remind_days_before)


def reminder_due(until: date | None, today: date, remind_days_before: int) -> bool:
    """Whether an expiry reminder is due on ``today``: the refresher opened and the certificate has not run
    out yet. (That it goes out once is the reminders' business: course.services.reminders.)"""
    return until is not None and today <= until and refresher_open(until, today, remind_days_before)


def hours(minutes: int) -> float:
    """Study load in hours for a certificate, rounded to the half hour registers count in (never below 0.5)."""
    return max(0.5, math.floor(minutes / 30 + 0.5) / 2)

