"""One rule for text at the edge: control characters never get past a request into a query.

C0 controls other than tab and line breaks, and DEL, are never typed on purpose, show as
nothing (or as raw bytes in HTML and JSON), and PostgreSQL refuses NUL in text outright.
A URL that carries one names nothing (404 in its path, 400 in its query string); a form
field that carries one is refused with an error beside it (meetups.forms.SiteForm), its
text shown again without them.
"""

import re
from urllib.parse import unquote

from flask import Flask, abort, request
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# In a path even tab and line breaks name nothing.
PATH_CONTROLS = re.compile("[\x00-\x1f\x7f]")


def has_controls(text: str) -> bool:
    """Whether text carries a character this rule refuses."""
    return CONTROLS.search(text) is not None


def without_controls(text: str) -> str:
    """The text with the refused characters taken out."""
    return CONTROLS.sub("", text)


def url_refusal(environ: dict) -> int | None:
    """404 for a control character in the path, 400 for one in the query string, else None."""
    if PATH_CONTROLS.search(environ.get("PATH_INFO", "")):
        return 404
    query = environ.get("QUERY_STRING", "")
    if query and has_controls(unquote(query, errors="replace")):
        return 400
    return None


def cleaned(formdata) -> tuple[frozenset[str], object]:
    """The names of the fields that carried control characters, and the data without them."""
    refused = {
        name
        for name, value in formdata.items(multi=True)
        if isinstance(value, str) and has_controls(value)
    }
    if not refused:
        return frozenset(), formdata
    clean = MultiDict(
        (name, without_controls(value) if isinstance(value, str) else value)
        for name, value in formdata.items(multi=True)
    )
    return frozenset(refused), clean


def _refuse_urls() -> None:
    status = url_refusal(request.environ)
    if status == 400:
        abort(400, description=_("The address contains a control character."))
    if status:
        abort(status)


def register(app: Flask) -> None:
    """Refuse URLs with control characters before any view, or its query, sees them."""
    app.before_request_funcs.setdefault(None, []).insert(0, _refuse_urls)
