"""Content rules for the course text: learners see real sources, cited one way, and the hard edges are right."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
import yaml

from course.catalog import Catalog, load_catalog

ROOT = Path(__file__).resolve().parent.parent.parent
# quizzes/ is checked by its own author; this covers the text of modules, casussen and the intervention guide.
CONTENT_FILES = sorted(
    [*ROOT.glob("modules/**/*.md"), *ROOT.glob("modules/**/*.svg"), *ROOT.glob("casuses/*.yaml"),
     ROOT / "interventions.yaml", ROOT / "course.yaml"]
)
# A learner never saw the training deck or the authors' working files: these must not be cited.
INTERNAL_REFERENCES = re.compile(r"trainingspresentatie|trainingsdia|\bde dia's|cursusbron|feitenbrief|\bseed\b", re.I)
# A reference names its year, or says it has none: "(1998)", "(2015)", "(z.j.)".
YEAR = re.compile(r"\((?:1[89]\d\d|20\d\d)[a-z]?\)|\(z\.j\.\)")


@cache
def catalog() -> Catalog:
    return load_catalog(ROOT)


@pytest.mark.parametrize("path", CONTENT_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_reference_to_the_training_deck_or_internal_files(path):
    hits = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()[:80]}"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if INTERNAL_REFERENCES.search(line)
    ]
    assert hits == []


def test_every_module_source_names_a_year_in_one_style():
    missing = [
        f"{module.id}/{source.id}: {source.citation[:60]}"
        for module in catalog().modules
        for source in module.sources
        if not YEAR.search(source.citation)
    ]
    assert missing == []


def test_every_footnote_in_a_module_page_names_a_year():
    footnote = re.compile(r"^\[\^[^\]]+\]:\s*(.+)$")
    missing = []
    for path in sorted(ROOT.glob("modules/*/*.md")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            match = footnote.match(line)
            if match and not YEAR.search(match.group(1)) and "LECK" not in match.group(1):
                missing.append(f"{path.relative_to(ROOT)}:{number}")
    assert missing == []


def test_the_collaboration_motto_is_credited_to_its_authors():
    motto = "eerst samenwerken voor veiligheid"
    pages = [p for p in ROOT.glob("modules/*/*.md") if motto in p.read_text(encoding="utf-8").lower()]
    assert pages
    assert [str(p.relative_to(ROOT)) for p in pages if "Vogtländer" not in p.read_text(encoding="utf-8")] == []


def test_the_disclosure_page_separates_acting_from_acute_and_names_police_and_csg():
    page = (ROOT / "modules/03-meldcode/04-onthulling.md").read_text(encoding="utf-8")
    assert "niet elke onthulling" in page.lower()
    assert "dezelfde dag" in page
    assert "Centrum Seksueel Geweld" in page and "zeven dagen" in page and "0800-0188" in page
    assert "112" in page


def test_the_example_safety_plan_covers_the_baby_keeps_the_father_sober_and_gives_no_child_a_watch():
    page = (ROOT / "modules/06-veiligheidsplan/02-een-goed-veiligheidsplan.md").read_text(encoding="utf-8")
    plan = page[page.index("| Zorg of situatie"):page.index("Dit voorbeeld is bedacht")]
    assert "11 maanden" in plan
    assert "drinkt **geen** alcohol zolang hij voor de kinderen zorgt" in plan
    checks = [row.rsplit("|", 2)[-2] for row in plan.splitlines() if row.startswith("| ") and "---" not in row]
    assert not any(re.search(r"\bDaan (vraagt|vertelt|controleert|let)", cell) for cell in checks)


def test_mothers_with_a_child_born_of_sexual_violence_have_a_page_of_their_own():
    module = next(m for m in catalog().modules if m.id == "herstel")
    page = next(p for p in module.pages if p.id == "moeders-na-seksueel-geweld")
    html = "".join(v for k, v in page.segments if k == "html")
    for needed in ("Ernaar vragen", "Veiligheid eerst", "Arq", "Fier", "De Evenaar", "consultatie"):
        assert needed in html, needed


JOB_AIDS = ("meldcode-afwegingskader", "kindcheck", "als-een-kind-vertelt", "veiligheidsplan")


@pytest.mark.parametrize("job_aid", JOB_AIDS)
def test_every_job_aid_names_its_modules_and_the_numbers_to_call(job_aid):
    text = (ROOT / "jobaids" / f"{job_aid}.md").read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    meta = yaml.safe_load(front)
    module_ids = {m.id for m in catalog().modules}
    assert meta["title"] and meta["summary"] and set(meta["modules"]) <= module_ids
    if job_aid != "kindcheck":
        assert "0800-2000" in body or "112" in body


def test_the_safety_plan_template_has_a_childs_version_that_gives_the_child_no_watch():
    body = (ROOT / "jobaids" / "veiligheidsplan.md").read_text(encoding="utf-8")
    child = body[body.index("## Mijn veiligheidsplan"):]
    assert "112" in child and "Kindertelefoon" in child
    assert "Ik hoef niet op te letten of\nde grote mensen zich aan de afspraken houden" in child
