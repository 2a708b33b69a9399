"""Per-learner marks in HTML that is otherwise the same for everyone (a fragment, app/fragments.py).

A fragment holds a slot per item (``read_mark_slot``) and the page fills the slots of the items the learner
finished with a mark (``read_marks``): one cached list with the learner's marks filled in costs less than
a fragment per item. A slot holds a content id only (a slug, validated at start-up), never learner data.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from markupsafe import Markup, escape

_SLOT = re.compile(r"<!--read-mark:([^>]*?)-->")


def read_mark_slot(item_id: str) -> Markup:
    """Where the read mark of ``item_id`` goes, when the learner finished it."""
    return Markup(f"<!--read-mark:{escape(item_id)}-->")  # noqa: S704 - the id is escaped


def read_marks(html: str, read: Collection[str], mark: str) -> Markup:
    """``html`` with ``mark`` in the slot of every item in ``read`` and every other slot empty."""
    return Markup(_SLOT.sub(lambda slot: mark if slot[1] in read else "", html))  # noqa: S704 - our own HTML
