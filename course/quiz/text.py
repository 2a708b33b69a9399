"""Markdown fields of a quiz: rendered to HTML once, while the quiz file is validated.

A field typed ``MarkdownBlock`` or ``MarkdownInline`` holds *HTML* after validation. The renderer comes
from the pydantic validation context (key ``"markdown"``), so the loader can check links with file and
line; without a context the text is rendered plainly. Snapshots of attempts already hold HTML, so they
are validated with ``{"html": "trusted"}`` to keep the text as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, ValidationInfo

from course.content.markdown import RenderContext, render, render_inline
from course.errors import ErrorReport

TRUSTED_HTML = {"html": "trusted"}


@dataclass(frozen=True)
class QuizMarkdown:
    """Renders the Markdown of one quiz file, turning link and image problems into ValueErrors.

    The errors surface as pydantic errors on the field, so the loader reports them with the field's line.
    """

    path: Path
    root: Path
    # None: no course page can be linked to / no image shown (every such link or image is refused)
    resolve_page: Callable[[Path], str | None] | None = None
    resolve_image: Callable[[Path], str | None] | None = None

    def __call__(self, text: str, inline: bool) -> str:
        scratch = ErrorReport(self.root)
        ctx = RenderContext(self.path, 1, scratch, resolve_page=self.resolve_page or _no_url,
                            resolve_image=self.resolve_image or _no_url)
        html = render_inline(text, ctx) if inline else render(text, ctx)
        messages = [e.message for e in scratch]
        if ctx.question_refs:
            messages.append("'::: vraag' cannot be used inside a quiz")
        if messages:
            raise ValueError("; ".join(messages))
        return html


def _no_url(_path: Path) -> None:
    return None


def _plain(text: str, inline: bool) -> str:
    return render_inline(text) if inline else render(text)


def render_field(value: str, context: dict[str, object] | None, inline: bool) -> str:
    """The HTML a Markdown field holds: ``value`` rendered by the context's renderer (plainly without one),
    or ``value`` itself when the context says it is trusted HTML already (a snapshot)."""
    context = context or {}
    if context.get("html") == "trusted":
        return value
    markdown: Callable[[str, bool], str] = context.get("markdown") or _plain  # type: ignore[assignment]
    # Stripped, as every string field is: a snapshot read back then equals what was stored.
    return markdown(value, inline).strip()


# Plain functions rather than lambdas built by a factory at import time: each call runs the current code
# (mutation testing swaps it per test run; a closure made at import would keep the original).
def _render_block(value: str, info: ValidationInfo) -> str:
    return render_field(value, info.context, inline=False)


def _render_inline(value: str, info: ValidationInfo) -> str:
    return render_field(value, info.context, inline=True)


MarkdownBlock = Annotated[str, AfterValidator(_render_block)]
"""Markdown with paragraphs, lists, …; holds HTML once validated."""

MarkdownInline = Annotated[str, AfterValidator(_render_inline)]
"""A short piece of Markdown (an option, a label), rendered without a surrounding paragraph."""
