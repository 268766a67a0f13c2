"""`tick`'s reminders: about a day before a gathering, "still coming?" to each person holding
a seat, so that a seat nobody will use goes to the waitlist while there is time to come."""

from datetime import datetime, timedelta

from sqlalchemy import func, select

from meetups.extensions import db
from meetups.gatherings.models import Gathering, Response, Rsvp, Status
from meetups.notifications import services
from meetups.notifications.models import Kind, Settings

NOTICE = timedelta(hours=24)  # how long before the start a reminder goes out
# Closer to the start than this, a freed seat helps nobody waiting: no reminder.
TOO_LATE = timedelta(hours=2)


def queue_reminders(now: datetime) -> int:
    """Queue a reminder to each seat holder of the gatherings starting in (TOO_LATE, NOTICE]
    who answered before the NOTICE mark; how many were new."""
    rows = [
        _row(gathering_id, starts_at, user_id)
        for gathering_id, starts_at, user_id, answered_at in db.session.execute(_due(now))
        # Someone who said yes (or got a seat) within the day remembers it: no reminder.
        if answered_at < starts_at - NOTICE
    ]
    return services.insert(rows)


def _due(now: datetime):
    """Seat holders (not the organiser, not opted out) of the gatherings in the window."""
    wants = func.coalesce(Settings.reminders, True)
    return (
        select(
            Gathering.id,
            Gathering.starts_at,
            Rsvp.user_id,
            func.coalesce(Rsvp.promoted_at, Rsvp.responded_at),
        )
        .join(Rsvp, Rsvp.gathering_id == Gathering.id)
        .outerjoin(Settings, Settings.user_id == Rsvp.user_id)
        .where(
            Gathering.status.in_(Status.LIVE),
            Gathering.starts_at > now + TOO_LATE,
            Gathering.starts_at <= now + NOTICE,
            Rsvp.response == Response.GOING,
            Rsvp.is_waitlisted.is_(False),
            Rsvp.user_id != Gathering.organiser_id,
            wants.is_(True),
        )
    )


def _row(gathering_id: int, starts_at: datetime, user_id: int) -> dict:
    # The start is in the key: a gathering moved to another day reminds again.
    key = f"{Kind.REMINDER}:{gathering_id}:{starts_at.isoformat()}:{user_id}"
    return {
        "key": key,
        "kind": Kind.REMINDER,
        "user_id": user_id,
        "gathering_id": gathering_id,
        "data": {},
        "language": None,  # the person's, when it is sent
    }


def describe(count: int) -> str:
    return f"Queued {count} reminder(s)."
