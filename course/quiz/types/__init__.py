"""The question types. Importing this package registers all of them in ``QUESTION_TYPES``."""

from course.quiz.types import categorise, choice, entry, ordering
from course.quiz.types.base import QUESTION_TYPES, QuestionType, register

__all__ = ["QUESTION_TYPES", "QuestionType", "categorise", "choice", "entry", "ordering", "register"]
