"""Loading quiz files: valid files become quizzes, every problem is named with file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from course.errors import ContentError, ErrorReport
from course.quiz import QUESTION_TYPES, load_quizzes

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "content" / "quiz"
ROOT = Path(__file__).resolve().parents[3]


def load(directory: Path, modules=frozenset({"testmodule"}), **kwargs):
    # These fixtures show every question type once: too few for a bank. tests/course/quiz/test_quiz_bank.py
    # covers the bank rules at the course's own factor.
    kwargs.setdefault("bank_factor", 1)
    report = ErrorReport(directory)
    return load_quizzes(directory, report, modules, **kwargs), [str(e) for e in report]


def test_valid_quiz_with_every_type_loads():
    quizzes, errors = load(FIXTURES / "valid")
    assert errors == []
    (quiz,) = quizzes
    assert quiz.id == "alle-types" and quiz.module == "testmodule"
    assert {q.type for q in quiz.questions} == set(QUESTION_TYPES)
    assert quiz.attempts.max_attempts == 2 and quiz.attempts.counts == "last"
    assert quiz.intro == "<p>Een <em>korte</em> inleiding.</p>"
    assert quiz.question("enkel").prompt == "<p>Welke stap komt <strong>eerst</strong>?</p>"
    assert quiz.question("enkel").options[0].text == "In kaart brengen van signalen"  # inline: no <p>
    assert quiz.question("bestaat-niet") is None
    assert quiz.questions_per_attempt == 7


EXPECTED_BROKEN = [
    "oud.yml: quiz files end in '.yaml'; rename this file or it is ignored",
    "kapot.yaml:2: invalid YAML: mapping values are not allowed here",
    "lijst.yaml:1: a quiz file must be a mapping of keys to values",
    "schema.yaml:4: pass_mark: input should be less than or equal to 100",
    "schema.yaml:6: attempts.max: must be a number of attempts (1 or more) or 'unlimited'",
    "schema.yaml:7: attempts.counts: input should be 'best' or 'last'",
    "schema.yaml:8: feedback: input should be 'after_question' or 'after_submit'",
    "schema.yaml:16: questions[0].options[0]: unknown key 'corect'",
    "schema.yaml:29: questions[2].answer: must be a number, not true/false",
    "schema.yaml:33: questions[3]: missing required key 'type'",
    "semantics.yaml:1: id: 'andere-naam' must match the file name 'semantics'",
    "semantics.yaml:2: module: unknown module 'bestaat-niet'; expected one of ['testmodule']",
    "semantics.yaml:15: questions[0].options[1].id: duplicate id 'a'",
    "semantics.yaml:10: questions[0].options: a single choice question needs exactly one correct option, "
    "found 2",
    "semantics.yaml:24: questions[1].options: a multiple response question needs at least one correct option",
    "semantics.yaml:32: questions[2].id: duplicate question id 'twee-goed'",
    "semantics.yaml:44: questions[2].items[0].category: unknown category 'z'; expected one of ['x', 'y']",
    "semantics.yaml:50: questions[3].accepted[1]: 'een' is the same as an earlier accepted answer",
    "semantics.yaml:50: questions[3].accepted[2]: an accepted answer cannot be empty",
    "semantics.yaml:56: questions[4].prompt: broken link '../modules/bestaat-niet.md': no such page",
    "tweede.yaml:1: module: module 'testmodule' already has a quiz: 'alle-types' (one quiz per module)",
]


def test_every_problem_is_reported_with_file_and_line():
    """An author sees every mistake at once, each with the file, line and field to fix."""
    quizzes, errors = load(FIXTURES / "broken")
    assert [q.id for q in quizzes] == ["alle-types"]
    unknown_type = [e for e in errors if "unknown type" in e]
    assert len(unknown_type) == 1 and unknown_type[0].startswith("schema.yaml:22: questions[1]: unknown type")
    assert sorted(e for e in errors if "unknown type" not in e) == sorted(EXPECTED_BROKEN)


def test_missing_directory_is_empty(tmp_path):
    assert load(tmp_path / "nergens") == ((), [])


@pytest.mark.parametrize(("text", "expected"), [
    ("", ":1: a quiz file must be a mapping"),
    ("id: x\nmodule: testmodule\ntitle: T\npass_mark: 50\n", ":1: missing required key 'questions'"),
    ("id: x\nmodule: testmodule\ntitle: T\npass_mark: 50\nquestions: []\n",
     ":5: questions: a quiz needs a list of questions"),
    ("id: x\nmodule: testmodule\ntitle: T\npass_mark: 50\nquestions:\n  - tekst\n",
     ":6: questions[0]: a question must be a mapping"),
    ("id: x\nmodule: testmodule\ntitle: T\npass_mark: 50\ndraw: 2\nquestions:\n"
     "  - {id: a, type: true_false, prompt: p, explanation: e, answer: true, feedback_true: t, feedback_false: f}\n",
     ":5: draw: draws 2 questions but the bank has only 1"),
    ("id: x\nmodule: testmodule\ntitle: T\npass_mark: 50\nquestions:\n"
     "  - {id: a, type: ordering, scoring: positions, prompt: p, explanation: e, feedback: f,\n"
     "     items: [{id: a, text: A}]}\n",
     ":7: questions[0].items: needs at least 2 items, found 1"),
    ("id: x\nmodule: testmodule\ntitle: T\npass_mark: 50\nquestions:\n"
     "  - {id: a, type: true_false, prompt: '![foto](foto.png)', explanation: e, answer: true,\n"
     "     feedback_true: t, feedback_false: f}\n",
     ":6: questions[0].prompt: image 'foto.png' not found"),
    ("id: x\nmodule: testmodule\ntitle: T\npass_mark: 50\nquestions:\n"
     "  - {id: a, type: true_false, prompt: p, explanation: e, answer: true,\n"
     "     feedback_true: t, feedback_false: f, points: yes}\n",
     ":7: questions[0].points: must be a number, not true/false"),
])
def test_small_mistakes(tmp_path, text, expected):
    (tmp_path / "x.yaml").write_text(text, encoding="utf-8")
    quizzes, errors = load(tmp_path)
    assert quizzes == ()
    assert [e for e in errors if expected in e], errors


def test_links_to_course_pages_resolve_when_the_loader_is_told_how(tmp_path):
    page = tmp_path / "modules" / "01-m" / "01-p.md"
    page.parent.mkdir(parents=True)
    page.write_text("x", encoding="utf-8")
    quizzes_dir = tmp_path / "quizzes"
    quizzes_dir.mkdir()
    (quizzes_dir / "x.yaml").write_text(
        "id: x\nmodule: testmodule\ntitle: T\npass_mark: 50\nquestions:\n"
        "  - {id: a, type: true_false, prompt: 'Lees [dit](../modules/01-m/01-p.md)', explanation: e,\n"
        "     answer: true, feedback_true: t, feedback_false: f}\n", encoding="utf-8")
    quizzes, errors = load(quizzes_dir, resolve_page=lambda p: "/m/p" if p == page.resolve() else None)
    assert errors == []
    assert 'href="/m/p"' in quizzes[0].questions[0].prompt


def test_raw_html_in_a_quiz_is_shown_as_text(tmp_path):
    (tmp_path / "x.yaml").write_text(
        "id: x\nmodule: testmodule\ntitle: T\npass_mark: 50\nquestions:\n"
        "  - {id: a, type: true_false, prompt: '<script>alert(1)</script>', explanation: e,\n"
        "     answer: true, feedback_true: t, feedback_false: f}\n", encoding="utf-8")
    quizzes, errors = load(tmp_path)
    assert errors == []
    assert "<script>" not in quizzes[0].questions[0].prompt


def test_the_real_quizzes_load_without_errors():
    """The quizzes in the repository load cleanly (the course check in CI says the same)."""
    modules = frozenset(yaml.safe_load((ROOT / "course.yaml").read_text(encoding="utf-8"))["modules"])
    report = ErrorReport(ROOT)
    quizzes = load_quizzes(ROOT / "quizzes", report, modules)
    assert [str(e) for e in report] == []
    assert len(quizzes) == len(list((ROOT / "quizzes").glob("*.yaml")))


HEADER = "id: x\nmodule: testmodule\ntitle: T\npass_mark: 50\n"
TRUE_FALSE = "  - {{id: {id}, type: true_false, prompt: p, explanation: e, answer: {answer}, feedback_true: t, " \
             "feedback_false: f}}\n"


def test_a_question_written_as_a_word_is_not_a_mapping(tmp_path):
    """'- type' is a string, not a question with a type."""
    (tmp_path / "x.yaml").write_text(HEADER + "questions:\n  - type\n", encoding="utf-8")
    assert load(tmp_path) == ((), ["x.yaml:6: questions[0]: a question must be a mapping"])


def test_a_broken_question_is_reported_once_without_rules_about_the_rest_of_the_bank(tmp_path):
    """A bank with a broken question is not also told it is too small for its draw or that its key never
    varies: the author sees the one mistake to fix, and every question's own problems."""
    text = (HEADER + "draw: 2\nquestions:\n" + TRUE_FALSE.format(id="a", answer="true")
            + "  - {id: b, type: true_false, prompt: p, explanation: e, answer: true, feedback_true: t}\n"
            + "  - 3\n"
            + "  - {id: c, type: ordering, scoring: positions, prompt: p, explanation: e, feedback: f,\n"
            + "     items: [{id: a, text: A}]}\n"
            + TRUE_FALSE.format(id="d", answer="true")
            + "practice:\n" + TRUE_FALSE.format(id="e", answer="true") + TRUE_FALSE.format(id="e", answer="false"))
    (tmp_path / "x.yaml").write_text(text, encoding="utf-8")
    assert load(tmp_path) == ((), [
        "x.yaml:8: questions[1]: missing required key 'feedback_false'",
        "x.yaml:9: questions[2]: a question must be a mapping",
        "x.yaml:11: questions[3].items: needs at least 2 items, found 1",
        "x.yaml:15: practice[1].id: duplicate question id 'e'",
    ])


