"""Loading casus files: sound files become casussen; every problem is reported with file, line and field."""

from __future__ import annotations

import pytest
from casus_builders import FIXTURES, ROOT, load_dir, oefencasus

from course.casus.kinds import ChoiceStep, DebriefStep, InfoStep, PlanStep
from course.catalog import load_catalog


def test_valid_casus_loads_with_every_step_kind():
    casus = oefencasus()
    assert (casus.id, casus.module, casus.minutes, casus.start) == ("oefencasus", "meldcode", 10, "verwijzing")
    assert {s.kind for s in casus.steps} == {"info", "choice", "multi_select", "reflection", "checklist",
                                            "plan", "debrief"}
    assert "<strong>Sam</strong>" in casus.intro_html
    assert len(casus.content_hash) == 64
    overleg = casus.step("overleg")
    assert isinstance(overleg, ChoiceStep) and overleg.meldcode_step == 2 and overleg.afweging == 1
    assert [o.id for o in overleg.recommended] == ["collega"]
    assert overleg.options[0].text_html == "Ik overleg met de aandachtsfunctionaris."  # inline: no <p>
    assert isinstance(casus.step("kies-vervolg"), InfoStep)
    plan = casus.step("plan")
    assert isinstance(plan, PlanStep) and [f.lines for f in plan.fields] == [4, 1]
    assert isinstance(casus.step("debrief"), DebriefStep)
    assert casus.variable("pogingen").initial == 0 and casus.variable("pogingen").label is None


def test_missing_directory_gives_no_casussen():
    assert load_dir(FIXTURES / "bestaat-niet") == ((), [])


EXPECTED_BROKEN = [
    # conditions and effects
    "broken/conditions-errors.yaml:11: variables.Fout-Naam: variable name 'Fout-Naam' must be lowercase",
    "broken/conditions-errors.yaml:23: steps[0].options[0].effects.onbekend: unknown variable 'onbekend'",
    "broken/conditions-errors.yaml:23: steps[0].options[0].effects.risico: 'middel' is not a valid value",
    "broken/conditions-errors.yaml:23: steps[0].options[0].effects.signalen: '+= correct' only works on a "
    "multi_select or checklist step",
    "broken/conditions-errors.yaml:25: steps[0].options[0].next[0].when: condition \"risico.lower() == 'hoog'\": "
    "'.' is not allowed: conditions have no attribute access (column 7)",
    "broken/conditions-errors.yaml:27: steps[0].options[0].next[1].when: condition \"__import__('os')\": "
    "'__import__(': function calls are not allowed",
    "broken/conditions-errors.yaml:29: steps[0].options[0].next[2].when: condition \"signalen == 'veel'\": "
    "cannot compare a number with a text",
    "broken/conditions-errors.yaml:31: steps[0].options[0].next[3].when: condition \"risico == 'middel'\": "
    "'middel' is not a value of 'risico'",
    "broken/conditions-errors.yaml:33: steps[0].options[0].next[4].when: condition 'collegaa': unknown variable "
    "'collegaa'",
    "broken/conditions-errors.yaml:36: steps[0].options[1].id: duplicate id 'a'",
    "broken/conditions-errors.yaml:40: steps[0].options[1].effects.collega: 1 is not a valid value for 'collega'",
    "broken/conditions-errors.yaml:48: steps[1].remarks[0].when: condition 'signalen +': unexpected character '+'",
    # the graph
    "broken/graph-errors.yaml:31: steps[1].options[1].next: no step 'eindee' (did you mean 'einde'?)",
    "broken/graph-errors.yaml:42: steps[2].next: loop begin → keuze → lus → begin: loops may only jump back to a "
    "step with 'revisit: true'",
    "broken/graph-errors.yaml:44: steps[3]: step 'wees' cannot be reached from the start step",
    "broken/graph-errors.yaml:50: steps[4]: no path from step 'vast' leads to a debrief",
    "broken/graph-errors.yaml:50: steps[4]: step 'vast' cannot be reached from the start step",
    "broken/graph-errors.yaml:56: steps[4].next[0].goto: loop vast → vast",
    "broken/graph-errors.yaml:57: steps[4].next[1].when: the last branch of a conditional next must have no 'when'",
    "broken/graph-errors.yaml:64: steps[5].next: a debrief ends the casus and has no 'next'",
    # shape
    "broken/schema-errors.yaml:1: id: id 'andere-naam' must equal the file name 'schema-errors'",
    "broken/schema-errors.yaml:3: module: unknown module 'geen-module' (modules: meldcode)",
    "broken/schema-errors.yaml:9: steps[0]: missing required key 'next'",
    "broken/schema-errors.yaml:13: steps[0]: unknown key 'nxt'",
    "broken/schema-errors.yaml:14: steps[1]: unknown kind 'vraag'",
    "broken/schema-errors.yaml:17: steps[2]: missing required key 'text'",
    "broken/syntax.yaml:3: invalid YAML",
]


