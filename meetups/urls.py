"""Absolute links, for feeds, the API and e-mails: MEETUPS_BASE_URL when set, else the request's host."""

from urllib.parse import quote, quote_from_bytes

from flask import current_app, request, url_for

# What may stay as it is in a query string: its separators, and escapes already there.
_QUERY_SAFE = "!$&'()*+,/:;=?@%"


def absolute_url(endpoint: str, **values) -> str:
    """The full URL of an endpoint, on the instance's public base URL when one is configured."""
    base = current_app.config.get("BASE_URL")
    if base:
        return base.rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def here() -> str:
    """This request's path and query, to come back to (the language switch's `next`).

    Percent-encoded as in a URL: whatever the address carried (a control character the edge
    rule refused, a raw byte) is never written into the page as it is.
    """
    path = quote(request.path, safe="/")
    query = request.query_string
    return f"{path}?{quote_from_bytes(query, safe=_QUERY_SAFE)}" if query else path
