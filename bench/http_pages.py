"""Learner pages over HTTP, against gunicorn, as ratios to a bare Flask route measured in the same run.

    .venv/bin/python bench/http_pages.py [--size S|M|L] [--database-url URL] [--duration 4] [--rounds 3] [--write]

Starts Leerlijn under gunicorn (2 sync workers) on a fresh SQLite database, or in a schema of its own on the
PostgreSQL database given; seeds S/M/L = 100/1,000/10,000 learners with reading progress (bulk inserts, as
the services store it); logs one learner in; then drives every scenario with wrk (32 connections) from its own
process. The floor is ``bench/bare.py`` under the same gunicorn settings, measured again right before each
scenario (the machine's speed drifts); each page and the autosave in rounds of (floor, scenario), of which
the round with the median ratio is kept. For each scenario: requests/s, ratio to the floor of that moment, p50
and p99, SQL queries per request (counted in-process on the same database) and the workers' peak memory.
Start-up is timed in-process: as a restart (the validated course read back from the cache in
``instance/cache``) and loading and validating the course in full.

``--write`` stores the figures in bench/results/<database>.json and the table in docs/benchmarks.md; every
run compares with the stored figures and flags a ratio more than 5 % worse. The last line is one JSON object.
Needs wrk (``apt-get install wrk``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

import httpx
from sqlalchemy import create_engine, event, insert
from sqlalchemy.exc import DBAPIError

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from bench.databases import throwaway_database  # noqa: E402
from bench.http_posts import LUA as POSTS_LUA  # noqa: E402
from bench.http_posts import USER_AGENT, Post, done_by_posters, prepare, write_posts  # noqa: E402
from course.db import PageProgress, Role, User  # noqa: E402
from course.db.base import utcnow  # noqa: E402
from course.services.accounts import create_user  # noqa: E402

PASSWORD = "bench-wachtwoord-123"  # noqa: S105 - a throwaway account in a temporary database
SIZES = {"S": 100, "M": 1_000, "L": 10_000}
TARGETS = {  # ratio to the bare route that issue 15 asks for
    "module page": 0.40, "course overview": 0.35, "module index": 0.35, "dashboard": 0.35,
    "quiz overview": 0.35, "interventions guide": 0.25, "welcome (anonymous)": 0.60,
    "quiz autosave (one attempt)": None, "quiz autosave": 0.25,
    "quiz hand-in": None, "casus step": None,  # measured, no target set by the issue
}
RESULTS = ROOT / "bench" / "results"
DOC = ROOT / "docs" / "benchmarks.md"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Inputs(HTMLParser):
    """The fields of the forms with a given action (None: forms that post to their own page)."""

    def __init__(self, action: str | None):
        super().__init__()
        self.action, self.inside, self.fields = action, False, {}
        self.radios: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("action") == self.action
        elif tag == "input" and self.inside and a.get("name"):
            if a.get("type") == "radio":
                self.radios.setdefault(a["name"], a.get("value") or "")
            elif a.get("type") in ("hidden", "text", "number", None):
                self.fields[a["name"]] = a.get("value") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False


def form_of(html: str, action: str | None) -> dict[str, str]:
    parser = _Inputs(action)
    parser.feed(html)
    return {**parser.fields, **parser.radios}


def seed(url: str, size: int) -> None:
    """``size`` learners with some pages read, in bulk, plus the learner the benchmark logs in as."""
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "b" * 40, "AUTO_MIGRATE": True})
    catalog = app.extensions["leerlijn.catalog"]
    rng = random.Random(15)
    pages = [(p.module_id, p.id) for p in catalog.pages]
    database = app.extensions["leerlijn.db"]
    with database.sessionmaker() as session:
        create_user(session, email="bench@example.org", name="Bench", password=PASSWORD, role=Role.LEARNER)
        now = utcnow()
        ids = session.scalars(insert(User).returning(User.id), [
            {"email": f"leerling{n}@bench.example.org", "name": f"Leerling {n}", "password_hash": "!bench",
             "role": Role.LEARNER, "email_confirmed_at": now} for n in range(size)]).all()
        rows = [{"user_id": user_id, "module_id": m, "page_id": p, "first_seen_at": now, "last_seen_at": now,
                 "read_at": now} for user_id in ids for m, p in rng.sample(pages, rng.randint(0, len(pages)))]
        for start in range(0, len(rows), 5000):
            session.execute(insert(PageProgress), rows[start:start + 5000])
        session.commit()
    database.engine.dispose()


def settle(url: str) -> None:
    """After the bulk inserts, the database as it stands in steady use: on PostgreSQL the tables vacuumed and
    analysed, and the checkpoint done, which autovacuum and the checkpointer would otherwise do in the middle
    of a measured scenario (one page at two thirds of its rate, seen in a run). SQLite has neither."""
    if not url.startswith("postgresql"):
        return
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.exec_driver_sql("VACUUM ANALYZE")
        with suppress(DBAPIError):  # a role without pg_checkpoint: the checkpointer does it in its own time
            connection.exec_driver_sql("CHECKPOINT")
    engine.dispose()


def server_env(url: str, folder: str) -> dict[str, str]:
    """The environment of a gunicorn serving Leerlijn on ``url`` as a deployment would (a fresh secret; mail
    kept in ``folder``): the same for every server of a run, so that their cookies are each other's."""
    return {**os.environ, "DATABASE_URL": url, "SECRET_KEY": secrets.token_hex(32), "LEERLIJN_ENV": "production",
            "SESSION_COOKIE_SECURE": "0", "LEERLIJN_AUTO_MIGRATE": "0", "MAIL_OUTBOX": f"{folder}/outbox"}


