"""Browser tests: the real app and course in a background server, driven by Debian's Chromium via Playwright.

Every page a test visits is checked with axe-core (from the npm registry: `npm ci` installs it into
node_modules/) for WCAG 2.1 A/AA violations, and for Content-Security-Policy violations in the console.
The live server uses its own temporary SQLite file, never the test database (TEST_DATABASE_URL), so the
other tests' row counts are untouched. Without /usr/bin/chromium or axe-core the tests are skipped on a
developer's machine and fail in CI (CI=true).

Every journey is watched honestly: a console error, a failed request or a response >= 400 the test did not
announce fails it, and every page checked with axe must not scroll sideways at the width it is shown in.
The share of our own JavaScript (app/static/js) that the journeys ran is measured in Chromium (V8 block
coverage through the DevTools protocol) and printed at the end of the run.

Options (environment): LEERLIJN_AXE_TAGS=best-practice,wcag2a,… widens the axe rules (default: WCAG 2.1 A
and AA); LEERLIJN_CONTENT_DIR serves another course, as the app itself does (default: this repository's).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import threading
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email import policy as email_policy
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import make_server

from app import create_app

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
AXE_TAGS = os.environ.get("LEERLIJN_AXE_TAGS", "wcag2a,wcag2aa,wcag21a,wcag21aa").split(",")
PASSWORD = "een-lang-wachtwoord"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # The live server runs on a SQLite file of its own whatever TEST_DATABASE_URL says, so a run on
    # PostgreSQL would repeat the SQLite run's browser tests exactly: a tenth of CI's time, on two cores.
    if os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"):
        repeat = pytest.mark.skip(reason="browser tests run on their own SQLite file: see the run on SQLite")
        for item in items:
            if item.get_closest_marker("e2e"):
                item.add_marker(repeat)


@pytest.fixture(scope="session")
def e2e_tools() -> None:
    """Chromium and axe-core are needed; CI must have them, a developer's machine may not."""
    missing = [str(p) for p in (CHROMIUM, AXE) if not p.exists()]
    if missing:
        message = (f"browser tests need {', '.join(missing)}: `apt-get install chromium` and `npm ci` "
                   "at the repository root")
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


@dataclass
class LiveServer:
    url: str
    app: Any

    def __call__(self, path: str = "/") -> str:
        return self.url + path


