"""What is one learner's on the learning pages kept whole (app/skeletons.py): read marks and counts, the
label of the button that finishes a module's last page. ``values["read"]`` is the ids of the module's pages
the learner finished, as the views pass it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from markupsafe import Markup

from app.learn.marks import read_marks
from app.skeletons import hole_function
from app.templating import next_step_for, pages_read_text


@hole_function("read-mark")
def _read_mark(values: Mapping[str, Any], item_id: str, mark: str) -> str:
    return mark if item_id in values["read"] else ""


@hole_function("read-marks")
def _read_marks(values: Mapping[str, Any], html: str, mark: str) -> Markup:
    return read_marks(html, values["read"], mark)


@hole_function("read-count")
def _read_count(values: Mapping[str, Any], total: int) -> Markup:
    return pages_read_text(len(values["read"]), total)


@hole_function("finish-label")
def _finish_label(_values: Mapping[str, Any], module_id: str, page_id: str, labels: Mapping[str, str]) -> str:
    """The last page's button: where finishing it leads (``labels`` by kind of next step, '' for the rest)."""
    return labels.get(next_step_for(module_id, page_id).kind, labels[""])
