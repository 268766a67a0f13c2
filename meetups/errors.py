"""Error pages: HTML for people, {"error": ...} JSON under /api/; a 500 rolls the session back."""

from flask import Flask, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from meetups.extensions import db


def register(app: Flask) -> None:
    """Route every HTTP error and every unhandled exception through one handler."""
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(Exception, handle_exception)


def _messages() -> dict[int, str]:
    return {
        400: _("The request could not be understood."),
        403: _("You are not allowed to do that."),
        404: _("There is nothing here. The page may have moved, or the address has a typo."),
        405: _("That method is not allowed here."),
        413: _("What you sent is too large."),
        429: _("Too many requests. Please wait a moment and try again."),
        500: _("Something went wrong on our side. It has been logged; please try again."),
        503: _("The service is unavailable for a moment. Please try again shortly."),
    }


def handle_http_error(error: HTTPException):
    code = error.code or 500
    if isinstance(error, CSRFError):
        message = _(
            "Your form expired or was sent from elsewhere. Please reload the page and try again."
        )
    elif not isinstance(error, RateLimitExceeded) and error.description != type(error).description:
        # abort(code, description=...) said why, in words for people
        message = error.description
    else:
        message = _messages().get(code) or _("This request could not be completed.")
    # Keep what the exception says about itself, such as Allow on a 405 or Retry-After on a 429.
    headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
    if request.path.startswith("/api/"):
        return jsonify(error=message), code, headers
    template = "errors/404.html" if code == 404 else "errors/error.html"
    return render_template(template, code=code, message=message), code, headers


def handle_exception(error: Exception):
    if isinstance(error, HTTPException):
        return handle_http_error(error)
    db.session.rollback()
    current_app.logger.exception("Unhandled exception on %s %s", request.method, request.path)
    return handle_http_error(InternalServerError())
