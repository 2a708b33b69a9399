"""Effects: how a decision changes the run's variables (``var: value``, ``"+= 1"``, ``"+= correct"``,
``"+= wrong"``)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from course.casus.conditions import Value
from course.casus.model import Effect, Variable

_ADD = re.compile(r"^([+-])=\s*(.+)$")
_NUMBER = re.compile(r"^\d+(\.\d+)?$")
CORRECT = "correct"  # the number of items selected that should be
WRONG = "wrong"  # the number of items selected that should not be: ticking everything must cost something
COUNTS = (CORRECT, WRONG)


class EffectError(ValueError):
    """An effect that does not fit the variable it changes."""


def parse_effect(name: str, raw: object, variables: Mapping[str, Variable], allow_correct: bool) -> Effect:
    """Turn one ``name: raw`` entry of an ``effects`` mapping into an Effect.

    ``allow_correct`` says whether ``"+= correct"`` / ``"+= wrong"`` make sense here (only on a multi_select
    or checklist step).
    Returns the Effect; raises EffectError with a message for the content author.
    """
    if name not in variables:
        known = ", ".join(sorted(variables)) or "none declared"
        raise EffectError(f"unknown variable '{name}' (variables: {known})")
    var = variables[name]
    if isinstance(raw, str) and var.type == "number":
        match = _ADD.match(raw.strip())
        if not match:
            raise EffectError(f"'{raw}': write a number, \"+= 1\" or \"-= 1\"")
        sign, amount = (1 if match[1] == "+" else -1), match[2].strip()
        if amount in COUNTS:
            if not allow_correct:
                raise EffectError(f"'+= {amount}' only works on a multi_select or checklist step")
            return Effect(name, "add", amount, sign)
        if not _NUMBER.match(amount):
            raise EffectError(f"'{raw}': the amount must be a number, e.g. \"+= 1\"")
        return Effect(name, "add", float(amount) if "." in amount else int(amount), sign)
    if not var.accepts(raw):
        raise EffectError(f"{raw!r} is not a valid value for '{name}' ({_describe(var)})")
    return Effect(name, "set", raw)  # type: ignore[arg-type]  # accepts() checked the type


def _describe(var: Variable) -> str:
    if var.type == "choice":
        return "one of: " + ", ".join(var.values)
    if var.type == "bool":
        return "true or false"
    return "a number, \"+= 1\" or \"-= 1\""


def apply_effects(effects: Iterable[Effect], variables: Mapping[str, Value], correct: int = 0,
                  wrong: int = 0) -> dict[str, Value]:
    """A new mapping: ``variables`` with ``effects`` applied in order.

    ``correct`` is what ``"+= correct"`` adds (the number of correctly selected items), ``wrong`` what
    ``"+= wrong"`` adds (the number of items selected that should not have been). Does not raise for
    effects built by ``parse_effect`` against the same variables; TypeError for an addition to or of
    something that is not a number.
    """
    result = dict(variables)
    for effect in effects:
        if effect.op == "set":
            result[effect.variable] = effect.value
            continue
        amount = {CORRECT: correct, WRONG: wrong}.get(effect.value, effect.value)  # type: ignore[arg-type]
        current = result[effect.variable]
        if not (isinstance(amount, int | float) and isinstance(current, int | float)):
            # parse_effect never builds such an effect; one built by hand fails here, not as 'a' + 1 later.
            raise TypeError(f"cannot add {amount!r} to {effect.variable} = {current!r}")
        result[effect.variable] = current + effect.sign * amount
    return result
