"""The interventions guide: a reference list of interventions, loaded from ``interventions.yaml``."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated

from pydantic import Field, model_validator

from course.content.markdown import render
from course.content.validation import SLUG_PATTERN, Frozen, build
from course.content.yamlfile import load_yaml_file
from course.errors import ErrorReport


class InterventionType(StrEnum):
    PREVENTIE = "preventie"
    VEILIGHEID = "veiligheid"
    HERSTEL = "herstel"


class InterventionSpec(Frozen):
    id: Annotated[str, Field(pattern=SLUG_PATTERN)]
    name: Annotated[str, Field(min_length=1)]
    full_name: str | None = None
    type: InterventionType
    target_group: Annotated[str, Field(min_length=1)]
    age_min: Annotated[int, Field(ge=0, le=99)] | None = None
    age_max: Annotated[int, Field(ge=0, le=99)] | None = None
    aim: Annotated[str, Field(min_length=1)]
    description: str | None = None
    rating_dej: str | None = None
    rating_kjp: str | None = None
    source: Annotated[str, Field(min_length=1)]

    @model_validator(mode="after")
    def _ages_in_order(self) -> InterventionSpec:
        if self.age_min is not None and self.age_max is not None and self.age_min > self.age_max:
            raise ValueError("age_min is greater than age_max")
        return self


class InterventionsFile(Frozen):
    interventions: list[InterventionSpec]


@dataclass(frozen=True)
class Intervention:
    id: str
    name: str
    full_name: str | None
    type: InterventionType
    target_group: str
    age_min: int | None
    age_max: int | None
    aim: str
    description_html: str
    rating_dej: str | None
    rating_kjp: str | None
    source: str

    def suits_age(self, age: int) -> bool:
        """Whether a child of ``age`` years falls in the intervention's age range (open ends allowed)."""
        return (self.age_min is None or self.age_min <= age) and (self.age_max is None or age <= self.age_max)


def load_interventions(path: Path, report: ErrorReport) -> tuple[Intervention, ...]:
    """Read the guide's data file; returns () if it is absent, and only valid entries otherwise."""
    if not path.exists():
        return ()
    doc = load_yaml_file(path, report)
    if doc is None:
        return ()
    spec = build(InterventionsFile, doc, path, report)
    if spec is None:
        return ()
    seen: set[str] = set()
    result = []
    for i, item in enumerate(spec.interventions):
        if item.id in seen:
            report.add(path, doc.line(("interventions", i, "id")), f"interventions[{i}].id",
                       f"duplicate id '{item.id}'")
            continue
        seen.add(item.id)
        result.append(Intervention(
            id=item.id, name=item.name, full_name=item.full_name, type=item.type,
            target_group=item.target_group, age_min=item.age_min, age_max=item.age_max, aim=item.aim,
            description_html=render(item.description) if item.description else "",
            rating_dej=item.rating_dej, rating_kjp=item.rating_kjp, source=item.source))
    return tuple(sorted(result, key=lambda x: x.name.lower()))
