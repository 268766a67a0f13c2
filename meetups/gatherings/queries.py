"""Shared reads: the upcoming gatherings (home, city pages; feeds and the API build on them), counts."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import abort
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, tuple_
from sqlalchemy.orm import aliased, joinedload, selectinload

from meetups.dates import utcnow
from meetups.extensions import db
from meetups.gatherings.counts import ListedCity, city_counts
from meetups.gatherings.models import (
    MAX_DURATION,
    MAX_TAG_LENGTH,
    Gathering,
    Response,
    Rsvp,
    Status,
    Tag,
)
from meetups.places.distance import distance_km, venue_box
from meetups.places.models import City

# A gathering not over at `now` started after now - MAX_DURATION (the database holds to it); the
# second more covers SQLite's check, which compares to the millisecond.
STARTED_WITHIN = MAX_DURATION + timedelta(seconds=1)


def not_over(now: datetime) -> tuple:
    """Gatherings not over at `now`, bounded below on starts_at: a listing in start order (on
    the starts_at or (city_id, starts_at) index) then never reads what is long past."""
    return Gathering.ends_at > now, Gathering.starts_at > now - STARTED_WITHIN


def tag_filter(text: str | None) -> str | None:
    """A ?tag= as tags are stored, or None for none; ValueError when no tag is that long."""
    tag = Tag.normalise(text or "")
    if len(tag) > MAX_TAG_LENGTH:
        raise ValueError(tag)
    return tag or None


def tagged(tag: str):
    """The gatherings with this tag (as tag_filter gives it)."""
    return Gathering.tags.any(Tag.name == tag)


def listing(now: datetime | None, tag: str | None, include_cancelled: bool):
    """Gatherings not yet over, soonest first, loading what a listing shows in a few queries."""
    query = (
        db.select(Gathering)
        .where(*not_over(now or utcnow()))
        .options(
            joinedload(Gathering.city),
            joinedload(Gathering.venue),
            joinedload(Gathering.organiser),
            selectinload(Gathering.tags),
        )
        .order_by(Gathering.starts_at, Gathering.id)
    )
    if tag:
        query = query.where(tagged(tag))
    return query.where(Gathering.status.in_(Status.SHOWN if include_cancelled else Status.LIVE))


REMOVED = _l("This gathering was removed by moderators.")


def shown_or_410(gathering: Gathering | None) -> Gathering:
    """The gathering, else 404 when unknown, or 410 when moderators hid it (said once for all)."""
    if gathering is None:
        abort(404)
    if gathering.is_hidden:
        abort(410, description=REMOVED)
    return gathering


def upcoming(
    city: City | None = None,
    tag: str | None = None,
    pack_id: int | None = None,
    now: datetime | None = None,
    limit: int | None = None,
    include_cancelled: bool = True,
    offset: int = 0,
) -> list[Gathering]:
    """Gatherings not yet over, soonest first (home page, city pages, feeds, API)."""
    query = listing(now, tag, include_cancelled)
    if city is not None:
        query = query.where(Gathering.city_id == city.id)
    if pack_id is not None:
        query = query.where(Gathering.pack_id == pack_id)
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
        listing(now, tag, include_cancelled)
        .join(Gathering.venue)
        .where(*venue_box(latitude, longitude, km))
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


def around(
    city: City, km: float, limit: int, now: datetime | None = None
) -> list[tuple[Gathering, float | None]]:
    """A city's upcoming gatherings and those whose venue lies within km of its centre, soonest
    first, each with its distance (None: in the city itself)."""
    now = now or utcnow()
    inside = [(g, None) for g in upcoming(city=city, now=now, limit=limit)]
    near = nearby(city.latitude, city.longitude, km, exclude_city=city, now=now, limit=limit)
    return sorted(inside + near, key=lambda pair: (pair[0].starts_at, pair[0].id))[:limit]


def proposed_with(organiser_id: int, key: str | None) -> Gathering | None:
    """The gathering this organiser proposed with this form's key, if any (none without a key)."""
    if key is None:
        return None
    query = db.select(Gathering).filter_by(organiser_id=organiser_id, idempotency_key=key)
    return db.session.scalar(query)


def cities_with_counts(
    now: datetime | None = None, only_active: bool = False
) -> list[tuple[ListedCity, int]]:
    """Every known city with its number of upcoming scheduled gatherings, busiest first (kept:
    see counts.py)."""
    return city_counts(now).listed(only_active)


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
        .where(
            Rsvp.user_id == user.id,
            Rsvp.response != Response.NO,
            Gathering.status.in_(Status.SHOWN),
        )
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
