"""The one Markdown renderer of the platform: CommonMark with raw HTML off, plus what a course needs.

Rendering happens once, at load time. While rendering, links and images are checked against the
content on disk and rewritten to the URLs the platform serves them at; every problem goes to the
ErrorReport with the file and line it came from.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.footnote import footnote_plugin

from course.errors import ErrorReport

CALLOUT_TITLES = {"letop": "Let op", "praktijk": "Praktijk", "reflectie": "Reflectie", "kern": "Kernpunten"}
QUESTION_DIRECTIVE = "vraag"
DESCRIPTION_DIRECTIVE = "beschrijving"
# Rendered in place of an embedded question; the loader splits page HTML on it (see split_segments).
_QUESTION_SENTINEL = "<!--leerlijn-question:{ref}-->"
_QUESTION_SPLIT = re.compile(r"<!--leerlijn-question:([a-z0-9-]+/[a-z0-9-]+)-->")
_REF = re.compile(r"^([a-z0-9]+(?:-[a-z0-9]+)*)/([a-z0-9]+(?:-[a-z0-9]+)*)$")
_EXTERNAL = re.compile(r"^(https?:|mailto:|tel:)", re.IGNORECASE)


def slugify(text: str) -> str:
    """An ASCII anchor id for a heading: 'Wat is één ACE?' → 'wat-is-een-ace'."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-") or "sectie"


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    anchor: str


@dataclass(frozen=True)
class PendingAnchor:
    """A link to an anchor on another page, checked once every page has been rendered."""

    path: Path
    line: int
    target: Path
    anchor: str


@dataclass
class RenderContext:
    """Where a piece of Markdown comes from, and how to resolve what it refers to.

    ``resolve_page(path)`` gives the URL of the page or module stored in the ``.md`` file ``path``, or None
    if there is no such page; ``resolve_image(path)`` gives the URL an image file is served at, or None
    if images are not allowed here.
    """

    path: Path
    first_line: int
    report: ErrorReport
    resolve_page: Callable[[Path], str | None] = lambda _p: None
    resolve_image: Callable[[Path], str | None] = lambda _p: None
    headings: list[Heading] = field(default_factory=list)
    images: list[Path] = field(default_factory=list)
    question_refs: list[tuple[str, str, int]] = field(default_factory=list)
    pending_anchors: list[PendingAnchor] = field(default_factory=list)
    words: int = 0

    def error(self, token_line: int | None, message: str) -> None:
        line = self.first_line + token_line if token_line is not None else self.first_line
        self.report.add(self.path, line, "", message)


def _render_callout(kind: str) -> Callable[..., str]:
    def render(self: Any, tokens: Sequence[Token], idx: int, _options: Any, _env: Any) -> str:
        token = tokens[idx]
        if token.nesting != 1:
            return "</div></aside>\n"
        title = token.info.strip()[len(kind):].strip() or CALLOUT_TITLES[kind]
        return (f'<aside class="callout callout-{kind}" aria-label="{escape(title)}">'
                f'<p class="callout-title">{escape(title)}</p><div class="callout-body">\n')
    return render


def _render_description(self: Any, tokens: Sequence[Token], idx: int, _options: Any, _env: Any) -> str:
    if tokens[idx].nesting == 1:
        return ('<details class="figure-description"><summary>Tekstbeschrijving van de figuur</summary>'
                '<div class="figure-description-body">\n')
    return "</div></details>\n"


def _render_question(self: Any, tokens: Sequence[Token], idx: int, _options: Any, env: Any) -> str:
    token = tokens[idx]
    if token.nesting != 1:
        return ""
    ref = token.info.strip()[len(QUESTION_DIRECTIVE):].strip()
    return _QUESTION_SENTINEL.format(ref=ref) + "\n" if _REF.match(ref) else ""


