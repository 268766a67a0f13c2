"""Each city's number of upcoming gatherings (home page, /cities, the API): counted once, kept.

Counting reads every upcoming gathering, so it is done once for the minute and the data's
version (counts_key), and kept with meetups.cache: in this process, and in Redis for every
process when configured. What shows only the counts (the cities' lists, the API's body) is
kept under the same key. Nothing is written for it: the key is read from the data.
"""

import json
from collections.abc import Callable
from dataclasses import astuple, dataclass
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import bindparam, func

from meetups import cache as memory
from meetups.dates import utcnow
from meetups.extensions import db
from meetups.gatherings.models import Gathering, Status
from meetups.places.models import City

# A change is seen at once when it commits within this long after the updated_at it wrote
# (see counts_key); later than that, at the next minute.
COMMIT_LAG = timedelta(minutes=1)
TTL_SECONDS = 600  # kept in Redis a little past their minute


@dataclass(frozen=True)
class ListedCity:
    """A city as the lists of cities show it (home page, /cities, the API)."""

    id: int
    slug: str
    name: str
    country: str
    latitude: float
    longitude: float
    timezone: str


@dataclass(frozen=True)
class CityCounts:
    """Every known city with its upcoming scheduled gatherings, busiest first, as kept under key."""

    key: str
    made: bytes

    def listed(self, only_active: bool = False) -> list[tuple[ListedCity, int]]:
        """The cities and their counts; only those with some when only_active."""
        counted = [(ListedCity(*city), n) for *city, n in json.loads(self.made)]
        return [(city, n) for city, n in counted if n or not only_active]

    def kept(self, name: str, make: Callable[[], bytes]) -> bytes:
        """What make() gives from these counts alone (a list's HTML, a body), made once."""
        return memory.remembered(f"{self.key}:{name}", make, ttl=TTL_SECONDS)


def city_counts(now: datetime | None = None) -> CityCounts:
    """The cities' counts at the minute `now` falls in, counted when not kept already."""
    minute = (now or utcnow()).replace(second=0, microsecond=0)
    key = counts_key(minute)
    return CityCounts(key, memory.remembered(key, lambda: _count(minute), ttl=TTL_SECONDS))


@cache
def _changes():
    newest = [db.select(func.max(model.id)).correlate(None) for model in (Gathering, City)]
    return db.select(
        *(query.scalar_subquery() for query in newest),
        func.count(Gathering.id),
        func.coalesce(func.sum(Gathering.id), 0),
        func.coalesce(func.sum(Gathering.sequence), 0),
    ).where(Gathering.updated_at >= bindparam("since"))


def counts_key(minute: datetime) -> str:
    """What the counts at `minute` are made of, read from the data with one indexed query.

    A proposal makes a new gathering id (and perhaps a new city); a cancellation, or an edit
    that moves a gathering's end or city, raises its sequence and updates its updated_at. So
    the newest ids, and the count and sums of ids and sequences of the gatherings changed
    since the minute began less COMMIT_LAG, change with every write that changes a count:
    the next request, in any process, counts again.

    What may be missed: a write that commits more than COMMIT_LAG after the updated_at it
    wrote, while another request of that minute already counted (a commit-order race between
    slow transactions, or a clock that far behind); or a row deleted by hand (the app deletes
    none). Those show at the next minute, when the key changes whatever the data, as do the
    gatherings that end meanwhile: a count shown lags at most a minute behind the data.
    """
    since = minute - COMMIT_LAG
    found = db.session.connection().execute(_changes(), {"since": since}).one()
    return f"city-counts:{minute.timestamp():.0f}:" + ":".join(map(str, found))


def _count(now: datetime) -> bytes:
    count = func.count(Gathering.id)
    query = (
        db.select(City, count)
        .outerjoin(
            Gathering,
            (Gathering.city_id == City.id)
            & (Gathering.ends_at > now)
            & (Gathering.status.in_(Status.LIVE)),
        )
        .group_by(City.id)
        .order_by(count.desc(), City.name)
    )
    rows = [[*astuple(_listed(city)), n] for city, n in db.session.execute(query)]
    return json.dumps(rows).encode()


def _listed(city: City) -> ListedCity:
    return ListedCity(
        city.id, city.slug, city.name, city.country, city.latitude, city.longitude, city.timezone
    )
