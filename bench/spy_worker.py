"""Where a gunicorn worker's time goes under load: py-spy samples both workers while wrk drives one page.

    .venv/bin/pip install -e '.[test,bench]'
    .venv/bin/python bench/spy_worker.py [module page|course overview|…|quiz autosave] [--seconds 10]
                                         [--database-url URL] [--top 40]

Same set-up as ``bench/http_pages.py`` (gunicorn, 2 sync workers, a seeded database, a logged-in learner,
wrk at 32 connections). Prints the share of samples in which each function is on the stack (inclusive) and
the share in which it is the innermost frame of our code or of a library (exclusive), then the collapsed
stacks file's path for a flame graph. In-process profiles miss what only a server under load shows (the
WSGI server's parsing and writing, contention between workers).
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app
from bench.databases import throwaway_database
from bench.http_pages import SIZES, gunicorn, scenarios_for, seed, wrk

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default="module page")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--database-url")
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()
    spy = shutil.which("py-spy") or str(ROOT / ".venv" / "bin" / "py-spy")
    with tempfile.TemporaryDirectory() as tmp, throwaway_database(args.database_url, tmp, "spy") as url:
        seed(url, SIZES["S"])
        env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": secrets.token_hex(32),
               "LEERLIJN_ENV": "production", "SESSION_COOKIE_SECURE": "0", "LEERLIJN_AUTO_MIGRATE": "0",
               "MAIL_OUTBOX": f"{tmp}/outbox"}
        with gunicorn("app:create_app()", env, 2) as (base, server):
            catalog = create_app({"DATABASE_URL": url, "SECRET_KEY": "b" * 40}).extensions["leerlijn.catalog"]
            scenarios, cookie = scenarios_for(base, catalog)
            path, body = scenarios[args.scenario]
            anonymous = args.scenario.endswith("(anonymous)")
            wrk(base + path, cookie=None if anonymous else cookie, body=body, duration=2, connections=32)
            stacks = Path(tmp) / "stacks.txt"
            load = threading.Thread(target=wrk, args=(base + path,), kwargs={
                "cookie": None if anonymous else cookie, "body": body, "duration": args.seconds + 2,
                "connections": 32})
            load.start()
            subprocess.run([spy, "record", "--pid", str(server.pid), "--subprocesses", "--format", "raw",
                            "--rate", "500", "--duration", str(args.seconds), "--output", str(stacks),
                            "--nonblocking"], check=True, capture_output=True)
            load.join()
            name = re.sub(r"\W+", "-", args.scenario).strip("-")
            kept = Path(tempfile.gettempdir()) / f"spy-{name}.txt"
            shutil.copy(stacks, kept)
            report(stacks.read_text(), args.top)
            print(f"collapsed stacks: {kept}")


def report(collapsed: str, top: int) -> None:
    inclusive: collections.Counter[str] = collections.Counter()
    exclusive: collections.Counter[str] = collections.Counter()
    total = 0
    for line in collapsed.splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue  # a line py-spy broke (a frame's text with a line break in it)
        frames = stack.split(";")
        if any("wait" in f and "arbiter" in f for f in frames) or "accept" in frames[-1]:
            continue  # the master's sleep and an idle worker's accept: not work
        samples = int(count)
        total += samples
        for frame in set(frames):
            inclusive[frame] += samples
        exclusive[frames[-1]] += samples
    print(f"{total} samples of work")
    print("\ninclusive")
    for frame, samples in inclusive.most_common(top):
        print(f"{samples / total:6.1%}  {frame}")
    print("\nexclusive")
    for frame, samples in exclusive.most_common(top):
        print(f"{samples / total:6.1%}  {frame}")


if __name__ == "__main__":
    main()
