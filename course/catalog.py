"""The whole course: modules, quizzes, casussen, job aids and the interventions guide, loaded together.

This sits one level above ``course.content``, ``course.quiz`` and ``course.casus``: it loads each of them,
checks what refers across them (a page embedding a quiz's practice question, a pool naming a module
objective), and raises every problem at once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Any

from course.casus.loader import casus_from_source, content_hash, load_casuses
from course.casus.model import Casus
from course.content.interventions import Intervention, load_interventions
from course.content.jobaids import JobAid, load_jobaids
from course.content.loader import MANIFEST, ContentUrls, QuestionRef, course_of, load_modules
from course.content.model import Course, Module, Page
from course.content.trainer_guides import TrainerGuide, load_trainer_guides
from course.content.yamlfile import LocatedYaml
from course.errors import ErrorReport
from course.quiz.bank import DEFAULT_BANK_FACTOR
from course.quiz.loader import load_quizzes
from course.quiz.model import Quiz
from course.studyload import StudyLoad, measure


@dataclass(frozen=True)
class Catalog:
    """Everything loaded from the content directory; looked up by views, never re-parsed."""

    root: Path
    course: Course
    modules: tuple[Module, ...]
    quizzes: MappingProxyType[str, Quiz]
    casuses: MappingProxyType[str, Casus]
    interventions: tuple[Intervention, ...]
    media: MappingProxyType[tuple[str, str], Path]  # (module id, relative path) -> file
    # Module id -> how to teach it to a group (shown to trainers only); modules may have none.
    trainer_guides: MappingProxyType[str, TrainerGuide] = field(default_factory=lambda: MappingProxyType({}))
    jobaids: MappingProxyType[str, JobAid] = field(default_factory=lambda: MappingProxyType({}))
    study_load: StudyLoad = field(default_factory=lambda: StudyLoad(()))  # measured, see course.studyload
    # A page or module file -> its URL: resolves links when an older casus version is rebuilt.
    page_urls: Mapping[Path, str] = field(default_factory=lambda: MappingProxyType({}))
    # Older casus versions rebuilt so far, by content hash (None: no longer valid). A cache, not content.
    _casus_versions: dict[str, Casus | None] = field(default_factory=dict, repr=False, compare=False)

    def module(self, module_id: str) -> Module | None:
        return next((m for m in self.modules if m.id == module_id), None)

    def quiz_for_module(self, module_id: str) -> Quiz | None:
        return next((q for q in self.quizzes.values() if q.module == module_id), None)

    def casuses_for_module(self, module_id: str) -> tuple[Casus, ...]:
        return tuple(c for c in self.casuses.values() if c.module == module_id)

    def jobaids_for_module(self, module_id: str) -> tuple[JobAid, ...]:
        """The job aids that name ``module_id``, by id."""
        return tuple(a for a in self.jobaids.values() if module_id in a.modules)

    def practice_question(self, quiz_id: str, question_id: str) -> Any | None:
        """A practice question pages may embed, or None (graded bank questions are never embedded)."""
        quiz = self.quizzes.get(quiz_id)
        return quiz.practice_question(question_id) if quiz else None

    def casus_version(self, casus_id: str, source: str) -> Casus | None:
        """Casus ``casus_id`` as ``source`` (the text of its file at some time) defines it, or None when
        that text is not a valid casus of this course (any more). Built once per version, then cached.

        The catalog's own casussen are returned as they are; an older version is validated like a file.
        """
        current = self.casuses.get(casus_id)
        key = content_hash(source)
        if current is not None and current.content_hash == key:
            return current
        if key not in self._casus_versions:
            report = ErrorReport(self.root)
            casus = casus_from_source(self.root / "casuses" / f"{casus_id}.yaml", source, report,
                                      frozenset(m.id for m in self.modules), self.page_urls.get)
            self._casus_versions[key] = casus if casus is not None and casus.id == casus_id else None
        return self._casus_versions[key]

    @cached_property
    def pages(self) -> tuple[Page, ...]:
        """Every page in course order (made once: pages ask for it on every request)."""
        return tuple(p for m in self.modules for p in m.pages)

    @cached_property
    def page_ids(self) -> frozenset[tuple[str, str]]:
        """(module id, page id) of every page."""
        return frozenset((p.module_id, p.id) for p in self.pages)

    @cached_property
    def page_positions(self) -> Mapping[tuple[str, str], int]:
        """(module id, page id) → the page's place in course order (0 for the first)."""
        return MappingProxyType({(p.module_id, p.id): n for n, p in enumerate(self.pages)})

    @cached_property
    def page_keys(self) -> frozenset[str]:
        """``Page.key`` ("module/page") of every page."""
        return frozenset(p.key for p in self.pages)


# Every file and folder under the content root that load_catalog reads (the disk cache hashes exactly these).
CONTENT_ENTRIES = (MANIFEST, "modules", "quizzes", "casuses", "jobaids", "interventions.yaml", "trainersgids")


