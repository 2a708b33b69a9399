"""What is one learner's on the learning pages kept whole (app/skeletons.py): read marks and counts, the
next step, progress. ``values["read"]`` is the ids of the module's pages the learner finished, as the
views pass it."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

from flask_babel import format_datetime
from flask_babel import gettext as _
from markupsafe import Markup

from app.fragments import BoundedStore
from app.learn.marks import read_marks
from app.skeletons import hole_function, state_hole
from app.templating import next_step_for, pages_read_text
from course.progress import CourseProgress, ModuleProgress


@hole_function("read-mark")
def _read_mark(values: Mapping[str, Any], item_id: str, mark: str) -> str:
    return mark if item_id in values["read"] else ""


@hole_function("read-marks")
def _read_marks(values: Mapping[str, Any], html: str, mark: str) -> Markup:
    return read_marks(html, values["read"], mark)


@hole_function("read-count")
def _read_count(values: Mapping[str, Any], total: int) -> Markup:
    return pages_read_text(len(values["read"]), total, values["current_locale"])


@hole_function("finish-label")
def _finish_label(_values: Mapping[str, Any], module_id: str, page_id: str, labels: Mapping[str, str]) -> str:
    """The last page's button: where finishing it leads (``labels`` by kind of next step, '' for the rest)."""
    return labels.get(next_step_for(module_id, page_id).kind, labels[""])


# --- progress, kept per state (app/skeletons.py: state_hole) ---------------------------------------------
# ``values["progress"]`` is the learner's ModuleProgress on a module's index, their CourseProgress on the
# overview and the dashboard.

def _module_of(course: CourseProgress, index: int, module_id: str) -> ModuleProgress:
    """The module's progress at its place in the course (the template's loop over the course's modules)."""
    progress = course.modules[index]
    if progress.module.id != module_id:
        raise LookupError(f"module {module_id!r} is not at place {index} of the learner's progress")
    return progress


@state_hole("module-next", "learn/_module_next.html")
def _module_next(values: Mapping[str, Any], module_id: str) -> dict[str, Hashable]:
    progress = values["progress"]
    return {"module_id": module_id, "percent": progress.percent, "started": progress.started,
            "step": next_step_for(module_id)}


@state_hole("module-finish", "learn/_module_finish.html")
def _module_finish(values: Mapping[str, Any], module_id: str) -> dict[str, Hashable]:
    progress = values["progress"]
    return {"module_id": module_id, "read": len(progress.pages_read), "quiz_status": progress.quiz_status,
            "quiz_best_score": progress.quiz_best_score, "casuses_completed": progress.casuses_completed,
            "complete": progress.complete}


@state_hole("course-status", "learn/_course_status.html")
def _course_status(values: Mapping[str, Any]) -> dict[str, Hashable]:
    progress = values["progress"]
    return {"percent": progress.percent, "modules_complete": progress.modules_complete,
            "modules_total": len(progress.modules), "resume": progress.resume}


@state_hole("overview-module", "learn/_overview_module.html")
def _overview_module(values: Mapping[str, Any], index: int, module_id: str) -> dict[str, Hashable]:
    progress = _module_of(values["progress"], index, module_id)
    return {"module_id": module_id, "number": index + 1, "complete": progress.complete,
            "started": progress.started, "percent": progress.percent}


@state_hole("dashboard-status", "learn/_dashboard_status.html")
def _dashboard_status(values: Mapping[str, Any]) -> dict[str, Hashable]:
    return {"percent": values["progress"].percent}


# The dashboard's texts per language and figures (the same for everyone with them), or to the minute.
_MODULES_DONE = BoundedStore(5000)
_LAST_ACTIVE = BoundedStore(5000)


@hole_function("modules-done")
def _modules_done(values: Mapping[str, Any]) -> Markup:
    done, total = values["progress"].modules_complete, len(values["progress"].modules)
    return _MODULES_DONE.made((values["current_locale"], done, total), lambda: Markup(  # noqa: S704 - our catalogue
        _("%(done)d van %(total)d modules afgerond.")) % {"done": done, "total": total})


@state_hole("dashboard-row", "learn/_dashboard_row.html")
def _dashboard_row(values: Mapping[str, Any], index: int, module_id: str) -> dict[str, Hashable]:
    progress = _module_of(values["progress"], index, module_id)
    return {"module_id": module_id, "read": len(progress.pages_read), "quiz_status": progress.quiz_status,
            "quiz_best_score": progress.quiz_best_score, "casuses_done": progress.casuses_done,
            "casuses_total": progress.casuses_total, "percent": progress.percent, "complete": progress.complete}


@hole_function("last-active")
def _last_active(values: Mapping[str, Any]) -> str:
    """When the learner was last active, to the minute: one of their own (no two share it for long)."""
    when = values["progress"].last_activity
    if when is None:
        return ""
    minute = when.replace(second=0, microsecond=0)  # the short format shows no seconds
    return _LAST_ACTIVE.made((values["current_locale"], minute), lambda: Markup(  # noqa: S704 - our catalogue
        _("Laatst actief: %(when)s.")) % {"when": format_datetime(minute, "short")})


@state_hole("first-visit-note", "learn/_first_visit_note.html")
def _first_visit_note(values: Mapping[str, Any]) -> dict[str, Hashable]:
    return {"first_visit": values["progress"].resume is None}
