"""Error replies: a page for people, JSON for the background saves that show the message in place."""

from __future__ import annotations


def test_background_request_gets_the_error_message_as_json(client):
    """A background save that hits an error gets a message the page can show, not an HTML page."""
    reply = client.post("/quiz/poging/1", data={"action": "save"}, headers={"Accept": "application/json"})
    assert reply.status_code == 400
    assert reply.is_json and "Laad de pagina opnieuw" in reply.get_json()["error"]

    missing = client.get("/bestaat-niet", headers={"Accept": "application/json"})
    assert missing.status_code == 404 and missing.get_json()["error"].startswith("Deze pagina bestaat niet")


def test_people_still_get_the_error_page(client):
    """In a browser the same errors are a styled page with a heading."""
    reply = client.post("/quiz/poging/1", data={"action": "save"})
    assert reply.status_code == 400 and not reply.is_json
    assert "<h1>Dat ging niet goed</h1>" in reply.get_data(as_text=True)
