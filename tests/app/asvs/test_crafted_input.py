"""Crafted input that used to give a 500: ids too large for the database, CR/LF in a redirect target, NUL bytes.

Each answers 400 or 404 with a clear page, or a redirect to a safe page, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from course.db import User

HUGE_IDS = [2**31, 2**63, 10**30]  # past PostgreSQL's INTEGER, past SQLite's, past both
CRLF_TARGETS = ["/voortgang\r\nSet-Cookie: x=1", "/voortgang\nX: 1", "/\r\n/evil.example", "/\\evil.example"]


@pytest.mark.parametrize("huge", HUGE_IDS)
def test_ids_too_large_for_the_database_are_not_found(client, auth, huge):
    """/quiz/poging/9223372036854775808 and the like show the 'not found' page, as any missing id does."""
    auth.register()
    for path in [f"/quiz/poging/{huge}", f"/quiz/poging/{huge}/resultaat", f"/casus/run/{huge}",
                 f"/casus/run/{huge}/afdrukken"]:
        response = client.get(path)
        assert response.status_code == 404, path
        assert "Pagina niet gevonden" in response.get_data(as_text=True)
    assert client.post(f"/quiz/poging/{huge}", data={"action": "save"}).status_code == 404
    assert client.post(f"/casus/run/{huge}", data={"action": "draft"}).status_code == 404


@pytest.mark.parametrize("target", CRLF_TARGETS)
def test_a_crlf_in_next_after_login_goes_to_a_safe_page(client, auth, target):
    """The login succeeds and lands on the course page; no header is injected."""
    auth.register()
    auth.logout()
    response = client.post("/inloggen", data={"email": "sanne@example.org", "password": "een-lang-wachtwoord",
                                              "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "x=1" not in response.headers.get("Set-Cookie", "") and "X" not in response.headers
    assert client.get("/voortgang").status_code == 200  # logged in


@pytest.mark.parametrize("target", CRLF_TARGETS)
def test_a_crlf_in_next_of_the_language_switch_goes_to_a_safe_page(client, target):
    response = client.post("/taal", data={"locale": "en", "next": target})
    assert response.status_code == 302 and response.headers["Location"] == "/"


@pytest.mark.parametrize("target", CRLF_TARGETS)
def test_a_crlf_in_next_of_an_embedded_question_goes_to_a_safe_page(client, auth, target):
    auth.register()
    response = client.post("/quiz/vraag/eerste-toets/oefenen", data={"next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/#vraag-eerste-toets-oefenen"


def test_a_nul_byte_in_a_form_is_refused_with_a_message_and_nothing_is_stored(client, auth, session):
    """A NUL in the login email, a registration name or a query answers 400 and says why."""
    auth.register()
    auth.logout()
    login = client.post("/inloggen", data={"email": "sanne\x00@example.org", "password": "een-lang-wachtwoord"})
    assert login.status_code == 400
    assert "ongeldig teken" in login.get_data(as_text=True)
    users = session.scalar(select(func.count()).select_from(User))
    register = client.post("/registreren", data={"name": "Nul\x00Byte", "email": "nul@example.org",
                                                 "password": "een-lang-wachtwoord",
                                                 "password_repeat": "een-lang-wachtwoord"})
    assert register.status_code == 400 and "ongeldig teken" in register.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(User)) == users
    assert client.get("/inloggen?next=/vo\x00ortgang").status_code == 400
    for query in ("x=%00", "%00=1", "next=/vo%2500%00rtgang"):  # encoded, in a name, after an encoded '%'
        assert client.get(f"/?{query}").status_code == 400, query
    assert client.get("/?next=/vo%2500rtgang").status_code == 200  # '%00' as text is no NUL
    assert client.post("/inloggen", data={"e\x00mail": "x"}).status_code == 400  # in a field's name too
