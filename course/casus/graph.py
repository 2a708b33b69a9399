"""Soundness of a casus graph: every target exists, every step is reachable from the start, a debrief is
reachable from every step, and a loop only ever jumps back to a step marked ``revisit: true``.

Pure: works on step ids, edges and locations, and returns problems; the loader turns them into
file:line errors.
"""

from __future__ import annotations

import difflib
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from course.content.yamlfile import Loc


@dataclass(frozen=True)
class Node:
    id: str
    loc: Loc
    ends_run: bool = False  # a debrief
    revisit: bool = False  # a loop may come back here


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    loc: Loc  # where the target is written (a ``next`` or ``goto``)


@dataclass(frozen=True)
class Problem:
    loc: Loc
    message: str


def check_graph(start: str, start_loc: Loc, nodes: Sequence[Node], edges: Sequence[Edge]) -> list[Problem]:
    """Every problem of the graph, in a stable order; an empty list when it is sound.

    ``nodes`` must have unique ids (the loader reports duplicates before calling this).
    """
    by_id = {n.id: n for n in nodes}
    problems: list[Problem] = []
    valid: list[Edge] = []
    for edge in edges:
        if edge.target in by_id:
            valid.append(edge)
        else:
            problems.append(Problem(edge.loc, f"no step '{edge.target}'{_suggest(edge.target, by_id)}"))
    if start not in by_id:
        problems.append(Problem(start_loc, f"start step '{start}' does not exist{_suggest(start, by_id)}"))
    if not any(n.ends_run for n in nodes):
        problems.append(Problem(("steps",), "the casus has no debrief step to end on"))
        return problems
    successors: dict[str, list[Edge]] = defaultdict(list)
    predecessors: dict[str, list[str]] = defaultdict(list)
    for edge in valid:
        successors[edge.source].append(edge)
        predecessors[edge.target].append(edge.source)

    reachable = _closure([start] if start in by_id else [], lambda s: (e.target for e in successors[s]))
    ending = _closure([n.id for n in nodes if n.ends_run], lambda s: predecessors[s])
    for node in nodes:
        if start in by_id and node.id not in reachable:
            problems.append(Problem(node.loc, f"step '{node.id}' cannot be reached from the start step"))
        if node.id not in ending:
            problems.append(Problem(node.loc, f"no path from step '{node.id}' leads to a debrief"))
    problems.extend(_loops(nodes, successors, by_id))
    return problems


def _suggest(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _closure(roots: Iterable[str], neighbours: Callable[[str], Iterable[str]]) -> set[str]:
    seen = set(roots)
    queue = deque(seen)
    while queue:
        for other in neighbours(queue.popleft()):
            if other not in seen:
                seen.add(other)
                queue.append(other)
    return seen


def _loops(nodes: Sequence[Node], successors: dict[str, list[Edge]], by_id: dict[str, Node]) -> list[Problem]:
    """Loops that do not pass through a ``revisit`` step.

    Every cycle passes through a revisit step exactly when the graph without the edges into revisit steps
    has no cycle; a depth-first search of that graph reports each edge that closes a cycle.
    """
    problems = []
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    for root in nodes:
        if root.id in state:
            continue
        path: list[str] = [root.id]
        state[root.id] = 1
        stack = [iter(e for e in successors[root.id] if not by_id[e.target].revisit)]
        while stack:
            edge = next(stack[-1], None)
            if edge is None:
                stack.pop()
                state[path.pop()] = 2
                continue
            if state.get(edge.target) == 1:
                cycle = [*path[path.index(edge.target):], edge.target]
                problems.append(Problem(edge.loc, f"loop {' → '.join(cycle)}: loops may only jump back to a "
                                                  f"step with 'revisit: true' (e.g. on '{edge.target}')"))
            elif edge.target not in state:
                state[edge.target] = 1
                path.append(edge.target)
                stack.append(iter(e for e in successors[edge.target] if not by_id[e.target].revisit))
    return problems
