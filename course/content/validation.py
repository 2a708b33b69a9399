"""Turn YAML data into frozen pydantic models, reporting every schema problem with file and line."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from course.content.yamlfile import Loc, LocatedYaml, format_loc
from course.errors import ErrorReport

M = TypeVar("M", bound=BaseModel)

SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"


class Frozen(BaseModel):
    """Base of every content model: immutable, unknown keys refused, no type coercion surprises."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=False, str_strip_whitespace=True)


def _data_loc(loc: tuple[Any, ...], data: Any) -> Loc:
    """Map a pydantic error location onto the data, dropping the tags of discriminated unions."""
    out: list[str | int] = []
    node = data
    for part in loc:
        in_dict = isinstance(node, dict) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if in_dict or in_list:
            out.append(part)
            node = node[part]
        elif isinstance(part, str) and isinstance(node, dict | list) and part != loc[-1]:
            continue  # a union tag such as 'single_choice', not a key of the data
        else:
            out.append(part)
            node = None
    return tuple(out)


def _message(error: dict[str, Any], loc: Loc) -> tuple[Loc, str]:
    """A message an author understands, and the location it belongs to."""
    kind = error["type"]
    if kind == "extra_forbidden":
        return loc[:-1], f"unknown key '{loc[-1]}'"
    if kind == "missing":
        return loc[:-1], f"missing required key '{loc[-1]}'"
    if kind == "union_tag_invalid":
        ctx = error.get("ctx", {})
        key = str(ctx.get("discriminator", "type")).strip("'")
        return loc, f"unknown {key} {ctx.get('tag')!r}; expected one of {ctx.get('expected_tags')}"
    if kind == "union_tag_not_found":
        discriminator = str(error.get("ctx", {}).get("discriminator", "type")).strip("'")
        return loc, f"missing required key '{discriminator}'"
    if kind == "string_pattern_mismatch":
        return loc, "must be a lowercase slug (letters, digits and hyphens, e.g. 'meldcode-stap-1')"
    msg = error["msg"]
    if msg.startswith("Value error, "):
        msg = msg.removeprefix("Value error, ")
    return loc, msg[0].lower() + msg[1:] if msg else msg


def build(model: type[M], doc: LocatedYaml, path: Path, report: ErrorReport,
          prefix: Loc = (), data: Any = None, context: dict[str, Any] | None = None) -> M | None:
    """Validate ``data`` (default: the whole document) as ``model``.

    ``prefix`` is where ``data`` sits inside the document, for line numbers. Returns the model, or None
    after adding every problem to ``report``.
    """
    raw = doc.data if data is None else data
    try:
        return model.model_validate(raw, context=context)
    except ValidationError as exc:
        for error in exc.errors():
            loc = _data_loc(tuple(error["loc"]), raw)
            where, message = _message(error, loc)
            full = (*prefix, *where)
            line = doc.line((*prefix, *loc)) if error["type"] == "extra_forbidden" else doc.line(full)
            report.add(path, line, format_loc(full), message)
        return None
