"""Load the course manifest and its modules (pages, Markdown, images), collecting every problem.

Quizzes, casussen and job aids build on what this returns; ``course.catalog`` puts them all together.
Nothing here stops at the first problem: every error goes to the report with its file and line.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from course.content.frontmatter import MarkdownFile, read_markdown_file
from course.content.images import IMAGE_SUFFIXES, check_svg
from course.content.markdown import PendingAnchor, RenderContext, render, split_segments
from course.content.model import (
    Accreditation,
    CompletionRules,
    Course,
    EarningRule,
    Module,
    Page,
    RegisterAccreditation,
    Source,
)
from course.content.schema import AccreditationSpec, CourseManifest, ModuleFrontMatter, PageFrontMatter
from course.content.validation import build
from course.content.yamlfile import LocatedYaml, load_yaml_file
from course.errors import ErrorReport

MANIFEST = "course.yaml"
NUMBERED = re.compile(r"^(\d{2})-([a-z0-9]+(?:-[a-z0-9]+)*)$")


@dataclass(frozen=True)
class ContentUrls:
    """The URLs the web layer serves content at; the domain only needs to know their shape."""

    prefix: str = ""

    def module(self, module_id: str) -> str:
        return f"{self.prefix}/modules/{module_id}/"

    def page(self, module_id: str, page_id: str) -> str:
        return f"{self.prefix}/modules/{module_id}/{page_id}"

    def media(self, module_id: str, relative: str) -> str:
        return f"{self.prefix}/media/{module_id}/{relative}"


@dataclass
class _ModuleFiles:
    id: str
    order: int
    directory: Path


@dataclass(frozen=True)
class LoadedModules:
    """The course manifest and its modules, rendered; what quizzes, casussen and job aids build on."""

    manifest: CourseManifest | None
    manifest_doc: LocatedYaml | None  # for the line of a manifest key that a later cross-check refuses
    modules: tuple[Module, ...]
    # Every module folder counts, even one whose own files are broken: that is reported once, not again
    # for each quiz and casus that names the module.
    module_ids: frozenset[str]
    page_urls: Mapping[Path, str]  # a page or module file -> its URL, to resolve links from other content
    question_refs: tuple[QuestionRef, ...]  # the ``::: vraag`` blocks of the pages
    media: Mapping[tuple[str, str], Path]


def load_modules(root: Path, report: ErrorReport, urls: ContentUrls | None = None) -> LoadedModules:
    """Read ``course.yaml`` and every module under ``root/modules``, rendering their Markdown.

    Problems go to ``report`` with file and line; never raises for bad content.
    """
    urls = urls or ContentUrls()
    manifest_path = root / MANIFEST
    manifest, doc = None, None
    if not manifest_path.is_file():
        report.add(manifest_path, None, "", f"course manifest not found (expected {MANIFEST} in {root})")
    else:
        doc = load_yaml_file(manifest_path, report)
        manifest = build(CourseManifest, doc, manifest_path, report) if doc else None

    module_files = _find_modules(root / "modules", report)
    if manifest is not None and doc is not None:
        _check_module_order(manifest, doc, module_files, manifest_path, report)
        order = {mid: i for i, mid in enumerate(manifest.modules)}
        module_files.sort(key=lambda m: order.get(m.id, len(order) + m.order))

    modules, state = _load_modules(module_files, urls, report)
    return LoadedModules(manifest, doc, tuple(modules), frozenset(m.id for m in module_files),
                         MappingProxyType(state.page_urls), tuple(state.question_refs), MappingProxyType(state.media))


def course_of(manifest: CourseManifest) -> Course:
    """The course's own settings from its manifest."""
    return Course(
        id=manifest.id,
        title=manifest.title,
        summary=manifest.summary,
        content_note_html=render(manifest.content_note),
        completion=CompletionRules(manifest.completion.pages, manifest.completion.quiz,
                                   manifest.completion.casuses),
        bank_factor=manifest.assessment.bank_factor,
        accreditation=accreditation_of(manifest.accreditation),
    )


