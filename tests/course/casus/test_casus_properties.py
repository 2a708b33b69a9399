"""Property tests: whatever a learner chooses, a run stays valid, and following the advice ends in a debrief."""

from __future__ import annotations

import pytest
from casus_builders import ROOT, oefencasus, recommended_input, valid_input
from hypothesis import given, settings
from hypothesis import strategies as st

from course.casus.debrief import debrief
from course.casus.engine import RunState, advance, is_complete, start
from course.casus.loader import load_casus
from course.casus.model import Casus
from course.errors import ErrorReport


def real_casuses() -> list[Casus]:
    report = ErrorReport(ROOT)
    modules = frozenset(p.name.split("-", 1)[1] for p in (ROOT / "modules").iterdir() if p.is_dir())
    found = [load_casus(path, report, modules) for path in sorted((ROOT / "casuses").glob("*.yaml"))]
    return [c for c in found if c is not None]


CASUSES = [oefencasus(), *real_casuses()]


def random_then_recommended(casus: Casus, picks: list[int]) -> RunState:
    """Answer with ``picks`` while they last, then follow the recommended option at every fork."""
    state = start(casus)
    for n in range(len(picks) + 4 * len(casus.steps)):
        if is_complete(casus, state):
            return state
        step = casus.step(state.current)
        raw = valid_input(step, picks[n]) if n < len(picks) else recommended_input(step)
        new_state, _ = advance(casus, state, step.id, raw)
        assert len(new_state.path) == len(state.path) + 1
        assert set(new_state.variables) == {v.name for v in casus.variables}
        assert all(casus.variable(k).accepts(v) for k, v in new_state.variables.items())
        state = new_state
    raise AssertionError(f"{casus.id}: following the recommended options never reached a debrief")


@pytest.mark.parametrize("casus", CASUSES, ids=lambda c: c.id)
@settings(max_examples=60, deadline=None)
@given(picks=st.lists(st.integers(0, 63), max_size=25))
def test_random_decisions_then_the_advice_always_reach_a_debrief(casus, picks):
    state = random_then_recommended(casus, picks)
    report = debrief(casus, state)
    forks = sum(1 for d in state.path if casus.step(d.step).kind in ("choice", "conversation"))
    assert len(report.forks) == forks
    assert RunState.from_json(casus, state.to_json(casus)).path == state.path
