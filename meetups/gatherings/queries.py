"""Shared reads: the upcoming gatherings (home, city pages, later feeds and API), city counts."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from math import asin, cos, degrees, radians, sin

from geopy.distance import EARTH_RADIUS as EARTH_RADIUS_KM  # the radius distance_km uses
from sqlalchemy import func, tuple_
from sqlalchemy.orm import aliased, joinedload, selectinload

from meetups.dates import utcnow
from meetups.extensions import db
from meetups.gatherings.models import Gathering, Response, Rsvp, Status, Tag
from meetups.places.geocoding import distance_km
from meetups.places.models import City, Venue

BOX_MARGIN = 1.001  # a box a hair too wide costs nothing: the exact distance decides


def _listing(now: datetime | None, tag: str | None, include_cancelled: bool):
    """Gatherings not yet over, soonest first, loading what a listing shows in a few queries."""
    query = (
        db.select(Gathering)
        .where(Gathering.ends_at > (now or utcnow()))
        .options(
            joinedload(Gathering.city),
            joinedload(Gathering.venue),
            joinedload(Gathering.organiser),
            selectinload(Gathering.tags),
        )
        .order_by(Gathering.starts_at, Gathering.id)
    )
    if tag:
        query = query.where(Gathering.tags.any(Tag.name == tag.strip().lower()))
    if not include_cancelled:
        query = query.where(Gathering.status == Status.SCHEDULED)
    return query


def upcoming(
    city: City | None = None,
    tag: str | None = None,
    now: datetime | None = None,
    limit: int | None = None,
    include_cancelled: bool = True,
    offset: int = 0,
) -> list[Gathering]:
    """Gatherings not yet over, soonest first (home page, city pages, feeds, API)."""
    query = _listing(now, tag, include_cancelled)
    if city is not None:
        query = query.where(Gathering.city_id == city.id)
    if limit is not None:
        query = query.limit(limit)
    if offset:
        query = query.offset(offset)
    return list(db.session.scalars(query))


def nearby(
    latitude: float,
    longitude: float,
    km: float,
    tag: str | None = None,
    exclude_city: City | None = None,
    now: datetime | None = None,
    include_cancelled: bool = True,
    limit: int | None = None,
) -> list[tuple[Gathering, float]]:
    """Upcoming gatherings whose venue lies within km of a point, with their distance, soonest first.

    With a limit, rows are read in batches and reading stops once that many are found.
    """
    # A box on the indexed venue coordinates narrows the rows; the exact distance decides.
    query = (
        _listing(now, tag, include_cancelled)
        .join(Gathering.venue)
        .where(*_box(latitude, longitude, km))
    )
    if exclude_city is not None:
        query = query.where(Gathering.city_id != exclude_city.id)
    found = []
    result = db.session.scalars(query.execution_options(yield_per=200))
    try:
        for gathering in result:
            venue = gathering.venue
            km_away = distance_km(latitude, longitude, venue.latitude, venue.longitude)
            if km_away <= km:
                found.append((gathering, km_away))
                if limit is not None and len(found) >= limit:
                    break
    finally:
        result.close()
    return found


def _half_box(latitude: float, km: float) -> tuple[float, float]:
    """Half the height and width, in degrees, of a box holding every point within km.

    Measured on the sphere distance_km uses (111.2 km a degree, not 111.32, or points just
    inside the radius fall outside the box). A circle is widest in longitude poleward of its
    centre: asin(sin r / cos lat), not r / cos lat; when it reaches a pole, every longitude.
    """
    angle = km / EARTH_RADIUS_KM  # radians
    dlat = degrees(angle) * BOX_MARGIN
    stretch = sin(min(angle, radians(90))) / max(cos(radians(latitude)), 1e-12)
    dlon = degrees(asin(stretch)) * BOX_MARGIN if stretch < 1 else 360.0
    return dlat, dlon


def cities_with_counts(
    now: datetime | None = None, only_active: bool = False
) -> list[tuple[City, int]]:
    """Every known city with its number of upcoming scheduled gatherings, busiest first."""
    count = func.count(Gathering.id)
    query = (
        db.select(City, count)
        .outerjoin(
            Gathering,
            (Gathering.city_id == City.id)
            & (Gathering.ends_at > (now or utcnow()))
            & (Gathering.status == Status.SCHEDULED),
        )
        .group_by(City.id)
        .order_by(count.desc(), City.name)
    )
    if only_active:
        query = query.having(count > 0)
    return [(city, n) for city, n in db.session.execute(query)]


def going_counts(gathering_ids: list[int]) -> dict[int, int]:
    """How many people hold a seat at each of these gatherings."""
    return _going_counts(gathering_ids, waitlisted=False)


def waitlist_counts(gathering_ids: list[int]) -> dict[int, int]:
    """How many people wait for a seat at each of these gatherings."""
    return _going_counts(gathering_ids, waitlisted=True)


def _going_counts(gathering_ids: list[int], waitlisted: bool) -> dict[int, int]:
    if not gathering_ids:
        return {}
    query = (
        db.select(Rsvp.gathering_id, func.count())
        .where(
            Rsvp.gathering_id.in_(gathering_ids),
            Rsvp.response == Response.GOING,
            Rsvp.is_waitlisted.is_(waitlisted),
        )
        .group_by(Rsvp.gathering_id)
    )
    return dict(db.session.execute(query).all())


@dataclass
class MyGatherings:
    """One person's gatherings, grouped as /me shows them; each list soonest first."""

    organising: list[Gathering] = field(default_factory=list)
    going: list[Gathering] = field(default_factory=list)
    waitlisted: list[tuple[Gathering, int]] = field(default_factory=list)  # with place in line
    maybe: list[Gathering] = field(default_factory=list)
    past: list[Gathering] = field(default_factory=list)  # most recent first


