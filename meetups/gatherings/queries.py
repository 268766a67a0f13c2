"""Shared reads: the upcoming gatherings (home, city pages, later feeds and API), city counts."""

from datetime import datetime

from sqlalchemy import func
from sqlalchemy.orm import joinedload, selectinload

from meetups.dates import utcnow
from meetups.extensions import db
from meetups.gatherings.models import Gathering, Response, Rsvp, Status, Tag
from meetups.places.models import City


def upcoming(
    city: City | None = None,
    tag: str | None = None,
    now: datetime | None = None,
    limit: int | None = None,
    include_cancelled: bool = True,
) -> list[Gathering]:
    """Gatherings not yet over, soonest first, with what a listing shows loaded in a few queries."""
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
    if city is not None:
        query = query.where(Gathering.city_id == city.id)
    if tag:
        query = query.where(Gathering.tags.any(Tag.name == tag.strip().lower()))
    if not include_cancelled:
        query = query.where(Gathering.status == Status.SCHEDULED)
    if limit is not None:
        query = query.limit(limit)
    return list(db.session.scalars(query))


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
    if not gathering_ids:
        return {}
    query = (
        db.select(Rsvp.gathering_id, func.count())
        .where(
            Rsvp.gathering_id.in_(gathering_ids),
            Rsvp.response == Response.GOING,
            Rsvp.is_waitlisted.is_(False),
        )
        .group_by(Rsvp.gathering_id)
    )
    return dict(db.session.execute(query).all())


def organised_by(user, now: datetime | None = None) -> list[Gathering]:
    """What this person organises that is not over yet, soonest first."""
    query = (
        db.select(Gathering)
        .where(Gathering.organiser_id == user.id, Gathering.ends_at > (now or utcnow()))
        .options(joinedload(Gathering.city), joinedload(Gathering.venue))
        .order_by(Gathering.starts_at)
    )
    return list(db.session.scalars(query))