def accreditation_of(spec: AccreditationSpec | None) -> Accreditation:
    """The manifest's accreditation section as the domain holds it (defaults without one)."""
    if spec is None:
        return Accreditation()
    earning = spec.earned_by
    rule = EarningRule(earning.min_quiz_percent, None if earning.casuses == "all" else tuple(earning.casuses),
                       earning.min_minutes)
    refresher = spec.refresher.casuses
    return Accreditation(
        registers=tuple(RegisterAccreditation(r.register_id, r.number, r.points) for r in spec.registers),
        rule=rule, valid_months=spec.valid_months, remind_days_before=spec.remind_days_before,
        refresher_casuses=rule.casuses if refresher is None else None if refresher == "all" else tuple(refresher))


def _find_modules(directory: Path, report: ErrorReport) -> list[_ModuleFiles]:
    if not directory.is_dir():
        report.add(directory, None, "", "modules directory not found")
        return []
    found: dict[str, _ModuleFiles] = {}
    for entry in sorted(directory.iterdir()):
        if not entry.is_dir() or entry.name.startswith("."):
            continue
        match = NUMBERED.match(entry.name)
        if not match:
            report.add(entry, None, "", "module folder must be named NN-slug, e.g. '03-meldcode'")
            continue
        if match[2] in found:
            report.add(entry, None, "", f"duplicate module id '{match[2]}' (also {found[match[2]].directory.name})")
            continue
        found[match[2]] = _ModuleFiles(match[2], int(match[1]), entry)
    return list(found.values())


def _check_module_order(manifest: CourseManifest, doc: LocatedYaml, files: list[_ModuleFiles], path: Path,
                        report: ErrorReport) -> None:
    present = {m.id for m in files}
    seen: set[str] = set()
    for i, module_id in enumerate(manifest.modules):
        line = doc.line(("modules", i))
        if module_id in seen:
            report.add(path, line, f"modules[{i}]", f"module '{module_id}' is listed twice")
        elif module_id not in present:
            report.add(path, line, f"modules[{i}]", f"no folder modules/NN-{module_id}/ for module '{module_id}'")
        seen.add(module_id)
    for m in files:
        if m.id not in seen:
            report.add(m.directory, None, "", f"module '{m.id}' is not listed in {MANIFEST}")


QuestionRef = tuple[str, str, int, Path]  # quiz id, question id, line, file


@dataclass
class _ReadModule:
    """A module's files after the first pass: front matter read, Markdown not yet rendered."""

    files: _ModuleFiles
    index: MarkdownFile | None
    meta: ModuleFrontMatter | None
    pages: list[tuple[str, int, MarkdownFile | None, PageFrontMatter | None]]


@dataclass
class _RenderState:
    """What rendering collects across modules, checked once every page is rendered."""

    urls: ContentUrls
    page_urls: dict[Path, str]
    report: ErrorReport
    media: dict[tuple[str, str], Path] = field(default_factory=dict)
    headings: dict[Path, set[str]] = field(default_factory=dict)
    pending_anchors: list[PendingAnchor] = field(default_factory=list)
    question_refs: list[QuestionRef] = field(default_factory=list)


def _load_modules(files: list[_ModuleFiles], urls: ContentUrls, report: ErrorReport
                  ) -> tuple[list[Module], _RenderState]:
    # Every front matter is read before any Markdown is rendered, so a link to any page can be resolved.
    page_urls: dict[Path, str] = {}
    read = [_read_module(mf, urls, page_urls, report) for mf in files]
    state = _RenderState(urls, page_urls, report)
    modules = [module for module in (_render_module(r, state) for r in read) if module is not None]
    for anchor in state.pending_anchors:
        if anchor.target in state.headings and anchor.anchor not in state.headings[anchor.target]:
            report.add(anchor.path, anchor.line, "", f"broken link: no heading '#{anchor.anchor}' in "
                       f"{report.relative(anchor.target)}")
    for path in sorted(set(state.media.values())):
        if path.suffix.lower() == ".svg":
            check_svg(path, report)
    return modules, state


