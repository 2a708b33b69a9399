"""Tables in course text: on a phone they scroll inside their own region instead of widening the page."""

from __future__ import annotations

from course.content.markdown import render


def test_a_table_sits_in_a_labelled_focusable_scroll_region():
    """Keyboard users can reach and scroll a wide table; screen readers hear which table it is."""
    html = render("| Signaal | *Wat je doet* |\n|---|---|\n| blauwe plek | vragen |\n")
    assert html.startswith('<div class="table-wrap" role="region" tabindex="0" '
                           'aria-label="Tabel: Signaal, Wat je doet"><table>')
    assert html.rstrip().endswith("</table>\n</div>")
    assert "<td>blauwe plek</td>" in html
