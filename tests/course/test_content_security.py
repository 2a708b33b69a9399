"""Content cannot carry active code to a learner's browser, and an author learns why a link or image was refused."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from course.content.images import check_svg
from course.content.markdown import RenderContext, render, render_inline
from course.errors import ErrorReport

ROOT = Path("/cursus")
PAGE = ROOT / "modules" / "01-m" / "01-p.md"
UNSAFE_HREF = re.compile(r"""(?:href|src)="(?!https?:|mailto:|#|/)[^"]*""", re.IGNORECASE)


def rendered(text: str, *, inline: bool = False) -> tuple[str, list[str]]:
    report = ErrorReport(ROOT)
    ctx = RenderContext(PAGE, 1, report)
    html = render_inline(text, ctx) if inline else render(text, ctx)
    return html, [str(e) for e in report]


@pytest.mark.parametrize(("link", "shown"), [
    ("javascript:alert(1)", "javascript:alert(1)"),
    ("JaVaScRiPt:alert(1)", "JaVaScRiPt:alert(1)"),
    ("&#106;avascript:alert(1)", "javascript:alert(1)"),  # an entity does not hide the scheme
    ("vbscript:msgbox(1)", "vbscript:msgbox(1)"),
    ("data:text/html,<b>hoi</b>", "data:text/html,<b>hoi</b>"),
    ("file:///etc/passwd", "file:///etc/passwd"),
    ("ftp://example.org/x", "ftp://example.org/x"),
])
@pytest.mark.parametrize("inline", [False, True])
def test_a_link_with_another_scheme_is_refused_with_its_line_and_made_harmless(link, shown, inline):
    html, errors = rendered(f"Lees\n[dit]({link.replace('<', '%3C').replace('>', '%3E')})", inline=inline)
    shown = shown.replace("<", "%3C").replace(">", "%3E")
    assert errors == [f"modules/01-m/01-p.md:1: link '{shown}': only http(s), mailto and tel links are allowed"]
    assert '<a href="#">dit</a>' in html and not UNSAFE_HREF.search(html)


def test_an_autolink_with_a_script_scheme_is_refused_too():
    html, errors = rendered("<javascript:alert(1)>")
    assert errors == ["modules/01-m/01-p.md:1: link 'javascript:alert(1)': only http(s), mailto and tel links are "
                      "allowed"]
    assert 'href="#"' in html and not UNSAFE_HREF.search(html)


@pytest.mark.parametrize("link", ["https://www.nji.nl/kindermishandeling", "mailto:info@example.org",
                                  "tel:0800-2000", "#signalen"])
def test_web_mail_phone_and_anchor_links_pass(link):
    html, errors = rendered(f"[dit]({link})")
    assert errors == [] and f'href="{link}"' in html


def test_an_external_link_opens_without_telling_the_other_site_where_the_learner_came_from():
    html, _ = rendered("[NJi](https://www.nji.nl)")
    assert 'rel="noopener noreferrer"' in html


@pytest.mark.parametrize("src", ["https://example.org/schema.png", "//example.org/schema.png",
                                 "data:image/png;base64,iVBORw0KGgo=", "javascript:alert(1)"])
def test_a_remote_or_inline_image_is_refused_and_not_shown(src):
    html, errors = rendered(f"![Een schema]({src})")
    assert errors == [f"modules/01-m/01-p.md:1: image '{src}' must be a file beside the content, not a URL"]
    assert 'src=""' in html and src not in html


@pytest.mark.parametrize("raw", ['<script>alert(1)</script>', '<img src=x onerror="alert(1)">',
                                 '<a href="javascript:alert(1)">klik</a>', '<iframe src="https://x"></iframe>'])
def test_raw_html_in_markdown_is_shown_as_text_never_as_markup(raw):
    html, _ = rendered(raw)
    assert "<script" not in html and "<img" not in html and "<iframe" not in html and "<a " not in html
    assert "&lt;" in html


def test_without_a_context_markdown_it_still_refuses_script_links():
    assert "href=" not in render("[x](javascript:alert(1))")


def svg_errors(tmp_path: Path, body: str, *, prolog: str = "") -> list[str]:
    path = tmp_path / "schema.svg"
    path.write_text(f'{prolog}<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
                    f"<title>Schema</title>\n{body}</svg>", encoding="utf-8")
    report = ErrorReport(tmp_path)
    check_svg(path, report)
    return [str(e) for e in report]


@pytest.mark.parametrize(("body", "message"), [
    ('<image href="https://example.org/x.png"/>', "external reference 'https://example.org/x.png' is not allowed"),
    ('<use xlink:href="//example.org/s.svg#a"/>', "external reference '//example.org/s.svg#a' is not allowed"),
    ('<a href="javascript:alert(1)"><rect/></a>', "external reference 'javascript:alert(1)' is not allowed"),
    ('<image href="data:image/svg+xml;base64,PHN2Zz4="/>', "external reference 'data:image/svg+xml;base64,PHN2Zz4=' "
                                                           "is not allowed"),
    ("<foreignObject><div>hoi</div></foreignObject>", "<foreignObject> is not allowed"),
    ('<rect onload="alert(1)"/>', "event attribute 'onload' is not allowed"),
])
def test_an_svg_that_could_fetch_or_run_something_is_refused_at_its_line(tmp_path, body, message):
    assert svg_errors(tmp_path, body) == [f"schema.svg:2: {message} in an SVG"]


def test_an_svg_with_entity_declarations_is_refused(tmp_path):
    prolog = '<?xml version="1.0"?>\n<!DOCTYPE svg [\n<!ENTITY lol "lol">\n]>\n'
    errors = svg_errors(tmp_path, "<text>&lol;</text>", prolog=prolog)
    assert errors == ["schema.svg:3: entity declarations are not allowed in an SVG"]


def test_an_svg_referring_inside_itself_passes(tmp_path):
    assert svg_errors(tmp_path, '<defs><path id="p" d="M0 0"/></defs><use href="#p"/>') == []
