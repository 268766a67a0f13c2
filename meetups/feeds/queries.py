"""What each calendar feed holds, and how fresh it is, read from the rows it shows.

A feed's freshness (how many rows its window holds, the sums of their ids and sequences, the
newest change) is read with one indexed query, before any body is built. Every change a feed
shows changes it: an edit raises a gathering's or an answer's sequence; a gathering entering
or leaving the window changes the count and the sum of ids. (Only as many entering as
leaving within one hour, with ids summing alike, would go unseen: in a city that, with
nothing else changing, is as good as never.) A change elsewhere changes nothing of it. So
the freshness names the feed's content, and the ETag is made from it.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import bindparam, case, func
from sqlalchemy.orm import joinedload, selectinload

from meetups.accounts.models import User
from meetups.extensions import db
from meetups.gatherings.models import Gathering, Response, Rsvp, Status
from meetups.gatherings.queries import STARTED_WITHIN, tagged
from meetups.packs.models import Pack
from meetups.places.models import City, Venue

# What calendars hold: recent and coming gatherings; cancelled ones stay a week after their end
# so that subscribers' calendars see the cancellation before the event drops out.
FEED_PAST = timedelta(weeks=4)
FEED_CANCELLED_PAST = timedelta(days=7)
FEED_AHEAD = timedelta(days=365)
LOAD_CHUNK = 500  # ids per IN (...) when loading gatherings to render


@dataclass(frozen=True)
class Freshness:
    """A feed's rows summed up: what it shows changed when, and only when, one of these did."""

    owner: int  # the city's, pack's, person's or gathering's id
    count: int
    ids: int  # their sum
    sequences: int  # their sum
    changed_at: datetime | None  # the newest change shown (Last-Modified); None when empty
    # What else it shows that its gatherings' rows don't: a single gathering's venue's place,
    # a pack's own version (its name is the calendar's).
    own: str = ""

    def __str__(self) -> str:
        stamp = self.changed_at.timestamp() if self.changed_at else 0
        return f"{self.owner}:{self.count}:{self.ids}:{self.sequences}:{stamp}:{self.own}"


def _summary(*sequences):
    """Count, sum of ids and sum of sequences of the gatherings read."""
    return (
        func.count(Gathering.id),
        func.coalesce(func.sum(Gathering.id), 0),
        func.coalesce(func.sum(sum(sequences, Gathering.sequence)), 0),
    )


@dataclass(frozen=True)
class Row:
    """What a feed needs of one gathering before rendering it: its version, zone and times."""

    id: int
    sequence: int
    updated_at: datetime
    starts_at: datetime
    ends_at: datetime
    zone: str
    latitude: float | None  # GEO is shown; a venue may move without a gathering's new version
    longitude: float | None
    answer: Rsvp | None = None  # in a person's own feed: their answer


def in_window() -> tuple:
    """The gatherings a feed holds at `now` (see window()): from 4 weeks ago to a year ahead,
    cancelled ones until a week after their end."""
    return (
        Gathering.ends_at >= bindparam("window_start"),
        # Implied by the end (a gathering lasts at most MAX_DURATION), and bounds the index
        # range read: a city's years of history are never scanned.
        Gathering.starts_at >= bindparam("earliest_start"),
        Gathering.starts_at <= bindparam("window_end"),
        Gathering.status.in_(Status.LIVE)
        | (
            (Gathering.status == Status.CANCELLED)
            & (Gathering.ends_at >= bindparam("cancelled_end"))
        ),
    )


def window(now: datetime) -> dict:
    """The values of in_window() at `now`."""
    return {
        "window_start": now - FEED_PAST,
        "earliest_start": now - FEED_PAST - STARTED_WITHIN,
        "window_end": now + FEED_AHEAD,
        "cancelled_end": now - FEED_CANCELLED_PAST,
    }


def _first(statement, **params):
    """The first row of a statement made once (building one costs more than running it)."""
    return db.session.connection().execute(statement, params).first()


def _group_freshness(column, owner, *also):
    """The freshness of the gatherings whose `column` is `owner` (a scalar subquery: SQLite then
    aggregates straight from the covering index; a join from the owner's table made it four
    times slower), with `also` read beside."""
    return (
        db.select(owner, *_summary(), func.max(Gathering.updated_at), *also)
        .select_from(Gathering)
        .where(column == owner, *in_window())
    )


def _by_slug(model, column):
    """One column of the city or pack with the slug asked, as a scalar subquery."""
    return db.select(column).where(model.slug == bindparam("slug")).scalar_subquery()


@cache
def _city_freshness():
    return _group_freshness(Gathering.city_id, _by_slug(City, City.id))


def city_freshness(slug: str, now: datetime) -> Freshness | None:
    """The city feed's freshness, whatever its tag (an edit may take an event out of a tag's
    feed); None for an unknown city."""
    found = _first(_city_freshness(), slug=slug, **window(now))
    return Freshness(*found) if found[0] is not None else None


