"""Per-learner marks in HTML that is otherwise the same for everyone (a fragment, app/fragments.py).

A fragment holds a slot per item (``read_mark_slot``) and the page fills the slots of the items the learner
finished with a mark (``read_marks``): one cached list with the learner's marks filled in costs less than
a fragment per item. A slot holds a content id only (a slug, validated at start-up), never learner data.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from functools import lru_cache

from markupsafe import Markup, escape

_SLOT = re.compile(r"<!--read-mark:([^>]*?)-->")


def read_mark_slot(item_id: str) -> Markup:
    """Where the read mark of ``item_id`` goes, when the learner finished it."""
    return Markup(f"<!--read-mark:{escape(item_id)}-->")  # noqa: S704 - the id is escaped


def read_marks(html: str, read: Collection[str], mark: str) -> Markup:
    """``html`` with ``mark`` in the slot of every item in ``read`` and every other slot empty."""
    pieces = _pieces(html)
    parts = [pieces[0]]
    for index in range(1, len(pieces), 2):
        if pieces[index] in read:
            parts.append(mark)
        parts.append(pieces[index + 1])
    return Markup("".join(parts))  # noqa: S704 - our own HTML


@lru_cache(maxsize=1024)
def _pieces(html: str) -> tuple[str, ...]:
    # The list's HTML is a fragment, the same string on every page that shows it: split at its slots once
    # (text, item id, text, …, text), not searched anew for every learner's page.
    return tuple(_SLOT.split(html))
