"""Errors of the domain: problems in content files, and refused operations."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, order=True)
class ContentError:
    """One problem in a content file, located as precisely as the file allows."""

    path: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class ContentErrors(Exception):
    """Raised once, after loading, with every problem found in the content."""

    def __init__(self, errors: list[ContentError]):
        self.errors = sorted(errors, key=lambda e: (e.path, e.line or 0, e.field, e.message))
        super().__init__(f"{len(self.errors)} content error(s)")

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)


@dataclass
class ErrorReport:
    """Collects content errors while loading, so that every problem is reported at once.

    Paths are stored relative to ``root`` so that messages read the same on every machine.
    """

    root: Path
    errors: list[ContentError] = field(default_factory=list)

    def relative(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return path.as_posix()

    def add(self, path: Path, line: int | None, field_path: str, message: str) -> None:
        self.errors.append(ContentError(self.relative(path), line, field_path, message))

    def __iter__(self) -> Iterator[ContentError]:
        return iter(self.errors)

    def __len__(self) -> int:
        return len(self.errors)

    def raise_if_any(self) -> None:
        """Raise ContentErrors listing everything collected; return quietly when nothing was."""
        if self.errors:
            raise ContentErrors(self.errors)


def N_(message: str) -> str:
    """Mark a message of the domain for translation; returns it unchanged.

    The domain cannot use Flask-Babel; the web layer translates the message when it shows it, and
    ``pybabel extract`` (scripts/update-translations) collects every ``N_("…")``.
    """
    return message


class DomainError(Exception):
    """An operation the domain refuses (a duplicate email, an answer after submission, ...).

    ``field`` names the form field the message belongs to, when there is one.
    """

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(DomainError):
    """The object does not exist, or does not belong to the user asking: both look the same."""
