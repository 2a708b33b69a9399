"""QR codes as inline SVG (no image request, no script), for join links on the projector and group page."""

from __future__ import annotations

import segno
from markupsafe import Markup


def qr_svg(url: str, title: str) -> Markup:
    """An SVG QR code of ``url``, labelled ``title`` for screen readers; scales with its container."""
    svg = segno.make(url, error="m").svg_inline(scale=1, border=2, title=title, svgclass="qr-code",
                                                lineclass=None, omitsize=True, dark="#1a1a1a", light="#ffffff")
    return Markup(svg.replace("<svg ", "<svg role=\"img\" ", 1))  # noqa: S704 - segno escapes the title; the rest is generated markup
