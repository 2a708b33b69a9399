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


# --- the values themselves ---------------------------------------------------------------------------

def test_values_are_stable_across_processes_and_releases():
    """A page served by one worker (or before an upgrade) posts values every other worker decodes: the
    value is a keyed SHA-256 of the question and the id, cut to 16 hex digits, never a per-process hash."""
    opaque = OpaqueValues("sleutel")
    assert opaque.value("v", "a") == "7f3238692222635b"
    assert opaque.value("v", "true") == "c8c14fc814468137"
    assert opaque.field("v") == "q.v"
    assert opaque.field("v", "x") == "q.v.a4a9157835ee98c0"


def test_values_differ_per_key_question_and_id():
    """A value says nothing about its option, and is useless in another attempt or for another question."""
    values = {OpaqueValues(key).value(question, plain)
              for key in ("k1", "k2") for question in ("v", "w") for plain in ("a", "b")}
    assert len(values) == 8
    # An item's field is not the value of an option with the same id.
    assert OpaqueValues("k").field("v", "a") != f"q.v.{OpaqueValues('k').value('v', 'a')}"



def test_a_value_is_sixteen_hex_digits_whatever_the_id_holds():
    """Pages print values unescaped (app/quiz/views.py's opaque-value hole): no id can put markup in one."""
    for plain in ("a", '<script>"&', "x" * 500, ""):
        value = OpaqueValues("<k>").value("<v>", plain)
        assert len(value) == 16 and set(value) <= set("0123456789abcdef")

# --- decoding a posted form ----------------------------------------------------------------------------

OPAQUE = OpaqueValues("sleutel")


def test_other_fields_pass_unchanged():
    """The CSRF token, buttons, fields of questions not on the page and look-alike names are left alone."""
    question = make_question("single_choice")
    form = {"csrf_token": ["t"], "actie": ["opslaan", "x"], "q.ander": ["a"], "qqv": ["a"], "q.v": []}
    assert OPAQUE.decode_form([question], form) == form


def test_posted_values_turn_back_into_ids():
    question = make_question("multiple_response")
    posted = {"q.v": [OPAQUE.value("v", "b"), f" {OPAQUE.value('v', 'a')} "]}
    assert OPAQUE.decode_form([question], posted) == {"q.v": ["b", "a"]}


def test_forged_values_and_fields_come_out_as_ids_no_question_has():
    """A plain id, a value of another attempt or question, an unknown item field: each is marked, never
    taken for an option or item of this question."""
    question = make_question("categorise")  # categories boven/onder, items x, y, z
    other = OpaqueValues("ander")
    form = {"q.v." + OPAQUE.value("v", "item:x"): ["boven"],
            "q.v." + other.value("v", "item:y"): [other.value("v", "onder")],
            "q.v.z": [OPAQUE.value("w", "boven")]}
    assert OPAQUE.decode_form([question], form) == {
        "q.v.x": ["?boven"],
        "q.v.?" + other.value("v", "item:y"): ["?" + other.value("v", "onder")],
        "q.v.?z": ["?" + OPAQUE.value("w", "boven")],
    }


def test_blank_values_stay_blank():
    """An empty select or radio group is unanswered, not forged."""
    question = make_question("categorise")
    form = {OPAQUE.field("v", "x"): [""], OPAQUE.field("v", "y"): ["  "]}
    assert OPAQUE.decode_form([question], form) == {"q.v.x": [""], "q.v.y": ["  "]}


@pytest.mark.parametrize(("kind", "raw"), [
    ("numeric", {"": ["2,4"]}),
    ("short_text", {"": ["Veilig Thuis"]}),
    ("ordering", {"een": ["1"], "twee": ["2"], "drie": ["3"], "vier": ["4"]}),
])
def test_typed_values_and_positions_are_not_opaque(kind, raw):
    """What the learner types, and ordering positions, are posted as they are; only item fields are hidden."""
    question = make_question(kind)
    posted = OPAQUE.encode_raw(question, raw)
    assert sorted(map(tuple, posted.values())) == sorted(map(tuple, raw.values()))
    assert OPAQUE.decode_form([question], posted) == {
        (f"q.v.{item}" if item else "q.v"): values for item, values in raw.items()}


@pytest.mark.parametrize("answer", ["true", "false"])
def test_true_false_choices_are_opaque(answer):
    question = make_question("true_false")
    posted = OPAQUE.encode_raw(question, {"": [answer]})
    assert posted == {"q.v": [OPAQUE.value("v", answer)]}
    assert OPAQUE.decode_form([question], posted) == {"q.v": [answer]}
    assert parse_form([question], OPAQUE.decode_form([question], posted)).answers["v"].value is (answer == "true")
    with pytest.raises(MalformedAnswer):
        parse_form([question], OPAQUE.decode_form([question], {"q.v": [answer]}))


def test_encode_raw_keeps_blanks_and_names_item_fields():
    question = make_question("categorise")
    assert OPAQUE.encode_raw(question, {"x": ["onder"], "y": [""]}) == {
        OPAQUE.field("v", "x"): [OPAQUE.value("v", "onder")], OPAQUE.field("v", "y"): [""]}
    single = make_question("single_choice")
    assert OPAQUE.encode_raw(single, {"": ["a", ""]}) == {"q.v": [OPAQUE.value("v", "a"), ""]}