def _read_module(mf: _ModuleFiles, urls: ContentUrls, page_urls: dict[Path, str],
                 report: ErrorReport) -> _ReadModule:
    index_path = mf.directory / "index.md"
    index = read_markdown_file(index_path, report) if index_path.is_file() else None
    if not index_path.is_file():
        report.add(index_path, None, "", "module has no index.md")
    meta = build(ModuleFrontMatter, index.meta, index.path, report) if index else None
    page_urls[index_path.resolve()] = urls.module(mf.id)
    pages = []
    orders: dict[int, str] = {}
    for path in sorted(mf.directory.glob("*.md")):
        if path.name == "index.md":
            continue
        match = NUMBERED.match(path.stem)
        if not match:
            report.add(path, None, "", "page file must be named NN-slug.md, e.g. '02-vijf-stappen.md'")
            continue
        if int(match[1]) in orders:
            report.add(path, None, "", f"page number {match[1]} is also used by {orders[int(match[1])]}")
            continue
        orders[int(match[1])] = path.name
        md = read_markdown_file(path, report)
        page_meta = build(PageFrontMatter, md.meta, path, report) if md else None
        page_urls[path.resolve()] = urls.page(mf.id, match[2])
        pages.append((match[2], int(match[1]), md, page_meta))
    if not pages:
        report.add(mf.directory, None, "", "module has no pages (NN-slug.md files)")
    return _ReadModule(mf, index, meta, pages)


def _render_module(read: _ReadModule, state: _RenderState) -> Module | None:
    """Render a module's Markdown; None if its front matter was invalid (already reported)."""
    mf = read.files
    base = mf.directory.resolve()

    def resolve_image(target: Path) -> str | None:
        if target.suffix.lower() not in IMAGE_SUFFIXES or base not in target.parents:
            return None
        relative = target.relative_to(base).as_posix()
        state.media[(mf.id, relative)] = target
        return state.urls.media(mf.id, relative)

    def render_file(md: MarkdownFile) -> tuple[str, RenderContext]:
        ctx = RenderContext(md.path, md.body_first_line, state.report, resolve_page=state.page_urls.get,
                            resolve_image=resolve_image)
        html = render(md.body, ctx)
        state.pending_anchors.extend(ctx.pending_anchors)
        state.headings[md.path.resolve()] = {h.anchor for h in ctx.headings}
        return html, ctx

    intro_html, words = "", 0
    if read.index is not None:
        intro_html, ctx = render_file(read.index)
        words += ctx.words
        if ctx.question_refs:
            state.report.add(read.index.path, ctx.question_refs[0][2], "",
                             "embedded questions belong on pages, not in index.md")
    pages = []
    for page_id, order, md, page_meta in read.pages:
        if md is None:
            continue
        html, ctx = render_file(md)
        words += ctx.words
        state.question_refs.extend((q, qid, line, md.path) for q, qid, line in ctx.question_refs)
        if page_meta is not None:
            pages.append(Page(
                id=page_id, module_id=mf.id, order=order, title=page_meta.title, summary=page_meta.summary,
                minutes=page_meta.minutes, segments=split_segments(html), headings=tuple(ctx.headings),
                words=ctx.words, path=state.report.relative(md.path)))
    if read.meta is None or read.index is None:
        return None
    _check_unique_sources(read.meta, read.index, state.report)
    return Module(
        id=mf.id, order=mf.order, title=read.meta.title, summary=read.meta.summary, minutes=read.meta.minutes,
        objectives=tuple(read.meta.objectives),
        sources=tuple(Source(s.id, s.citation, str(s.url) if s.url else None) for s in read.meta.sources),
        intro_html=intro_html, pages=tuple(pages), words=words)


def _check_unique_sources(meta: ModuleFrontMatter, index: MarkdownFile, report: ErrorReport) -> None:
    seen: set[str] = set()
    for i, source in enumerate(meta.sources):
        if source.id in seen:
            report.add(index.path, index.meta.line(("sources", i, "id")), f"sources[{i}].id",
                       f"duplicate source id '{source.id}'")
        seen.add(source.id)