@contextmanager
def gunicorn(target: str, env: dict[str, str], workers: int,
             checkout: Path = ROOT) -> Iterator[tuple[str, subprocess.Popen]]:
    """``target`` of ``checkout`` (this one unless given) under gunicorn: its base address and process."""
    port = free_port()
    server = subprocess.Popen([str(ROOT / ".venv" / "bin" / "gunicorn"), "-w", str(workers), "-b",
                               f"127.0.0.1:{port}", "--log-level", "warning", target], env=env, cwd=checkout)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(base + "/", timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError(f"{target} did not start") from None
                time.sleep(0.2)
        yield base, server
    finally:
        server.terminate()
        server.wait(20)


def peak_memory_mb(server: subprocess.Popen) -> float:
    """The largest resident set any worker reached (VmHWM), in MB."""
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    peaks = []
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        peaks.append(int(re.search(r"VmHWM:\s+(\d+) kB", status)[1]) / 1024)
    return round(max(peaks), 1)


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


def wrk(url: str, *, cookie: str | None, duration: int, connections: int, body: str | None = None,
        posts: list[Post] | None = None, cycle: bool = False) -> dict:
    """Requests/s and p50/p99 in ms, from wrk's --latency report; refuses a run with errors.

    With ``posts``, every request is the next of them (bench/posts.lua); a run that needed more is refused,
    unless they may be repeated (``cycle``: autosaves, asking for the JSON answer the page's script gets).
    """
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "-H", f"User-Agent: {USER_AGENT}"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    script = None
    if posts is not None:
        script = tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False)  # noqa: SIM115
        script.close()
        write_posts(posts, Path(script.name))
        command += ["-s", str(POSTS_LUA), url, "--", script.name, "2", *(["cycle"] if cycle else [])]
        if cycle:
            command[1:1] = ["-H", "Accept: application/json"]
        url = None
    elif body is not None:
        script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)  # noqa: SIM115
        script.write('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n'
                     f'wrk.headers["Accept"] = "application/json"\nwrk.body = {json.dumps(body)}\n')
        script.close()
        command += ["-s", script.name]
    output = subprocess.run(command + ([url] if url else []), capture_output=True, text=True, check=True).stdout
    if script:
        os.unlink(script.name)
    if "Non-2xx or 3xx responses" in output:
        raise RuntimeError(f"{url}: error answers under load\n{output}")
    sent = int(re.search(r"(\d+) requests in", output)[1])
    if posts is not None and not cycle and sent > len(posts):
        raise RuntimeError(f"{sent} posts sent, {len(posts)} prepared: prepare more (--posters, --casus-posters) "
                           "or load shorter")

    def latency(percent: str) -> float:
        value, unit = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M).groups()
        return round(float(value) * _UNITS[unit], 2)
    return {"rps": round(float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1]), 1), "requests": sent,
            "p50_ms": latency("50"), "p99_ms": latency("99")}


