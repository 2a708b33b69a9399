"""Live answers and the tally the projector shows."""

from __future__ import annotations

import pytest

from course.errors import DomainError
from course.live.items import ItemKind, LiveInputError, LiveItem, LiveOption, parse_answer, tally
from course.live.sources import majority, prompt_item

POLL = LiveItem("p-1", ItemKind.SINGLE, "<p>Wat doe je?</p>",
                (LiveOption("a", "Bellen"), LiveOption("b", "Wachten"), LiveOption("c", "Overleggen")),
                recommended=("c",))
MULTI = LiveItem("p-2", ItemKind.MULTIPLE, "<p>Signalen?</p>", POLL.options, recommended=("a", "c"))


def test_items_survive_a_json_round_trip() -> None:
    assert LiveItem.from_json(POLL.to_json()) == POLL


@pytest.mark.parametrize(("item", "values", "stored"), [
    (POLL, ["b"], "b"),
    (MULTI, ["c", "a", "a"], ["a", "c"]),
    (LiveItem("r", ItemKind.RATING, ""), ["4"], "4"),
    (LiveItem("o", ItemKind.OPEN, ""), ["  Eerst overleggen  "], "Eerst overleggen"),
    (LiveItem("w", ItemKind.WORDS, ""), ["Veilig, Rust  zorg"], ["veilig", "rust", "zorg"]),
])
def test_answers_are_stored_in_a_plain_form(item: LiveItem, values: list[str], stored: object) -> None:
    assert parse_answer(item, values) == stored


@pytest.mark.parametrize(("item", "values"), [
    (POLL, []), (MULTI, [" "]), (LiveItem("o", ItemKind.OPEN, ""), [""]),
    (LiveItem("o", ItemKind.OPEN, ""), ["x" * 501]), (LiveItem("w", ItemKind.WORDS, ""), ["een twee drie vier"]),
])
def test_answers_to_correct_get_a_message(item: LiveItem, values: list[str]) -> None:
    with pytest.raises(LiveInputError):
        parse_answer(item, values)


@pytest.mark.parametrize(("item", "values"), [
    (POLL, ["z"]), (POLL, ["a", "b"]), (MULTI, ["a", "z"]), (LiveItem("r", ItemKind.RATING, ""), ["6"]),
    (LiveItem("i", ItemKind.INFO, ""), ["a"]),
])
def test_forged_answers_are_refused(item: LiveItem, values: list[str]) -> None:
    with pytest.raises(DomainError):
        parse_answer(item, values)


def test_an_open_answer_of_exactly_the_limit_is_taken() -> None:
    assert len(parse_answer(LiveItem("o", ItemKind.OPEN, ""), ["x" * 500])) == 500


def test_the_tally_stays_empty_below_the_minimum() -> None:
    result = tally(POLL, [(1, "a", False), (2, "c", False)], minimum=3)
    assert result.answered == 2 and not result.visible and result.bars == ()


def test_the_tally_counts_and_rounds_per_option() -> None:
    result = tally(POLL, [(1, "a", False), (2, "c", False), (3, "c", False)], minimum=3)
    assert [(b.option.id, b.count, b.percent, b.recommended) for b in result.bars] == [
        ("a", 1, 33, False), ("b", 0, 0, False), ("c", 2, 67, True)]
    assert result.leading() == "c"


def test_multiple_answers_count_each_option_chosen() -> None:
    result = tally(MULTI, [(1, ["a", "c"], False), (2, ["a"], False), (3, ["b"], False)], minimum=1)
    assert [(b.option.id, b.count) for b in result.bars] == [("a", 2), ("b", 1), ("c", 1)]


def test_ratings_have_a_mean_and_words_a_frequency_list() -> None:
    ratings = tally(LiveItem("r", ItemKind.RATING, ""), [(1, "4", False), (2, "5", False), (3, "2", False)], 1)
    assert ratings.mean == 3.7 and [b.count for b in ratings.bars] == [0, 1, 0, 1, 1]
    words = tally(LiveItem("w", ItemKind.WORDS, ""), [(1, ["rust", "veilig"], False), (2, ["veilig"], False),
                                                      (3, ["veilig", "veilig"], False)], 1)
    assert words.words == (("veilig", 3), ("rust", 1))


def test_hidden_open_answers_are_left_out_but_still_counted() -> None:
    result = tally(LiveItem("o", ItemKind.OPEN, ""), [(1, "ja", False), (2, "weg", True), (3, "nee", False)], 3)
    assert result.answered == 3 and result.texts == ((1, "ja"), (3, "nee"))


def test_majority_of_a_fork_and_of_a_multiple_choice() -> None:
    assert majority(POLL, {"a": 1, "c": 2}, 3) == ("c",)
    assert majority(POLL, {}, 0) == ()
    assert majority(MULTI, {"a": 2, "b": 1, "c": 1}, 3) == ("a",)
    assert majority(MULTI, {"a": 2, "b": 1, "c": 2}, 4) == ("a", "c")


def test_prompts_escape_the_trainers_text_and_need_options_for_a_poll() -> None:
    item = prompt_item(1, ItemKind.SINGLE, "<b>Wat</b> nu?", ["Ja", "", "<i>Nee</i>"])
    assert item.prompt_html == "<p>&lt;b&gt;Wat&lt;/b&gt; nu?</p>"
    assert [o.label_html for o in item.options] == ["Ja", "&lt;i&gt;Nee&lt;/i&gt;"]
    with pytest.raises(DomainError):
        prompt_item(2, ItemKind.SINGLE, "Wat?", ["Alleen één"])
    with pytest.raises(DomainError):
        prompt_item(2, ItemKind.INFO, "Lees")
