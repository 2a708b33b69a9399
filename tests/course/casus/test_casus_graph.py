"""Graph soundness on its own: targets, reachability, a way out to a debrief, loops only to revisit steps."""

from __future__ import annotations

from course.casus.graph import Edge, Node, check_graph


def nodes(*specs: str) -> list[Node]:
    """'a' an ordinary step, 'a!' a debrief, 'a*' a revisit step."""
    return [Node(s.rstrip("!*"), ("steps", i), s.endswith("!"), s.endswith("*")) for i, s in enumerate(specs)]


def edges(*pairs: str) -> list[Edge]:
    return [Edge(*p.split(">"), ("steps", n, "next")) for n, p in enumerate(pairs)]


def messages(problems) -> list[str]:
    return [p.message for p in problems]


def test_a_sound_graph_with_a_revisit_loop_has_no_problems():
    assert check_graph("a", ("start",), nodes("a", "b*", "c", "d!"), edges("a>b", "b>c", "c>b", "b>d")) == []


def test_a_graph_without_a_debrief_is_one_problem():
    assert messages(check_graph("a", ("start",), nodes("a", "b"), edges("a>b", "b>a"))) == [
        "the casus has no debrief step to end on"]


def test_every_loop_must_pass_a_revisit_step():
    problems = check_graph("a", ("start",), nodes("a", "b", "c", "d!"), edges("a>b", "b>c", "c>a", "c>d"))
    assert messages(problems) == ["loop a → b → c → a: loops may only jump back to a step with 'revisit: true' "
                                  "(e.g. on 'a')"]
    assert problems[0].loc == ("steps", 2, "next")


def test_a_step_that_only_loops_has_no_way_to_a_debrief():
    assert "no path from step 'b' leads to a debrief" in messages(
        check_graph("a", ("start",), nodes("a", "b*", "d!"), edges("a>b", "b>b", "a>d")))


def test_unknown_targets_are_reported_and_left_out():
    assert messages(check_graph("a", ("start",), nodes("a", "einde!"), edges("a>eind", "a>einde"))) == [
        "no step 'eind' (did you mean 'einde'?)"]
