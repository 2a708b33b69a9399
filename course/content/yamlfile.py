"""YAML that remembers where each value came from, so validation can name file and line.

PyYAML's safe loader is used for parsing; we walk its node tree ourselves to record the line of every
mapping key and sequence item, and to refuse duplicate keys (which PyYAML silently accepts).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from course.errors import ErrorReport

Loc = tuple[str | int, ...]


@dataclass
class LocatedYaml:
    """Plain Python data from a YAML document, plus the line (1-based) of every key and item in it."""

    data: Any
    lines: dict[Loc, int] = field(default_factory=dict)

    def line(self, loc: Sequence[str | int] = ()) -> int:
        """The line of ``loc``, or of its nearest ancestor that has one."""
        loc = tuple(loc)
        while loc not in self.lines and loc:
            loc = loc[:-1]
        return self.lines.get(loc, 1)


def _to_python(node: yaml.Node, loc: Loc, lines: dict[Loc, int], first_line: int,
               duplicates: list[tuple[Loc, int]]) -> Any:
    lines.setdefault(loc, node.start_mark.line + first_line)
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            # Keys are kept as YAML typed them (``true:`` is a bool) so schemas see what authors wrote.
            key = _scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
            child = (*loc, key)
            if key in result:
                duplicates.append((child, key_node.start_mark.line + first_line))
            lines[child] = key_node.start_mark.line + first_line
            result[key] = _to_python(value_node, child, lines, first_line, duplicates)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_to_python(item, (*loc, i), lines, first_line, duplicates) for i, item in enumerate(node.value)]
    return _scalar(node)


_CONSTRUCTOR = yaml.SafeLoader("")
# libyaml's parser when PyYAML was built with it (the wheels are): the same nodes, marks and tag resolution
# as the pure-Python one, about ten times faster; parsing was a third of start-up.
_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _compose(text: str) -> yaml.Node | None:
    try:
        return yaml.compose(text, Loader=_FAST_LOADER)
    except yaml.YAMLError:
        # Parse again the pure-Python way for its error: its messages are the ones authors know and the
        # tests name ("mapping values are not allowed here"); broken files are rare, so this costs nothing.
        return yaml.compose(text, Loader=yaml.SafeLoader)


def _scalar(node: yaml.ScalarNode) -> Any:
    return _CONSTRUCTOR.construct_object(node, deep=True)


def parse_yaml(text: str, path: Path, report: ErrorReport, first_line: int = 1) -> LocatedYaml | None:
    """Parse ``text`` (from ``path``, starting at ``first_line`` of it).

    Returns the located data, or None after adding the syntax error to ``report``. Duplicate keys are
    reported but the document is still returned, so other problems are found in the same run.
    """
    try:
        node = _compose(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + first_line if mark else first_line
        report.add(path, line, "", f"invalid YAML: {exc.problem or exc}")
        return None
    except yaml.YAMLError as exc:
        report.add(path, first_line, "", f"invalid YAML: {exc}")
        return None
    if node is None:
        return LocatedYaml(None, {(): first_line})
    lines: dict[Loc, int] = {}
    duplicates: list[tuple[Loc, int]] = []
    try:
        data = _to_python(node, (), lines, first_line, duplicates)
    except yaml.YAMLError as exc:
        report.add(path, first_line, "", f"invalid YAML: {exc}")
        return None
    for loc, line in duplicates:
        report.add(path, line, format_loc(loc[:-1]), f"duplicate key '{loc[-1]}'")
    return LocatedYaml(data, lines)


def load_yaml_file(path: Path, report: ErrorReport) -> LocatedYaml | None:
    """Read and parse a YAML file; None (with the problem reported) if it cannot be read or parsed."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        report.add(path, None, "", f"cannot read file: {exc}")
        return None
    return parse_yaml(text, path, report)


def format_loc(loc: Sequence[str | int]) -> str:
    """``('questions', 3, 'options', 1)`` → ``questions[3].options[1]``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out
