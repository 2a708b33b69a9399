"""Quizzes: the quiz file model, question types, grading, attempt papers and loading.

Pure domain code: grading takes plain values and never a request.
"""

from course.quiz.answers import AnswerError, MalformedAnswer, field_name
from course.quiz.grading import Grade, ItemFeedback
from course.quiz.loader import load_quizzes
from course.quiz.model import AttemptPolicy, Question, Quiz
from course.quiz.opaque import OpaqueValues
from course.quiz.paper import Paper, PaperGrade, PaperQuestion, display_order, draw_paper
from course.quiz.parsing import ParsedAnswers, correctable_error, missing_answers, parse_form
from course.quiz.types import QUESTION_TYPES, QuestionType

__all__ = [
    "QUESTION_TYPES",
    "AnswerError",
    "AttemptPolicy",
    "Grade",
    "ItemFeedback",
    "MalformedAnswer",
    "OpaqueValues",
    "Paper",
    "PaperGrade",
    "PaperQuestion",
    "ParsedAnswers",
    "Question",
    "QuestionType",
    "Quiz",
    "correctable_error",
    "display_order",
    "draw_paper",
    "field_name",
    "load_quizzes",
    "missing_answers",
    "parse_form",
]
