"""Job aids: short printable cards (``jobaids/<id>.md``) that professionals keep at hand after the course.

A job aid is Markdown with front matter, rendered once at start-up like a page; modules link to the aids
they name in the aid's ``modules``. The web layer serves each as printable HTML and as PDF.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from pydantic import Field

from course.content.frontmatter import read_markdown_file
from course.content.markdown import RenderContext, render
from course.content.model import Source
from course.content.schema import SourceSpec
from course.content.validation import SLUG_PATTERN, Frozen, build
from course.errors import ErrorReport

Slug = Annotated[str, Field(pattern=SLUG_PATTERN)]
Text = Annotated[str, Field(min_length=1)]


class JobAidFrontMatter(Frozen):
    title: Text
    summary: Text
    modules: Annotated[list[Slug], Field(min_length=1)]  # modules whose page links to this aid
    sources: list[SourceSpec] = Field(default_factory=list)


@dataclass(frozen=True)
class JobAid:
    """A printable card: its text as HTML, the modules that link to it, and its sources."""

    id: str
    title: str
    summary: str
    modules: tuple[str, ...]
    sources: tuple[Source, ...]
    html: str
    words: int
    path: str  # relative to the content root, for messages


def load_jobaids(directory: Path, report: ErrorReport, module_ids: frozenset[str],
                 resolve_page: Callable[[Path], str | None] | None = None) -> tuple[JobAid, ...]:
    """Every sound job aid in ``directory`` (``*.md``, by file name); a missing directory gives ().

    Problems go to ``report`` with file and line: bad front matter, an id that is not a slug, an unknown
    module, a broken link, an embedded question (aids are printed: nothing to answer on paper).
    """
    if not directory.is_dir():
        return ()
    aids = []
    for path in sorted(directory.glob("*.md")):
        before = len(report)
        md = read_markdown_file(path, report)
        if md is None:
            continue
        if not path.stem.replace("-", "").isalnum() or path.stem != path.stem.lower():
            report.add(path, None, "", "a job aid's file name is its id: a lowercase slug, e.g. 'kindcheck.md'")
        meta = build(JobAidFrontMatter, md.meta, path, report)
        ctx = RenderContext(path, md.body_first_line, report, resolve_page=resolve_page or (lambda _p: None))
        html = render(md.body, ctx)
        for _quiz, _question, line in ctx.question_refs:
            report.add(path, line, "", "a job aid is printed: it cannot embed a question ('::: vraag')")
        if meta is not None:
            for n, module in enumerate(meta.modules):
                if module not in module_ids:
                    report.add(path, md.meta.line(("modules", n)), f"modules[{n}]",
                               f"unknown module '{module}'; expected one of {sorted(module_ids)}")
            seen: set[str] = set()
            for n, source in enumerate(meta.sources):
                if source.id in seen:
                    report.add(path, md.meta.line(("sources", n, "id")), f"sources[{n}].id",
                               f"duplicate source id '{source.id}'")
                seen.add(source.id)
        if meta is None or len(report) > before:
            continue
        aids.append(JobAid(path.stem, meta.title, meta.summary, tuple(meta.modules),
                           tuple(Source(s.id, s.citation, str(s.url) if s.url else None) for s in meta.sources),
                           html, ctx.words, report.relative(path)))
    return tuple(aids)
