"""Small builders for quiz tests: questions and quizzes from a few keyword arguments."""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

from course.quiz import Question, QuestionType, Quiz

_QUESTION: TypeAdapter[Any] = TypeAdapter(Question)


def option(option_id: str, correct: bool = False) -> dict[str, Any]:
    return {"id": option_id, "text": f"Optie {option_id}", "correct": correct, "feedback": f"Over {option_id}."}


def question_data(kind: str, question_id: str = "v", **fields: Any) -> dict[str, Any]:
    """A valid definition of ``kind``; ``fields`` override or add keys."""
    base: dict[str, Any] = {"id": question_id, "type": kind, "prompt": "Vraag?", "explanation": "Uitleg."}
    defaults: dict[str, dict[str, Any]] = {
        "single_choice": {"options": [option("a", True), option("b"), option("c")]},
        "multiple_response": {"scoring": "all_or_nothing",
                              "options": [option("a", True), option("b", True), option("c"), option("d")]},
        "true_false": {"answer": True, "feedback_true": "Ja.", "feedback_false": "Nee."},
        "ordering": {"scoring": "all_or_nothing", "feedback": "Zo.",
                     "items": [{"id": i, "text": i.upper()} for i in ("een", "twee", "drie", "vier")]},
        "categorise": {"scoring": "all_or_nothing",
                       "categories": [{"id": "boven", "label": "Boven"}, {"id": "onder", "label": "Onder"}],
                       "items": [{"id": "x", "text": "X", "category": "boven", "feedback": "fx"},
                                 {"id": "y", "text": "Y", "category": "onder", "feedback": "fy"},
                                 {"id": "z", "text": "Z", "category": "boven", "feedback": "fz"}]},
        "numeric": {"answer": 2.4, "tolerance": 0.1, "feedback_correct": "Goed.", "feedback_incorrect": "Fout."},
        "short_text": {"accepted": ["Veilig Thuis"], "feedback_correct": "Goed.", "feedback_incorrect": "Fout."},
    }
    return {**base, **defaults[kind], **fields}


def make_question(kind: str, question_id: str = "v", **fields: Any) -> QuestionType:
    """A validated question of ``kind`` whose definition has no problems."""
    question = _QUESTION.validate_python(question_data(kind, question_id, **fields))
    assert not list(question.validate_definition())
    return question


def make_quiz(questions: list[dict[str, Any]] | None = None, **fields: Any) -> Quiz:
    """A validated quiz; by default one question of every type."""
    if questions is None:
        questions = [question_data(kind, f"q-{kind.replace('_', '-')}") for kind in (
            "single_choice", "multiple_response", "true_false", "ordering", "categorise", "numeric",
            "short_text")]
    data = {"id": "toets", "module": "module", "title": "Toets", "pass_mark": 70, "questions": questions,
            **fields}
    return Quiz.model_validate(data)


def perfect_raw(question: QuestionType) -> dict[str, list[str]]:
    """The form values of a perfect answer to ``question``."""
    kind = question.type
    q: Any = question
    if kind == "single_choice":
        return {"": [next(o.id for o in q.options if o.correct)]}
    if kind == "multiple_response":
        return {"": [o.id for o in q.options if o.correct]}
    if kind == "true_false":
        return {"": ["true" if q.answer else "false"]}
    if kind == "ordering":
        return {item.id: [str(n)] for n, item in enumerate(q.items, start=1)}
    if kind == "categorise":
        return {item.id: [item.category] for item in q.items}
    if kind == "numeric":
        return {"": [str(q.answer).replace(".", ",")]}
    if kind == "short_text":
        return {"": [q.accepted[0]]}
    raise AssertionError(kind)
