"""The posts of bench/http_pages.py that change what they touch: handing in a quiz and answering a casus step.

A hand-in closes its attempt and a step moves its run on, so posting one request over and over would measure
the cheap answer to a repeat ("already handed in"), not the real work. Instead, before the load starts, many
learners are logged in (in-process, on the same database, with the server's secret key, so their session
cookies are valid on gunicorn) and given open attempts with saved answers and casus runs at a question;
every request wrk sends is then a different learner's first hand-in or first answer, with that learner's
cookie and the form as the browser posts it (read from the page the learner would see). wrk takes them in
turn from a file (``posts.lua``); a run that would need more than were prepared is refused, not quietly
measured on repeats.

Needs the test extras too (the quiz answers come from the tests' answer helpers).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import create_engine, func, insert, select
from werkzeug.security import generate_password_hash

from app import create_app
from course.db import AttemptStatus, CasusDecision, CasusRun, QuizAttempt, Role, User
from course.db.base import utcnow
from course.quiz import Paper
from course.services import casuses as casus_service
from course.services import quizzes as quiz_service
from tests.app.quiz.conftest import paper_fields, perfect_raw

PASSWORD = "bench-wachtwoord-123"  # noqa: S105 - throwaway accounts in a temporary database
LUA = Path(__file__).with_name("posts.lua")
# The browser every bench login and every request claims to be. Flask-Login keeps a hash of the address and
# browser it logged in from; a request from another browser (wrk sends none) marks the login not fresh and
# sends a new session cookie, which a browser keeps but wrk never does: every request then re-signed the
# session, a quarter of a module page's work that no real learner causes.
USER_AGENT = "Mozilla/5.0 (leerlijn-bench)"


@dataclass(frozen=True)
class Post:
    path: str
    cookie: str
    body: str


class _Form(HTMLParser):
    """The fields a browser posts from the form with ``action``: checked boxes, selected options, values."""

    def __init__(self, action: str):
        super().__init__()
        self.action, self.inside, self.select = action, False, None
        self.fields: list[tuple[str, str]] = []
        self.first_choice: dict[str, str] = {}  # per radio or checkbox group
        self.chosen: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("action") == self.action
        elif not self.inside:
            return
        elif tag == "input" and a.get("name"):
            name, value, kind = a["name"], a.get("value") or "", a.get("type") or "text"
            if kind in ("radio", "checkbox"):
                self.first_choice.setdefault(name, value)
                if "checked" in a:
                    self.chosen.add(name)
                    self.fields.append((name, value))
            elif kind not in ("submit", "button"):
                self.fields.append((name, value))
        elif tag == "select":
            self.select = a.get("name")
        elif tag == "option" and self.select and "selected" in a:
            self.fields.append((self.select, a.get("value") or ""))
        elif tag == "textarea" and a.get("name"):
            self.fields.append((a["name"], ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self.select = None

    def posted(self, pick: bool) -> list[tuple[str, str]]:
        """The fields; with ``pick`` an untouched radio or checkbox group gets its first option (a choice made)."""
        extra = [(n, v) for n, v in self.first_choice.items() if n not in self.chosen] if pick else []
        return self.fields + extra


def browser_form(html: str, action: str, *, pick: bool = False) -> list[tuple[str, str]]:
    parser = _Form(action)
    parser.feed(html)
    return parser.posted(pick)


def _learners(app, count: int) -> list[int]:
    """``count`` confirmed learners with the bench password (a cheap hash: the login is not what is measured)."""
    password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    with app.extensions["leerlijn.db"].sessionmaker() as session:
        ids = session.scalars(insert(User).returning(User.id), [
            {"email": f"poster{n}@bench.example.org", "name": f"Inleveraar {n}", "password_hash": password_hash,
             "role": Role.LEARNER, "email_confirmed_at": utcnow()} for n in range(count)]).all()
        session.commit()
    return list(ids)


def prepare(url: str, secret_key: str, learners: int, casus_learners: int | None = None
            ) -> tuple[list[Post], list[Post], list[Post]]:
    """Ready to post: one hand-in per knowledge check for each of ``learners``, one step answer per casus
    for each of ``casus_learners`` (default: as many; a step is much quicker than a hand-in, so a run of the
    same length needs more of them), and for each of ``learners`` an autosave of their attempt at the first
    knowledge check (the same form with ``action=save``, as the page's script posts it: these may be sent
    again and again)."""
    casus_learners = learners if casus_learners is None else casus_learners
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": secret_key, "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_ENABLED": False, "SESSION_COOKIE_SECURE": False})
    catalog = app.extensions["leerlijn.catalog"]
    submits: list[Post] = []
    steps: list[Post] = []
    saves: list[Post] = []
    with app.extensions["leerlijn.db"].sessionmaker() as session:
        for number, user_id in enumerate(_learners(app, max(learners, casus_learners))):
            client = app.test_client()
            client.environ_base["HTTP_USER_AGENT"] = USER_AGENT
            client.post("/inloggen", data={"email": f"poster{number}@bench.example.org", "password": PASSWORD})
            cookie = f"session={client.get_cookie('session').value}"
            for index, quiz in enumerate(catalog.quizzes.values() if number < learners else ()):
                attempt = quiz_service.start_attempt(session, user_id, quiz)
                paper = Paper.from_snapshot(session.scalar(
                    select(QuizAttempt.snapshot).where(QuizAttempt.id == attempt.id)))
                quiz_service.save_answers(session, user_id, attempt.id, {
                    name: values for pq in paper.questions
                    for name, values in paper_fields(paper, pq.question.id, perfect_raw(pq.question)).items()})
                path = f"/quiz/poging/{attempt.id}"
                fields = browser_form(client.get(path).get_data(as_text=True), path)
                submits.append(Post(path, cookie, urlencode([*fields, ("action", "submit")])))
                if index == 0:  # a class at one knowledge check: each learner saves their one attempt
                    saves.append(Post(path, cookie, urlencode([*fields, ("action", "save")])))
            for casus in catalog.casuses.values() if number < casus_learners else ():
                run = casus_service.start_or_resume(session, user_id, casus)
                view = casus_service.submit_step(session, user_id, run.id, casus.start, {},
                                                 casuses=catalog.casuses)  # the opening story: on to a question
                path = f"/casus/run/{run.id}"
                fields = browser_form(client.get(path).get_data(as_text=True), path, pick=True)
                if not any(name == "step" for name, _ in fields):
                    raise RuntimeError(f"{casus.id}: no step form on {path} ({view})")
                steps.append(Post(path, cookie, urlencode(fields)))
    app.extensions["leerlijn.db"].dispose()
    return submits, steps, saves


def done_by_posters(url: str) -> dict[str, int]:
    """Hand-ins and casus answers stored for the prepared learners: what wrk's posts really did (a post that
    ended on the login page or on an error would be a 3xx too)."""
    engine = create_engine(url)
    posters = select(User.id).where(User.email.like("poster%@bench.example.org")).scalar_subquery()
    with engine.connect() as connection:
        handed_in = connection.scalar(select(func.count()).select_from(QuizAttempt).where(
            QuizAttempt.user_id.in_(posters), QuizAttempt.status == AttemptStatus.SUBMITTED))
        answered = connection.scalar(  # position 0 is the opening story, answered while preparing
            select(func.count()).select_from(CasusDecision).join(CasusRun)
            .where(CasusRun.user_id.in_(posters), CasusDecision.position > 0))
    engine.dispose()
    return {"quiz hand-in": handed_in or 0, "casus step": answered or 0}


def write_posts(posts: list[Post], path: Path) -> None:
    """One post per line, as posts.lua reads them."""
    path.write_text("".join(json.dumps([p.path, p.cookie, p.body]) + "\n" for p in posts))
