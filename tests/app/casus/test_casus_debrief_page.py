"""The debrief a learner reads at the end of a casus: a short summary first, the details folded, and never
the casus's internal state (variable names, or the labelled variables dumped as 'ja'/'nee')."""

from __future__ import annotations

import dataclasses
import html as html_lib
import re

import pytest

from tests.app.casus.test_casus_runs import RECOMMENDED_PATH
from tests.app.test_real_course_pages import learner, real_catalog  # noqa: F401 - the fixture is used below


def _visible_text(page: str) -> str:
    main = page[page.index("<main"):page.index("</main>")]
    return re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", " ", main)))


def _prose(value: object) -> str:
    """Everything a casus says to the learner (titles, texts, options, feedback, remarks), as plain text."""
    if isinstance(value, tuple | list):
        return " ".join(_prose(v) for v in value)
    if not dataclasses.is_dataclass(value):
        return ""
    parts = []
    for f in dataclasses.fields(value):
        inner = getattr(value, f.name)
        if isinstance(inner, str) and (f.name.endswith("_html") or f.name in ("title", "text")):
            parts.append(inner)
        elif not isinstance(inner, str):
            parts.append(_prose(inner))
    return " ".join(parts)


def _walk_to_the_end(client, casus_id: str, pick: int) -> str:
    """Answer every step (option ``pick`` of each choice, the first when a fork comes back; two items of each
    list; some text), then return the debrief page."""
    run_id = int(re.search(r"/run/(\d+)", client.post(f"/casus/{casus_id}/starten").headers["Location"])[1])
    seen: set[str] = set()
    for _ in range(80):
        page = client.get(f"/casus/run/{run_id}").get_data(as_text=True)
        step = re.search(r'name="step" value="([^"]+)"', page)
        if step is None:
            return page
        data: dict[str, object] = {"run_token": re.search(r'name="run_token" value="([^"]+)"', page)[1],
                                   "step": step[1], "action": "submit"}
        options = re.findall(r'name="option" id="[^"]+" value="([^"]+)"', page)
        if options:
            data["option"] = options[0 if step[1] in seen else pick]  # a revisited fork: leave the loop
        seen.add(step[1])
        for name, value in re.findall(r'name="(item|criterion)" id="[^"]+" value="([^"]+)"', page)[:2]:
            data.setdefault(name, []).append(value)  # type: ignore[union-attr]
        for name in re.findall(r'<(?:input type="text"|textarea) name="([^"]+)"', page):
            data[name] = "Mijn eigen woorden."
        assert client.post(f"/casus/run/{run_id}", data=data).status_code == 302, step[1]
    raise AssertionError(f"{casus_id}: no end after 80 steps")


@pytest.mark.parametrize("pick", [0, -1])
def test_no_internal_state_in_any_debrief_of_the_course(learner, pick):  # noqa: F811
    """The debrief speaks to the learner: no variable names, no dump of the casus's variables."""
    for casus in real_catalog().casuses.values():
        page = _walk_to_the_end(learner, casus.id, pick)
        assert 'class="casus-path-summary"' in page, casus.id
        text = _visible_text(page)
        titles = " ".join(f"{m.title} {' '.join(p.title for p in m.pages)}" for m in real_catalog().modules)
        own = f"<main>{casus.intro_html} {_prose(casus.steps)} {titles}</main>"  # the next step names a page
        words = set(re.findall(r"[\w-]+", _visible_text(own)))
        for variable in casus.variables:
            if variable.name in words:  # an ordinary word of the casus too (e.g. 'kindcheck')
                continue
            assert not re.search(rf"(?<![\w-]){re.escape(variable.name)}(?![\w-])", text), (casus.id, variable.name)
            assert not variable.label or variable.label not in text, (casus.id, variable.label)
        assert "Zo stond de casus aan het eind" not in text
        assert "Feedback op:" not in text  # the last step's feedback is folded into the details


def test_debrief_summary_first_details_folded(client, auth, casus):
    """Path beside the recommended one, fork by fork with the meldcode step, before any long explanation."""
    auth.register()
    run_id = casus.start()
    for step, data in RECOMMENDED_PATH[:2]:
        casus.answer(run_id, step, data)
    casus.answer(run_id, "overleg", {"option": "afsluiten"})
    page = casus.page(run_id)
    while 'name="step"' in page:
        step = re.search(r'name="step" value="([^"]+)"', page)[1]
        casus.answer(run_id, step, {"answer": "Tekst.", "field-zorgen": "x", "field-wie": "y"})
        page = casus.page(run_id)
    summary = page[page.index('class="casus-path-summary"'):page.index("</ol>", page.index("casus-path-summary"))]
    assert "Wat doe je nu?" in summary and "meldcode stap 2: Collegiale consultatie" in summary
    assert "Jij: <span>Ik sluit het dossier.</span>" in summary and "riskant" in summary
    assert "Aanbevolen: <span>Ik overleg met een collega.</span>" in summary
    assert "Bij 0 van de 1 keuzes volgde je de aanbeveling." in page
    main = page[page.index("<main"):]
    assert main.index("casus-path-summary") < main.index("<details")
    details = main[main.index("<details"):]
    assert "Goed, overleg helpt." in details  # the reasoning of the recommended option, folded
    assert "Tekst." in details  # the learner's own reflection, folded, not above the summary
    assert 'id="feedback"' not in page