@cache
def _pack_freshness():
    return _group_freshness(
        Gathering.pack_id, _by_slug(Pack, Pack.id), _by_slug(Pack, Pack.updated_at)
    )


def pack_freshness(slug: str, now: datetime) -> Freshness | None:
    """A pack feed's freshness as a city's, and the pack's own change (a new name renames the
    calendar); None for an unknown pack."""
    found = _first(_pack_freshness(), slug=slug, **window(now))
    if found[0] is None:
        return None
    *summary, shown_change, pack_change = found
    changed_at = max(t for t in (shown_change, pack_change) if t is not None)
    return Freshness(*summary, changed_at, own=str(pack_change.timestamp()))


@cache
def _personal_freshness():
    person = db.select(User.id).where(User.feed_token == bindparam("token")).scalar_subquery()
    shown = Rsvp.response != Response.NO
    return (
        db.select(
            person,
            *_summary(Rsvp.sequence),
            func.max(case((shown, Gathering.updated_at))),
            func.max(Rsvp.updated_at),
        )
        .select_from(Rsvp)
        .join(Gathering, Gathering.id == Rsvp.gathering_id)
        .where(Rsvp.user_id == person, *in_window())
    )


def personal_freshness(token: str, now: datetime) -> Freshness | None:
    """A person's feed's freshness from their answers in the window, "no" included (un-RSVPing
    takes an event out); None for an unknown token."""
    found = _first(_personal_freshness(), token=token, **window(now))
    if found[0] is None:
        return None
    *summary, shown_change, answer_change = found
    changed_at = max((t for t in (shown_change, answer_change) if t is not None), default=None)
    return Freshness(*summary, changed_at)


@cache
def _event_freshness():
    return (
        db.select(
            Gathering.sequence,
            Gathering.updated_at,
            Venue.latitude,
            Venue.longitude,
            Gathering.status,
        )
        .join(Gathering.venue)
        .where(Gathering.id == bindparam("gathering_id"))
    )


class Hidden(Exception):
    """The gathering was removed by moderators: its download is gone (410)."""


def event_freshness(gathering_id: int) -> Freshness | None:
    """One gathering's version, its venue's place included; None when unknown; Hidden raised
    for a gathering moderators removed."""
    found = _first(_event_freshness(), gathering_id=gathering_id)
    if found is None:
        return None
    sequence, updated_at, latitude, longitude, status = found
    if status == Status.HIDDEN:
        raise Hidden(gathering_id)
    return Freshness(gathering_id, 1, gathering_id, sequence, updated_at, f"{latitude},{longitude}")


def _rows(query, now: datetime) -> list[Row]:
    return [Row(*values) for values in db.session.execute(query, window(now))]


def _light(*extra):
    """Gatherings as rows: their version, times, zone and place, soonest first."""
    return (
        db.select(
            Gathering.id,
            Gathering.sequence,
            Gathering.updated_at,
            Gathering.starts_at,
            Gathering.ends_at,
            City.timezone,
            Venue.latitude,
            Venue.longitude,
            *extra,
        )
        .join(Gathering.city)
        .join(Gathering.venue)
        .order_by(Gathering.starts_at, Gathering.id)
    )


def _group_rows(column, owner_id: int, tag: str | None, now: datetime) -> list[Row]:
    query = _light().where(column == owner_id, *in_window())
    if tag:
        query = query.where(tagged(tag))
    return _rows(query, now)


def city_rows(city_id: int, tag: str | None, now: datetime) -> list[Row]:
    """A city's gatherings as its calendar feed holds them (one tag's, with a tag), soonest first."""
    return _group_rows(Gathering.city_id, city_id, tag, now)


def pack_rows(pack_id: int, tag: str | None, now: datetime) -> list[Row]:
    """A pack's gatherings as its calendar feed holds them, as city_rows does a city's."""
    return _group_rows(Gathering.pack_id, pack_id, tag, now)


def personal_rows(user_id: int, now: datetime) -> list[Row]:
    """What a person organises, goes to, waits for or might attend, with their answer."""
    query = (
        _light(Rsvp)
        .join(Rsvp, (Rsvp.gathering_id == Gathering.id) & (Rsvp.user_id == user_id))
        .where(Rsvp.response != Response.NO, *in_window())
    )
    return _rows(query, now)


def gatherings(ids: Iterable[int]) -> dict[int, Gathering]:
    """These gatherings with what their events show (city, venue, tags), by id."""
    ids, found = list(ids), {}
    for start in range(0, len(ids), LOAD_CHUNK):
        query = (
            db.select(Gathering)
            .where(Gathering.id.in_(ids[start : start + LOAD_CHUNK]))
            .options(
                joinedload(Gathering.city),
                joinedload(Gathering.venue),
                selectinload(Gathering.tags),
            )
        )
        found.update((g.id, g) for g in db.session.scalars(query))
    return found
