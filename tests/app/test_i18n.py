"""Languages: every UI string has an English translation, the choice is remembered, formats follow the locale."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from sqlalchemy import select, update

from course.db import User

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "app" / "translations"
SCRIPT = ROOT / "scripts" / "update-translations"


def _read_po(path: Path) -> Catalog:
    with path.open("rb") as f:
        return read_po(f)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    """The strings marked in the code and templates today, extracted as scripts/update-translations does."""
    keywords = re.findall(r"-k (\S+)", SCRIPT.read_text())
    assert keywords, "scripts/update-translations lists its extraction keywords"
    out = tmp_path_factory.mktemp("i18n") / "messages.pot"
    args = ["pybabel", "--quiet", "extract", "-F", str(ROOT / "babel.cfg"), "-o", str(out)]
    for keyword in keywords:
        args += ["-k", keyword]
    CommandLineInterface().run([*args, str(ROOT)])
    return _read_po(out)


@pytest.fixture(scope="module")
def english() -> Catalog:
    return _read_po(TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po")


def _untranslated(message) -> bool:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return message.fuzzy or not all(s and s.strip() for s in strings)


def test_every_marked_string_is_in_the_english_catalogue(extracted, english):
    """Every Dutch UI string has an English entry; run scripts/update-translations when this fails."""
    missing = sorted(str(m.id) for m in extracted if m.id and m.id not in english)
    assert not missing, f"not in en/messages.po (run scripts/update-translations): {missing}"
    assert len([m for m in extracted if m.id]) > 100  # the extraction really found the app's strings


def test_every_english_entry_is_translated_with_the_same_placeholders(english):
    """No English page shows a Dutch string, a fuzzy guess or a broken %(name)s placeholder."""
    todo = sorted(str(m.id) for m in english if m.id and _untranslated(m))
    assert not todo, f"untranslated or fuzzy in en/messages.po: {todo}"
    problems = [(str(m.id), [str(e) for e in errors]) for m, errors in english.check() if errors]
    assert not problems, problems
    assert english.plural_forms == "nplurals=2; plural=(n != 1);"


def test_compiled_catalogue_matches_the_po_file(english):
    """The committed .mo holds exactly what the .po says (run scripts/update-translations to recompile)."""
    with (TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.mo").open("rb") as f:
        compiled = read_mo(f)
    def entries(catalog: Catalog) -> dict:
        return {m.id if isinstance(m.id, str) else tuple(m.id):
                m.string if isinstance(m.string, str) else tuple(m.string)
                for m in catalog if m.id and not m.fuzzy}

    expected, actual = entries(english), entries(compiled)
    stale = sorted(str(k) for k in expected.keys() ^ actual.keys() | {k for k in expected if actual.get(k) !=
                                                                      expected[k]})
    assert not stale, f"messages.mo is stale for: {stale[:20]}"


def test_template_catalogue_is_current(extracted):
    """The committed messages.pot lists the same strings as the code (translators work from it)."""
    pot = _read_po(TRANSLATIONS / "messages.pot")
    assert {m.id for m in pot if m.id} == {m.id for m in extracted if m.id}


# --- The switch and its memory -----------------------------------------------------------------------

def test_dutch_is_the_default_and_english_follows_the_browser(client):
    """A first visit is in Dutch, unless the browser asks for English."""
    assert 'lang="nl"' in client.get("/").get_data(as_text=True)
    html = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert 'lang="en"' in html and "Log in" in html


def test_anonymous_visitor_language_choice_is_remembered_in_the_session(client):
    """A visitor who picks English keeps English on the next pages, whatever the browser says."""
    response = client.post("/taal", data={"locale": "en", "next": "/inloggen"})
    assert response.status_code == 302 and response.headers["Location"] == "/inloggen"
    html = client.get("/inloggen", headers={"Accept-Language": "nl"}).get_data(as_text=True)
    assert 'lang="en"' in html and "Email address" in html
    client.post("/taal", data={"locale": "nl", "next": "/"})
    assert 'lang="nl"' in client.get("/inloggen").get_data(as_text=True)


def test_a_visitor_switches_with_the_header_link_and_gets_no_cookie_before(client, app):
    """A first visit sets no cookie (the visitor's header has a link, no form with a CSRF token); following
    the link switches the language of the visitor's own session and comes back to the same page."""
    first = app.test_client().get("/over-deze-cursus?x=1")
    assert "Set-Cookie" not in first.headers and 'name="csrf_token"' not in first.get_data(as_text=True)
    link = re.search(r'<a href="([^"]+)" class="small-button"[^>]*>.*?English', first.get_data(as_text=True)).group(1)
    response = client.get(link.replace("&amp;", "&"))
    assert response.status_code == 302 and response.headers["Location"] == "/over-deze-cursus?x=1"
    html = client.get("/inloggen", headers={"Accept-Language": "nl"}).get_data(as_text=True)
    assert 'lang="en"' in html and "Email address" in html
    assert client.get("/taal?locale=xx&next=https://example.com/").headers["Location"] == "/"
    assert 'lang="en"' in client.get("/").get_data(as_text=True)


def test_the_visitor_link_changes_nothing_for_a_logged_in_learner(client, auth, session):
    """A link from another site cannot change an account's language: that stays behind the form's token."""
    auth.register()
    assert 'action="/taal"' in client.get("/voortgang").get_data(as_text=True)  # the form, not the link
    response = client.get("/taal?locale=en&next=/voortgang")
    assert response.status_code == 302 and response.headers["Location"] == "/voortgang"
    assert session.scalar(select(User.locale).where(User.email == "sanne@example.org")) != "en"
    assert 'lang="nl"' in client.get("/voortgang").get_data(as_text=True)


def test_logged_in_learner_language_choice_is_saved_on_the_account(client, auth, session):
    """The choice follows the learner to a new session (another device) after logging in again."""
    auth.register()
    client.post("/taal", data={"locale": "en", "next": "/"})
    assert session.scalar(select(User.locale).where(User.email == "sanne@example.org")) == "en"
    auth.logout()  # clears the session: the choice now lives only on the account
    assert 'lang="nl"' in client.get("/inloggen").get_data(as_text=True)
    auth.login()
    html = client.get("/voortgang").get_data(as_text=True)
    assert 'lang="en"' in html and "My progress" in html


def test_dutch_course_content_is_marked_as_dutch_in_the_english_interface(client, auth):
    """Screen readers read the (Dutch) course in Dutch and the interface in English."""
    auth.register()
    client.post("/taal", data={"locale": "en", "next": "/"})
    html = client.get("/modules/eerste/begin").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert '<h1 lang="nl">' in html and '<div lang="nl"><h2 id="eerste-kop">' in html
    client.post("/taal", data={"locale": "nl", "next": "/"})
    assert 'lang="nl"' not in client.get("/modules/eerste/begin").get_data(as_text=True).split("<html", 1)[1][12:]


def test_the_switch_refuses_unknown_languages_and_foreign_redirects(client):
    """An unknown language changes nothing and the switch never sends you to another site."""
    response = client.post("/taal", data={"locale": "xx", "next": "https://example.com/"})
    assert response.headers["Location"] == "/"
    assert 'lang="nl"' in client.get("/").get_data(as_text=True)


def test_dates_and_numbers_follow_the_language(client, auth, session):
    """Dates and numbers are written the Dutch way, or the British way in English (5 Mar 2026, never US 3/5/26)."""
    auth.register()
    session.execute(update(User).values(created_at=datetime(2026, 3, 5, 9, 30, tzinfo=UTC)))
    session.commit()
    dutch = client.get("/account").get_data(as_text=True)
    assert "5 mrt 2026" in dutch
    client.post("/taal", data={"locale": "en", "next": "/"})
    english = client.get("/account").get_data(as_text=True)
    assert "5 Mar 2026" in english and "Mar 5" not in english
    assert '<html lang="en">' in english and "Member since" in english  # still the 'en' language and catalogue

    from flask_babel import format_date, format_datetime, format_decimal, format_percent
    moment = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)  # 10:30 in Amsterdam
    for accept, expected in [
            ("nl", ("76%", "1.234,5", "26-11-2026", "26 nov 2026, 10:30:00")),
            ("en", ("76%", "1,234.5", "26/11/2026", "26 Nov 2026, 10:30:00"))]:
        with client.application.test_request_context(headers={"Accept-Language": accept}):
            assert (format_percent(0.755), format_decimal(1234.5), format_date(moment, "short"),
                    format_datetime(moment)) == expected


