"""Opaque answer values: a page's values turn back into ids; anything else comes out as a refused id."""

from __future__ import annotations

import pytest

from course.quiz import MalformedAnswer, OpaqueValues, parse_form
from tests.course.quiz.quiz_builders import make_question


def test_round_trip_and_forged_values():
    question = make_question("single_choice")
    opaque = OpaqueValues("sleutel")
    posted = opaque.encode_raw(question, {"": ["b"]})
    assert posted != {"q.v": ["b"]}
    assert parse_form([question], opaque.decode_form([question], posted)).answers[question.id].chosen == {"b"}
    for forged in ("b", OpaqueValues("andere-sleutel").value(question.id, "b")):
        with pytest.raises(MalformedAnswer):
            parse_form([question], opaque.decode_form([question], {f"q.{question.id}": [forged]}))


def test_item_fields_are_opaque_too():
    question = make_question("categorise")
    opaque = OpaqueValues("sleutel")
    raw = {item.id: [item.category] for item in question.items}
    posted = opaque.encode_raw(question, raw)
    assert not any(item.id in name for name in posted for item in question.items)
    assert opaque.decode_form([question], posted) == {f"q.{question.id}.{k}": v for k, v in raw.items()}
    with pytest.raises(MalformedAnswer):  # the plain item field of the file
        first = question.items[0]
        plain_field = {f"q.{question.id}.{first.id}": [opaque.value(question.id, first.category)]}
        parse_form([question], opaque.decode_form([question], plain_field))
