"""What each calendar feed holds: its window of gatherings, read with what the events show."""

from datetime import datetime, timedelta

from sqlalchemy import func
from sqlalchemy.orm import joinedload, selectinload

from meetups.extensions import db
from meetups.gatherings.models import Gathering, Response, Rsvp, Status
from meetups.gatherings.queries import listing
from meetups.places.models import City

# What calendars hold: recent and coming gatherings; cancelled ones stay a week after their end
# so that subscribers' calendars see the cancellation before the event drops out.
FEED_PAST = timedelta(weeks=4)
FEED_CANCELLED_PAST = timedelta(days=7)
FEED_AHEAD = timedelta(days=365)


def _feed_window(query, now: datetime):
    return query.where(
        Gathering.ends_at >= now - FEED_PAST,
        Gathering.starts_at <= now + FEED_AHEAD,
        (Gathering.status == Status.SCHEDULED) | (Gathering.ends_at >= now - FEED_CANCELLED_PAST),
    )


def feed_gatherings(city: City, tag: str | None, now: datetime) -> list[Gathering]:
    """A city's gatherings as its calendar feed holds them, soonest first."""
    query = listing(now - FEED_PAST, tag, include_cancelled=True).where(
        Gathering.city_id == city.id
    )
    return list(db.session.scalars(_feed_window(query, now)))


def personal_feed(user, now: datetime) -> list[tuple[Gathering, Rsvp]]:
    """What a person organises, goes to, waits for or might attend, as their own feed holds it."""
    query = (
        db.select(Gathering, Rsvp)
        .join(Rsvp, (Rsvp.gathering_id == Gathering.id) & (Rsvp.user_id == user.id))
        .where(Rsvp.response != Response.NO)
        .options(
            joinedload(Gathering.city), joinedload(Gathering.venue), selectinload(Gathering.tags)
        )
        .order_by(Gathering.starts_at, Gathering.id)
    )
    return [(g, r) for g, r in db.session.execute(_feed_window(query, now))]


def feed_changed_at(city: City, now: datetime) -> datetime | None:
    """The last change to any gathering in the city's feed window, whatever its tags.

    A feed's Last-Modified must move on when an event leaves it too: a gathering whose tags
    no longer include the ?tag= of a feed changed, even though that feed no longer shows it.
    """
    query = db.select(func.max(Gathering.updated_at)).where(Gathering.city_id == city.id)
    return db.session.scalar(_feed_window(query, now))


def personal_feed_changed_at(user, now: datetime) -> datetime | None:
    """The last change to any of a person's answers in the feed window, "no" included.

    Un-RSVPing removes the event from the person's feed; without this, Last-Modified would
    stay put and a client asking If-Modified-Since would keep the event.
    """
    query = (
        db.select(func.max(Rsvp.updated_at))
        .join(Gathering, Gathering.id == Rsvp.gathering_id)
        .where(Rsvp.user_id == user.id)
    )
    return db.session.scalar(_feed_window(query, now))