def load_catalog(root: Path, urls: ContentUrls | None = None) -> Catalog:
    """Load and validate the course under ``root``.

    Returns the frozen Catalog. Raises ContentErrors listing every problem found, each with file and line.
    """
    root = root.resolve()
    report = ErrorReport(root)
    loaded = load_modules(root, report, urls)
    manifest = loaded.manifest
    # Texts in quizzes, casussen and job aids may link to course pages, resolved like links between pages.
    resolve_page = loaded.page_urls.get
    bank_factor = manifest.assessment.bank_factor if manifest else DEFAULT_BANK_FACTOR
    quizzes = {q.id: q for q in load_quizzes(root / "quizzes", report, loaded.module_ids,
                                             resolve_page=resolve_page, bank_factor=bank_factor)}
    casuses = {c.id: c for c in load_casuses(root / "casuses", report, loaded.module_ids,
                                             resolve_page=resolve_page)}
    jobaids = {a.id: a for a in load_jobaids(root / "jobaids", report, loaded.module_ids,
                                             resolve_page=resolve_page)}
    interventions = load_interventions(root / "interventions.yaml", report)
    trainer_guides = load_trainer_guides(
        root / "trainersgids", report, loaded.module_ids,
        {"quiz": frozenset(quizzes), "casus": frozenset(casuses)}, resolve_page=resolve_page)
    _check_private_use_characters(root, report)
    _check_question_refs(loaded.question_refs, quizzes, report)
    _check_pool_objectives(loaded.modules, quizzes, root / "quizzes", report)
    if loaded.manifest_doc is not None:
        _check_accreditation_casuses(loaded.manifest_doc, casuses, root / MANIFEST, report)

    report.raise_if_any()
    if manifest is None:  # pragma: no cover - a missing manifest is always reported, hence raised above
        raise RuntimeError("manifest missing without a reported error")
    catalog = Catalog(root, course_of(manifest), loaded.modules, MappingProxyType(quizzes),
                      MappingProxyType(casuses), interventions, MappingProxyType(dict(loaded.media)),
                      MappingProxyType(trainer_guides), MappingProxyType(jobaids), page_urls=loaded.page_urls)
    return replace(catalog, study_load=measure(catalog))


# The Unicode Private Use Area (U+E000–U+F8FF): no agreed meaning, so a reader sees an empty box or whatever
# an icon font puts there; the web layer also marks a page's per-learner parts with two of them.
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")
_TEXT_SUFFIXES = frozenset({".md", ".yaml", ".yml", ".svg"})


_CONTENT_FOLDERS = ("modules", "quizzes", "casuses", "jobaids", "trainersgids")


def _content_files(root: Path) -> list[Path]:
    """The course's text files: the top folder's YAML (the manifest, the interventions guide) and everything
    in the content folders (the course may sit beside other things, such as the app itself)."""
    files = [p for p in root.glob("*.yaml") if p.is_file()]
    for folder in _CONTENT_FOLDERS:
        files += (p for p in (root / folder).rglob("*") if p.suffix in _TEXT_SUFFIXES and p.is_file())
    return sorted(files)


def _check_private_use_characters(root: Path, report: ErrorReport) -> None:
    for path in _content_files(root):
        text = path.read_text(encoding="utf-8", errors="replace")
        if _PRIVATE_USE.search(text) is None:  # the common case: one scan of the file, no line split
            continue
        for number, line in enumerate(text.splitlines(), 1):
            for match in _PRIVATE_USE.finditer(line):
                report.add(path, number, "", f"character U+{ord(match[0]):04X} (column {match.start() + 1}) is "
                           "a private-use character with no agreed meaning; write the text or symbol itself")


def _check_question_refs(refs: tuple[QuestionRef, ...], quizzes: dict[str, Quiz], report: ErrorReport) -> None:
    for quiz_id, question_id, line, path in refs:
        quiz = quizzes.get(quiz_id)
        if quiz is None:
            report.add(path, line, "", f"embedded question: no quiz '{quiz_id}'")
        elif quiz.practice_question(question_id) is not None:
            continue
        elif quiz.question(question_id) is not None:
            report.add(path, line, "", f"embedded question: '{question_id}' is a graded question of quiz "
                       f"'{quiz_id}'; pages embed practice questions only (move it to the quiz's 'practice')")
        else:
            report.add(path, line, "", f"embedded question: quiz '{quiz_id}' has no practice question "
                       f"'{question_id}'")


def _check_pool_objectives(modules: tuple[Module, ...], quizzes: dict[str, Quiz], directory: Path,
                           report: ErrorReport) -> None:
    """A pool's ``objective`` is the number of one of its module's objectives."""
    objectives = {m.id: len(m.objectives) for m in modules}
    for quiz in quizzes.values():
        count = objectives.get(quiz.module)
        for n, pool in enumerate(quiz.pools):
            if count is not None and pool.objective is not None and pool.objective > count:
                report.add(directory / f"{quiz.id}.yaml", None, f"draw[{n}].objective",
                           f"module '{quiz.module}' has {count} objective(s); there is no objective {pool.objective}")


def _check_accreditation_casuses(doc: LocatedYaml, casuses: dict[str, Casus], path: Path,
                                 report: ErrorReport) -> None:
    """The casussen the accreditation's earning rule and refresher name exist."""
    section = doc.data.get("accreditation") if isinstance(doc.data, dict) else None
    if not isinstance(section, dict):
        return
    for key in ("earned_by", "refresher"):
        named = section.get(key, {}).get("casuses") if isinstance(section.get(key), dict) else None
        if not isinstance(named, list):
            continue
        for i, casus_id in enumerate(named):
            if isinstance(casus_id, str) and casus_id not in casuses:
                loc = ("accreditation", key, "casuses", i)
                report.add(path, doc.line(loc), f"accreditation.{key}.casuses[{i}]", f"no casus '{casus_id}'")
