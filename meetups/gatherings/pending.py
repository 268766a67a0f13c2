"""An RSVP button pressed while signed out: kept in the session until sign-in or sign-up."""

import time

from flask import session
from werkzeug.datastructures import MultiDict

from meetups.gatherings.forms import RsvpForm

KEY = "pending_rsvp"
KEPT_FOR = 3600  # seconds: an answer older than an hour is no longer what the person meant


def keep(gathering_id: int, response: str) -> None:
    """Remember one answer (the latest button pressed) for after signing in."""
    session[KEY] = {"gathering_id": gathering_id, "response": response, "at": int(time.time())}


def take() -> tuple[int, str] | None:
    """The kept answer, once (it leaves the session), or None if none, stale or malformed."""
    kept = session.pop(KEY, None)
    if not isinstance(kept, dict):
        return None
    gathering_id, at = kept.get("gathering_id"), kept.get("at")
    if type(gathering_id) is not int or type(at) is not int:  # bool is an int, not an id
        return None
    if not 0 <= time.time() - at <= KEPT_FOR:
        return None
    # Judged again by the button's own rules: a session is not a form the rules have seen.
    form = RsvpForm(formdata=MultiDict({"response": str(kept.get("response"))}))
    return (gathering_id, form.response.data) if form.validate() else None
