"""Logged-in pages kept whole, once per language and content, with each learner's own parts filled in.

A learner's page is mostly the same for everyone who sees it in the same language: the module's text, the
navigation, the header. What is one learner's or one request's (the CSRF token, the name in the account
menu, the pages read, this address) is a *hole* in the template:

    {{ hole('read-count', module.pages|length) }}

A hole names a function in ``HOLES`` (``function(values, *args) -> Markup``): ``values`` are the variables
the view gave the template (and ``current_locale``), ``args`` what the template passes, which must be the
same for everyone with the page's key (content ids, texts of the language). A view that answers with
``learner_page`` renders the template once per key with a marker in every hole, splits the HTML at the
markers into a *skeleton* of static strings and holes, and from then on fills the holes in plain Python,
without Jinja: what made the welcome page fast for visitors (``fragments.public_page``), for logged-in
pages. In a normal render ``hole(...)`` calls the same function, so both ways give the same page.
``csrf_token()`` and ``page_next`` are holes by themselves while a skeleton is recorded.

**Outside its holes a page must be the same for everyone with the same key.** With
``FRAGMENT_CACHE_VERIFY`` (on in tests) every such request renders the page the normal way too and compares:
a difference raises ``FragmentLeak``, so every test that shows a page checks that nothing of one learner
reaches another. A hole inside a ``fragment(...)`` would be kept in the fragment with the first learner's
part: it raises too.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Hashable, Mapping
from typing import Any

from flask import Flask, g, render_template, request
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape

from app.acting_user import acting_user
from app.forms import signed_csrf_token
from app.fragments import BoundedStore, FragmentLeak, rendering_fragment
from app.i18n import ui_language
from app.request_objects import the_app, the_request, the_session

HoleFunction = Callable[..., str]

# name → what fills the hole: function(values, *args) returning HTML (escaped already).
HOLES: dict[str, HoleFunction] = {}

# Private-use characters (no content or translation has them) around a recording's nonce and a hole's
# index; the nonce keeps a marker from any other recording (or any text) from being taken for one.
_OPEN, _CLOSE = "\ue000", "\ue001"


def hole_function(name: str) -> Callable[[HoleFunction], HoleFunction]:
    """Register the decorated function as what fills the hole ``name``."""
    def register(function: HoleFunction) -> HoleFunction:
        if name in HOLES:
            raise ValueError(f"hole {name!r} is registered twice")
        HOLES[name] = function
        return function
    return register


class Skeleton:
    """A page's static strings with the holes between them; ``fill`` makes one learner's page of it.

    A hole that appears more than once with the same arguments (the CSRF token of each form of a page) is
    filled once per page: a hole is the same wherever it stands on one page.
    """

    __slots__ = ("first", "repeated", "rest")

    def __init__(self, statics: list[str], holes: list[tuple[HoleFunction, tuple[Any, ...]]]):
        self.first = statics[0]
        occurrences: dict[tuple[HoleFunction, tuple[Any, ...]], int] = {}
        for hole in holes:
            if _hashable(hole):
                occurrences[hole] = occurrences.get(hole, 0) + 1
        slots: dict[tuple[HoleFunction, tuple[Any, ...]], int] = {}
        for hole, count in occurrences.items():
            if count > 1:
                slots[hole] = len(slots)
        self.repeated = len(slots)
        self.rest = tuple((function, args, static, slots.get((function, args)) if _hashable((function, args))
                           else None)
                          for (function, args), static in zip(holes, statics[1:], strict=True))

    def fill(self, values: Mapping[str, Any]) -> str:
        parts = [self.first]
        filled: list[str | None] = [None] * self.repeated
        for function, args, static, slot in self.rest:
            if slot is None:
                parts.append(function(values, *args))
            else:
                made = filled[slot]
                if made is None:
                    made = filled[slot] = function(values, *args)
                parts.append(made)
            parts.append(static)
        return "".join(parts)

    def __len__(self) -> int:
        return len(self.rest)


def _hashable(hole: tuple[HoleFunction, tuple[Any, ...]]) -> bool:
    try:
        hash(hole)
    except TypeError:
        return False
    return True


StateFunction = Callable[..., dict[str, Hashable]]


def state_hole(name: str, template: str) -> Callable[[StateFunction], StateFunction]:
    """Register the hole ``name`` as ``template`` rendered with the learner's *state* there: the plain,
    hashable values the decorated ``function(values, *args)`` picks (a percentage, a status, the next step).

    Learners share few such states, so the HTML is kept per state, language and mount point (``kept``): a
    hole with a progress bar or a status costs a lookup, not a render. ``template`` may use its state and
    what every template has, nothing else; a CSRF token in it is a hole of its own.
    """
    def register(state_of: StateFunction) -> StateFunction:
        def fill(values: Mapping[str, Any], *args: Any) -> str:
            return kept(name, template, state_of(values, *args), values)
        hole_function(name)(fill)
        return state_of
    return register


def kept(name: str, template: str, state: dict[str, Hashable], values: Mapping[str, Any], *,
         personal: bool = False) -> str:
    """``template`` rendered with ``state``, kept as a skeleton per state, language and mount point; its own
    holes (a CSRF token) are filled from ``values``. ``personal`` states (one learner's attempt) are kept
    apart, so that many of them never push out what every learner shares."""
    extensions = the_app().extensions
    cache: SkeletonCache = extensions["leerlijn.personal" if personal else "leerlijn.skeletons"]
    # The language and mount point come with the values, as every template's context has them (and
    # learner_page's holes): one look through request's proxy per page, not one per part with a state.
    return cache.page((name, values["current_locale"], values["script_root"], *state.items()),
                      lambda: render_template(template, **state), values)


class _Recording:
    """The holes of one render that makes a skeleton, each a marker in the HTML until it is split."""

    def __init__(self) -> None:
        self.nonce = secrets.token_hex(4)
        self.holes: list[tuple[HoleFunction, tuple[Any, ...]]] = []

    def mark(self, function: HoleFunction, args: tuple[Any, ...]) -> Markup:
        self.holes.append((function, args))
        return Markup(f"{_OPEN}{self.nonce}:{len(self.holes) - 1}{_CLOSE}")  # noqa: S704 - our own marker

    def skeleton(self, html: str) -> Skeleton:
        pieces = re.split(f"{_OPEN}{self.nonce}:(\\d+){_CLOSE}", html)
        statics = pieces[0::2]
        if any(_OPEN in static for static in statics):  # a marker a filter changed, or one of another render
            raise FragmentLeak(f"a hole's marker was altered, so the hole cannot be filled:\n{html}")
        # By index, not in order: a template may render a part ({% set %}) before the text that precedes it.
        return Skeleton(statics, [self.holes[int(index)] for index in pieces[1::2]])


def recording() -> _Recording | None:
    """The skeleton being recorded now, if any."""
    return g.get("leerlijn_recording")


def hole_marker(name: str, *args: Hashable) -> Markup:
    """While a skeleton is recorded: the marker of the hole ``name`` (for helpers that stand in for values)."""
    active = recording()
    if active is None:
        raise RuntimeError("hole_marker outside a skeleton's recording")
    return active.mark(HOLES[name], args)


class SkeletonCache:
    """Key → Skeleton, in a store bounded by ``limit`` like the fragment cache's."""

    def __init__(self, *, verify: bool = False, limit: int = 10_000):
        self.verify = verify
        self._store = BoundedStore(limit)

    def page(self, key: tuple[Hashable, ...], render: Callable[[], str], values: Mapping[str, Any]) -> str:
        """The page for ``key`` with ``values`` in its holes; ``render`` makes it the normal way."""
        html = self._store.made(key, lambda: self._record(render)).fill(values)
        if self.verify and (fresh := render()) != html:
            raise FragmentLeak(f"page {key!r} depends on more than its key and holes:\n{fresh}\n---\n{html}")
        return html

    @staticmethod
    def _record(render: Callable[[], str]) -> Skeleton:
        previous = g.get("leerlijn_recording")
        g.leerlijn_recording = active = _Recording()
        try:
            html = render()
        finally:
            g.leerlijn_recording = previous
        return active.skeleton(html)

    def __len__(self) -> int:
        return len(self._store)


def learner_page(template: str, key: tuple[Hashable, ...], *,
                 for_render: Callable[[], Mapping[str, Any]] | None = None, **values: Any) -> str:
    """``template`` rendered with ``values`` for the logged-in user, from its skeleton for ``key``.

    ``key`` names what the page shows besides its holes (module and page ids: ids the view found in the
    catalog, never request input as it came, or the cache could be filled with junk). The template, the
    language, the mount point and what the header shows of the account's kind (its role, and whether the
    login stays: the idle warning) are added. A message waiting in the session is shown by a normal render.
    ``for_render`` makes the values only the template needs, not its holes (a form with nothing of the
    learner's): only when the page is rendered.
    """
    def render() -> str:
        return render_template(template, **values, **(for_render() if for_render else {}))
    # Each object once, not through its proxy (app/request_objects.py, app/acting_user.py).
    user = acting_user()
    if not user.is_authenticated or "_flashes" in the_session():
        return render()
    cache: SkeletonCache = the_app().extensions["leerlijn.skeletons"]
    language = ui_language()
    # The holes see the language as a normal render's holes do (app/templating.py gives every template
    # current_locale): parts kept per language need not ask Flask-Babel each.
    script_root = the_request().script_root
    return cache.page((template, language, script_root, user.role, user.is_site_admin,
                       user.login_remembered, *key),
                      render, {**values, "current_locale": language, "script_root": script_root})


# --- holes every logged-in page has -------------------------------------------------------------------

# Signed anew for every page, as Flask-WTF does. One signature kept per session would save some 25 µs a
# page (its timestamp is not checked: WTF_CSRF_TIME_LIMIT is None), but the token would then be the same
# secret on every page, beside this page's address reflected in its forms: what a compression side channel
# (BREACH, behind a proxy that gzips HTML) needs. The timestamp keeps it changing every second.
@hole_function("csrf")
def _csrf(_values: Mapping[str, Any]) -> str:
    return escape(signed_csrf_token())


@hole_function("page-next")
def _page_next(_values: Mapping[str, Any]) -> str:
    return escape(the_request().full_path.rstrip("?"))


@hole_function("user-name")
def _user_name(_values: Mapping[str, Any]) -> str:
    return escape(acting_user().name)


def csrf_token() -> str:
    """The session's CSRF token; a hole while a skeleton is recorded (baked in, it would be the first
    learner's for everyone). Refused inside a fragment, which would keep one learner's token for all."""
    if rendering_fragment():
        raise FragmentLeak("csrf_token() inside a fragment: the fragment would keep one learner's token")
    return signed_csrf_token() if recording() is None else hole_marker("csrf")


class _ThisAddress:
    """``page_next`` in templates: this address, for a form that returns to it, looked up where it is
    printed: a hole while a skeleton is recorded, refused inside a fragment (which would keep one request's
    address for everyone)."""

    __slots__ = ()

    def __html__(self) -> str:
        if rendering_fragment():
            raise FragmentLeak("page_next inside a fragment: the fragment would keep one request's address")
        if recording() is not None:
            return hole_marker("page-next")
        return escape(str(self))

    def __str__(self) -> str:  # as a value, e.g. url_for(..., next=page_next)
        return request.full_path.rstrip("?")


_THIS_ADDRESS = _ThisAddress()


def page_next() -> _ThisAddress:
    return _THIS_ADDRESS


def init_app(app: Flask) -> None:
    verify = app.config.get("FRAGMENT_CACHE_VERIFY", app.testing)
    app.extensions["leerlijn.skeletons"] = SkeletonCache(verify=verify)
    app.extensions["leerlijn.personal"] = SkeletonCache(verify=verify, limit=20_000)

    @pass_context
    def hole(context: Context, name: str, *args: Hashable) -> Markup:
        function = HOLES[name]
        if rendering_fragment():
            raise FragmentLeak(f"hole {name!r} inside a fragment: the fragment would keep one learner's part")
        active = recording()
        if active is not None:
            return active.mark(function, args)
        return Markup(function(context, *args))  # noqa: S704 - hole functions return escaped HTML

    app.jinja_env.globals["hole"] = hole
    # Flask-WTF offers its own through a context processor as well: app/templating.py's, which runs after
    # it, hands out this one.
    app.jinja_env.globals["csrf_token"] = csrf_token
