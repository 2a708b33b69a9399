"""Split a Markdown file into its YAML front matter and its body."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from course.content.yamlfile import LocatedYaml, parse_yaml
from course.errors import ErrorReport

FENCE = "---"


@dataclass(frozen=True)
class MarkdownFile:
    path: Path
    meta: LocatedYaml
    body: str
    body_first_line: int  # line of the file on which the body starts (1-based)


def read_markdown_file(path: Path, report: ErrorReport) -> MarkdownFile | None:
    """Read ``path``: front matter between ``---`` lines, then Markdown.

    Returns None (with the problem reported) when the file cannot be read, has no front matter, or the
    front matter is not valid YAML.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        report.add(path, None, "", f"cannot read file: {exc}")
        return None
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != FENCE:
        report.add(path, 1, "", "missing front matter: the file must start with a '---' line")
        return None
    end = next((i for i, line in enumerate(lines[1:], start=1) if line.strip() == FENCE), None)
    if end is None:
        report.add(path, 1, "", "front matter is not closed: add a '---' line after it")
        return None
    meta = parse_yaml("".join(lines[1:end]), path, report, first_line=2)
    if meta is None:
        return None
    if not isinstance(meta.data, dict):
        report.add(path, 2, "", "front matter must be a mapping of keys to values")
        return None
    return MarkdownFile(path, meta, "".join(lines[end + 1 :]), end + 2)
