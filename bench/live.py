"""Fan-in of a live session: N phones join and answer one question at once, over HTTP, against gunicorn.

    .venv/bin/python bench/live.py [--participants 300] [--workers 2] [--database-url URL] [--no-js]

Starts the app under gunicorn (2 sync workers by default) on a fresh SQLite database, or on the PostgreSQL
database given (in a schema of its own, dropped afterwards); a trainer creates a live session from a
knowledge check and starts it; every participant joins from a connection of its own, then all answer the
first question at the same moment, each pressing twice (a double tap). The presenter's count is polled
until it shows every acknowledged answer.

A phone answers as live.js does (the default): the answer is posted in the background and the reply, the
part of the page that changes, is what the participant sees, so it must say "Je antwoord is binnen." With
--no-js a phone answers as a browser without JavaScript: the form post, its redirect, then the page that
must say so. (live.js sends no second tap while the first is on its way; here both go at once, on two
connections: the worst case for the unique constraint.) The last line printed is one JSON object:

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
from urllib.parse import urlencode, urlsplit

import httpx
from sqlalchemy import create_engine, func, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.databases import throwaway_database  # noqa: E402
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
    """One phone: a connection of its own for every request (gunicorn's sync workers close the connection
    after each response, as a browser sees them do) and its own cookie, which carries its participant token.

    Plain HTTP/1.1 over asyncio streams rather than httpx: a sync worker lingers after every response until
    the client closes its side of the connection, so the time 300 simulated phones take to notice their
    replies in one Python process holds up the server itself. httpx spent about 2 ms of CPU per request
    here, which on the shared two cores delayed those closes and counted against the app. A phone on a
    network does nothing but wait for its own reply.
    """

    def __init__(self, base: str, code: str, js: bool = True):
        url = urlsplit(base)
        self.host, self.port = url.hostname or "127.0.0.1", url.port or 80
        self.code = code
        self.js = js
        self.cookies: dict[str, str] = {}
        self.form: dict[str, str] = {}

    async def request(self, method: str, path: str, form: dict[str, str] | None = None,
                      headers: dict[str, str] | None = None) -> tuple[int, str]:
        body = urlencode(form).encode() if form is not None else b""
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}", "Connection: close",
                 "Accept: text/html,application/xhtml+xml,*/*;q=0.8", "User-Agent: leerlijn-bench-phone"]
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        if form is not None:
            lines += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}"]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        reader, writer = await asyncio.open_connection(self.host, self.port)
        try:
            writer.write("\r\n".join(lines).encode() + b"\r\n\r\n" + body)
            status_line, *header_lines = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
            length = None
            for line in header_lines:
                name, _, value = line.partition(":")
                name, value = name.strip().lower(), value.strip()
                if name == "set-cookie":
                    key, _, cookie = value.split(";", 1)[0].partition("=")
                    if cookie:
                        self.cookies[key] = cookie
                    else:  # the server cleared it
                        self.cookies.pop(key, None)
                elif name == "content-length":
                    length = int(value)
                elif name == "transfer-encoding":
                    raise RuntimeError("chunked responses are not expected from the app")
            content = await (reader.readexactly(length) if length is not None else reader.read())
        finally:
            writer.close()
        return int(status_line.split()[1]), content.decode()

    async def join(self) -> None:
        _status, page = await self.request("GET", f"/live/{self.code}")
        await self.request("POST", f"/live/{self.code}/meedoen", {"csrf_token": csrf(page)})

    async def ready(self) -> None:
        _status, page = await self.request("GET", f"/live/{self.code}")
        radios = re.findall(r'name="answer" value="([^"]+)"', page)
        item = re.search(r'name="item" type="hidden" value="([^"]+)"', page)[1]
        self.form = {"csrf_token": csrf(page), "item": item, "answer": secrets.choice(radios)}

    async def answer(self) -> bool:
        headers = {"X-Requested-With": "fetch"} if self.js else None  # what live.js sends
        path = f"/live/{self.code}/antwoord"
        (first, first_page), (second, second_page) = await asyncio.gather(
            self.request("POST", path, self.form, headers), self.request("POST", path, self.form, headers))
        if first >= 500 or second >= 500:
            return False
        if self.js:  # the reply is swapped into the page: the first tap's, or the refused second's
            return any("Je antwoord is binnen." in page for page in (first_page, second_page))
        _status, page = await self.request("GET", f"/live/{self.code}")
        return "Je antwoord is binnen." in page


async def run(base: str, participants: int, js: bool = True) -> dict[str, object]:
    trainer, live_id, code = await trainer_session(base)
    phones = [Phone(base, code, js) for _ in range(participants)]
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
    await trainer.aclose()
    return {"participants": participants, "acknowledged": acknowledged,
            "seconds_all_answered": round(all_answered, 3), "presenter_lag_seconds": lag, "live_id": live_id}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=300)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database-url", help="PostgreSQL URL; default: a fresh SQLite file")
    parser.add_argument("--no-js", action="store_true", help="phones without JavaScript: post, redirect, page")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp, throwaway_database(args.database_url, tmp, "live") as url:
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
            result = asyncio.run(run(base, args.participants, js=not args.no_js))
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
    order = ["participants", "acknowledged", "stored", "lost", "doubled", "seconds_all_answered",
             "presenter_lag_seconds"]
    print(json.dumps({key: result[key] for key in order}))


if __name__ == "__main__":
    main()