def queries_per_request(url: str, secret_key: str, scenarios: dict[str, tuple[str, str | None]],
                        spare_posts: dict[str, Post]) -> tuple[dict[str, int], float, float]:
    """SQL statements each scenario runs (in-process, same database), and the start-up time in seconds: as
    a restart (the course read from the cache the run's servers kept) and with the course loaded in full.

    The hand-in and the casus step are counted on a prepared post that wrk did not send (``spare_posts``).
    """
    config = {"DATABASE_URL": url, "SECRET_KEY": secret_key, "WTF_CSRF_ENABLED": False}
    start = time.perf_counter()
    create_app({**config, "CATALOG_CACHE_DIR": None})
    full = time.perf_counter() - start
    start = time.perf_counter()
    app = create_app(config)
    startup = time.perf_counter() - start
    engine = app.extensions["leerlijn.db"].engine
    count = [0]

    def counted(_conn, _cursor, statement: str, *_args) -> None:
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")):
            count[0] += 1  # queries, not SQLite's transaction bookkeeping
    event.listen(engine, "before_cursor_execute", counted)
    learner, anonymous = app.test_client(), app.test_client()
    learner.post("/inloggen", data={"email": "bench@example.org", "password": PASSWORD})
    figures = {}
    for name, (path, body) in scenarios.items():
        client = anonymous if name.endswith("(anonymous)") else learner
        if body:  # this login's own work token: the one the HTTP client got belongs to another login
            body = urlencode(form_of(client.get(path).get_data(as_text=True), path))
        call = (lambda c=client, p=path, b=body: c.post(p, data=b, headers={"Accept": "application/json"},
                                                                 content_type="application/x-www-form-urlencoded")
                ) if body else (lambda c=client, p=path: c.get(p))
        call()  # the first visit may write what later ones only read
        count[0] = 0
        response = call()
        if response.status_code != 200:
            raise RuntimeError(f"{name}: {path} answered {response.status_code} in-process")
        figures[name] = count[0]
    for name, post in spare_posts.items():
        count[0] = 0
        client = app.test_client(use_cookies=False)  # a cookie jar would drop the Cookie header
        response = client.post(post.path, data=post.body, headers={"Cookie": post.cookie},
                               content_type="application/x-www-form-urlencoded")
        if response.status_code != 302 or "/inloggen" in response.headers["Location"]:
            raise RuntimeError(f"{name}: {post.path} answered {response.status_code} in-process")
        figures[name] = count[0]
    engine.dispose()
    return figures, startup, full


def scenarios_for(base: str, catalog) -> tuple[dict[str, tuple[str, str | None]], str]:
    """The paths (and POST bodies) of every scenario, and the logged-in learner's Cookie header."""
    module = catalog.modules[0]
    quiz = catalog.quiz_for_module(module.id)
    client = httpx.Client(base_url=base, timeout=30, headers={"User-Agent": USER_AGENT})
    login = client.get("/inloggen").text
    response = client.post("/inloggen", data={**form_of(login, None), "email": "bench@example.org",
                                              "password": PASSWORD})
    if response.status_code != 302:
        raise RuntimeError(f"could not log in: {response.status_code}")
    overview = client.get(f"/quiz/{quiz.id}/").text
    started = client.post(f"/quiz/{quiz.id}/starten", data=form_of(overview, f"/quiz/{quiz.id}/starten"))
    attempt_path = started.headers["location"]
    attempt = client.get(attempt_path).text
    body = urlencode(form_of(attempt, attempt_path))
    cookie = "; ".join(f"{name}={value}" for name, value in client.cookies.items())
    scenarios = {
        "welcome (anonymous)": ("/", None),
        "course overview": ("/", None),
        "module index": (f"/modules/{module.id}/", None),
        "module page": (f"/modules/{module.id}/{module.pages[1].id}", None),
        "dashboard": ("/voortgang", None),
        "quiz overview": (f"/quiz/{quiz.id}/", None),
        "interventions guide": ("/interventies", None),
        # One learner's one attempt from every connection: each save waits for the one before it on the
        # attempt's row lock (PostgreSQL) or the write lock (SQLite). "quiz autosave" (many learners, each
        # saving their own attempt) is measured with the prepared posts.
        "quiz autosave (one attempt)": (attempt_path, body),
    }
    # wrk sends the same Cookie header throughout, as a browser does only once it has kept what it was sent:
    # a page that answers with a new cookie would be measured doing work no real visit repeats.
    for name, (path, body) in scenarios.items():
        if body is None and not name.endswith("(anonymous)"):
            answer = httpx.get(base + path, headers={"Cookie": cookie, "User-Agent": USER_AGENT})
            if "set-cookie" in answer.headers:
                raise RuntimeError(f"{name}: {path} sets a cookie on every request from wrk")
    return scenarios, cookie


