"""Fan-in of a live session: N phones join and answer one question at once, over HTTP, against gunicorn.

    .venv/bin/python bench/live.py [--participants 300] [--workers 2] [--database-url URL]

Starts the app under gunicorn (2 sync workers by default) on a fresh SQLite database, or on the PostgreSQL
database given (in a schema of its own, dropped afterwards); a trainer creates a live session from a
knowledge check and starts it; every participant joins from a connection of its own, then all answer the
first question at the same moment, each pressing twice (a double tap). The presenter's count is polled
until it shows every acknowledged answer. The last line printed is one JSON object:

    {"participants": N, "acknowledged": …, "stored": …, "lost": …, "doubled": …,
     "seconds_all_answered": …, "presenter_lag_seconds": …}

"acknowledged" counts participants whose answer was confirmed; "stored" the answers in the database;
"lost" acknowledged answers missing from it; "doubled" participants with more than one stored answer.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from sqlalchemy import create_engine, func, select, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from course.db import LiveAnswer, LiveSession  # noqa: E402

PASSWORD = "bench-wachtwoord-123"  # noqa: S105 - a throwaway account in a temporary database
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def csrf(html: str) -> str:
    match = CSRF.search(html)
    if not match:
        raise RuntimeError("no CSRF token in page")
    return match[1]


async def wait_for(base: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline:
            try:
                if (await client.get(f"{base}/live")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError("the app did not start")


async def trainer_session(base: str) -> tuple[httpx.AsyncClient, int, str]:
    trainer = httpx.AsyncClient(base_url=base, timeout=30)
    page = await trainer.get("/inloggen")
    await trainer.post("/inloggen", data={"csrf_token": csrf(page.text), "email": "trainer@example.org",
                                          "password": PASSWORD})
    page = await trainer.get("/trainer/live/nieuw")
    response = await trainer.post("/trainer/live/nieuw", data={
        "csrf_token": csrf(page.text), "title": "Bench", "source": "quiz:meldcode", "min_results": "3"})
    if response.status_code != 302:
        raise RuntimeError(f"could not create the session: {response.status_code}")
    live_id = int(response.headers["location"].rstrip("/").rsplit("/", 1)[1])
    console = await trainer.get(f"/trainer/live/{live_id}")
    code = re.search(r'<strong class="code">([A-Z0-9]{6})</strong>', console.text)[1]
    return trainer, live_id, code


async def control(trainer: httpx.AsyncClient, live_id: int, action: str) -> None:
    console = await trainer.get(f"/trainer/live/{live_id}")
    version = re.search(r'name="version" value="(\d+)"', console.text)[1]
    await trainer.post(f"/trainer/live/{live_id}/bediening",
                       data={"csrf_token": csrf(console.text), "version": version, "action": action})


class Phone:
    def __init__(self, base: str, code: str):
        # One connection per phone, as on a real network.
        self.client = httpx.AsyncClient(base_url=base, timeout=60, limits=httpx.Limits(max_connections=1))
        self.code = code
        self.form: dict[str, str] = {}

    async def join(self) -> None:
        page = await self.client.get(f"/live/{self.code}")
        await self.client.post(f"/live/{self.code}/meedoen", data={"csrf_token": csrf(page.text)})

    async def ready(self) -> None:
        page = await self.client.get(f"/live/{self.code}")
        radios = re.findall(r'name="answer" value="([^"]+)"', page.text)
        item = re.search(r'name="item" type="hidden" value="([^"]+)"', page.text)[1]
        self.form = {"csrf_token": csrf(page.text), "item": item, "answer": secrets.choice(radios)}

    async def answer(self) -> bool:
        first, second = await asyncio.gather(
            self.client.post(f"/live/{self.code}/antwoord", data=self.form),
            self.client.post(f"/live/{self.code}/antwoord", data=self.form))
        if first.status_code >= 500 or second.status_code >= 500:
            return False
        page = await self.client.get(f"/live/{self.code}")
        return "Je antwoord is binnen." in page.text


async def run(base: str, participants: int) -> dict[str, object]:
    trainer, live_id, code = await trainer_session(base)
    phones = [Phone(base, code) for _ in range(participants)]
    await asyncio.gather(*(p.join() for p in phones))
    await control(trainer, live_id, "start")
    await asyncio.gather(*(p.ready() for p in phones))

    start = time.monotonic()
    acknowledged = sum(await asyncio.gather(*(p.answer() for p in phones)))
    all_answered = time.monotonic() - start

    lag_start = time.monotonic()
    lag = None
    while time.monotonic() - lag_start < 30:
        screen = await trainer.get(f"/trainer/live/{live_id}/scherm")
        match = re.search(r"(\d+) antwoord", screen.text)
        if match and int(match[1]) >= acknowledged:
            lag = round(time.monotonic() - lag_start, 3)
            break
        await asyncio.sleep(0.05)
    for phone in phones:
        await phone.client.aclose()
    await trainer.aclose()
    return {"participants": participants, "acknowledged": acknowledged,
            "seconds_all_answered": round(all_answered, 3), "presenter_lag_seconds": lag, "live_id": live_id}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=300)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database-url", help="PostgreSQL URL; default: a fresh SQLite file")
    args = parser.parse_args()

    schema = None
    with tempfile.TemporaryDirectory() as tmp:
        if args.database_url:
            schema = f"bench_{secrets.token_hex(4)}"
            with create_engine(args.database_url).begin() as connection:
                connection.execute(text(f"CREATE SCHEMA {schema}"))
            url = f"{args.database_url}?options=-csearch_path%3D{schema}"
        else:
            url = f"sqlite:///{tmp}/live.sqlite3"
        env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": secrets.token_hex(32), "LEERLIJN_ENV": "production",
               "LEERLIJN_PASSWORD": PASSWORD,
               "SESSION_COOKIE_SECURE": "0", "LEERLIJN_AUTO_MIGRATE": "0"}  # plain HTTP on loopback
        flask = [str(ROOT / ".venv" / "bin" / "flask"), "--app", "app"]
        subprocess.run([*flask, "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True)
        subprocess.run([*flask, "users", "create", "--email", "trainer@example.org", "--name", "Trainer",
                        "--role", "trainer"], env=env, cwd=ROOT, check=True, capture_output=True)
        port = free_port()
        server = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "gunicorn"), "-w", str(args.workers), "-b", f"127.0.0.1:{port}",
             "--backlog", "2048", "--log-level", "warning", "app:create_app()"], env=env, cwd=ROOT)
        try:
            base = f"http://127.0.0.1:{port}"
            asyncio.run(wait_for(base))
            result = asyncio.run(run(base, args.participants))
        finally:
            server.terminate()
            try:
                server.wait(20)
            except subprocess.TimeoutExpired:
                server.kill()
        engine = create_engine(url)
        with engine.connect() as connection:
            live_id = result.pop("live_id")
            per_participant = connection.execute(
                select(LiveAnswer.participant_id, func.count()).where(LiveAnswer.session_id == live_id)
                .group_by(LiveAnswer.participant_id)).all()
            assert connection.scalar(select(func.count(LiveSession.id))) == 1
        engine.dispose()
        stored = sum(n for _, n in per_participant)
        result.update({"stored": stored, "lost": max(0, int(result["acknowledged"]) - len(per_participant)),
                       "doubled": sum(1 for _, n in per_participant if n > 1)})
        if schema:
            with create_engine(args.database_url).begin() as connection:
                connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    order = ["participants", "acknowledged", "stored", "lost", "doubled", "seconds_all_answered",
             "presenter_lag_seconds"]
    print(json.dumps({key: result[key] for key in order}))


if __name__ == "__main__":
    main()
