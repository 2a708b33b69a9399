"""Walks through the real casussen: the story a learner sees follows from the choices made."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from casus_builders import valid_input

from course.casus.debrief import debrief
from course.casus.engine import advance, current_step, is_complete, start
from course.casus.kinds import ChecklistStep, ChoiceStep, ConversationStep, MultiSelectStep
from course.catalog import load_catalog

ROOT = Path(__file__).resolve().parents[3]


@cache
def casus(casus_id: str):
    return load_catalog(ROOT).casuses[casus_id]


def walk(casus_id: str, choices: dict[str, str]):
    """Run a casus to its debrief: ``choices`` names the option at a fork, otherwise the recommended one;
    multi_select and checklist steps get exactly their right items."""
    run_casus = casus(casus_id)
    state = start(run_casus)
    visited: list[str] = []
    while not is_complete(run_casus, state):
        step = current_step(run_casus, state)
        visited.append(step.id)
        assert len(visited) < 200, f"{casus_id}: no end in sight: {visited[-10:]}"
        if isinstance(step, ChoiceStep | ConversationStep):
            answer = {"option": [choices.get(step.id, step.recommended[0].id)]}
        elif isinstance(step, MultiSelectStep):  # exactly the right items: the careful learner
            answer = {"item": [i.id for i in step.items if i.correct]}
        elif isinstance(step, ChecklistStep):
            answer = {"criterion": [c.id for c in step.criteria if c.correct]}
        else:
            answer = valid_input(step, pick=-1)
        state, _ = advance(run_casus, state, step.id, answer)
    visited.append(state.current)
    return visited, state, debrief(run_casus, state)


def after(visited: list[str], step_id: str) -> list[str]:
    return visited[visited.index(step_id) + 1:]


def test_daan_the_recommended_route_settles_tonight_with_veilig_thuis_before_reporting():
    visited, state, report = walk("concentratieproblemen", {})
    assert visited.index("vandaag-thuis") < visited.index("signalen")  # same day after the first words
    assert after(visited, "onthulling")[:2] == ["afweging", "vanavond"]  # acute: tonight, then the rest
    assert visited.index("gesprek-sandra") < visited.index("melden")
    assert "vt-snel" in visited and "vt-later" not in visited
    assert state.variables["risico"] == "acuut" and state.variables["veilig_vanavond"]
    assert any("Zo ziet acuut handelen eruit" in remark for remark in report.remarks)


def test_daan_called_structural_the_story_plays_forward_into_a_night_and_recovers_to_tonight():
    visited, state, report = walk("concentratieproblemen", {"afweging": "structureel", "vanavond": "belofte-sandra"})
    assert after(visited, "afweging")[:3] == ["gevolg-structureel", "vanavond", "gevolg-belofte"]
    assert "vt-later" in visited and "vt-snel" not in visited
    assert not state.variables["veilig_vanavond"]
    assert any("ging\nnaar huis zonder afspraak" in r or "naar huis zonder afspraak" in r for r in report.remarks)


def test_daan_calling_veilig_thuis_next_week_has_a_consequence_in_the_story_not_only_a_remark():
    visited, state, report = walk("concentratieproblemen", {"onthulling": "volgende-week"})
    assert after(visited, "onthulling")[:2] == ["gevolg-volgende-week", "afweging"]
    assert state.variables["vt_laat"]
    assert any("opnieuw\ngeslagen" in r or "opnieuw geslagen" in r for r in report.remarks)


def test_daan_consulting_nobody_brings_the_school_in_and_a_second_chance_to_consult():
    visited, state, _report = walk("concentratieproblemen", {"overleg": "niemand"})
    assert after(visited, "overleg")[0] == "gevolg-niemand"
    assert state.variables["laat_overlegd"] and state.variables["collega_geraadpleegd"]


def test_daan_no_remark_says_veilig_thuis_was_never_contacted_when_it_was():
    _visited, state, report = walk("concentratieproblemen", {"vandaag-thuis": "uitstellen", "overleg": "niemand",
                                                            "gevolg-niemand": "zelf-verder"})
    assert state.variables["vt_direct"]
    assert not any("ook niet met Veilig Thuis" in r and "met niemand overlegd" in r for r in report.remarks)


def test_daan_asking_sandra_about_violence_with_erik_present_closes_a_door():
    visited, _state, report = walk("concentratieproblemen", {"gesprek-sandra": "samen-vragen"})
    assert after(visited, "gesprek-sandra")[0] == "gevolg-samen-gevraagd"
    assert any("apart" in r for r in report.remarks)


def test_kim_repeated_partner_violence_with_a_baby_is_weighed_and_reported_with_kim_knowing():
    visited, state, _report = walk("baby-en-zwangerschap", {})
    assert after(visited, "kim-vertelt")[:2] == ["afweging-kim", "melden-kim"]
    assert state.variables["onveiligheid_gezien"] and state.variables["gemeld"] and state.variables["kim_ingelicht"]
    assert visited.index("voorzorg-criteria") < visited.index("bespreken")
    assert "huilplan-maken" in visited and "voorbeeldplan" in visited


def test_kim_waiting_for_voorzorg_to_stop_the_violence_plays_forward_into_a_night_of_violence():
    visited, _state, report = walk("baby-en-zwangerschap", {"afweging-kim": "voorzorg-is-genoeg"})
    assert after(visited, "afweging-kim")[:2] == ["gevolg-voorzorg-is-genoeg", "melden-kim"]
    assert any("opnieuw geslagen" in r for r in report.remarks)


def test_kim_shaking_thoughts_dismissed_come_back_through_voorzorg_and_still_end_in_a_crying_plan():
    visited, state, _report = walk("baby-en-zwangerschap", {"huilen": "normaal"})
    assert after(visited, "huilen")[:2] == ["gevolg-normaal", "huilplan-maken"]
    assert not state.variables["huilplan"]


def test_anouk_the_recommended_route_makes_a_kindcheck_for_tim_and_weighs_his_safety():
    visited, state, _report = walk("overbelaste-professional", {})
    assert after(visited, "consultatie")[0] == "tim-kindcheck"
    assert visited.index("tim-weging") < visited.index("tim-afspraken") < visited.index("inschatting")
    assert state.variables["kindcheck_tim"] and state.variables["tim_gewogen"]


def test_anouk_leaving_tim_to_the_trauma_treatment_plays_forward_into_a_toddler_who_stops_crying():
    visited, _state, report = walk("overbelaste-professional", {"tim-kindcheck": "anouk-eerst"})
    assert after(visited, "tim-kindcheck")[:2] == ["gevolg-tim-uit-beeld", "tim-beeld"]
    assert any("Tim kwam pas in beeld" in r for r in report.remarks)


def test_intake_weighs_the_childrens_safety_at_intake_and_finds_help_that_fits_sara():
    visited, state, _report = walk("intake-vrouwenopvang", {})
    assert after(visited, "intake")[0] == "weging-intake"
    assert visited.index("weging-intake") < visited.index("vader") < visited.index("terugkeer")
    assert state.variables["weging_bij_intake"] and state.variables["sara_passend"]


def test_intake_waiting_with_sara_plays_forward_and_she_still_gets_help():
    visited, _state, report = walk("intake-vrouwenopvang", {"sara": "te-jong", "screening": "na-verblijf"})
    assert after(visited, "screening")[:2] == ["gevolg-wachten", "hulpplan"]
    assert after(visited, "sara")[0] == "gevolg-sara-wachten"
    assert any("kleuters" in r for r in report.remarks)


def test_circle_of_security_places_both_needs_hears_shark_music_and_stays_with_the_mother():
    visited, state, report = walk("haaienmuziek", {})
    assert visited[:5] == ["het-moment", "bovenkant", "onderkant", "haaienmuziek", "gesprek-esra"]
    assert state.variables["bovenkant"] and state.variables["onderkant"] and state.variables["haaienmuziek_herkend"]
    assert state.variables["erbij_gebleven"] and after(visited, "gesprek-esra")[0] == "gevolg-erbij"
    assert any("bleef bij Esra" in r for r in report.remarks)


def test_circle_of_security_explaining_too_soon_closes_esra_and_the_story_recovers():
    visited, state, report = walk("haaienmuziek", {"gesprek-esra": "uitleggen", "onderkant": "flink"})
    assert after(visited, "gesprek-esra")[:2] == ["gevolg-uitleggen", "reflectie"]
    assert not state.variables["onderkant"] and any("Eerst\ntroost" in r or "Eerst troost" in r for r in report.remarks)


def test_at_least_two_casussen_practise_a_conversation_and_sandra_tells_only_when_asked_alone():
    with_conversation = [c.id for c in load_catalog(ROOT).casuses.values()
                         if any(isinstance(s, ConversationStep) for s in c.steps)]
    assert {"concentratieproblemen", "haaienmuziek"} <= set(with_conversation)
    visited, state, _report = walk("concentratieproblemen", {})
    assert after(visited, "gesprek-sandra")[0] == "gesprek-sandra-2"
    assert state.variables["sandra_veiligheid"] and state.variables["sandra_steun"]


def test_daan_ticking_everything_is_not_praised_but_named():
    run_casus = casus("concentratieproblemen")
    state = start(run_casus)
    while not is_complete(run_casus, state):
        step = current_step(run_casus, state)
        if isinstance(step, ChoiceStep | ConversationStep):
            answer = {"option": [step.recommended[0].id]}
        else:
            answer = valid_input(step, pick=-1)  # every item and criterion ticked
        state, _ = advance(run_casus, state, step.id, answer)
    remarks = debrief(run_casus, state).remarks
    assert not any("liet je niet afleiden" in r for r in remarks)
    assert any("geen signaal is" in r for r in remarks) and any("valkuil" in r for r in remarks)
