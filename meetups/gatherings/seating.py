"""The RSVP rules, pure: seats left, the waitlist, promotion and refusals, with no database.

The services apply them under the gathering's lock (services.respond, promote_waitlisted);
the bulk demo replays them in memory (meetups.demo.rsvps); pages and the API show the seats
left with them. One copy of each rule, so the three cannot drift apart.
"""

from collections.abc import Iterable
from datetime import datetime

from flask_babel import gettext as _

from meetups.gatherings.models import Response


def seats_left(capacity: int | None, taken: int) -> int | None:
    """Seats still free, never below 0; None when there is no limit."""
    if capacity is None:
        return None
    # Taken may exceed the capacity (seats held before it was lowered): full, not negative.
    return max(capacity - taken, 0)


def is_free(capacity: int | None, taken: int) -> bool:
    """Whether one more person can take a seat now."""
    return seats_left(capacity, taken) != 0


def holds_seat(response: str, is_waitlisted: bool) -> bool:
    """Whether an answer holds a seat: going and not waiting (maybe and no hold none)."""
    return response == Response.GOING and not is_waitlisted


def waits(response: str, capacity: int | None, taken: int) -> bool:
    """Whether a new answer lands on the waitlist: going when no seat is free."""
    return response == Response.GOING and not is_free(capacity, taken)


def to_promote(capacity: int | None, taken: int, waiting: int) -> int:
    """How many of the people waiting get a seat now: everyone when there is no limit."""
    left = seats_left(capacity, taken)
    return waiting if left is None else min(left, waiting)


def first_in_line(waiting: Iterable[tuple[datetime, int]], count: int) -> list[int]:
    """The ids of the `count` earliest of (answered at, id) pairs: the order of the line."""
    # The id breaks ties between answers of the same instant, as the promotion's SQL does.
    return [row_id for _at, row_id in sorted(waiting)[:count]]


def refusal(is_cancelled: bool, is_past: bool, is_organiser: bool) -> str | None:
    """Why an answer is refused, in words for the person; None when it is accepted."""
    if is_cancelled:
        return _("This gathering is cancelled: answers are closed.")
    if is_past:
        return _("This gathering is over: answers are closed.")
    if is_organiser:
        return _("You organise this gathering, so you are going. To call it off, cancel it.")
    return None