def _check_questions(state: StateCore) -> None:
    ctx: RenderContext | None = state.env.get("ctx")
    if ctx is None:
        return
    tokens = state.tokens
    for i, token in enumerate(tokens):
        if token.type != f"container_{QUESTION_DIRECTIVE}_open":
            continue
        line = token.map[0] if token.map else None
        ref = token.info.strip()[len(QUESTION_DIRECTIVE):].strip()
        match = _REF.match(ref)
        if not match:
            ctx.error(line, f"'::: vraag' needs a question reference 'quiz-id/question-id', got {ref!r}")
        else:
            ctx.question_refs.append((match[1], match[2], ctx.first_line + (line or 0)))
        if tokens[i + 1].type != f"container_{QUESTION_DIRECTIVE}_close":
            ctx.error(line, "'::: vraag' takes no text: close it with ':::' on the next line")
            # Drop the text so nothing unvalidated reaches the page.
            j = i + 1
            while tokens[j].type != f"container_{QUESTION_DIRECTIVE}_close":
                tokens[j].hidden = True
                tokens[j].type = "text"
                tokens[j].content = ""
                tokens[j].children = None
                j += 1


def _walk_inline(state: StateCore) -> None:
    """Check and rewrite links and images; collect headings and mark figures."""
    ctx: RenderContext | None = state.env.get("ctx")
    tokens = state.tokens
    for i, token in enumerate(tokens):
        if token.type != "inline" or not token.children:
            continue
        line = token.map[0] if token.map else None
        if ctx is not None:
            ctx.words += sum(len(c.content.split()) for c in token.children if c.type == "text")
            if i > 0 and tokens[i - 1].type == "heading_open":
                heading = tokens[i - 1]
                ctx.headings.append(Heading(int(heading.tag[1]), token.content, str(heading.attrs.get("id", ""))))
        meaningful = [c for c in token.children if not (c.type == "text" and not c.content.strip())
                      and c.type != "softbreak"]
        if len(meaningful) == 1 and meaningful[0].type == "image" and tokens[i - 1].type == "paragraph_open":
            tokens[i - 1].meta["figure"] = True
            tokens[i + 1].meta["figure"] = True
            meaningful[0].meta["figure"] = True
        for child in token.children:
            if child.type == "image" and ctx is not None:
                _check_image(ctx, child, line)
            elif child.type == "link_open" and ctx is not None:
                _check_link(ctx, child, line)


def _check_image(ctx: RenderContext, image: Token, line: int | None) -> None:
    src = str(image.attrs.get("src", ""))
    alt = "".join(c.content for c in image.children or []).strip()
    if not alt:
        ctx.error(line, f"image '{src}' has no alt text: write what it shows between the brackets")
    if _EXTERNAL.match(src) or src.startswith(("/", "//")) or ":" in src:
        ctx.error(line, f"image '{src}' must be a file beside the content, not a URL")
        image.attrs["src"] = ""
        return
    target = (ctx.path.parent / src).resolve()
    if not target.is_file():
        ctx.error(line, f"image '{src}' not found")
        image.attrs["src"] = ""
        return
    url = ctx.resolve_image(target)
    if url is None:
        ctx.error(line, f"image '{src}' is not allowed here (use .svg, .png, .jpg or .webp inside the module)")
        image.attrs["src"] = ""
        return
    ctx.images.append(target)
    image.attrs["src"] = url


def _check_link(ctx: RenderContext, link: Token, line: int | None) -> None:
    href = str(link.attrs.get("href", ""))
    if not href:
        ctx.error(line, "link without a target")
        return
    if _EXTERNAL.match(href):
        if href.lower().startswith("http"):
            link.attrs["rel"] = "noopener noreferrer"
        return
    if href.startswith("#") or href.startswith("/"):
        return
    if ":" in href.split("/")[0]:
        ctx.error(line, f"link '{href}': only http(s), mailto and tel links are allowed")
        link.attrs["href"] = "#"
        return
    file_part, _, anchor = href.partition("#")
    target = (ctx.path.parent / file_part).resolve()
    url = ctx.resolve_page(target) if file_part.endswith(".md") else None
    if url is None:
        ctx.error(line, f"broken link '{href}': no such page")
        link.attrs["href"] = "#"
        return
    if anchor:
        ctx.pending_anchors.append(PendingAnchor(ctx.path, ctx.first_line + (line or 0), target, anchor))
        url = f"{url}#{anchor}"
    link.attrs["href"] = url


