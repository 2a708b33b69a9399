"""The README's worked example of an accreditation section is one the real course accepts as written."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import yaml

from course.catalog import load_catalog
from course.content.model import RegisterAccreditation

ROOT = Path(__file__).resolve().parents[2]
CONTENT = ("modules", "quizzes", "casuses", "jobaids", "trainersgids", "interventions.yaml")


def readme_example() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"<!-- accreditation-example[^>]*-->\n```yaml\n(.*?)```", readme, re.DOTALL)
    assert match, "the README lost its accreditation example"
    return match.group(1)


def test_the_readme_accreditation_example_loads_with_the_real_course(tmp_path: Path) -> None:
    """Pasted under the real course.yaml, the example passes the content check unchanged."""
    for name in CONTENT:
        source = ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, tmp_path / name)
    manifest = yaml.safe_load((ROOT / "course.yaml").read_text(encoding="utf-8"))
    manifest.pop("accreditation", None)  # the course's own, once it has one, makes way for the example
    (tmp_path / "course.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False)
                                          + readme_example(), encoding="utf-8")
    accreditation = load_catalog(tmp_path).course.accreditation
    assert [r.register for r in accreditation.registers] == ["SKJ", "BIG"]
    assert accreditation.registers[0] == RegisterAccreditation("SKJ", "<accreditatienummer uit het besluit van SKJ>", 8)
    assert accreditation.valid_months == 36 and accreditation.refresher_casuses == ("onthulling",)
    assert accreditation.rule.casuses == ("onthulling", "concentratieproblemen")
