"""The accreditation section of course.yaml: read into the course, every mistake named with file and line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from course.catalog import load_catalog
from course.content.model import Accreditation, EarningRule, RegisterAccreditation
from tests.course.test_content_loader import VALID, errors_of

ACCREDITATION = """\
accreditation:
  registers:
    - register: SKJ
      number: "K-2026-0147"
      points: 8
    - register: BIG
      number: "VVN-118822"
      points: 6
  earned_by:
    min_quiz_percent: 70
    casuses: [oefencasus]
    min_minutes: 90
  valid_months: 36
  remind_days_before: 45
  refresher:
    casuses: all
"""


@pytest.fixture
def content(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(VALID, root)
    return root


def with_accreditation(root: Path, text: str) -> Path:
    manifest = root / "course.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8") + text, encoding="utf-8")
    return root


def line_of(root: Path, needle: str) -> int:
    lines = (root / "course.yaml").read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if needle in line)


def test_accreditation_is_read_into_the_course(content):
    """Registers, points, the earning rule, validity and the refresher come from the manifest."""
    course = load_catalog(with_accreditation(content, ACCREDITATION)).course
    assert course.accreditation == Accreditation(
        registers=(RegisterAccreditation("SKJ", "K-2026-0147", 8), RegisterAccreditation("BIG", "VVN-118822", 6)),
        rule=EarningRule(70, ("oefencasus",), 90), valid_months=36, remind_days_before=45, refresher_casuses=None)


def test_without_accreditation_certificates_never_expire(content):
    """A course without the section still certifies completion, with no points and no expiry."""
    accreditation = load_catalog(content).course.accreditation
    assert accreditation.registers == () and accreditation.valid_months is None
    assert accreditation.rule == EarningRule()


def test_refresher_defaults_to_the_earning_rules_casuses(content):
    course = load_catalog(with_accreditation(content, ACCREDITATION.replace("  refresher:\n    casuses: all\n",
                                                                            ""))).course
    assert course.accreditation.refresher_casuses == ("oefencasus",)


@pytest.mark.parametrize(("old", "new", "needle", "field", "message"), [
    ("register: BIG", "register: NIP", "register: NIP", "accreditation.registers[1].register",
     "unknown register 'NIP'; expected one of ['BIG', 'SKJ']"),
    ("points: 8", "points: 0", "points: 0", "accreditation.registers[0].points",
     "input should be greater than or equal to 1"),
    ("points: 6", "punten: 6", "punten: 6", "accreditation.registers[1]", "unknown key 'punten'"),
    ("min_quiz_percent: 70", "min_quiz_percent: 170", "min_quiz_percent", "accreditation.earned_by.min_quiz_percent",
     "input should be less than or equal to 100"),
    ("valid_months: 36", "valid_months: 1", "accreditation:", "accreditation",
     "remind_days_before (45) is longer than the validity (1 months)"),
    ("register: BIG", "register: SKJ", "accreditation:", "accreditation", "register 'SKJ' is listed twice"),
    ("casuses: [oefencasus]", "casuses: [bestaat-niet]", "casuses: [bestaat-niet]",
     "accreditation.earned_by.casuses[0]", "no casus 'bestaat-niet'"),
    ("    casuses: all\n", "    casuses: [Fout]\n", "casuses: [Fout]", "accreditation.refresher.casuses",
     None),
])
def test_mistakes_are_named_with_file_line_and_field(content, old, new, needle, field, message):
    """An author sees where the accreditation section is wrong, not a crash or a silent default."""
    with_accreditation(content, ACCREDITATION.replace(old, new, 1))
    errors = errors_of(content)
    prefix = f"course.yaml:{line_of(content, needle)}: {field}"
    assert any(e.startswith(prefix) for e in errors), errors
    if message is not None:
        assert f"{prefix}: {message}" in errors, errors


def test_a_missing_registers_list_is_an_error(content):
    with_accreditation(content, "accreditation:\n  valid_months: 24\n")
    assert errors_of(content) == [f"course.yaml:{line_of(content, 'accreditation:')}: accreditation: "
                                  "missing required key 'registers'"]
