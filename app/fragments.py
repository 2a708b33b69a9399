"""Parts of pages that are the same for every learner, rendered once per interface language and reused.

The course content is frozen at start-up, so the HTML of a module's text, the navigation or an
intervention's card only changes with the interface language (and the address the app is mounted at).
A template marks such a part, naming what else it depends on:

    {% call fragment('module-nav', module.id, page.id) %} ... {% endcall %}

and the body is rendered the first time only. **A fragment must never contain anything of one learner or
one request** (progress, answers, names, CSRF tokens, the query string): those stay outside it and are
rendered per request. The cache belongs to the app, so a new catalog (a restart) starts afresh.

With ``FRAGMENT_CACHE_VERIFY`` (on in tests) every fragment is rendered each time anyway and compared
with the stored copy: a fragment that differs for the same key, which would show one learner's page to
another, fails the test that rendered it with ``FragmentLeak``.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from contextvars import ContextVar
from typing import Any

from flask import Flask, current_app, render_template, request, session
from flask_babel import get_locale, get_translations
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

# How many fragments this request (thread) is rendering now: a skeleton's hole inside one would be kept in
# the fragment with the first learner's part (app/skeletons.py refuses that).
_RENDERING: ContextVar[int] = ContextVar("leerlijn_fragments_rendering", default=0)


def rendering_fragment() -> bool:
    """Whether a fragment's body is being rendered now."""
    return _RENDERING.get() > 0


class FragmentLeak(RuntimeError):
    """A cached fragment rendered differently for the same key: it depends on something not in its key."""


class BoundedStore(dict):  # type: ignore[type-arg]
    """A dict that starts afresh when it holds ``limit`` entries: what the app keeps per key (fragments, kept
    pages, texts with a learner's figures) has keys from content ids, languages and figures, but one built
    from request input must not be able to fill the memory. A dict, so a look-up costs what a dict's does."""

    def __init__(self, limit: int):
        super().__init__()
        self.limit = limit

    def keep(self, key: Hashable, value: Any) -> Any:
        """Store ``value`` under ``key`` (emptying the store first when it is full); return it."""
        if len(self) >= self.limit:
            self.clear()
        self[key] = value
        return value

    def made(self, key: Hashable, make: Callable[[], Any]) -> Any:
        """``self[key]``, made with ``make()`` and kept the first time."""
        value = self.get(key)
        return self.keep(key, make()) if value is None else value


class FragmentCache:
    """Key → rendered HTML, in a store bounded by ``limit``."""

    def __init__(self, *, verify: bool = False, limit: int = 20_000):
        self.verify = verify
        self._store = BoundedStore(limit)

    def get(self, key: tuple[Hashable, ...], render: Callable[[], str]) -> Markup:
        html = self._store.get(key)
        if html is None:
            html = self._store.keep(key, self._render(render))
        elif self.verify and (fresh := self._render(render)) != html:
            raise FragmentLeak(f"fragment {key!r} depends on more than its key:\n{html}\n---\n{fresh}")
        return html

    @staticmethod
    def _render(render: Callable[[], str]) -> Markup:
        depth = _RENDERING.set(_RENDERING.get() + 1)
        try:
            return Markup(render())  # noqa: S704 - a rendered template block, escaped by Jinja
        finally:
            _RENDERING.reset(depth)

    def __len__(self) -> int:
        return len(self._store)


def _fragment_helper(cache: FragmentCache) -> Callable[..., Markup]:
    @pass_context
    def fragment(context: Context, name: str, *key: Hashable, caller: Callable[[], str]) -> Markup:
        """The HTML of a ``{% call fragment(name, *key) %}`` block for this language and mount point."""
        return cache.get((name, context["current_locale"], context["request"].script_root, *key), caller)
    return fragment


def public_page(template: str) -> str:
    """``template`` rendered, or for a visitor who is not logged in its HTML rendered before.

    A public page (the welcome page) is the same for every such visitor with the same language at the same
    address: the header shows no name, no progress and no CSRF token (a visitor's language switch is a
    link), and the page's own template may use nothing of one visitor. It is rendered anew when it would
    differ: for a logged-in user, with a message waiting in the session, or with a query string (the
    language link leads back to the address with it). Kept in the fragment cache, so the tests render it
    each time and compare.
    """
    from flask_login import current_user

    from app.i18n import ui_language
    if current_user.is_authenticated or request.query_string or session.get("_flashes"):
        return render_template(template)
    cache: FragmentCache = current_app.extensions["leerlijn.fragments"]
    key = ("public-page", template, ui_language(), request.script_root, request.path)
    return cache.get(key, lambda: render_template(template))


# --- gettext for templates, bound once per request ------------------------------------------------------
# Flask-Babel's template gettext looks the request's translations up again for every string (a few
# context-local lookups each; some 50 strings a page). These do the same as Jinja's "newstyle" gettext
# (autoescape-aware, always %-formatted, ``num`` for plurals) with the translations looked up once.

def _template_gettext(translations: Any) -> Callable[..., str]:
    @pass_context
    def gettext(context: Context, string: str, /, **variables: Any) -> str:
        text = translations.ugettext(string)
        if context.eval_ctx.autoescape:
            text = Markup(text)  # noqa: S704 - our own catalogue, as Jinja's i18n does
        return text % variables
    return gettext


def _template_ngettext(translations: Any) -> Callable[..., str]:
    @pass_context
    def ngettext(context: Context, singular: str, plural: str, num: int, /, **variables: Any) -> str:
        variables.setdefault("num", num)
        text = translations.ungettext(singular, plural, num)
        if context.eval_ctx.autoescape:
            text = Markup(text)  # noqa: S704 - our own catalogue, as Jinja's i18n does
        return text % variables
    return ngettext


def init_app(app: Flask) -> None:
    cache = app.extensions["leerlijn.fragments"] = FragmentCache(
        verify=app.config.get("FRAGMENT_CACHE_VERIFY", app.testing))
    fragment = _fragment_helper(cache)
    # Per language: the bound helpers, built once. Flask-Babel keeps one translations object per locale for
    # the app's lifetime, so the locale (one shared Locale object each, app/i18n.py) names it; asking
    # Flask-Babel for it on every request cost as much as the rest of this.
    bound: dict[Any, dict[str, Any]] = {}

    def helpers(translations: Any) -> dict[str, Any]:
        return {"gettext": _template_gettext(translations), "ngettext": _template_ngettext(translations),
                "fragment": fragment}

    @app.context_processor
    def fragments_and_gettext() -> dict[str, Any]:
        locale = get_locale()
        if locale is None:  # outside a request Flask-Babel hands out a new empty catalogue each time
            return helpers(get_translations())
        known = bound.get(locale)
        if known is None:
            known = bound[locale] = helpers(get_translations())
        return known