PAST_ON_ME = 10


def my_gatherings(user, now: datetime | None = None) -> MyGatherings:
    """What this person organises, is going to, waits for (and where in line) or might attend."""
    now = now or utcnow()
    ahead = aliased(Rsvp)
    place_in_line = (
        db.select(func.count(ahead.id) + 1)
        .where(
            ahead.gathering_id == Rsvp.gathering_id,
            ahead.is_waitlisted.is_(True),
            tuple_(ahead.responded_at, ahead.id) < tuple_(Rsvp.responded_at, Rsvp.id),
        )
        .scalar_subquery()
    )
    answered = (
        db.select(Rsvp, Gathering, place_in_line)
        .join(Rsvp.gathering)
        .where(Rsvp.user_id == user.id, Rsvp.response != Response.NO)
        .options(joinedload(Gathering.city), joinedload(Gathering.venue))
    )
    upcoming = answered.where(Gathering.ends_at > now).order_by(Gathering.starts_at, Gathering.id)
    past = answered.where(Gathering.ends_at <= now).order_by(Gathering.starts_at.desc())
    mine = MyGatherings(past=[g for _r, g, _p in db.session.execute(past.limit(PAST_ON_ME))])
    for rsvp, gathering, place in db.session.execute(upcoming):
        if gathering.organiser_id == user.id:
            mine.organising.append(gathering)
        elif rsvp.response == Response.MAYBE:
            mine.maybe.append(gathering)
        elif rsvp.is_waitlisted:
            mine.waitlisted.append((gathering, place))
        else:
            mine.going.append(gathering)
    return mine


# The JSON API's window of gatherings -------------------------------------------------------


@dataclass(frozen=True)
class EventWindow:
    """Which gatherings /api/v1/events lists: cancelled ones included; None narrows nothing."""

    start: datetime  # only those not over by then
    end: datetime | None = None  # only those starting before then
    city: City | None = None
    tag: str | None = None
    near: tuple[float, float] | None = None  # (latitude, longitude), with within_km
    within_km: float | None = None
    after: tuple[datetime, int] | None = None  # keyset: (starts_at, id) of the last one seen


def events(window: EventWindow, limit: int) -> tuple[list[Gathering], bool]:
    """Up to limit gatherings of the window by (starts_at, id), and whether more follow."""
    query = _listing(window.start, window.tag, include_cancelled=True)
    if window.near is not None:
        ids = _ids_within(window, limit + 1)
        query = query.where(Gathering.id.in_(ids))
    else:
        query = query.where(*_narrowing(window))
    found = list(db.session.scalars(query.limit(limit + 1)))
    return found[:limit], len(found) > limit


def _narrowing(window: EventWindow) -> list:
    clauses = []
    if window.end is not None:
        clauses.append(Gathering.starts_at < window.end)
    if window.city is not None:
        clauses.append(Gathering.city_id == window.city.id)
    if window.after is not None:
        clauses.append(tuple_(Gathering.starts_at, Gathering.id) > window.after)
    return clauses


def _ids_within(window: EventWindow, wanted: int) -> list[int]:
    """The first ids of the window whose venue lies within the distance, read lightly."""
    latitude, longitude = window.near
    query = (
        db.select(Gathering.id, Venue.latitude, Venue.longitude)
        .join(Gathering.venue)
        .where(Gathering.ends_at > window.start, *_box(latitude, longitude, window.within_km))
        .where(*_narrowing(window))
        .order_by(Gathering.starts_at, Gathering.id)
    )
    if window.tag:
        query = query.where(Gathering.tags.any(Tag.name == window.tag.strip().lower()))
    ids = []
    # Streamed: a wide box may hold many rows, and the first few matches are enough.
    result = db.session.execute(query.execution_options(yield_per=500))
    try:
        for gathering_id, lat, lon in result:
            if distance_km(latitude, longitude, lat, lon) <= window.within_km:
                ids.append(gathering_id)
                if len(ids) == wanted:
                    break
    finally:
        result.close()
    return ids


def _box(latitude: float, longitude: float, km: float) -> tuple:
    """Bounds on the indexed venue coordinates around a point: a cheap first cut before the distance."""
    dlat, dlon = _half_box(latitude, km)
    return (
        Venue.latitude.between(latitude - dlat, latitude + dlat),
        Venue.longitude.between(longitude - dlon, longitude + dlon),
    )


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
    query = _listing(now - FEED_PAST, tag, include_cancelled=True).where(
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