def test_broken_casussen_report_every_problem_with_file_line_and_field():
    casuses, errors = load_dir(FIXTURES / "broken")
    # Paths in messages are relative to the report root; make them relative to the fixture folder.
    errors = [e.removeprefix(str(FIXTURES) + "/") for e in errors]
    errors = [e if e.startswith("broken/") else f"broken/{e}" for e in errors]
    assert casuses == ()
    for expected in EXPECTED_BROKEN:
        assert any(e.startswith(expected) for e in errors), f"not reported: {expected}\n" + "\n".join(errors)


def test_a_loop_back_to_a_revisit_step_is_allowed(tmp_path):
    source = (FIXTURES / "valid" / "oefencasus.yaml").read_text(encoding="utf-8")
    (tmp_path / "oefencasus.yaml").write_text(source.replace("    revisit: true\n", ""), encoding="utf-8")
    _, errors = load_dir(tmp_path)
    assert errors == [
        "oefencasus.yaml:72: steps[3].next: loop overleg → nog-eens → overleg: loops may only jump back to a step "
        "with 'revisit: true' (e.g. on 'overleg')"]


@pytest.mark.parametrize(("find", "replace", "expected"), [
    ("start: verwijzing", "start: verwijzin",
     "oefencasus.yaml:14: start: start step 'verwijzin' does not exist (did you mean 'verwijzing'?)"),
    ("        judgement: aanbevolen\n", "        judgement: verdedigbaar\n",
     "oefencasus.yaml:49: steps[2].options: at least one option must be 'aanbevolen'"),
    ("text: Sam is nog steeds moe.", "text: Zie [de meldcode](../modules/meldcode.md).",
     "oefencasus.yaml:72: broken link '../modules/meldcode.md': no such page"),
    ("type: number}", "type: number, initial: true}",
     "oefencasus.yaml:12: variables.pogingen.initial: must be a number"),
    ("- id: zorgen", "- id: wie", "oefencasus.yaml:113: steps[7].fields[1].id: duplicate id 'wie'"),
])
def test_single_mistakes_in_a_valid_casus_are_reported_at_their_line(tmp_path, find, replace, expected):
    source = (FIXTURES / "valid" / "oefencasus.yaml").read_text(encoding="utf-8")
    assert find in source
    (tmp_path / "oefencasus.yaml").write_text(source.replace(find, replace, 1), encoding="utf-8")
    casuses, errors = load_dir(tmp_path)
    assert casuses == ()
    assert any(e.startswith(expected) for e in errors), "\n".join(errors)


def test_a_yml_file_is_reported_not_silently_ignored(tmp_path):
    (tmp_path / "oud.yml").write_text("id: oud\n", encoding="utf-8")
    assert load_dir(tmp_path) == ((), ["oud.yml: casus files end in '.yaml': rename this file"])


def test_real_casussen_load_with_zero_errors():
    """Every casus in casuses/ is sound: the course catalogue loads them strictly."""
    files = sorted((ROOT / "casuses").glob("*.yaml"))
    catalog = load_catalog(ROOT)
    assert sorted(catalog.casuses) == sorted(f.stem for f in files)