@pytest.fixture(scope="session")
def live_server(e2e_tools: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The app on the real course content and a fresh SQLite file, served on 127.0.0.1 in a thread."""
    folder = tmp_path_factory.mktemp("e2e")
    app = create_app({
        "SECRET_KEY": "e2e-secret-key-with-enough-length-0000000",
        "DATABASE_URL": f"sqlite:///{folder / 'e2e.sqlite3'}",
        "AUTO_MIGRATE": True,
        "CONTENT_DIR": Path(os.environ.get("LEERLIJN_CONTENT_DIR") or ROOT),  # the real course by default
        "WTF_CSRF_ENABLED": True,
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        "MAIL_SERVER": None,
        "MAIL_OUTBOX": folder / "outbox",  # the confirmation links new learners follow
    })
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", app)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        app.extensions["leerlijn.db"].dispose()


@pytest.fixture(scope="session")
def browser(e2e_tools: None) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
                                             chromium_sandbox=False)
        yield browser
        browser.close()


STATIC_JS = ROOT / "app" / "static" / "js"


class ScriptCoverage:
    """Which characters of each of our scripts ran in any journey, merged over every page of the run."""

    def __init__(self) -> None:
        self.ran: dict[str, bytearray] = {}

    def add(self, entries: list[dict[str, Any]]) -> None:
        for entry in entries:
            path = urlsplit(entry["url"]).path
            if not path.startswith("/static/js/"):
                continue
            source = (STATIC_JS / path.removeprefix("/static/js/")).read_text(encoding="utf-8")
            counts = [0] * len(source)
            # V8 lists each function's ranges outermost first; an inner range overrides its function's count.
            for function in entry["functions"]:
                for r in function["ranges"]:
                    counts[r["startOffset"]:r["endOffset"]] = [r["count"]] * (r["endOffset"] - r["startOffset"])
            ran = self.ran.setdefault(path, bytearray(len(source)))
            for i, count in enumerate(counts[:len(ran)]):
                if count:
                    ran[i] = 1

    def report(self) -> list[str]:
        lines = []
        for script in sorted(STATIC_JS.glob("*.js")):
            path = f"/static/js/{script.name}"
            ran = self.ran.get(path)
            share = sum(ran) / len(ran) if ran else 0.0
            lines.append(f"  {script.name:<16} {share:6.1%} of {script.stat().st_size:,} characters ran")
        return lines


SCRIPT_COVERAGE = ScriptCoverage()


def _start_coverage(page: Any) -> Any:
    cdp = page.context.new_cdp_session(page)
    cdp.send("Profiler.enable")
    cdp.send("Profiler.startPreciseCoverage", {"callCount": False, "detailed": True})
    return cdp


def _take_coverage(page: Any, cdp: Any) -> None:
    """Collect what ran on the page so far (call before every navigation would lose the previous page)."""
    from playwright.sync_api import Error as PlaywrightError
    with contextlib.suppress(PlaywrightError):  # the page is already gone: nothing more to count
        SCRIPT_COVERAGE.add(cdp.send("Profiler.takePreciseCoverage")["result"])


def pytest_terminal_summary(terminalreporter: Any) -> None:
    skipped = [r for r in terminalreporter.stats.get("skipped", [])
               if "browser tests need" in str(getattr(r, "longrepr", ""))]
    if skipped:
        terminalreporter.write_line(
            f"{len(skipped)} browser tests SKIPPED: they need /usr/bin/chromium and node_modules/axe-core. "
            "Enable them with `apt-get install chromium` and `npm ci` at the repository root.", yellow=True, bold=True)
    if SCRIPT_COVERAGE.ran:
        terminalreporter.write_line("JavaScript run by the browser journeys (V8 block coverage):")
        for line in SCRIPT_COVERAGE.report():
            terminalreporter.write_line(line)


@dataclass
class Visits:
    """What a test saw: every URL checked with axe, and everything that went wrong in the browser.

    Any console error, failed request or response with status >= 400 is a problem that fails the test,
    unless the test announced it with ``expect(status, path)`` (e.g. the 404 page it visits on purpose).
    """

    checked: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    expected: set[tuple[int, str]] = field(default_factory=set)
    responses: list[tuple[str, str, int]] = field(default_factory=list)

    def expect(self, status: int, path: str) -> None:
        """A response with this status for this path is what the test wants to see, not a defect."""
        self.expected.add((status, path))

    def saw(self, response: Any) -> None:
        method, url, status = response.request.method, response.url, response.status
        self.responses.append((method, url, status))
        if status >= 400 and (status, urlsplit(url).path) not in self.expected:
            self.problems.append(f"{method} {url} answered {status}")


@pytest.fixture
def visits() -> Visits:
    return Visits()


def _watch(page: Any, visits: Visits, coverage: Any = None) -> Any:
    def on_console(message: Any) -> None:
        if message.type != "error":
            return
        # The browser logs every error response too; `visits.saw` judges those, with the test's expectations.
        if message.text.startswith("Failed to load resource: the server responded with a status of"):
            return
        visits.problems.append(f"{page.url}: console error: {message.text}")

    # Leaving a page cancels what it was still loading or sending (net::ERR_ABORTED): harmless, because a
    # request already sent is still handled by the server. Any other failure, or an abort while the learner
    # stays on the page, is a defect.
    # A request made while a navigation is already on its way (a click on "Gelezen, volgende" as the page's
    # end came into view) belongs to a page that is being left, too.
    navigations = {"started": 0, "committed": 0}
    started_during: dict[Any, int] = {}
    while_leaving: set[Any] = set()

    def on_request(request: Any) -> None:
        if request.is_navigation_request() and request.frame == page.main_frame:
            navigations["started"] += 1
            if coverage is not None:
                _take_coverage(page, coverage)  # the leaving page's scripts, before they are unloaded
        else:
            started_during[request] = navigations["started"]
            if navigations["started"] > navigations["committed"]:
                while_leaving.add(request)

    def on_navigated(frame: Any) -> None:
        if frame == page.main_frame:
            navigations["committed"] = navigations["started"]

    def on_request_failed(request: Any) -> None:
        left_the_page = (started_during.get(request, navigations["started"]) != navigations["started"]
                         or request in while_leaving)
        # Styles, the favicon, a poll (GET): an aborted read loses nothing. An aborted POST may be lost work.
        harmless = left_the_page or request.resource_type not in ("fetch", "xhr") or request.method == "GET"
        if request.failure == "net::ERR_ABORTED" and harmless:
            return
        visits.problems.append(f"{request.method} {request.url} failed: {request.failure}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: visits.problems.append(f"{page.url}: script error {error}"))
    page.on("request", on_request)
    page.on("requestfailed", on_request_failed)
    page.on("framenavigated", on_navigated)
    page.on("response", visits.saw)
    page.set_default_timeout(10_000)
    return page


@pytest.fixture
def new_page(browser: Any, visits: Visits) -> Iterator[Any]:
    """``new_page(**context_options)`` opens a page in a fresh browser context (own cookies)."""
    contexts: list[Any] = []

    def make(**options: Any) -> Any:
        options.setdefault("locale", "nl-NL")
        options.setdefault("viewport", {"width": 1280, "height": 900})
        context = browser.new_context(**options)
        page = context.new_page()
        if options.get("java_script_enabled", True):
            coverage = _start_coverage(page)
        else:
            coverage = None
            _NO_SCRIPT.add(page)
        contexts.append((context, page, coverage))
        return _watch(page, visits, coverage)

    yield make
    problems = list(visits.problems)  # closing the browser cancels whatever is still loading: not a defect
    for _context, opened, coverage in contexts:
        if coverage is not None and not opened.is_closed():
            _take_coverage(opened, coverage)
    for context, _page, _coverage in contexts:
        context.close()
    assert not problems, "\n".join(problems)


@pytest.fixture
def page(new_page: Any) -> Any:
    return new_page()


# Pages opened with JavaScript off. With scripts off, Chromium runs code evaluated through the debugging
# protocol but never its timers, so `axe.run` (which waits on setTimeout) would never settle and the test
# would hang without a word; turning scripts back on over DevTools does not revive the timers. So axe checks
# a copy of the page as the learner sees it: its DOM without scripts, served at the same address to a page
# with scripts on, with the same size, language and stylesheets.
_NO_SCRIPT: weakref.WeakSet[Any] = weakref.WeakSet()

_SCRIPTLESS_DOM = """() => {
    if (!document.documentElement) return null;
    const copy = document.documentElement.cloneNode(true);
    copy.querySelectorAll('script').forEach(s => s.remove());
    return '<!DOCTYPE html>' + copy.outerHTML;
}"""

_AXE_RUN = (
    "async (tags) => { const r = await axe.run(document, {runOnly: {type: 'tag', values: tags},"
    " resultTypes: ['violations']}); return r.violations.map(v => ({id: v.id, impact: v.impact,"
    " help: v.help, nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' + n.failureSummary)}));"
    " }")


def _once_loaded(page: Any, read: Any) -> Any:
    """``read(page)`` on the page once it has loaded, again if the document changed under the read.

    A click that posts a form returns before the next page has replaced this one, and between two documents
    there is briefly none: axe then fails on a null ``document.documentElement``.
    """
    from playwright.sync_api import Error as PlaywrightError
    for attempt in range(10):
        page.wait_for_load_state("load")
        try:
            result = read(page)
        except PlaywrightError:
            result = None
        if result is not None:
            return result
        page.wait_for_timeout(100 * (attempt + 1))
    raise AssertionError(f"{page.url} never finished loading")


def _axe_violations(page: Any) -> list[dict[str, Any]]:
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated by the browser's debugging protocol, so the page's CSP (script-src 'self') does not block it.
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    return page.evaluate(_AXE_RUN, AXE_TAGS)


def _run_axe(page: Any) -> list[dict[str, Any]]:
    return _once_loaded(page, _axe_violations)


def _scriptless_html(page: Any) -> str:
    return _once_loaded(page, lambda page: page.evaluate(_SCRIPTLESS_DOM) or None)


def _run_axe_without_script(page: Any) -> list[dict[str, Any]]:
    html = _scriptless_html(page)
    context = page.context.browser.new_context(viewport=page.viewport_size,
                                               locale=page.evaluate("() => navigator.language"))
    try:
        twin = context.new_page()

        def serve(route: Any) -> None:
            if route.request.is_navigation_request():
                route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html)
            else:
                route.continue_()  # the stylesheets and images, from the live server

        twin.route("**/*", serve)
        twin.goto(page.url)
        return _run_axe(twin)
    finally:
        context.close()


def axe_check(page: Any, visits: Visits | None = None) -> None:
    """Run axe-core on the page as it is now; fail with a readable list of WCAG 2.1 A/AA violations."""
    result = _run_axe_without_script(page) if page in _NO_SCRIPT else _run_axe(page)
    if visits is not None:
        visits.checked.append(page.url)
    assert_no_sideways_scroll(page)
    assert not result, f"axe-core violations on {page.url}:\n" + json.dumps(result, indent=2, ensure_ascii=False)


def assert_no_sideways_scroll(page: Any) -> None:
    """Nothing on the page is wider than the window (at 360 px a table or a long word would push it)."""
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    if overflow > 0:
        wide = page.evaluate("""() => [...document.querySelectorAll('main *')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
            .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''))""")
        raise AssertionError(f"{page.url} scrolls sideways by {overflow}px at {page.viewport_size['width']}px: {wide}")


def register(page: Any, server: LiveServer, name: str, email: str, visits: Visits | None = None) -> None:
    """Create an account through the registration form (checked with axe on the way)."""
    page.goto(server("/registreren"))
    if visits is not None:
        axe_check(page, visits)
    page.get_by_label("Naam").fill(name)
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord", exact=True).fill(PASSWORD)
    page.get_by_label("Herhaal wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Account maken").click()
    confirm_by_mail(page, server, email)


def log_in_with_code(page: Any, server: LiveServer, email: str, totp_secret: str) -> None:
    """Log in with the password and a code from the authenticator app (an account with two-step verification)."""
    import pyotp
    page.goto(server("/inloggen"))
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.get_by_label("Code uit je app, of een herstelcode").fill(pyotp.TOTP(totp_secret).now())
    page.get_by_role("button", name="Inloggen").click()


def confirmation_link(server: LiveServer, email: str) -> str:
    """The confirmation link in the newest mail to ``email`` in the live server's outbox."""
    outbox = Path(server.app.config["MAIL_OUTBOX"])
    for path in sorted(outbox.glob("*.eml"), reverse=True):
        message = message_from_bytes(path.read_bytes(), policy=email_policy.default)
        if message["To"] == email.lower():
            match = re.search(r"https?://\S+(/account-bevestigen/\S+)", message.get_body(("plain",)).get_content())
            if match:
                return server(match[1])
    raise AssertionError(f"no confirmation mail to {email}")


def confirm_by_mail(page: Any, server: LiveServer, email: str, keyboard: bool = False) -> None:
    """After registering: open the link from the confirmation mail and confirm; the learner is logged in."""
    page.get_by_role("heading", name="Kijk in je mailbox").wait_for()
    page.goto(confirmation_link(server, email))
    button = page.get_by_role("button", name="Bevestigen en inloggen")
    if keyboard:
        button.focus()
        page.keyboard.press("Enter")
    else:
        button.click()
    wait_for_path(page, "/")


def wait_for_path(page: Any, path: str) -> None:
    """Wait until the page shows ``path`` (a fragment such as #main survives redirects, so ignore it)."""
    page.wait_for_url(lambda url: urlsplit(url).path == path)


def unique_email(prefix: str) -> str:
    """Every test registers its own learner in the one e2e database."""
    unique_email.counter = getattr(unique_email, "counter", 0) + 1  # type: ignore[attr-defined]
    return f"{re.sub(r'[^a-z]', '', prefix.lower())}{unique_email.counter}-{os.getpid()}@example.org"  # type: ignore[attr-defined]
