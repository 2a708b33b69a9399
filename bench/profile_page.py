"""Where one learner page spends its time: pyinstrument over many in-process requests, as a logged-in learner.

    .venv/bin/pip install pyinstrument
    .venv/bin/python bench/profile_page.py [module-page|module-index|overview|dashboard|quiz|quiz-started|
                                            interventions|welcome|autosave|startup|startup-full] [--requests 300]
                                           [--database-url URL] [--count | --instructions]

The app runs with the real course on a fresh SQLite database (or a schema of its own on the PostgreSQL
database given), the learner has read two pages. Prints pyinstrument's call tree (time per frame, frames
under 1 % hidden). ``quiz-started`` is the quiz overview with an attempt under way (as the HTTP bench's
learner has). ``startup`` profiles ``create_app`` itself (a restart: the course from the cache in
``instance/cache``), ``startup-full`` with the course loaded and validated in full.

``--count`` prints, instead of the profile, figures that move little with the machine's load: Python calls
and SQL queries per request, and the CPU time per request (the least of 9 rounds).

``--instructions`` prints the machine instructions one request takes in the app's process, which do not move
with the machine's load at all: the script runs itself under valgrind (Debian's package ``valgrind``) once
with 100 requests and once with 300, and divides the difference by 200. A change that saves 1 % shows.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

from pyinstrument import Profiler
from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app
from bench.databases import throwaway_database
from bench.http_pages import form_of
from bench.pages import learner_with_pages_read


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default="module-page")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--database-url")
    parser.add_argument("--count", action="store_true", help="calls, queries and CPU per request, no profile")
    parser.add_argument("--instructions", action="store_true", help="instructions per request, under valgrind")
    parser.add_argument("--replay", type=int, help=argparse.SUPPRESS)  # what --instructions runs: N requests
    args = parser.parse_args()
    if args.instructions:
        instructions(args.scenario, args.database_url)
        return

    with tempfile.TemporaryDirectory() as tmp, throwaway_database(args.database_url, tmp, "profile") as url:
        config = {"DATABASE_URL": url, "SECRET_KEY": "b" * 40, "AUTO_MIGRATE": True, "WTF_CSRF_ENABLED": False}
        if args.scenario in ("startup", "startup-full"):
            create_app(config)  # migrate first: start-up is what a migrated database costs
            if args.scenario == "startup-full":  # the course loaded and validated, not read from the cache
                config["CATALOG_CACHE_DIR"] = None
            profiler = Profiler(interval=0.0005)
            with profiler:
                create_app(config)
            print(profiler.output_text(unicode=True, show_all=False))
            return
        app = create_app(config)
        catalog = app.extensions["leerlijn.catalog"]
        client = learner_with_pages_read(app)
        module = catalog.modules[0]
        quiz = catalog.quiz_for_module(module.id)
        paths = {"module-page": f"/modules/{module.id}/{module.pages[1].id}",
                 "module-index": f"/modules/{module.id}/", "overview": "/", "dashboard": "/voortgang",
                 "quiz": f"/quiz/{quiz.id}/", "quiz-started": f"/quiz/{quiz.id}/",
                 "interventions": "/interventies", "welcome": "/"}
        if args.scenario == "quiz-started":  # as the HTTP bench's learner: an attempt under way
            client.post(f"/quiz/{quiz.id}/starten")
        if args.scenario == "autosave":
            started = client.post(f"/quiz/{quiz.id}/starten")
            path = started.headers["location"]
            body = urlencode(form_of(client.get(path).get_data(as_text=True), path))

            def call() -> object:
                return client.post(path, data=body, headers={"Accept": "application/json"},
                                   content_type="application/x-www-form-urlencoded")
        else:
            path = paths[args.scenario]
            caller = app.test_client() if args.scenario == "welcome" else client

            def call() -> object:
                return caller.get(path)
        for _ in range(20):
            assert call().status_code == 200
        if args.replay is not None:
            for _ in range(args.replay):
                call()
            return
        if args.count:
            count(app, call, args.requests)
            return
        profiler = Profiler(interval=0.0002)
        with profiler:
            for _ in range(args.requests):
                call()
        print(profiler.output_text(unicode=True, show_all=False))


def instructions(scenario: str, database_url: str | None) -> None:
    """Print the instructions one request of ``scenario`` takes in-process (see the module's text)."""
    command = [sys.executable, __file__, scenario, *(["--database-url", database_url] if database_url else [])]
    environment = {**os.environ, "PYTHONHASHSEED": "0"}  # the same dicts and sets in every run
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        sys.exit("--instructions needs valgrind: apt-get install -y valgrind")
    subprocess.run([*command, "--replay", "0"], check=True, env=environment)  # the course's cache is made

    def counted(requests: int) -> int:
        done = subprocess.run([valgrind, "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
                               *command, "--replay", str(requests)], check=True, env=environment,
                              capture_output=True, text=True)
        return int(re.search(r"I\s+refs:\s+([\d,]+)", done.stderr)[1].replace(",", ""))
    print(f"{(counted(300) - counted(100)) / 200:,.0f} instructions per request ({scenario})")


def count(app: object, call: Callable[[], object], requests: int) -> None:
    """Print Python calls and queries per request, and the least CPU time per request over 9 rounds."""
    calls = 0

    def profile(_frame: object, event_name: str, _arg: object) -> None:
        nonlocal calls
        if event_name == "call":
            calls += 1
    sys.setprofile(profile)
    call()
    sys.setprofile(None)
    queries = 0

    def before(*_args: object) -> None:
        nonlocal queries
        queries += 1
    engine = app.extensions["leerlijn.db"].engine  # type: ignore[attr-defined]
    event.listen(engine, "before_cursor_execute", before)
    call()
    event.remove(engine, "before_cursor_execute", before)
    rounds = []
    for _ in range(9):
        start = time.process_time()
        for _ in range(requests // 9 or 1):
            call()
        rounds.append((time.process_time() - start) / (requests // 9 or 1))
    print(f"{calls} Python calls, {queries} queries, {min(rounds) * 1000:.3f} ms CPU per request "
          f"(least of 9 rounds; median {sorted(rounds)[4] * 1000:.3f} ms)")


if __name__ == "__main__":
    main()
