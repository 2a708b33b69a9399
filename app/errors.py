"""Error pages in the UI's style, for every error a user can meet."""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException, InternalServerError

from course.errors import NotFound


def _titles() -> dict[int, tuple[str, str]]:
    return {
        400: (_("Dat ging niet goed"), _("Het verzoek kon niet worden verwerkt. Ga terug en probeer het opnieuw.")),
        403: (_("Geen toegang"), _("Je hebt geen toegang tot deze pagina.")),
        404: (_("Pagina niet gevonden"), _("Deze pagina bestaat niet (meer), of is niet van jou.")),
        405: (_("Dat kan zo niet"), _("Deze pagina kan niet op deze manier worden opgevraagd.")),
        409: (_("Al verwerkt"), _("Dit was al verwerkt; er is niets veranderd.")),
        413: (_("Te veel tekst"), _("Wat je verstuurde is te groot. Maak het korter en probeer het opnieuw.")),
        422: (_("Dat klopt niet helemaal"), _("Wat je verstuurde kon niet worden verwerkt.")),
        429: (_("Even wachten"), _("Te veel pogingen achter elkaar. Wacht even en probeer het opnieuw.")),
        500: (_("Er ging iets mis"), _("Er ging aan onze kant iets mis. Je gegevens zijn niet verloren; "
                                        "probeer het over een moment opnieuw.")),
    }


def render_error(code: int, detail: str | None = None) -> tuple[Any, int]:
    title, message = _titles().get(code, _titles()[400 if code < 500 else 500])
    if request.path.startswith("/api/"):  # the JSON API answers JSON, whatever the client accepts
        return jsonify(error={"status": code, "message": detail or message}), code
    if request.accept_mimetypes.best == "application/json":  # a background save shows this message
        return jsonify(error=detail or message), code
    return render_template("error.html", code=code, title=title, message=detail or message), code


def _log_denied_access() -> None:
    from app.audit import security_event
    from app.db import db_session
    from course.db import EventKind
    try:
        security_event(EventKind.ACCESS_DENIED, path=request.path,
                       user_id=current_user.id if current_user.is_authenticated else None)
    except SQLAlchemyError:  # the log must never turn a refusal into a crash
        db_session.rollback()


def init_app(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> tuple[Any, int]:
        code = exc.code or 500
        # A message we wrote ourselves (abort(400, "…")) says more than the generic one.
        custom = exc.description if exc.description != type(exc).description else None
        if code == 403:
            _log_denied_access()
        return render_error(code, custom)

    @app.errorhandler(CSRFError)
    def csrf_error(_exc: CSRFError) -> tuple[Any, int]:
        return render_error(400, _("Het formulier was verlopen of onvolledig. Niets is opgeslagen: laad de "
                                   "pagina opnieuw en probeer het nog eens."))

    @app.errorhandler(NotFound)
    def not_found(_exc: NotFound) -> tuple[Any, int]:
        return render_error(404)

    @app.errorhandler(InternalServerError)
    def server_error(_exc: InternalServerError) -> tuple[Any, int]:
        app.logger.exception("Unhandled error on %s", request.path)
        # The error may have left the request's transaction failed; the page itself reads the database
        # (the header's progress), so start clean or the user gets a bare "Internal Server Error".
        from app.db import db_session
        try:
            db_session.rollback()
        except SQLAlchemyError:
            app.logger.exception("Rollback after an error failed")
        return render_error(500)
