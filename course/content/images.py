"""Checks on images a module serves: only raster formats and SVGs that cannot run code."""

from __future__ import annotations

import re
from pathlib import Path
from xml.parsers import expat

from course.errors import ErrorReport

IMAGE_SUFFIXES = frozenset({".svg", ".png", ".jpg", ".jpeg", ".webp"})
_EXTERNAL_REF = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:|//)", re.IGNORECASE)


def check_svg(path: Path, report: ErrorReport) -> None:
    """Report scripts, event handlers, external references and a missing title in an SVG file.

    SVGs are served to browsers as images, but a learner could also open one directly; refusing active
    content at load time means no SVG we serve can run code.
    """
    parser = expat.ParserCreate()
    state = {"title": False, "root": True, "root_labelled": False}

    def start(name: str, attrs: dict[str, str]) -> None:
        line = parser.CurrentLineNumber
        local = name.rsplit(":", 1)[-1]
        if state["root"]:
            state["root"] = False
            state["root_labelled"] = bool(attrs.get("aria-label") or attrs.get("aria-labelledby"))
        if local in {"script", "foreignObject", "iframe", "embed", "object"}:
            report.add(path, line, "", f"<{local}> is not allowed in an SVG")
        if local == "title":
            state["title"] = True
        for attr, value in attrs.items():
            attr_local = attr.rsplit(":", 1)[-1]
            if attr_local.lower().startswith("on"):
                report.add(path, line, "", f"event attribute '{attr}' is not allowed in an SVG")
            if attr_local == "href" and _EXTERNAL_REF.match(value) and not value.startswith("#"):
                report.add(path, line, "", f"external reference '{value}' is not allowed in an SVG")

    parser.StartElementHandler = start
    parser.UseForeignDTD(False)
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def no_entities(*_args: object) -> None:
        report.add(path, parser.CurrentLineNumber, "", "entity declarations are not allowed in an SVG")

    parser.EntityDeclHandler = no_entities
    try:
        parser.Parse(path.read_bytes(), True)
    except expat.ExpatError as exc:
        report.add(path, exc.lineno, "", f"invalid SVG: {expat.errors.messages[exc.code]}")
        return
    if not (state["title"] or state["root_labelled"]):
        report.add(path, 1, "", "SVG has no <title>: give it one so assistive technology can name it")
