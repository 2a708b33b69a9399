"""Load every quiz file of a course, reporting each problem with file, line and field."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from course.content.validation import build
from course.content.yamlfile import LocatedYaml, format_loc, load_yaml_file
from course.errors import ErrorReport
from course.quiz.model import QuestionRoot, Quiz, QuizSettings
from course.quiz.text import TRUSTED_HTML, QuizMarkdown
from course.quiz.types import QuestionType


def load_quizzes(directory: Path, report: ErrorReport, module_ids: frozenset[str], *,
                 resolve_page: Callable[[Path], str | None] | None = None,
                 resolve_image: Callable[[Path], str | None] | None = None) -> tuple[Quiz, ...]:
    """Load ``directory/*.yaml`` (sorted by name), one quiz per file.

    Every problem goes to ``report`` as ``path:line: field: message``: schema errors, question
    definitions that do not add up, an id other than the file name, an unknown module, a second quiz for
    the same module. Returns the quizzes of the files without problems; a missing directory gives ().
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
        quiz = _load_file(path, report, module_ids, resolve_page, resolve_image)
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
               resolve_image: Callable[[Path], str | None] | None) -> Quiz | None:
    doc = load_yaml_file(path, report)
    if doc is None:
        return None
    if not isinstance(doc.data, dict):
        report.add(path, doc.line(), "", "a quiz file must be a mapping of keys to values")
        return None
    markdown = QuizMarkdown(path, report.root, resolve_page or (lambda _p: None),
                            resolve_image or (lambda _p: None))
    context = {"markdown": markdown}
    header = {key: value for key, value in doc.data.items() if key != "questions"}
    settings = build(QuizSettings, doc, path, report, data=header, context=context)
    questions = _load_questions(doc, path, report, context)
    if settings is None:
        return None
    if settings.id != path.stem:
        report.add(path, doc.line(("id",)), "id", f"'{settings.id}' must match the file name '{path.stem}'")
    if settings.module not in module_ids:
        report.add(path, doc.line(("module",)), "module",
                   f"unknown module '{settings.module}'; expected one of {sorted(module_ids)}")
    if questions is None:
        return None
    if settings.pool is not None and settings.pool > len(questions):
        report.add(path, doc.line(("pool",)), "pool",
                   f"draws {settings.pool} questions but the quiz has only {len(questions)}")
    # The parts are valid already: assemble them without rendering their Markdown a second time.
    return Quiz.model_validate({**settings.model_dump(), "questions": questions}, context=TRUSTED_HTML)


def _load_questions(doc: LocatedYaml, path: Path, report: ErrorReport,
                    context: dict[str, object]) -> list[QuestionType] | None:
    """Validate each question on its own; None when any has a problem (all of them reported)."""
    raw = doc.data.get("questions")
    if not isinstance(raw, list) or not raw:
        where = ("questions",) if "questions" in doc.data else ()
        report.add(path, doc.line(where), "questions" if where else "",
                   "a quiz needs a list of questions" if where else "missing required key 'questions'")
        return None
    questions: list[QuestionType] = []
    ok = True
    seen: set[str] = set()
    for n, data in enumerate(raw):
        loc: tuple[str | int, ...] = ("questions", n)
        if not isinstance(data, dict) or "type" not in data:
            message = "missing required key 'type'" if isinstance(data, dict) else "a question must be a mapping"
            report.add(path, doc.line(loc), format_loc(loc), message)
            ok = False
            continue
        built = build(QuestionRoot, doc, path, report, prefix=loc, data=data, context=context)
        if built is None:
            ok = False
            continue
        question = built.root
        problems = list(question.validate_definition())
        if question.id in seen:
            problems.append((("id",), f"duplicate question id '{question.id}'"))
        seen.add(question.id)
        for where, message in problems:
            report.add(path, doc.line((*loc, *where)), format_loc((*loc, *where)), message)
        ok = ok and not problems
        questions.append(question)
    return questions if ok else None
