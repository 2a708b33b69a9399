"""Sending mail. With MAIL_SERVER set: over SMTP (STARTTLS or TLS, optional login). Without it: each mail is
written to the outbox folder (MAIL_OUTBOX, default instance/outbox) and to the log, so a development
install needs nothing to read its password-reset links.
"""

from __future__ import annotations

import smtplib
import ssl
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from secrets import token_hex

from flask import current_app, render_template
from flask_babel import force_locale

from app.i18n import formatting_locale
from course.db import User


def compose(to: str, subject: str, text: str) -> EmailMessage:
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=config["MAIL_SENDER"].rpartition("@")[2].strip("> ") or None)
    message["Auto-Submitted"] = "auto-generated"  # no out-of-office replies to a reset link
    message.set_content(text)
    return message


def send(message: EmailMessage) -> bool:
    """Deliver ``message``; True when it was handed over. A failure is logged, never raised: the page the
    person sees must not depend on whether a mail could go out (that would tell which accounts exist)."""
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        return _to_outbox(message)
    try:
        smtp_class = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
        with smtp_class(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config["MAIL_TIMEOUT"]) as smtp:
            if config["MAIL_USE_TLS"] and not config["MAIL_USE_SSL"]:
                smtp.starttls(context=ssl.create_default_context())
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException):
        current_app.logger.exception("Could not send mail '%s' via %s", message["Subject"], config["MAIL_SERVER"])
        return False
    return True


def _to_outbox(message: EmailMessage) -> bool:
    outbox = Path(current_app.config["MAIL_OUTBOX"])
    outbox.mkdir(parents=True, exist_ok=True)
    path = outbox / f"{datetime.now(UTC):%Y%m%dT%H%M%S.%f}-{token_hex(3)}.eml"
    path.write_bytes(message.as_bytes())
    if current_app.config.get("PRODUCTION"):
        current_app.logger.warning("MAIL_SERVER is not set: mail '%s' was written to %s", message["Subject"], path)
    else:  # development: the link is right there in the console
        current_app.logger.warning("Mail (not sent, saved in %s)\n%s", path, message.as_string())
    return True


def send_template(to: User | str, subject: str, template: str, *, locale: str | None = None,
                  **context: object) -> bool:
    """Render ``template`` (plain text, in the person's language) and send it. Returns what ``send`` returns."""
    if isinstance(to, User):
        address, locale = to.email, locale or to.locale
        context.setdefault("name", to.name)
    else:
        address = to
    with force_locale(formatting_locale(locale or current_app.config["BABEL_DEFAULT_LOCALE"])):
        return send(compose(address, str(subject), render_template(template, **context)))