def _paragraph_open(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    return "<figure>" if tokens[idx].meta.get("figure") else self.renderToken(tokens, idx, options, env)


def _paragraph_close(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    return "</figure>\n" if tokens[idx].meta.get("figure") else self.renderToken(tokens, idx, options, env)


def _image(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    token = tokens[idx]
    alt = self.renderInlineAsText(token.children or [], options, env)
    title = str(token.attrs.get("title", ""))
    img = f'<img src="{escape(str(token.attrs.get("src", "")))}" alt="{escape(alt)}" loading="lazy">'
    if token.meta.get("figure") and title:
        return f"{img}<figcaption>{escape(title)}</figcaption>"
    return img


def _table_open(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    """A table scrolls inside its own labelled, focusable region, so a narrow screen never scrolls sideways."""
    headers = []
    for token in tokens[idx + 1:]:
        if token.type == "tr_close":
            break
        if token.type == "inline":
            headers.append(self.renderInlineAsText(token.children or [], options, env))
    label = escape("Tabel: " + ", ".join(h for h in headers if h))
    return (f'<div class="table-wrap" role="region" tabindex="0" aria-label="{label}">'
            + self.renderToken(tokens, idx, options, env))


def _table_close(self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
    return self.renderToken(tokens, idx, options, env) + "</div>\n"


def _build() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "typographer": True})
    md.enable(["table", "replacements", "smartquotes"])
    md.options["quotes"] = "„”‚’"
    md.use(footnote_plugin)
    md.use(anchors_plugin, min_level=2, max_level=3, slug_func=slugify)
    for kind in CALLOUT_TITLES:
        md.use(container_plugin, kind, render=_render_callout(kind))
    md.use(container_plugin, DESCRIPTION_DIRECTIVE, render=_render_description)
    md.use(container_plugin, QUESTION_DIRECTIVE, render=_render_question)
    md.core.ruler.push("leerlijn_questions", _check_questions)
    md.core.ruler.push("leerlijn_inline", _walk_inline)
    md.add_render_rule("paragraph_open", _paragraph_open)
    md.add_render_rule("paragraph_close", _paragraph_close)
    md.add_render_rule("image", _image)
    md.add_render_rule("table_open", _table_open)
    md.add_render_rule("table_close", _table_close)
    return md


MARKDOWN = _build()
# Content files are rendered with a context that checks every link and image. markdown-it's own guard leaves
# a `javascript:` (or `data:`, `file:`…) link as plain text without a word, so an author would never learn
# why their link is not one: this instance lets every link through to _check_link, which refuses it with
# file and line and makes it harmless. Rendering without a context keeps markdown-it's guard.
_CHECKED = _build()
_CHECKED.validateLink = lambda _url: True  # type: ignore[method-assign]


def _renderer(ctx: RenderContext | None) -> MarkdownIt:
    return _CHECKED if ctx is not None else MARKDOWN


def render(text: str, ctx: RenderContext | None = None) -> str:
    """Render Markdown to HTML; with a context, check links and images and collect headings."""
    return _renderer(ctx).render(text, {"ctx": ctx} if ctx else {})


def render_inline(text: str, ctx: RenderContext | None = None) -> str:
    """Render a short piece of Markdown (an option, a label) without a surrounding paragraph."""
    return _renderer(ctx).renderInline(text, {"ctx": ctx} if ctx else {})


def split_segments(html: str) -> tuple[tuple[str, str], ...]:
    """Split page HTML at embedded questions: ``(("html", "<p>…"), ("question", "quiz/q"), …)``."""
    parts = _QUESTION_SPLIT.split(html)
    segments: list[tuple[str, str]] = []
    for i, part in enumerate(parts):
        if i % 2:
            segments.append(("question", part))
        elif part.strip():
            segments.append(("html", part))
    return tuple(segments)
