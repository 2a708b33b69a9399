"""How fast are Leerlijn's key pages, compared with a bare Flask route on the same machine, in the same run?

    .venv/bin/python bench/pages.py [--requests 300]

Each figure is the median time per request over several rounds, divided by the median for a bare
Flask route that returns a short string: a ratio of 5 means "five times the cost of the cheapest
possible Flask request". Ratios travel between machines; absolute times do not.
The app runs with the real course content on a fresh SQLite database, as a learner with some progress.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app
from course.services.accounts import create_user

PASSWORD = "bench-wachtwoord-123"  # noqa: S105 - a throwaway account in a temporary database


def per_request(call: Callable[[], object], requests: int, rounds: int = 5) -> float:
    """Median seconds per request over ``rounds`` rounds of ``requests`` calls."""
    call()  # warm-up: caches, template compilation, first connection
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(requests):
            call()
        samples.append((time.perf_counter() - start) / requests)
    return statistics.median(samples)


def learner_with_pages_read(app: Flask) -> FlaskClient:
    """A client logged in as a new learner who has read the first module's first two pages (CSRF off)."""
    with app.extensions["leerlijn.db"].sessionmaker() as session:
        create_user(session, email="bench@example.org", name="Bench", password=PASSWORD)
    client = app.test_client()
    client.post("/inloggen", data={"email": "bench@example.org", "password": PASSWORD})
    module = app.extensions["leerlijn.catalog"].modules[0]
    for page in module.pages[:2]:
        client.post(f"/modules/{module.id}/{page.id}/gelezen")
    return client


def bare_flask() -> Flask:
    bare = Flask("bare")

    @bare.route("/")
    def index() -> str:
        return "ok"
    return bare


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        app = create_app({"DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3", "SECRET_KEY": "b" * 40,
                          "WTF_CSRF_ENABLED": False, "AUTO_MIGRATE": True})
        startup = time.perf_counter() - start
        catalog = app.extensions["leerlijn.catalog"]
        client = learner_with_pages_read(app)
        module = catalog.modules[0]

        bare_client = bare_flask().test_client()
        baseline = per_request(lambda: bare_client.get("/"), args.requests)
        routes = {
            "course overview": "/",
            "module index": f"/modules/{module.id}/",
            "module page (records the visit)": f"/modules/{module.id}/{module.pages[-1].id}",
            "dashboard": "/voortgang",
            "interventions guide": "/interventies",
        }
        quiz = catalog.quiz_for_module(module.id)
        if quiz is not None and "quiz.overview" in {r.endpoint for r in app.url_map.iter_rules()}:
            with app.test_request_context():
                from flask import url_for
                routes["quiz overview"] = url_for("quiz.overview", quiz_id=quiz.id)

        print(f"content loaded and validated at start-up in {startup * 1000:.0f} ms "
              f"({len(catalog.pages)} pages, {len(catalog.quizzes)} quizzes, {len(catalog.casuses)} casussen)")
        print(f"bare Flask route: {baseline * 1e6:.0f} µs per request (= 1.0)\n")
        print(f"{'page':<34} {'ratio':>7} {'µs/request':>11}")
        for name, url in routes.items():
            status = client.get(url).status_code
            if status != 200:
                raise SystemExit(f"{url} answered {status}")
            seconds = per_request(lambda url=url: client.get(url), args.requests)
            print(f"{name:<34} {seconds / baseline:>7.1f} {seconds * 1e6:>11.0f}")


if __name__ == "__main__":
    main()
