"""What the dashboard says after knowledge checks: exact figures per module and for the course."""

from __future__ import annotations

import html as html_lib
import re


def visible_text(html: str) -> str:
    """The page's text as a reader sees it: tags dropped, entities decoded, whitespace collapsed."""
    text = re.sub(r"<[^>]+>", " ", html)
    return " ".join(html_lib.unescape(text).split())


def dashboard_rows(client) -> tuple[str, dict[str, str]]:
    html = client.get("/voortgang").get_data(as_text=True)
    rows = {}
    for row in re.findall(r"<tr>\s*<th scope=\"row\">(.*?)</tr>", html, re.S):
        text = visible_text(row)
        rows[text.split(" ", 1)[0]] = text
    return visible_text(html), rows


def read_every_page(client) -> None:
    for module, page in [("eerste", "begin"), ("eerste", "vervolg"), ("eerste", "oefenen"), ("tweede", "enige")]:
        assert client.post(f"/modules/{module}/{page}/gelezen").status_code == 302


def test_dashboard_after_one_failed_and_one_passed_knowledge_check(client, auth, quiz):
    """Every page read, the first check failed (57 %), the second passed: 5 of 7 steps, 1 of 2 modules done."""
    auth.register()
    read_every_page(client)
    first = quiz.start("eerste-toets")
    assert quiz.post(first, quiz.answers(first, right=4), action="submit").status_code == 302
    second = quiz.start("tweede-toets")
    assert quiz.post(second, quiz.answers(second), action="submit").status_code == 302

    page, rows = dashboard_rows(client)
    # Module eerste: 3 pages + the check + the casus = 5 steps, 3 done. Module tweede: 1 page + the check, both done.
    assert rows["Eerste"] == "Eerste module 3 / 3 nog niet gehaald (57%) 0 / 1 60%"
    assert rows["Tweede"] == "Tweede module 1 / 1 gehaald (100%) – 100% · afgerond"
    assert "71% 1 van 2 modules afgerond." in page  # 5 of 7 steps = 71.4 %

    # Passing the first check on the second attempt: now 6 of 7 steps; the casus still keeps module eerste open.
    third = quiz.start("eerste-toets")
    assert quiz.post(third, quiz.answers(third), action="submit").status_code == 302
    page, rows = dashboard_rows(client)
    assert rows["Eerste"] == "Eerste module 3 / 3 gehaald (100%) 0 / 1 80%"
    assert "85% 1 van 2 modules afgerond." in page  # 6 of 7 = 85.7 %, rounded down: not yet 86


def test_failing_again_when_the_last_attempt_counts(client, auth, quiz):
    """The second check counts the last attempt: a fail after a pass takes the module back to not done."""
    auth.register()
    read_every_page(client)
    passed = quiz.start("tweede-toets")
    quiz.post(passed, quiz.answers(passed), action="submit")
    assert "Je hebt deze module afgerond" in client.get("/modules/tweede/").get_data(as_text=True)
    failed = quiz.start("tweede-toets")
    quiz.post(failed, quiz.answers(failed, right=0), action="submit")
    _, rows = dashboard_rows(client)
    assert rows["Tweede"] == "Tweede module 1 / 1 nog niet gehaald (100%) – 50%"  # the best score, the last counts
    assert "Je hebt deze module afgerond" not in client.get("/modules/tweede/").get_data(as_text=True)
