"""Trainer guides: for each module, how to teach it in a group session of two to three hours.

One Markdown file per module in ``trainersgids/<module-id>.md``, with front matter naming the module, the
session length and the live material it uses. Shown to trainers only; learners never see them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from pydantic import Field

from course.content.frontmatter import read_markdown_file
from course.content.markdown import RenderContext, render
from course.content.validation import SLUG_PATTERN, Frozen, build
from course.errors import ErrorReport

LiveRef = Annotated[str, Field(pattern=r"^(quiz|casus):[a-z0-9]+(-[a-z0-9]+)*$")]


class TrainerGuideMeta(Frozen):
    module: Annotated[str, Field(pattern=SLUG_PATTERN)]
    title: Annotated[str, Field(min_length=1)]
    minutes: Annotated[int, Field(ge=60, le=240)]  # the session the guide plans
    live: list[LiveRef] = Field(default_factory=list)  # e.g. "casus:concentratieproblemen", "quiz:meldcode"


@dataclass(frozen=True)
class TrainerGuide:
    module: str
    title: str
    minutes: int
    live: tuple[tuple[str, str], ...]  # (kind, id) of the quizzes and casussen to use live
    html: str


def load_trainer_guides(directory: Path, report: ErrorReport, module_ids: frozenset[str],
                        live_ids: Mapping[str, frozenset[str]],
                        resolve_page: Callable[[Path], str | None] = lambda _p: None) -> dict[str, TrainerGuide]:
    """Module id → its trainer guide, from ``directory`` (which may be absent: guides are optional).

    Reports, with file and line: a file not named after its module, an unknown module, a live reference to
    a quiz or casus that does not exist, and anything the front matter or Markdown gets wrong.
    """
    guides: dict[str, TrainerGuide] = {}
    if not directory.is_dir():
        return guides
    for path in sorted(directory.glob("*.md")):
        md = read_markdown_file(path, report)
        meta = build(TrainerGuideMeta, md.meta, path, report) if md else None
        if md is None or meta is None:
            continue
        ok = True
        if meta.module not in module_ids:
            report.add(path, md.meta.line(("module",)), "module", f"unknown module '{meta.module}'")
            ok = False
        elif path.stem != meta.module:
            report.add(path, md.meta.line(("module",)), "module",
                       f"the file of module '{meta.module}' must be named {meta.module}.md")
            ok = False
        live = []
        for i, ref in enumerate(meta.live):
            kind, _, ref_id = ref.partition(":")
            if ref_id not in live_ids.get(kind, frozenset()):
                report.add(path, md.meta.line(("live", i)), f"live[{i}]", f"no {kind} with id '{ref_id}'")
                ok = False
            live.append((kind, ref_id))
        before = len(report)
        html = render(md.body, RenderContext(path, md.body_first_line, report, resolve_page=resolve_page))
        if ok and len(report) == before:
            guides[meta.module] = TrainerGuide(meta.module, meta.title, meta.minutes, tuple(live), html)
    return guides
