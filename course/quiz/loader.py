"""Load every quiz file of a course, reporting each problem with file, line and field."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from course.content.validation import build
from course.content.yamlfile import LocatedYaml, format_loc, load_yaml_file
from course.errors import ErrorReport
from course.quiz.bank import DEFAULT_BANK_FACTOR, check_bank, key_problems
from course.quiz.model import QuestionRoot, Quiz, QuizSettings
from course.quiz.text import TRUSTED_HTML, QuizMarkdown
from course.quiz.types import QuestionType


def load_quizzes(directory: Path, report: ErrorReport, module_ids: frozenset[str], *,
                 resolve_page: Callable[[Path], str | None] | None = None,
                 resolve_image: Callable[[Path], str | None] | None = None,
                 bank_factor: int = DEFAULT_BANK_FACTOR) -> tuple[Quiz, ...]:
    """Load ``directory/*.yaml`` (sorted by name), one quiz per file.

    Every problem goes to ``report`` as ``path:line: field: message``: schema errors, question
    definitions that do not add up, an id other than the file name, an unknown module, a second quiz for
    the same module, a bank smaller than ``bank_factor`` times an attempt, pools that do not add up, a key
    that never varies. Returns the quizzes of the files without problems; a missing directory gives ().
    ``resolve_page`` / ``resolve_image`` let Markdown in the quiz link to course pages and images.
    """
    if not directory.is_dir():
        return ()
    for stray in sorted(directory.glob("*.yml")):
        report.add(stray, None, "", "quiz files end in '.yaml'; rename this file or it is ignored")
    quizzes: list[Quiz] = []
    modules_taken: dict[str, str] = {}
    for path in sorted(directory.glob("*.yaml")):
        before = len(report)
        quiz = _load_file(path, report, module_ids, resolve_page, resolve_image, bank_factor)
        if quiz is None or len(report) > before:
            continue
        if quiz.module in modules_taken:
            report.add(path, 1, "module", f"module '{quiz.module}' already has a quiz: "
                                          f"'{modules_taken[quiz.module]}' (one quiz per module)")
            continue
        modules_taken[quiz.module] = quiz.id
        quizzes.append(quiz)
    return tuple(quizzes)


def _load_file(path: Path, report: ErrorReport, module_ids: frozenset[str],
               resolve_page: Callable[[Path], str | None] | None,
               resolve_image: Callable[[Path], str | None] | None, bank_factor: int) -> Quiz | None:
    doc = load_yaml_file(path, report)
    if doc is None:
        return None
    if not isinstance(doc.data, dict):
        report.add(path, doc.line(), "", "a quiz file must be a mapping of keys to values")
        return None
    markdown = QuizMarkdown(path, report.root, resolve_page, resolve_image)
    context = {"markdown": markdown}
    header = {key: value for key, value in doc.data.items() if key not in ("questions", "practice")}
    settings = build(QuizSettings, doc, path, report, data=header, context=context)
    seen: set[str] = set()
    questions = _load_questions(doc, path, report, context, "questions", seen)
    practice = _load_questions(doc, path, report, context, "practice", seen) if "practice" in doc.data else []
    if settings is None:
        return None
    if settings.id != path.stem:
        report.add(path, doc.line(("id",)), "id", f"'{settings.id}' must match the file name '{path.stem}'")
    if settings.module not in module_ids:
        report.add(path, doc.line(("module",)), "module",
                   f"unknown module '{settings.module}'; expected one of {sorted(module_ids)}")
    if questions is None or practice is None:
        return None
    for where, message in (*check_bank(settings, questions, practice, bank_factor), *key_problems(questions)):
        report.add(path, doc.line(where), format_loc(where), message)
    # The parts are valid already: assemble them without rendering their Markdown a second time.
    return Quiz.model_validate({**settings.model_dump(), "questions": questions, "practice": practice},
                               context=TRUSTED_HTML)


def _load_questions(doc: LocatedYaml, path: Path, report: ErrorReport, context: dict[str, object],
                    key: str, seen: set[str]) -> list[QuestionType] | None:
    """Validate each question under ``key`` on its own; None when any has a problem (all reported), so
    that no rule about the whole bank is checked against a bank with a question missing.

    ``seen`` holds the ids of the file's questions so far: ids are unique across bank and practice.
    """
    raw = doc.data.get(key)
    if not isinstance(raw, list) or not raw:
        where = (key,) if key in doc.data else ()
        report.add(path, doc.line(where), key if where else "",
                   f"a quiz needs a list of {key}" if where else f"missing required key '{key}'")
        return None
    questions: list[QuestionType] = []
    before = len(report)
    for n, data in enumerate(raw):
        loc: tuple[str | int, ...] = (key, n)
        if not isinstance(data, dict) or "type" not in data:
            message = "missing required key 'type'" if isinstance(data, dict) else "a question must be a mapping"
            report.add(path, doc.line(loc), format_loc(loc), message)
            continue
        built = build(QuestionRoot, doc, path, report, prefix=loc, data=data, context=context)
        if built is None:
            continue
        question = built.root
        problems = list(question.validate_definition())
        if question.id in seen:
            problems.append((("id",), f"duplicate question id '{question.id}'"))
        seen.add(question.id)
        for where, message in problems:
            report.add(path, doc.line((*loc, *where)), format_loc((*loc, *where)), message)
        questions.append(question)
    return questions if len(report) == before else None
