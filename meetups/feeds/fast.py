"""Feed requests that need nothing built, answered beside Flask rather than through it.

A calendar polling its feed gets a 304, or the body kept under the feed's current ETag,
after one query, without what only HTML pages need: no session, CSRF check, rate-limit
evaluation, language negotiation or page hooks. Anything else (a body to build, an unknown
feed, an error) goes on to the app as usual, which answers it the same way, building.
"""

from flask import Flask
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Request

from meetups import edge
from meetups.extensions import db
from meetups.feeds.views import DESCRIBED, FEEDS, answer
from meetups.security import common_headers


class FastPath:
    """WSGI middleware in front of the app, for feed requests it can answer at once."""

    def __init__(self, app: Flask, wsgi_app) -> None:
        self.app, self.next = app, wsgi_app

    def __call__(self, environ, start_response):
        response = self._answer(environ) if environ["REQUEST_METHOD"] in ("GET", "HEAD") else None
        return (response or self.next)(environ, start_response)

    def _answer(self, environ):
        if edge.url_refusal(environ):
            return None  # the app refuses it, with its error page
        try:
            endpoint, args = self.app.url_map.bind_to_environ(environ).match()
        except HTTPException:
            return None
        describe = FEEDS.get(endpoint)
        if describe is None:
            return None
        request = Request(environ)
        with self.app.app_context():
            try:
                feed = describe(request, **args)
                response = feed and answer(feed, request, build=False)
            except HTTPException:  # the app answers it with its error page
                return None
            except Exception:  # the app answers it, errors and all
                db.session.rollback()
                self.app.logger.warning("Feed fast path failed", exc_info=True)
                return None
        if feed and not response:
            environ[DESCRIBED] = feed  # the app builds it, without asking the database again
        return response and common_headers(response)


def init_app(app: Flask) -> None:
    """Put the fast path in front of the app (behind any proxy fix, which must see it first)."""
    app.wsgi_app = FastPath(app, app.wsgi_app)
