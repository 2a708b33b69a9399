"""Configuration from the environment (a ``.env`` file is read if present). No secrets in code."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


class ConfigError(RuntimeError):
    """The environment does not describe a runnable app (e.g. production without SECRET_KEY)."""


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in {"1", "true", "yes", "on"}


def _positive_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit() or int(value) < 1:
        raise ConfigError(f"{name} must be a whole number of at least 1, not {value!r}.")
    return int(value)


def _dev_secret(instance: Path) -> str:
    """A random key kept in the instance folder, so development sessions survive a restart."""
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


def _cache_dir(instance: Path) -> Path | None:
    value = os.environ.get("LEERLIJN_CATALOG_CACHE_DIR", "").strip()
    if value.lower() in {"off", "0", "no", "false"}:
        return None
    return Path(value) if value else instance / "cache"


def from_environment(instance_path: Path) -> dict[str, object]:
    """The app's settings, read from environment variables.

    Raises ConfigError when LEERLIJN_ENV=production and SECRET_KEY is missing or weak.
    """
    production = os.environ.get("LEERLIJN_ENV", "development").lower() == "production"
    secret = os.environ.get("SECRET_KEY")
    if production and _bool("LEERLIJN_SSO_ALLOW_HTTP", False):
        raise ConfigError("LEERLIJN_SSO_ALLOW_HTTP is for local development only: identity providers speak https.")
    if production and (not secret or len(secret) < 32):
        raise ConfigError("SECRET_KEY must be set to a random string of at least 32 characters in production "
                          "(e.g. python -c 'import secrets; print(secrets.token_urlsafe(48))').")
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance_path / 'leerlijn.sqlite3'}"
    if database_url.startswith("postgres://"):  # the form some hosts hand out; SQLAlchemy wants the dialect
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgres://")
    elif database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgresql://")
    return {
        "PRODUCTION": production,
        "SECRET_KEY": secret or _dev_secret(instance_path),
        "DATABASE_URL": database_url,
        "CONTENT_DIR": Path(os.environ.get("LEERLIJN_CONTENT_DIR", REPO_ROOT)),
        # The validated course kept between starts, per content and code version (course/catalog_cache.py);
        # LEERLIJN_CATALOG_CACHE_DIR=off loads and validates it in full at every start.
        "CATALOG_CACHE_DIR": _cache_dir(instance_path),
        # Single-machine SQLite installs migrate themselves; on PostgreSQL behind several app servers
        # run `flask --app app db upgrade` once per deployment instead.
        "AUTO_MIGRATE": _bool("LEERLIJN_AUTO_MIGRATE", not database_url.startswith("postgresql")),
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", production),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", production),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_DURATION": timedelta(days=30),
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),  # a login without "remember me" ends after this
        # ... or after this long without a request; pages warn before and keep it alive while someone works.
        "IDLE_TIMEOUT": timedelta(minutes=int(os.environ.get("LEERLIJN_IDLE_MINUTES", "30"))),
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session; an old tab must not lose answers
        "MAX_CONTENT_LENGTH": 256 * 1024,
        "BABEL_DEFAULT_LOCALE": "nl",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Amsterdam",
        "LANGUAGES": ("nl", "en"),
        "PROXY_FIX": _bool("LEERLIJN_BEHIND_PROXY", False),
        # Rate limits (Flask-Limiter): counters in Redis when REDIS_URL is set, else in this process's memory.
        "RATELIMIT_STORAGE_URI": os.environ.get("REDIS_URL") or "memory://",
        "RATELIMIT_ENABLED": _bool("LEERLIJN_RATE_LIMITS", True),
        # Logins count failed attempts only (see app/limits.py); registrations count every one.
        "LOGIN_LIMIT_PER_ACCOUNT": "5 per minute;30 per hour",
        "LOGIN_LIMIT_PER_ADDRESS": "30 per minute;300 per hour",
        "REGISTER_LIMIT_PER_ADDRESS": "60 per hour",
        "CODE_LIMIT_PER_ACCOUNT": "5 per minute;20 per hour",  # wrong two-step codes
        # Mails to one address (registration, password reset) and reset requests from one client address.
        "MAIL_LIMIT_PER_ACCOUNT": "3 per 10 minutes;10 per day",
        "MAIL_LIMIT_PER_ADDRESS": "30 per hour",
        # The public verification page: enough for an employer checking a pile of certificates, far too few
        # to guess one of 2**160 codes (and an unknown code answers like every other unknown code).
        "VERIFY_LIMIT_PER_ADDRESS": "20 per minute;200 per hour",
        # The JSON API, per token: an HR system's nightly sync pages through thousands of members well within it.
        "API_LIMIT_PER_TOKEN": "120 per minute;5000 per hour",
        # Requests refused for their token (none, unknown, revoked, expired), per address: trying random
        # tokens must not cost a database lookup each without end.
        "API_LIMIT_REFUSED_PER_ADDRESS": "30 per minute;300 per hour",
        # Signing in through an organisation's provider (start and return), per client address.
        "SSO_LIMIT_PER_ADDRESS": "60 per minute;600 per hour",
        # Single sign-on: the Fernet key that encrypts client secrets an organisation admin stores (without it,
        # secrets come from LEERLIJN_SSO_SECRET_<SLUG> only); http issuers only for local development and tests.
        "SSO_KEY": os.environ.get("LEERLIJN_SSO_KEY") or None,
        "SSO_ALLOW_HTTP": _bool("LEERLIJN_SSO_ALLOW_HTTP", False),
        # An identity provider on the organisation's own network (not the public internet): off by default,
        # so an issuer typed in by an organisation's admin cannot aim Leerlijn's requests at internal hosts.
        "SSO_ALLOW_PRIVATE_HOSTS": _bool("LEERLIJN_SSO_ALLOW_PRIVATE_HOSTS", False),
        # Mail (app/mail.py): SMTP when MAIL_SERVER is set, otherwise the outbox folder and the log.
        "MAIL_SERVER": os.environ.get("MAIL_SERVER") or None,
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "587")),
        "MAIL_USE_TLS": _bool("MAIL_USE_TLS", True),  # STARTTLS on MAIL_PORT
        "MAIL_USE_SSL": _bool("MAIL_USE_SSL", False),  # TLS from the start (port 465)
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_SENDER": os.environ.get("MAIL_SENDER", "Leerlijn <noreply@leerlijn.invalid>"),
        "MAIL_TIMEOUT": 10,  # seconds
        "MAIL_OUTBOX": Path(os.environ.get("MAIL_OUTBOX") or instance_path / "outbox"),
        # Absolute links in mails; without it, links use the host of the request that sent the mail.
        "PUBLIC_URL": (os.environ.get("LEERLIJN_PUBLIC_URL") or "").rstrip("/") or None,
        # Accounts unused for this many days are erased by `flask privacy purge` (and the privacy page says so).
        "RETENTION_DAYS": _positive_int("LEERLIJN_RETENTION_DAYS", 730),
        # How long the record of each API request is kept (for looking into a misuse), by `privacy purge`.
        "API_LOG_DAYS": _positive_int("LEERLIJN_API_LOG_DAYS", 365),
    }
