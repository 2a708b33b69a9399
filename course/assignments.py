"""Assignment rules: where a member stands on work their organisation set, by a deadline. Pure functions.

An assignment asks for the course or some of its modules, complete by the course's own rules, optionally
with a stricter rule: every knowledge check of those modules scored at least ``min_quiz_percent``, and named
casussen completed. The services fetch the rows; these functions decide the status a coordinator sees.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from course.progress import CourseProgress, QuizStatus


class AssignmentStatus(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    OVERDUE = "overdue"  # not completed, and the deadline has passed


@dataclass(frozen=True)
class Requirement:
    """What an assignment asks, as plain values."""

    module_ids: tuple[str, ...]  # empty: every module of the course
    due_on: date
    min_quiz_percent: int | None = None
    casus_ids: tuple[str, ...] = ()

    @property
    def stricter(self) -> bool:
        """Whether it asks more than the course's own rules (and so earns its own certificate)."""
        return self.min_quiz_percent is not None or bool(self.casus_ids)


@dataclass(frozen=True)
class Standing:
    status: AssignmentStatus
    completed_at: datetime | None  # when the last step the assignment asks was done (COMPLETED only)


def scored_at_least(best_score: float | None, minimum: int) -> bool:
    """Whether a best score (0..1) reaches ``minimum`` percent; 0.8 reaches 80 despite binary fractions."""
    return best_score is not None and round(best_score * 100, 6) >= minimum


def standing(requirement: Requirement, progress: CourseProgress, module_done_at: Mapping[str, datetime],
             casus_done_at: Mapping[str, datetime], today: date, opened: Collection[str] = ()) -> Standing:
    """Where one member stands on one assignment.

    ``module_done_at`` holds, per module, the moment of the member's latest step in it (a page read, a quiz
    handed in); ``casus_done_at`` when they first completed each casus; ``opened`` the modules of which they
    opened a page (opening counts as a start). Completed wins over overdue: a member who finished after the
    deadline is completed, with that date.
    """
    modules = [m for m in progress.modules if not requirement.module_ids or m.module.id in requirement.module_ids]
    minimum = requirement.min_quiz_percent
    complete = (all(m.complete for m in modules)
                and (minimum is None or all(m.quiz_status == QuizStatus.NONE or scored_at_least(m.quiz_best_score,
                                                                                                 minimum)
                                            for m in modules))
                and all(c in casus_done_at for c in requirement.casus_ids))
    if complete:
        moments = [module_done_at[m.module.id] for m in modules if m.module.id in module_done_at]
        moments += [casus_done_at[c] for c in requirement.casus_ids]
        return Standing(AssignmentStatus.COMPLETED, max(moments, default=None))
    if today > requirement.due_on:
        return Standing(AssignmentStatus.OVERDUE, None)
    if (any(m.started or m.module.id in opened for m in modules)
            or any(c in casus_done_at for c in requirement.casus_ids)):
        return Standing(AssignmentStatus.IN_PROGRESS, None)
    return Standing(AssignmentStatus.NOT_STARTED, None)


AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def local_today(now: datetime) -> date:
    """The date in the Netherlands at the moment ``now``: deadlines are Dutch calendar days."""
    return now.astimezone(AMSTERDAM).date()
