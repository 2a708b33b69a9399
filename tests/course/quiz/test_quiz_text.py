"""The text of a quiz: the exact HTML a learner sees, and the exact message an author gets for a bad link."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel, ValidationError

from course.quiz.text import TRUSTED_HTML, MarkdownBlock, MarkdownInline, QuizMarkdown


def markdown(tmp_path: Path, **resolvers) -> QuizMarkdown:
    (tmp_path / "quizzes").mkdir(exist_ok=True)
    return QuizMarkdown(tmp_path / "quizzes" / "toets.yaml", tmp_path, **resolvers)


def test_block_text_becomes_paragraphs(tmp_path):
    assert markdown(tmp_path)("Een **vet** woord.\n\nTweede alinea.", inline=False) == (
        "<p>Een <strong>vet</strong> woord.</p>\n<p>Tweede alinea.</p>\n")


def test_inline_text_has_no_paragraph(tmp_path):
    assert markdown(tmp_path)("Een *schuin* woord", inline=True) == "Een <em>schuin</em> woord"


def test_a_link_to_a_course_page_gets_the_page_url(tmp_path):
    page = tmp_path / "modules" / "m.md"
    page.parent.mkdir()
    page.write_text("x", encoding="utf-8")
    render = markdown(tmp_path, resolve_page=lambda p: "/leren/m" if p == page.resolve() else None)
    assert render("Lees [dit](../modules/m.md).", inline=False) == '<p>Lees <a href="/leren/m">dit</a>.</p>\n'
    assert render("Lees [dit](../modules/m.md)", inline=True) == 'Lees <a href="/leren/m">dit</a>'


def test_an_image_beside_the_quiz_gets_its_url(tmp_path):
    render = markdown(tmp_path, resolve_image=lambda p: f"/beeld/{p.name}")
    (tmp_path / "quizzes" / "foto.png").write_bytes(b"png")
    assert render("![Een foto](foto.png)", inline=True) == '<img src="/beeld/foto.png" alt="Een foto" loading="lazy">'


@pytest.mark.parametrize("inline", [False, True])
def test_a_broken_link_is_refused_with_its_target(tmp_path, inline):
    """Without a resolver no page exists: the author learns which link is broken, in block and inline text."""
    with pytest.raises(ValueError, match=r"^broken link '\.\./modules/weg\.md': no such page$"):
        markdown(tmp_path)("Lees [dit](../modules/weg.md)", inline=inline)


def test_an_image_is_refused_when_images_are_not_allowed(tmp_path):
    render = markdown(tmp_path)
    (tmp_path / "quizzes" / "foto.png").write_bytes(b"png")
    with pytest.raises(ValueError) as info:
        render("![Een foto](foto.png)", inline=False)
    assert str(info.value) == (
        "image 'foto.png' is not allowed here (use .svg, .png, .jpg or .webp inside the module)")


def test_every_problem_of_a_field_is_named_at_once(tmp_path):
    with pytest.raises(ValueError) as info:
        markdown(tmp_path)("[een](a.md) en [twee](ftp://example.org/x)", inline=True)
    assert str(info.value) == (
        "broken link 'a.md': no such page; link 'ftp://example.org/x': only http(s), mailto and tel links are allowed")


def test_an_embedded_question_cannot_be_used_inside_a_quiz(tmp_path):
    with pytest.raises(ValueError) as info:
        markdown(tmp_path)("::: vraag toets/v1\n:::\n", inline=False)
    assert str(info.value) == "'::: vraag' cannot be used inside a quiz"


def test_a_broken_question_reference_and_the_quiz_rule_are_both_named(tmp_path):
    with pytest.raises(ValueError) as info:
        markdown(tmp_path)("::: vraag toets/v1\ntekst\n:::\n\n[x](weg.md)", inline=False)
    assert str(info.value) == ("'::: vraag' takes no text: close it with ':::' on the next line; "
                               "broken link 'weg.md': no such page; '::: vraag' cannot be used inside a quiz")


class Field(BaseModel):
    block: MarkdownBlock
    inline: MarkdownInline


def test_markdown_fields_hold_html_after_validation():
    """Without a renderer in the context the text is rendered plainly, stripped like every string field."""
    field = Field.model_validate({"block": "Een **vet** woord", "inline": "Een **vet** woord"})
    assert (field.block, field.inline) == ("<p>Een <strong>vet</strong> woord</p>", "Een <strong>vet</strong> woord")


def test_markdown_fields_use_the_renderer_of_the_context(tmp_path):
    """The loader's renderer checks links: its refusal is a validation error on the field."""
    render = markdown(tmp_path)
    with pytest.raises(ValidationError) as info:
        Field.model_validate({"block": "ok", "inline": "[x](weg.md)"}, context={"markdown": render})
    (error,) = info.value.errors()
    assert error["loc"] == ("inline",) and error["msg"] == "Value error, broken link 'weg.md': no such page"
    field = Field.model_validate({"block": "*a*", "inline": "*b*"}, context={"markdown": render})
    assert (field.block, field.inline) == ("<p><em>a</em></p>", "<em>b</em>")


def test_trusted_html_is_kept_as_it_is():
    field = Field.model_validate({"block": "<p>al</p>", "inline": "**niet** opnieuw"}, context=TRUSTED_HTML)
    assert (field.block, field.inline) == ("<p>al</p>", "**niet** opnieuw")


def test_the_renderer_is_told_which_fields_are_inline():
    calls = []

    def renderer(text: str, inline: bool) -> str:
        calls.append((text, inline))
        return text

    Field.model_validate({"block": "b", "inline": "i"}, context={"markdown": renderer})
    assert calls == [("b", False), ("i", True)]
