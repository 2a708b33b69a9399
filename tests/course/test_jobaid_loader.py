"""Job aids: printable cards loaded like pages, each problem named with file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from course.content.jobaids import load_jobaids
from course.errors import ErrorReport
from tests.conftest import VALID_CONTENT

MODULES = frozenset({"eerste", "tweede"})


def load(directory: Path):
    report = ErrorReport(directory)
    return load_jobaids(directory, report, MODULES), [str(e) for e in report]


def test_a_job_aid_loads_with_its_text_modules_and_sources():
    (aid,), errors = load(VALID_CONTENT / "jobaids")
    assert errors == []
    assert (aid.id, aid.title, aid.modules) == ("kindcheck", "De kindcheck", ("eerste",))
    assert "<strong>kinderen</strong>" in aid.html and "<table>" in aid.html and "callout-letop" in aid.html
    assert aid.sources[0].citation.startswith("Rijksoverheid (2019)") and aid.words > 20


GOOD = "---\ntitle: T\nsummary: S\nmodules: [eerste]\n---\nTekst.\n"


@pytest.mark.parametrize(("name", "text", "expected"), [
    ("a.md", GOOD.replace("[eerste]", "[derde]"), "a.md:4: modules[0]: unknown module 'derde'"),
    ("a.md", GOOD.replace("summary: S\n", ""), "a.md:2: missing required key 'summary'"),
    ("a.md", GOOD.replace("modules: [eerste]\n", "modules: [eerste]\nkleur: rood\n"), "a.md:5: unknown key 'kleur'"),
    ("a.md", GOOD + "\n::: vraag toets/een\n:::\n", "a.md:8: a job aid is printed: it cannot embed a question"),
    ("a.md", GOOD + "\nZie [dit](bestaat-niet.md).\n", "a.md:8: broken link 'bestaat-niet.md'"),
    ("Kaart.md", GOOD, "Kaart.md: a job aid's file name is its id: a lowercase slug"),
    ("a.md", "Geen front matter.\n", "a.md:1: missing front matter"),
])
def test_mistakes_are_reported_with_file_and_line(tmp_path, name, text, expected):
    (tmp_path / name).write_text(text, encoding="utf-8")
    aids, errors = load(tmp_path)
    assert aids == ()
    assert [e for e in errors if e.startswith(expected)], errors


def test_no_directory_means_no_job_aids(tmp_path):
    assert load(tmp_path / "jobaids") == ((), [])
