"""Load ``casuses/*.yaml``: check every file completely, report each problem with file and line, and
return only the casussen that are sound."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field

from course.casus.conditions import KEYWORDS
from course.casus.graph import Edge, Node, check_graph
from course.casus.kinds import KINDS, Compiler, kind_of, step_definition_type
from course.casus.model import Casus, Step, Variable
from course.casus.schema import CasusFileDef, StepDef
from course.casus.ticking import remarks_rewarding_ticking_everything
from course.content.validation import build
from course.content.yamlfile import parse_yaml
from course.errors import ErrorReport

VARIABLE_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
PageResolver = Callable[[Path], str | None]


class CasusFile(CasusFileDef):
    """A casus file with its steps typed by the kind registry."""

    steps: Annotated[list[step_definition_type(KINDS)], Field(min_length=1)]  # type: ignore[valid-type]


def load_casuses(directory: Path, report: ErrorReport, module_ids: frozenset[str],
                 resolve_page: PageResolver | None = None) -> tuple[Casus, ...]:
    """Every sound casus in ``directory`` (``*.yaml``, in file name order).

    Problems go to ``report``; a file with any problem is left out. A missing directory gives an empty
    tuple. ``resolve_page`` turns a linked ``.md`` file into its URL (default: links to pages are errors).
    Never raises for bad content.
    """
    if not directory.is_dir():
        return ()
    for stray in sorted(directory.glob("*.yml")):
        report.add(stray, None, "", "casus files end in '.yaml': rename this file")
    casuses: list[Casus] = []
    seen: set[str] = set()
    for path in sorted(directory.glob("*.yaml")):
        casus = load_casus(path, report, module_ids, resolve_page)
        if casus is None:
            continue
        if casus.id in seen:  # only possible with differently cased files; ids equal their file stems
            report.add(path, 1, "id", f"duplicate casus id '{casus.id}'")
            continue
        seen.add(casus.id)
        casuses.append(casus)
    return tuple(casuses)


def load_casus(path: Path, report: ErrorReport, module_ids: frozenset[str],
               resolve_page: PageResolver | None = None) -> Casus | None:
    """The casus in ``path``, or None after reporting every problem found in it to ``report``."""
    try:
        source = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        report.add(path, None, "", f"cannot read file: {exc}")
        return None
    return casus_from_source(path, source, report, module_ids, resolve_page)


def casus_from_source(path: Path, source: str, report: ErrorReport, module_ids: frozenset[str],
                      resolve_page: PageResolver | None = None) -> Casus | None:
    """The casus in ``source``, the text of the file ``path`` (now or as it once was), or None after
    reporting every problem found in it to ``report``.

    The casus keeps ``source``, and its ``content_hash`` is the SHA-256 of it: runs store that hash, and
    an older version can be rebuilt from its source (see course.services.casuses).
    """
    errors_before = len(report)
    doc = parse_yaml(source, path, report)
    if doc is None:
        return None
    if not isinstance(doc.data, dict):
        report.add(path, doc.line(), "", "a casus file must be a mapping with id, title, module, ... steps")
        return None

    def compiler(loc: tuple[str | int, ...], variables: dict[str, Variable]) -> Compiler:
        return Compiler(path, doc, report, variables, loc, resolve_page or (lambda _p: None))

    top = compiler((), {})
    # Checked on the raw data so these are reported even when the schema check below fails.
    casus_id, module = doc.data.get("id"), doc.data.get("module")
    if isinstance(casus_id, str) and casus_id != path.stem:
        top.error(("id",), f"id '{casus_id}' must equal the file name '{path.stem}'")
    if isinstance(module, str) and module not in module_ids:
        top.error(("module",), f"unknown module '{module}' (modules: {', '.join(sorted(module_ids))})")
    definition = build(CasusFile, doc, path, report)
    if definition is None:
        return None
    variables = _variables(definition, top)
    intro_html = compiler((), variables).markdown(definition.intro, ("intro",))

    steps: list[Step] = []
    nodes: list[Node] = []
    edges: list[Edge] = []
    step_ids: set[str] = set()
    for i, step_def in enumerate(definition.steps):
        loc = ("steps", i)
        if step_def.id in step_ids:
            top.error((*loc, "id"), f"duplicate step id '{step_def.id}'")
            continue
        step_ids.add(step_def.id)
        kind = kind_of(step_def.kind)
        steps.append(kind.compile(step_def, compiler(loc, variables)))
        nodes.append(Node(step_def.id, loc, kind.ends_run, step_def.revisit))
        edges.extend(Edge(step_def.id, target, (*loc, *rel)) for target, rel in _targets(step_def))
    for problem in check_graph(definition.start, ("start",), nodes, edges):
        top.error(problem.loc, problem.message)

    if len(report) > errors_before:
        return None
    casus = Casus(
        id=definition.id, module=definition.module, title=definition.title, summary=definition.summary,
        minutes=definition.minutes, intro_html=intro_html, variables=tuple(variables.values()),
        start=definition.start, steps=tuple(steps), content_hash=content_hash(source), source=source)
    index = {s.id: i for i, s in enumerate(definition.steps)}
    for found in remarks_rewarding_ticking_everything(casus):
        top.error(("steps", index[found.step_id], "remarks", found.index, "when"),
                  "a learner who ticks every item of every multi_select and checklist step meets this remark "
                  "just like one who ticks exactly the right ones: count wrong ticks too ('+= wrong') and make "
                  "the remark depend on them")
    return None if len(report) > errors_before else casus


def content_hash(source: str) -> str:
    """The SHA-256 of a casus file's text (its UTF-8 bytes, line endings as they are), in hex."""
    return hashlib.sha256(source.encode("utf-8")).hexdigest()


def _variables(definition: CasusFileDef, top: Compiler) -> dict[str, Variable]:
    variables: dict[str, Variable] = {}
    for name, var in definition.variables.items():
        if not VARIABLE_NAME.match(name) or name in KEYWORDS:
            top.error(("variables", name), f"variable name '{name}' must be lowercase letters, digits and '_', "
                                           "start with a letter, and not be and/or/not/true/false")
            continue
        values = tuple(getattr(var, "values", ()))
        variables[name] = Variable(name, var.type, var.initial, var.label, values)
    return variables


def _targets(step_def: Any) -> list[tuple[str, Any]]:
    return list(step_def.targets()) if isinstance(step_def, StepDef) else []
