"""Where live items come from: a knowledge check, a trainer's own discussion prompts, or the current step
of a casus the group walks through together.

A casus step becomes a live item through an adapter registered by step kind: what the group votes on,
and how the group's decision is put to the casus engine (``group_input``) so the casus goes on along
the path the trainer takes, with its state variables.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from course.casus.engine import RunState
from course.casus.kinds import ChecklistStep, ChoiceStep, MultiSelectStep, RawInput
from course.casus.kinds.reflection import ANSWER_FIELD
from course.casus.model import Casus, Step
from course.errors import N_, DomainError
from course.live.items import ItemKind, LiveItem, LiveOption
from course.quiz.model import Quiz
from course.quiz.types.choice import MultipleResponse, SingleChoice, TrueFalse

# What a casus run records for a step the group discussed instead of each writing their own text.
GROUP_DISCUSSION = "Besproken in de groep."
MAX_PROMPTS = 12
MAX_PROMPT_OPTIONS = 8


# --- knowledge checks -------------------------------------------------------------------------------------

def quiz_items(quiz: Quiz) -> tuple[LiveItem, ...]:
    """The questions of ``quiz`` a group can vote on (choice and true/false), in file order.

    Orderings, categorisations and typed answers are left out: they are for one learner at a time.
    """
    items = []
    for question in quiz.questions:
        if isinstance(question, SingleChoice | MultipleResponse):
            options = tuple(LiveOption(o.id, o.text) for o in question.options)
            kind = ItemKind.SINGLE if isinstance(question, SingleChoice) else ItemKind.MULTIPLE
            recommended = tuple(o.id for o in question.options if o.correct)
        elif isinstance(question, TrueFalse):
            options = (LiveOption("true", "Juist"), LiveOption("false", "Onjuist"))
            kind, recommended = ItemKind.SINGLE, ("true" if question.answer else "false",)
        else:
            continue
        items.append(LiveItem(f"q-{question.id}", kind, question.prompt, options, recommended,
                              question.explanation))
    return tuple(items)


# --- a trainer's own prompts ------------------------------------------------------------------------------

PROMPT_KINDS = (ItemKind.OPEN, ItemKind.SINGLE, ItemKind.RATING, ItemKind.WORDS)


def prompt_item(number: int, kind: ItemKind, text: str, options: Sequence[str] = ()) -> LiveItem:
    """A discussion prompt the trainer wrote: plain text (escaped), a poll needs 2–8 options.

    Raises DomainError for a poll without enough options or a kind that is not a prompt kind.
    """
    if kind not in PROMPT_KINDS:
        raise DomainError(N_("Onbekend soort vraag."))
    labels = [o.strip() for o in options if o.strip()]
    if kind == ItemKind.SINGLE and not 2 <= len(labels) <= MAX_PROMPT_OPTIONS:
        raise DomainError(N_("Een peiling heeft 2 tot 8 antwoordmogelijkheden, elk op een eigen regel."))
    built = tuple(LiveOption(f"o{n}", html.escape(label)) for n, label in enumerate(labels, 1)) \
        if kind == ItemKind.SINGLE else ()
    return LiveItem(f"p-{number}", kind, f"<p>{html.escape(text.strip())}</p>", built)


# --- a casus, step by step ------------------------------------------------------------------------------

@dataclass(frozen=True)
class CasusAdapter:
    item: Callable[[Any, str, Mapping[str, Any]], LiveItem]  # (step, key, the run's variables)
    group_input: Callable[[Any, Sequence[str]], RawInput]  # the group's decision as the engine's input


def _choice_item(step: ChoiceStep, key: str, _variables: Mapping[str, Any]) -> LiveItem:
    recommended = step.recommended
    explanation = "".join(o.feedback_html for o in recommended)
    return LiveItem(key, ItemKind.SINGLE, step.prompt_html,
                    tuple(LiveOption(o.id, o.text_html) for o in step.options),
                    tuple(o.id for o in recommended), explanation)


def _multi_item(step: MultiSelectStep, key: str, _variables: Mapping[str, Any]) -> LiveItem:
    return LiveItem(key, ItemKind.MULTIPLE, step.prompt_html,
                    tuple(LiveOption(i.id, i.text_html) for i in step.items),
                    tuple(i.id for i in step.items if i.correct),
                    "".join(f"<p>{i.text_html}: {i.feedback_html}</p>" for i in step.items if i.correct))


def _checklist_item(step: ChecklistStep, key: str, _variables: Mapping[str, Any]) -> LiveItem:
    return LiveItem(key, ItemKind.MULTIPLE, step.prompt_html,
                    tuple(LiveOption(c.id, c.text_html) for c in step.criteria),
                    tuple(c.id for c in step.criteria))


def _conversation_item(step: Any, key: str, variables: Mapping[str, Any]) -> LiveItem:
    """A conversation: the other person's opening line (as the run's state makes it), then what to say."""
    opening = step.says_for(variables)
    context = f'<p class="speaker">{html.escape(step.speaker)}:</p>{opening}' if opening else ""
    return LiveItem(key, ItemKind.SINGLE, step.prompt_html or "<p>Wat zeg je?</p>",
                    tuple(LiveOption(o.id, o.text_html) for o in step.options),
                    tuple(o.id for o in step.recommended), "".join(o.feedback_html for o in step.recommended),
                    context)


CASUS_ADAPTERS: Mapping[str, CasusAdapter] = MappingProxyType({
    "info": CasusAdapter(lambda step, key, _v: LiveItem(key, ItemKind.INFO, step.text_html), lambda _s, _c: {}),
    "choice": CasusAdapter(_choice_item, lambda _s, chosen: {"option": list(chosen[:1])}),
    "conversation": CasusAdapter(_conversation_item, lambda _s, chosen: {"option": list(chosen[:1])}),
    "multi_select": CasusAdapter(_multi_item, lambda _s, chosen: {"item": list(chosen)}),
    "checklist": CasusAdapter(_checklist_item, lambda _s, chosen: {"criterion": list(chosen)}),
    "reflection": CasusAdapter(
        lambda step, key, _v: LiveItem(key, ItemKind.OPEN, step.prompt_html,
                                       explanation_html=step.model_answer_html),
        lambda _s, _c: {ANSWER_FIELD: [GROUP_DISCUSSION]}),
    "plan": CasusAdapter(lambda step, key, _v: LiveItem(key, ItemKind.OPEN, step.prompt_html),
                         lambda step, _c: {step.fields[0].input_name: [GROUP_DISCUSSION]}),
    "debrief": CasusAdapter(lambda step, key, _v: LiveItem(key, ItemKind.INFO, step.text_html),
                            lambda _s, _c: {}),
})


def runs_live(casus: Casus) -> bool:
    """True when every step of ``casus`` has a live adapter (so a group can walk it from start to end)."""
    return all(step.kind in CASUS_ADAPTERS for step in casus.steps)


def casus_item(casus: Casus, state: RunState) -> LiveItem:
    """The live item for the group run's current step. Its key counts the decisions so far, so a step
    revisited later is a new question with answers of its own."""
    step: Step = casus.step(state.current)
    adapter = CASUS_ADAPTERS.get(step.kind)
    if adapter is None:
        raise DomainError(N_("Deze casus kan niet live worden gespeeld."))
    return adapter.item(step, f"s{len(state.path)}-{step.id}", state.variables)


def group_input(casus: Casus, state: RunState, chosen: Sequence[str]) -> RawInput:
    """The engine input that records the group's decision ``chosen`` (option or item ids) at the current step."""
    step = casus.step(state.current)
    return CASUS_ADAPTERS[step.kind].group_input(step, chosen)


def majority(item: LiveItem, counts: Mapping[str, int], answered: int) -> tuple[str, ...]:
    """The group's choice: the option most chosen (single), or every option at least half chose (multiple)."""
    if item.kind == ItemKind.SINGLE:
        if not answered:
            return ()
        best = max(item.option_ids, key=lambda o: counts.get(o, 0))
        return (best,) if counts.get(best, 0) else ()
    if item.kind == ItemKind.MULTIPLE:
        return tuple(o for o in item.option_ids if answered and 2 * counts.get(o, 0) >= answered)
    return ()
