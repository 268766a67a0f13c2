"""Absolute links, for feeds, the API and e-mails: MEETUPS_BASE_URL when set, else the request's host."""

from flask import current_app, url_for


def absolute_url(endpoint: str, **values) -> str:
    """The full URL of an endpoint, on the instance's public base URL when one is configured."""
    base = current_app.config.get("BASE_URL")
    if base:
        return base.rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)