def test_mail_dates_follow_the_recipients_language(app, monkeypatch):
    """A certificate's expiry mail to an English reader gives the date the British way, in Dutch the Dutch way."""
    from types import SimpleNamespace

    from app import mail
    sent = []
    monkeypatch.setattr(mail, "send", lambda message: sent.append(message) or True)
    reminder = SimpleNamespace(assignment="Veilig thuis", due_on=datetime(2026, 11, 26).date())
    with app.test_request_context():
        for language in ("en", "nl"):
            mail.send_template("lotte@example.org", "x", "certificates/mail/expiry.txt", locale=language,
                               name="Lotte", reminder=reminder, link="https://example.org/")
    english, dutch = (m.get_content() for m in sent)
    assert "26 Nov 2026" in english and "Nov 26" not in english
    assert "26 nov 2026" in dutch


def test_domain_messages_are_translated_for_english_learners(client, auth):
    """A service's refusal (here: a wrong current password) reads in English for an English learner."""
    auth.register()
    client.post("/taal", data={"locale": "en", "next": "/"})
    html = client.post("/account/wachtwoord", data={
        "current_password": "fout-fout-fout-fout", "password": "een-nieuw-lang-wachtwoord",
        "password_repeat": "een-nieuw-lang-wachtwoord"}).get_data(as_text=True)
    assert "Your current password is not correct." in html


def test_translations_are_found_by_the_app(app):
    """The compiled catalogue lies where Flask-Babel looks for it, inside the app package."""
    from flask_babel import gettext
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert gettext("Inloggen") == "Log in"


def test_the_form_library_messages_follow_the_language(client, auth):
    """A field's built-in refusal ("not a number") is in the learner's language, after every switch."""
    auth.register()
    for language, message in [("nl", "Ongeldig getal."), ("en", "Not a valid integer value."),
                              ("nl", "Ongeldig getal.")]:
        client.post("/taal", data={"locale": language, "next": "/"})
        assert message in client.get("/interventies?age=twaalf").get_data(as_text=True)
