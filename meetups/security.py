"""Login sessions that die on logout, safe redirects, and response headers."""

from functools import cache
from urllib.parse import urlsplit

from flask import Flask, flash, redirect, request, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_babel import gettext as _
from sqlalchemy import bindparam

from meetups.extensions import db, login_manager
from meetups.urls import here


def register(app: Flask) -> None:
    """Wire the user loader, the sign-in redirect and security headers."""
    login_manager.user_loader(load_user)
    login_manager.unauthorized_handler(ask_to_sign_in)
    app.session_interface = SessionInterface()
    app.after_request(_security_headers)


class SessionInterface(SecureCookieSessionInterface):
    """Flask's cookie sessions, except that feeds and the API never set or vary on a cookie."""

    STATELESS = ("feeds", "api")

    def save_session(self, app, session, response) -> None:
        if request.blueprint in self.STATELESS:
            return  # Flask-Login reads the session on every response, which adds Vary: Cookie
        super().save_session(app, session, response)


def ask_to_sign_in():
    """Send an anonymous visitor to sign in, then back to the page they were on."""
    flash(_("Please sign in to continue."), "info")
    return sign_in_first()


def sign_in_first():
    """The redirect to the sign-in page, with the way back: the page, not a form's POST URL."""
    back = here()
    if request.method != "GET":
        # A form was posted: come back to the page that showed it, not to the POST URL.
        referrer = urlsplit(request.referrer or "")
        if referrer.netloc == request.host:
            back = referrer.path + (f"?{referrer.query}" if referrer.query else "")
    return redirect(url_for("auth.login", next=back))


def load_user(session_id: str):
    """Find the user for a session id "<user id>:<session token>"; a stale token, or a
    suspended account, finds nobody."""
    user_id, _, token = session_id.partition(":")
    if not user_id.isdigit() or not token:
        return None
    user = db.session.scalar(_user_by_id(), {"id": int(user_id)})
    if user is None or user.session_token != token or user.is_suspended:
        return None
    return user


@cache
def _user_by_id():
    # Built once: every signed-in request runs it, and building it cost more than running it.
    from meetups.accounts.models import User

    return db.select(User).where(User.id == bindparam("id"))


def safe_next(target: str | None) -> str | None:
    """Return target if it is a path on this site, else None (no open redirects)."""
    if not target or "\\" in target or any(ord(c) < 32 for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


CSP = (
    "default-src 'self'; img-src 'self' data: https://*.tile.openstreetmap.org; "
    "style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)


def common_headers(response):
    """The headers every answer carries (also those that never reach Flask: feeds.fast)."""
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if response.mimetype == "text/html":
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Frame-Options", "DENY")
    return response


def _security_headers(response):
    common_headers(response)
    # Personal pages (the secret feed URL on /me) must not linger in shared or back-button caches.
    if request.blueprint in ("auth", "profile") or request.endpoint == "gatherings.me":
        response.headers.setdefault("Cache-Control", "no-store")
    return response