def test_an_image_in_a_quiz_without_an_image_resolver_is_refused(tmp_path):
    (tmp_path / "foto.png").write_bytes(b"png")
    (tmp_path / "x.yaml").write_text(
        HEADER + "questions:\n  - {id: a, type: true_false, prompt: '![Foto](foto.png)', explanation: e,\n"
        "     answer: true, feedback_true: t, feedback_false: f}\n", encoding="utf-8")
    assert load(tmp_path) == ((), [
        "x.yaml:6: questions[0].prompt: image 'foto.png' is not allowed here "
        "(use .svg, .png, .jpg or .webp inside the module)"])
    quizzes, errors = load(tmp_path, resolve_image=lambda p: f"/beeld/{p.name}")
    assert errors == []
    assert quizzes[0].questions[0].prompt == '<figure><img src="/beeld/foto.png" alt="Foto" loading="lazy"></figure>'


def test_file_level_problems_name_no_field(tmp_path):
    """A problem with the whole file has the empty field every ContentError without one has (a str, so
    errors sort and print alike)."""
    (tmp_path / "x.yaml").write_text("- a\n- b\n", encoding="utf-8")
    (tmp_path / "oud.yml").write_text("id: oud\n", encoding="utf-8")
    report = ErrorReport(tmp_path)
    assert load_quizzes(tmp_path, report, frozenset({"testmodule"})) == ()
    assert report.errors == [
        ContentError("oud.yml", None, "", "quiz files end in '.yaml'; rename this file or it is ignored"),
        ContentError("x.yaml", 1, "", "a quiz file must be a mapping of keys to values")]