def compare(previous: dict, current: dict) -> list[str]:
    """Scenarios whose ratio is more than 5 % worse than the stored run's."""
    worse = []
    for name, figures in current["scenarios"].items():
        before = previous.get("scenarios", {}).get(name)
        if before and figures["ratio"] < before["ratio"] * 0.95:
            worse.append(f"{name}: ratio {figures['ratio']:.3f}, was {before['ratio']:.3f}")
    return worse


def table(result: dict) -> str:
    lines = [f"{result['date']}, {result['database']}, size {result['size']} ({result['learners']} learners), "
             f"{result['machine']}; bare Flask route {result['bare_rps']:.0f} requests/s (median; measured before "
             f"each round of a scenario, which is divided by that figure; a page and the autosave in "
             f"{result.get('rounds', 1)} rounds, the median shown with every round's ratio); start-up "
             f"{result['startup_s']:.2f} s"
             + (f" ({result['startup_full_s']:.2f} s loading the course in full)" if "startup_full_s" in result else "")
             + ".", "",
             "| scenario | req/s | ratio | target | p50 ms | p99 ms | queries | peak MB/worker | rounds |",
             "|---|---|---|---|---|---|---|---|---|"]
    for name, f in result["scenarios"].items():
        target = TARGETS[name]
        mark = "" if target is None or f["ratio"] >= target else " ✗"
        shown = "–" if target is None else f"{target:.0%}"
        lines.append(f"| {name} | {f['rps']:.0f} | {f['ratio']:.1%}{mark} | {shown} | {f['p50_ms']} "
                     f"| {f['p99_ms']} | {f['queries']} | {result['peak_mb']} "
                     f"| {' '.join(f'{r:.1%}' for r in f.get('round_ratios', ()))} |")
    return "\n".join(lines)


