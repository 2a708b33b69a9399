"""A casus walked by a group: the adapters turn each step into a vote and the group's choice into the
engine's input, so the casus goes on along the path the trainer takes."""

from __future__ import annotations

from course.casus import engine
from course.catalog import Catalog
from course.live.items import ItemKind
from course.live.sources import casus_item, group_input, runs_live


def test_the_fixture_casus_runs_live_from_start_to_debrief(valid_catalog: Catalog) -> None:
    casus = valid_catalog.casuses["oefencasus"]
    assert runs_live(casus)
    state = engine.start(casus)
    kinds = []
    choices = {"signalen": ["slaan"], "overleg": ["collega"], "checklist": ["feiten", "zorgen"]}
    while not engine.is_complete(casus, state):
        item = casus_item(casus, state)
        kinds.append(item.kind)
        state, _ = engine.advance(casus, state, state.current,
                                  group_input(casus, state, choices.get(state.current, [])))
    assert kinds == [ItemKind.INFO, ItemKind.MULTIPLE, ItemKind.SINGLE, ItemKind.OPEN, ItemKind.MULTIPLE,
                     ItemKind.OPEN]
    assert state.variables["collega"] is True and state.variables["signalen"] == 1
    assert casus_item(casus, state).kind == ItemKind.INFO  # the debrief, to read together


def test_a_fork_item_offers_the_options_and_reveals_the_recommended_one(valid_catalog: Catalog) -> None:
    casus = valid_catalog.casuses["oefencasus"]
    state = engine.start(casus)
    state, _ = engine.advance(casus, state, "melding", {})
    state, _ = engine.advance(casus, state, "signalen", {"item": ["slaan"]})
    item = casus_item(casus, state)
    assert item.key == "s2-overleg"
    assert item.option_ids == ("collega", "afsluiten") and item.recommended == ("collega",)
    assert "overleg helpt" in item.explanation_html


def test_the_riskant_path_is_followed_when_the_group_takes_it(valid_catalog: Catalog) -> None:
    casus = valid_catalog.casuses["oefencasus"]
    state = engine.start(casus)
    for step, chosen in [("melding", []), ("signalen", []), ("overleg", ["afsluiten"]), ("reflectie", [])]:
        state, _ = engine.advance(casus, state, step, group_input(casus, state, chosen))
    assert state.current == "plan"  # without a colleague the checklist is skipped


def test_every_casus_of_the_real_course_runs_live_along_the_recommended_path() -> None:
    """A trainer can play every casus with a group: each step kind has a live adapter, and following the
    recommended answers reaches the debrief."""
    from course.catalog import load_catalog
    from tests.conftest import REPO_ROOT

    catalog = load_catalog(REPO_ROOT)
    for casus in catalog.casuses.values():
        assert runs_live(casus), casus.id
        state = engine.start(casus)
        for _ in range(200):
            if engine.is_complete(casus, state):
                break
            item = casus_item(casus, state)
            chosen = list(item.recommended[:1]) if item.kind == ItemKind.SINGLE else list(item.recommended)
            state, _ = engine.advance(casus, state, state.current, group_input(casus, state, chosen))
        assert engine.is_complete(casus, state), f"{casus.id} did not reach its debrief live"
