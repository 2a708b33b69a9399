"""Security headers on every response; input no part of the app can store (ids out of range, NUL bytes)."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, abort
from flask_babel import gettext as _
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter

from app.request_objects import the_request

# Ids are INTEGER columns: 32 bits on PostgreSQL. A larger id in a URL names nothing (404), instead of
# reaching the database as a number it cannot hold (a 500 on PostgreSQL at 2**31, on SQLite at 2**63).
MAX_ID = 2**31 - 1

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
])
# Served SVGs get a CSP of their own: even opened directly, they can run nothing.
MEDIA_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox"


class DatabaseIdConverter(IntegerConverter):
    """``<int:…>`` in every route: a non-negative integer a database id column can hold.

    A larger one is a 404 at once, whatever the method: merely not matching would let a GET route of
    the same shape answer a POST with 405.
    """

    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        if number > MAX_ID:
            raise NotFound()
        return number


def _has_nul(values: Any) -> bool:
    return any("\x00" in key or "\x00" in value for key, value in values.items(multi=True))


def init_app(app: Flask) -> None:
    # Before any blueprint adds its routes: rules take their converter when they are added.
    app.url_map.converters["int"] = DatabaseIdConverter

    @app.before_request
    def refuse_nul_bytes() -> None:
        # No text we keep may hold a NUL (PostgreSQL refuses it in a string: a 500), and no form needs one.
        # A decoded query string holds one only where the raw one has %00 (or the byte itself): without
        # either, the query string is not parsed here (most pages have none).
        this_request = the_request()
        query = this_request.query_string
        if (((b"%00" in query or b"\x00" in query) and _has_nul(this_request.args))
                or (this_request.method == "POST" and _has_nul(this_request.form))):
            abort(400, _("Wat je verstuurde bevat een ongeldig teken (een nul-byte). Er is niets opgeslagen; "
                         "haal het teken weg en probeer het opnieuw."))

    # The defaults of each kind of response, with lower-cased names, built once: keeping a header a view
    # set itself then takes one pass over the response's headers, not one per default (setdefault).
    common = (("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "same-origin"),
              ("X-Frame-Options", "DENY"), ("Cross-Origin-Opener-Policy", "same-origin"),
              ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"))
    kinds = {"media": (("Content-Security-Policy", MEDIA_CSP), *common),
             "static": (("Content-Security-Policy", CSP), *common),
             # Pages show personal progress: never keep them in a shared cache.
             "page": (("Content-Security-Policy", CSP), *common, ("Cache-Control", "no-store"))}
    hsts = (("Strict-Transport-Security", "max-age=31536000; includeSubDomains"),)
    defaults = {(kind, secure): tuple((name.lower(), name, value) for name, value in (*headers, *hsts[:secure]))
                for kind, headers in kinds.items() for secure in (False, True)}

    @app.after_request
    def set_headers(response: Response) -> Response:
        endpoint = the_request().endpoint
        kind = "media" if endpoint == "learn.media" else "static" if endpoint == "static" else "page"
        headers = response.headers
        present = {name.lower() for name, _ in headers}
        headers.extend([(name, value) for lower, name, value in defaults[kind, app.config["SESSION_COOKIE_SECURE"]]
                        if lower not in present])
        return response
