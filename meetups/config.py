"""Configuration, from one precedence: defaults, instance/config.py, MEETUPS_* env, DATABASE_URL, test dict."""

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask


class Defaults:
    """Settings every instance starts from; each can be overridden further down the chain."""

    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    BASE_URL: str | None = None
    GEOCODERS = "ban,nominatim"
    BAN_URL = "https://data.geopf.fr/geocodage"
    NOMINATIM_URL = "https://nominatim.openstreetmap.org"
    NOMINATIM_USER_AGENT: str | None = None  # None: "Meute/<version> (+<BASE_URL>)"
    GEOCODER_TIMEOUT = 5
    REDIS_URL: str | None = None
    RATELIMIT_ENABLED = True
    LANGUAGES = ("fr", "en")
    BABEL_DEFAULT_LOCALE = "fr"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # a form left open over lunch still submits
    MAX_CONTENT_LENGTH = 1024 * 1024
    RATELIMIT_HEADERS_ENABLED = True
    PROXY_FIX = 0  # how many reverse proxies sit in front (trust their X-Forwarded-* headers)
    MAIL_SERVER: str | None = None  # None: mails wait in the outbox, send-mail says why
    MAIL_SUPPRESS_SEND = False  # Flask-Mail would not send under TESTING; the tests read real SMTP


def load(app: Flask, test_config: dict | None = None) -> None:
    """Fill app.config: defaults -> instance/config.py -> MEETUPS_* -> DATABASE_URL -> test_config."""
    app.config.from_object(Defaults)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("MEETUPS")
    if os.environ.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    if test_config:
        app.config.from_mapping(test_config)
    app.config.setdefault(
        "SQLALCHEMY_DATABASE_URI", f"sqlite:///{Path(app.instance_path) / 'meetups.sqlite'}"
    )
    app.config["SQLALCHEMY_DATABASE_URI"] = _normalise_db_url(app.config["SQLALCHEMY_DATABASE_URI"])
    # Flask-Limiter reads RATELIMIT_*: counters live in Redis when there is one, so that
    # several processes share them.
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config["REDIS_URL"] or "memory://")
    if not app.config.get("MAIL_DEFAULT_SENDER"):
        host = urlsplit(app.config["BASE_URL"] or "").hostname or "localhost"
        app.config["MAIL_DEFAULT_SENDER"] = f"Meute <noreply@{host}>"
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path))


def _normalise_db_url(url: str) -> str:
    # Hosting platforms hand out postgres:// URLs; SQLAlchemy needs a driver name, and we ship psycopg 3.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _instance_secret(instance: Path) -> str:
    """Read the instance's secret key, generating it on first start (never a constant in the code)."""
    path = instance / "secret_key"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process won the race; use its key
            pass
        else:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_hex(32))
    return path.read_text().strip()
