"""Measured study load: how long a module really takes, from its words and its exercises.

Declared minutes in front matter are an author's guess; this measures what a learner meets: the words of
the pages at a realistic reading speed, plus a fixed time per exercise (practice questions, reflection
prompts, one quiz attempt, each casus walked along its recommended path, reading what it shows).
The rates are the assumptions; change them here and every figure follows.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from course.casus import engine
from course.casus.debrief import debrief
from course.casus.kinds import (
    ChecklistStep,
    ConversationFeedback,
    MultiSelectStep,
    PlanStep,
    RawInput,
    ReflectionStep,
)
from course.casus.model import Casus, Step
from course.quiz.model import Quiz

if TYPE_CHECKING:
    from course.catalog import Catalog

# Study reading of dense Dutch professional text: well below the ~240 words a minute of casual silent
# reading of non-fiction (Brysbaert 2019), because learners read to remember and act on it.
WORDS_PER_MINUTE = 180
MINUTES_PER_PRACTICE_QUESTION = 1.0  # answer and read the feedback
MINUTES_PER_REFLECTION_PROMPT = 3.0  # a ::: reflectie callout on a page: stop and think
MINUTES_PER_QUIZ_QUESTION = 1.5  # mostly situations to weigh, with feedback after submitting
MINUTES_PER_DECISION = 1.0  # a casus choice, conversation line, multi-select or checklist: weighing it
MINUTES_PER_REFLECTION_ANSWER = 5.0  # writing a reflection in a casus
MINUTES_PER_PLAN_FIELD = 3.0  # writing one field of a plan
MAX_PATH = 500  # steps; a recommended path never loops, this only guards against a broken file

_TAG = re.compile(r"<[^>]+>")


def words(html: str) -> int:
    """The number of words in a piece of HTML (tags left out)."""
    return len(_TAG.sub(" ", html).split())


@dataclass(frozen=True)
class Load:
    """Minutes of reading and of exercises; ``minutes`` is their sum, rounded up to whole minutes."""

    reading: float = 0.0
    exercises: float = 0.0

    @property
    def minutes(self) -> int:
        return math.ceil(self.reading + self.exercises)

    def __add__(self, other: Load) -> Load:
        return Load(self.reading + other.reading, self.exercises + other.exercises)


@dataclass(frozen=True)
class ModuleLoad:
    module_id: str
    declared: int  # the minutes the module's front matter states
    pages: Load
    quiz: Load
    casuses: Load

    @property
    def total(self) -> Load:
        return self.pages + self.quiz + self.casuses


@dataclass(frozen=True)
class StudyLoad:
    modules: tuple[ModuleLoad, ...]

    def module(self, module_id: str) -> ModuleLoad | None:
        return next((m for m in self.modules if m.module_id == module_id), None)

    @property
    def total(self) -> Load:
        return sum((m.total for m in self.modules), Load())

    @property
    def declared(self) -> int:
        return sum(m.declared for m in self.modules)


def _reading(n_words: int) -> float:
    return n_words / WORDS_PER_MINUTE


def quiz_load(quiz: Quiz) -> Load:
    """One attempt: its questions at a fixed rate (the intro read as text)."""
    return Load(_reading(words(quiz.intro or "")), quiz.questions_per_attempt * MINUTES_PER_QUIZ_QUESTION)


def _recommended_input(step: Step) -> RawInput:
    options = getattr(step, "options", None)
    if options:
        recommended = [o for o in options if getattr(o, "judgement", "") == "aanbevolen"] or list(options)
        return {"option": [recommended[0].id]}
    if isinstance(step, MultiSelectStep):
        return {"item": [i.id for i in step.items if i.correct]}
    if isinstance(step, ChecklistStep):
        return {"criterion": [c.id for c in step.criteria if c.correct]}
    if isinstance(step, ReflectionStep):
        return {"answer": ["."]}
    if isinstance(step, PlanStep):
        return {f.input_name: ["."] for f in step.fields}
    return {}


def _html_of(value: Any) -> Iterable[str]:
    """The HTML strings a step shows before the learner answers: its own texts and its options' texts."""
    for name, field_value in vars(value).items():
        if name.endswith("_html") and name != "feedback_html" and name != "model_answer_html":
            yield field_value
        elif isinstance(field_value, tuple):
            for element in field_value:
                if hasattr(element, "__dict__") and hasattr(element, "id"):
                    yield from (v for k, v in vars(element).items()
                                if k.endswith("_html") and k != "feedback_html")


def _feedback_words(feedback: Any) -> int:
    """Words of the feedback shown after answering (the chosen option's, every item's, the model answer)."""
    if feedback is None:
        return 0
    if isinstance(feedback, ConversationFeedback):
        return words(feedback.reply_html) + words(feedback.chosen.feedback_html)
    if hasattr(feedback, "chosen"):
        return words(feedback.chosen.feedback_html)
    if hasattr(feedback, "results"):
        return sum(words(getattr(r, "item", r[0] if isinstance(r, tuple) else r).feedback_html)
                   for r in feedback.results)
    if hasattr(feedback, "model_answer_html"):
        return words(feedback.model_answer_html)
    return 0


def _step_minutes(step: Step) -> float:
    if isinstance(step, ReflectionStep):
        return MINUTES_PER_REFLECTION_ANSWER
    if isinstance(step, PlanStep):
        return MINUTES_PER_PLAN_FIELD * len(step.fields)
    if getattr(step, "options", None) or isinstance(step, MultiSelectStep | ChecklistStep):
        return MINUTES_PER_DECISION
    return 0.0


def casus_load(casus: Casus) -> Load:
    """A run along the recommended path: the texts it shows at reading speed, plus time per decision.

    Shorter or longer paths exist; the recommended one is the path the course wants every learner to see.
    """
    state = engine.start(casus)
    n_words = words(casus.intro_html)
    exercises = 0.0
    for _ in range(MAX_PATH):
        step = casus.step(state.current)
        n_words += sum(words(html) for html in _html_of(step))
        if engine.is_complete(casus, state):
            n_words += sum(words(r) for r in debrief(casus, state).remarks)
            break
        exercises += _step_minutes(step)
        state, feedback = engine.advance(casus, state, step.id, _recommended_input(step))
        n_words += _feedback_words(feedback)
    return Load(_reading(n_words), exercises)


def measure(catalog: Catalog) -> StudyLoad:
    """The measured study load of every module of ``catalog`` (pages, quiz, casussen)."""
    result = []
    for module in catalog.modules:
        practice = sum(1 for page in module.pages for kind, _ in page.segments if kind == "question")
        reflections = sum(html.count("callout-reflectie") for page in module.pages
                          for kind, html in page.segments if kind == "html")
        pages = Load(_reading(module.words),
                     practice * MINUTES_PER_PRACTICE_QUESTION + reflections * MINUTES_PER_REFLECTION_PROMPT)
        quiz = catalog.quiz_for_module(module.id)
        casuses: Mapping[str, Load] = {c.id: casus_load(c) for c in catalog.casuses_for_module(module.id)}
        result.append(ModuleLoad(module.id, module.minutes, pages, quiz_load(quiz) if quiz else Load(),
                                 sum(casuses.values(), Load())))
    return StudyLoad(tuple(result))
