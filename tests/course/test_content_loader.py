"""Loading and validating course content: every problem found at once, each with file and line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from course.catalog import load_catalog
from course.errors import ContentErrors

VALID = Path(__file__).parent.parent / "fixtures" / "content" / "valid"


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """A private copy of the valid fixture course, to break in one place per test."""
    root = tmp_path / "content"
    shutil.copytree(VALID, root)
    return root


def errors_of(root: Path) -> list[str]:
    with pytest.raises(ContentErrors) as info:
        load_catalog(root)
    return [str(e) for e in info.value.errors]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture changed: {old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_valid_content_loads_into_frozen_objects():
    catalog = load_catalog(VALID)
    assert [m.id for m in catalog.modules] == ["eerste", "tweede"]
    page = catalog.module("eerste").page("begin")
    assert page.title == "Het begin" and page.minutes == 5
    with pytest.raises(AttributeError):
        page.title = "anders"  # type: ignore[misc]


def test_unknown_key_in_front_matter_names_file_line_and_key(content):
    edit(content / "modules/01-eerste/01-begin.md", "minutes: 5\n", "minutes: 5\nminuten: 6\n")
    assert errors_of(content) == ["modules/01-eerste/01-begin.md:4: unknown key 'minuten'"]


def test_missing_field_is_reported(content):
    edit(content / "modules/01-eerste/index.md", "minutes: 20\n", "")
    assert errors_of(content) == ["modules/01-eerste/index.md:2: missing required key 'minutes'"]


def test_wrong_type_is_reported_with_the_field_path(content):
    edit(content / "modules/02-tweede/index.md", "    url: https://example.org/bron", "    url: geen-url")
    (error,) = errors_of(content)
    assert error.startswith("modules/02-tweede/index.md:10: sources[0].url:")


def test_duplicate_source_ids_are_reported(content):
    edit(content / "modules/01-eerste/index.md", "sources:\n", "sources:\n  - id: bron-een\n    citation: Dubbel.\n")
    assert errors_of(content) == ["modules/01-eerste/index.md:10: sources[1].id: duplicate source id 'bron-een'"]


def test_duplicate_yaml_keys_are_reported(content):
    edit(content / "modules/01-eerste/01-begin.md", "minutes: 5\n", "minutes: 5\ntitle: Nog een titel\n")
    assert errors_of(content) == ["modules/01-eerste/01-begin.md:4: duplicate key 'title'"]


def test_broken_internal_link_and_missing_anchor(content):
    edit(content / "modules/01-eerste/01-begin.md", "(02-vervolg.md#tweede-kop)", "(03-bestaat-niet.md)")
    edit(content / "modules/01-eerste/02-vervolg.md", "(../02-tweede/index.md)", "(01-begin.md#geen-kop)")
    assert errors_of(content) == [
        "modules/01-eerste/01-begin.md:7: broken link '03-bestaat-niet.md': no such page",
        "modules/01-eerste/02-vervolg.md:11: broken link: no heading '#geen-kop' in modules/01-eerste/01-begin.md",
    ]


def test_missing_image_and_image_without_alt_text(content):
    edit(content / "modules/01-eerste/01-begin.md", "![Een eenvoudig schema](img/schema.svg",
         "![](img/weg.svg")
    assert errors_of(content) == [
        "modules/01-eerste/01-begin.md:13: image 'img/weg.svg' has no alt text: write what it shows between the "
        "brackets",
        "modules/01-eerste/01-begin.md:13: image 'img/weg.svg' not found",
    ]


def test_svg_with_script_is_refused(content):
    svg = content / "modules/01-eerste/img/schema.svg"
    edit(svg, "<rect", '<script>alert(1)</script>\n<rect onclick="x()"')
    assert errors_of(content) == [
        "modules/01-eerste/img/schema.svg:1: <script> is not allowed in an SVG",
        "modules/01-eerste/img/schema.svg:2: event attribute 'onclick' is not allowed in an SVG",
    ]


def test_front_matter_that_is_not_yaml_is_an_error_not_ignored(content):
    edit(content / "modules/01-eerste/02-vervolg.md", "minutes: 5\n", "minutes: [5\n")
    (error,) = errors_of(content)
    assert error.startswith("modules/01-eerste/02-vervolg.md:") and "invalid YAML" in error


def test_module_missing_from_manifest_and_manifest_naming_a_missing_module(content):
    edit(content / "course.yaml", "modules: [eerste, tweede]", "modules: [eerste, derde]")
    assert errors_of(content) == [
        "course.yaml:5: modules[1]: no folder modules/NN-derde/ for module 'derde'",
        "modules/02-tweede: module 'tweede' is not listed in course.yaml",
    ]


def test_every_problem_is_reported_in_one_run(content):
    edit(content / "modules/01-eerste/01-begin.md", "minutes: 5\n", "minutes: 5\nauteur: x\n")
    edit(content / "modules/02-tweede/01-enige.md", "Een korte pagina.", "[kapot](nergens.md)")
    (content / "modules/01-eerste/03-zonder-kop.md").write_text("Geen front matter.\n", encoding="utf-8")
    assert len(errors_of(content)) == 3


def test_raw_html_in_markdown_is_shown_as_text(content):
    edit(content / "modules/02-tweede/01-enige.md", "Een korte pagina.", "<script>alert(1)</script> tekst")
    catalog = load_catalog(content)
    html = catalog.module("tweede").page("enige").segments[0][1]
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_domain_package_never_imports_flask():
    root = Path(__file__).parent.parent.parent / "course"
    offenders = [str(p) for p in root.rglob("*.py")
                 if any(line.strip().startswith(("import flask", "from flask")) for line in p.read_text().splitlines())]
    assert offenders == []


def test_a_private_use_character_is_refused_with_file_line_and_column(content):
    """An icon font's code point (or a stray U+E000) means nothing to a reader; it is named, not shown."""
    page = content / "modules/01-eerste/01-begin.md"
    lines = page.read_text(encoding="utf-8").splitlines()
    lines[-1] += " \ue000 en \uf8ff"
    page.write_text("\n".join(lines) + "\n", encoding="utf-8")
    column = len(lines[-1]) - len(" en \uf8ff")
    assert errors_of(content) == [
        f"modules/01-eerste/01-begin.md:{len(lines)}: character U+E000 (column {column}) is a private-use "
        "character with no agreed meaning; write the text or symbol itself",
        f"modules/01-eerste/01-begin.md:{len(lines)}: character U+F8FF (column {len(lines[-1])}) is a "
        "private-use character with no agreed meaning; write the text or symbol itself"]