def test_links_in_the_intro_and_in_practice_questions_are_checked_too(tmp_path):
    (tmp_path / "x.yaml").write_text(
        "title: T\nid: x\nmodule: testmodule\npass_mark: 50\nintro: 'Zie [hier](weg.md)'\nquestions:\n"
        + TRUE_FALSE.format(id="a", answer="true")
        + "practice:\n  - {id: b, type: true_false, prompt: 'Zie [daar](ook-weg.md)', explanation: e,\n"
        "     answer: false, feedback_true: t, feedback_false: f}\n", encoding="utf-8")
    assert load(tmp_path) == ((), [
        "x.yaml:5: intro: broken link 'weg.md': no such page",
        "x.yaml:9: practice[0].prompt: broken link 'ook-weg.md': no such page",
    ])


def test_an_id_other_than_the_file_name_is_reported_at_the_id(tmp_path):
    (tmp_path / "x.yaml").write_text("title: T\nmodule: testmodule\nid: y\npass_mark: 50\nquestions:\n"
                                     + TRUE_FALSE.format(id="a", answer="true"), encoding="utf-8")
    assert load(tmp_path) == ((), ["x.yaml:3: id: 'y' must match the file name 'x'"])


def test_a_second_quiz_for_a_module_does_not_stop_the_next_files(tmp_path):
    for name, module in (("a", "een"), ("b", "een"), ("c", "twee")):
        (tmp_path / f"{name}.yaml").write_text(
            f"id: {name}\nmodule: {module}\ntitle: T\npass_mark: 50\nquestions:\n"
            + TRUE_FALSE.format(id="v", answer="true"), encoding="utf-8")
    quizzes, errors = load(tmp_path, frozenset({"een", "twee"}))
    assert [q.id for q in quizzes] == ["a", "c"]
    assert errors == ["b.yaml:1: module: module 'een' already has a quiz: 'a' (one quiz per module)"]
