"""Every learner page costs at most five SQL queries, however far the learner got (issue 15)."""

from __future__ import annotations

import pytest

# The statements each page runs: the pages that show progress have the login's statement bring the
# learner's rows (one round trip); the last page of a module asks for the rest of the progress.
QUERIES = {"welcome (anonymous)": 0, "course overview": 1, "module index": 1, "module page": 1,
           "module page with an embedded question": 2,  # also its module's last page
           "last page of a module": 2, "dashboard": 1,
           "quiz overview": 1, "interventions guide": 1}
PAGES = {
    "welcome (anonymous)": "/",
    "course overview": "/",
    "module index": "/modules/eerste/",
    "module page": "/modules/eerste/begin",
    "module page with an embedded question": "/modules/eerste/oefenen",
    "last page of a module": "/modules/tweede/enige",
    "dashboard": "/voortgang",
    "quiz overview": "/quiz/eerste-toets/",
    "interventions guide": "/interventies",
}


@pytest.fixture
def learner_with_progress(client, auth, quiz):
    """A learner who read pages, handed in one knowledge check and has another one open."""
    auth.register()
    for path in ["/modules/eerste/begin", "/modules/eerste/oefenen", "/modules/tweede/enige"]:
        client.post(path + "/gelezen")
    attempt = quiz.start()
    quiz.post(attempt, quiz.answers(attempt), action="submit")
    return quiz.start()


@pytest.mark.parametrize("name", PAGES)
def test_every_learner_page_runs_at_most_five_queries(client, learner_with_progress, count_queries, name):
    if name.endswith("(anonymous)"):
        client.post("/uitloggen")
    path = PAGES[name]
    assert client.get(path).status_code == 200  # the first visit may write what later ones only read
    with count_queries() as counter:
        assert client.get(path).status_code == 200
    assert counter.count == QUERIES[name] <= 5, counter.statements


@pytest.mark.parametrize("quiz_id", ["eerste-toets", "tweede-toets"])  # feedback after submit / each question
def test_saving_an_answer_runs_three_queries(client, learner_with_progress, quiz, count_queries, quiz_id):
    """The login, the attempt (locked, checked open and marked saved in one statement) and every answer in
    one upsert; a checked answer of a feedback-after-each-question quiz costs no query of its own."""
    attempt = learner_with_progress if quiz_id == "eerste-toets" else quiz.start(quiz_id)
    token = quiz.token(attempt)
    data = quiz.answers(attempt)
    assert quiz.post(attempt, data, token=token, headers={"Accept": "application/json"}).status_code == 200
    with count_queries() as counter:
        response = quiz.post(attempt, data, token=token, headers={"Accept": "application/json"})
    assert response.status_code == 200 and response.is_json and response.json["saved"]
    queries = [s for s in counter.statements if s != NO_WAIT_FOR_DISK]
    assert len(queries) <= 3, counter.statements


NO_WAIT_FOR_DISK = "SET LOCAL synchronous_commit TO OFF"


def test_a_save_commits_without_waiting_for_the_disk_and_a_hand_in_waits(client, learner_with_progress, quiz,
                                                                          count_queries, connection):
    """On PostgreSQL an autosave's commit does not wait for the disk (course/db/drafts.py: the page holds
    every answer and sends them again); the hand-in, which grades, does."""
    attempt = learner_with_progress
    token = quiz.token(attempt)
    data = quiz.answers(attempt)
    with count_queries() as saving:
        assert quiz.post(attempt, data, token=token, headers={"Accept": "application/json"}).json["saved"]
    with count_queries() as handing_in:
        assert quiz.post(attempt, data, action="submit", token=token).status_code == 302
    assert client.get(f"/quiz/poging/{attempt}/resultaat").status_code == 200
    on_a_server = connection.dialect.name == "postgresql"
    assert (NO_WAIT_FOR_DISK in saving.statements) is on_a_server, saving.statements
    assert NO_WAIT_FOR_DISK not in handing_in.statements


def test_the_overview_of_a_learner_in_no_organisation_asks_for_no_assignments(client, auth, count_queries):
    """Only organisations set work: for a learner in none, the overview's queries are the login and progress."""
    auth.register()
    with count_queries() as counter:
        assert client.get("/").status_code == 200
    assert not [s for s in counter.statements if "assignments" in s], counter.statements
    assert counter.count == 1, counter.statements  # the login's statement brings the progress's rows


def test_the_quiz_overview_counts_the_result_from_the_attempts_it_lists(client, learner_with_progress, quiz,
                                                                        count_queries):
    """After handing in, the overview shows the result from the attempts the login's statement brought."""
    client.get("/quiz/eerste-toets/")
    with count_queries() as counter:
        html = client.get("/quiz/eerste-toets/").get_data(as_text=True)
    assert "Jouw resultaat" in html and "telt mee: 100%" in html, html
    assert counter.count == 1, counter.statements
