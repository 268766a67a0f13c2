"""The JSON API's reads: the window of gatherings /api/v1/events pages through."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import tuple_
from sqlalchemy.orm import joinedload

from meetups.extensions import db
from meetups.gatherings.models import Gathering
from meetups.gatherings.queries import listing, not_over, tagged
from meetups.packs.models import Pack
from meetups.places.distance import distance_km, venue_box
from meetups.places.models import City, Venue


@dataclass(frozen=True)
class EventWindow:
    """Which gatherings /api/v1/events lists: cancelled ones included; None narrows nothing."""

    start: datetime  # only those not over by then
    end: datetime | None = None  # only those starting before then
    city: City | None = None
    pack: Pack | None = None
    tag: str | None = None
    near: tuple[float, float] | None = None  # (latitude, longitude), with within_km
    within_km: float | None = None
    after: tuple[datetime, int] | None = None  # keyset: (starts_at, id) of the last one seen


def events(window: EventWindow, limit: int) -> tuple[list[Gathering], bool]:
    """Up to limit gatherings of the window by (starts_at, id), and whether more follow."""
    # Each event shows its pack: joined, not one query per event.
    query = listing(window.start, window.tag, include_cancelled=True).options(
        joinedload(Gathering.pack)
    )
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
    if window.pack is not None:
        clauses.append(Gathering.pack_id == window.pack.id)
    if window.after is not None:
        clauses.append(tuple_(Gathering.starts_at, Gathering.id) > window.after)
    return clauses


def _ids_within(window: EventWindow, wanted: int) -> list[int]:
    """The first ids of the window whose venue lies within the distance, read lightly."""
    latitude, longitude = window.near
    query = (
        db.select(Gathering.id, Venue.latitude, Venue.longitude)
        .join(Gathering.venue)
        .where(*not_over(window.start), *venue_box(latitude, longitude, window.within_km))
        .where(*_narrowing(window))
        .order_by(Gathering.starts_at, Gathering.id)
    )
    if window.tag:
        query = query.where(tagged(window.tag))
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