def write_doc(result: dict) -> None:
    start = f"<!-- bench/http_pages.py {result['database']} -->"
    end = f"<!-- end bench/http_pages.py {result['database']} -->"
    block = f"{start}\n{table(result)}\n{end}"
    doc = DOC.read_text()
    if start in doc:
        doc = doc[:doc.index(start)] + block + doc[doc.index(end) + len(end):]
    else:
        doc = doc.rstrip() + "\n\n" + block + "\n"
    DOC.write_text(doc)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=SIZES, default="S")
    parser.add_argument("--database-url", help="PostgreSQL URL; default: a fresh SQLite file")
    parser.add_argument("--duration", type=int, default=4, help="seconds of load per round of a scenario")
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds of (floor, scenario) per page and for the autosave; the round with the median "
                             "ratio is kept")
    parser.add_argument("--warmup", type=int, default=2,
                        help="seconds of load per page before it is measured (each worker's first visits)")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--posters", type=int, default=150,
                        help="learners prepared for the hand-in posts (one per knowledge check, each used once)")
    parser.add_argument("--casus-posters", type=int, default=1500,
                        help="learners prepared for the casus-step posts (one per casus, each used once)")
    parser.add_argument("--write", action="store_true", help="store the figures and update docs/benchmarks.md")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("bench/http_pages.py needs wrk: apt-get install wrk")

    database = "postgresql" if args.database_url else "sqlite"
    with tempfile.TemporaryDirectory() as tmp, throwaway_database(args.database_url, tmp, "bench") as url:
        seed(url, SIZES[args.size])
        env = server_env(url, tmp)
        load = {"duration": args.duration, "connections": args.connections}
        # Both servers run throughout (an idle sync worker waits in accept and costs nothing), and the
        # floor is measured again right before every scenario: the ratio is to the floor of that moment.
        # On a shared (virtual) machine the speed drifts within a run, and one floor at the start made
        # the later scenarios look a fifth better or worse than they were.
        with gunicorn("bench.bare:app", env, args.workers) as (bare_base, _), \
                gunicorn("app:create_app()", env, args.workers) as (base, server):
            if args.warmup:
                wrk(bare_base + "/", cookie=None, duration=args.warmup, connections=args.connections)

            def floor() -> float:
                return wrk(bare_base + "/", cookie=None, **load)["rps"]

            def in_rounds(measure: Callable[[], dict]) -> dict:
                # The floor and the scenario in turn, several times: one 5-second window of either moved by a
                # few per cent on this shared machine (a page's ratio by 4 points between two runs), and the
                # median round of three is much steadier than one round of fifteen seconds.
                rounds = []
                for _ in range(args.rounds):
                    bare_rps = floor()
                    rounds.append({**measure(), "bare_rps": bare_rps})
                rounds.sort(key=lambda r: r["rps"] / r["bare_rps"])
                return {**rounds[len(rounds) // 2],
                        "round_ratios": [round(r["rps"] / r["bare_rps"], 4) for r in rounds]}
            catalog = create_app({"DATABASE_URL": url, "SECRET_KEY": "b" * 40}).extensions["leerlijn.catalog"]
            scenarios, cookie = scenarios_for(base, catalog)
            submits, steps, saves = prepare(url, env["SECRET_KEY"], args.posters, args.casus_posters)
            settle(url)
            figures = {}
            for name, (path, body) in scenarios.items():
                anonymous = name.endswith("(anonymous)")
                if args.warmup:  # not measured: a page's first visits in each worker keep its parts
                    wrk(base + path, cookie=None if anonymous else cookie, body=body, duration=args.warmup,
                        connections=args.connections)
                figures[name] = in_rounds(lambda path=path, body=body, anonymous=anonymous: wrk(
                    base + path, cookie=None if anonymous else cookie, body=body, **load))
            wrk(base, cookie=None, posts=saves, cycle=True, duration=args.warmup or 1,
                connections=args.connections)  # not measured: each worker's first save of an attempt reads it
            figures["quiz autosave"] = in_rounds(lambda: wrk(base, cookie=None, posts=saves, cycle=True, **load))
            spare = {"quiz hand-in": submits.pop(), "casus step": steps.pop()}
            # One round each: every request is another prepared learner's first hand-in or answer.
            for name, posts in (("quiz hand-in", submits), ("casus step", steps)):
                bare_rps = floor()
                figures[name] = wrk(base, cookie=None, posts=posts, **load)
                figures[name]["bare_rps"] = bare_rps
            for name, stored in done_by_posters(url).items():
                if stored < figures[name]["requests"]:
                    raise RuntimeError(f"{name}: {figures[name]['requests']} posts answered, {stored} stored")
            for f in figures.values():
                f["ratio"] = round(f["rps"] / f["bare_rps"], 4)
            bare = {"rps": round(statistics.median(f["bare_rps"] for f in figures.values()), 1)}
            peak = peak_memory_mb(server)
        queries, startup, startup_full = queries_per_request(url, env["SECRET_KEY"], scenarios, spare)
    queries["quiz autosave"] = queries["quiz autosave (one attempt)"]  # the same request, another attempt
    for name, count in queries.items():
        figures[name]["queries"] = count
    result = {"date": dt.date.today().isoformat(), "database": database, "size": args.size,
              "learners": SIZES[args.size], "machine": f"{os.cpu_count()} cores, {platform.machine()}",
              "bare_rps": bare["rps"], "rounds": args.rounds, "startup_s": round(startup, 3),
              "startup_full_s": round(startup_full, 3), "peak_mb": peak, "scenarios": figures}
    print(table(result))
    stored = RESULTS / f"{database}.json"
    if stored.exists():
        for line in compare(json.loads(stored.read_text()), result):
            print(f"WORSE than the stored run: {line}")
    if args.write:
        RESULTS.mkdir(exist_ok=True)
        stored.write_text(json.dumps(result, indent=2) + "\n")
        write_doc(result)
    summary = {"bare_rps": bare["rps"]}
    for name, f in figures.items():
        key = re.sub(r"\W+", "_", name.replace("(anonymous)", "")).strip("_")
        summary.update({f"{key}_rps": f["rps"], f"{key}_ratio": f["ratio"], f"{key}_p99_ms": f["p99_ms"]})
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
