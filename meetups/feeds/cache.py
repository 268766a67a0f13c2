"""Feeds kept under their own freshness, and each event rendered once and kept.

A feed's ETag is made from what it shows summed up (queries.Freshness), its language and the
origin of its links, so a conditional request is answered with nothing built, and a change
makes new ETags for the feeds it touches and no other. Bodies are kept under their ETag. A
feed that must be built takes each event's bytes from the cache under that event's own
version: after one change, one event is rendered again and the rest joined. One request at
a time builds a given feed.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from meetups import cache as memory
from meetups.feeds import ical, queries

HERE = Path(__file__).resolve().parent
# A body is of use only until its feed next changes, and a big city's is near 1 MB: Redis keeps
# each a few hours, then a request rebuilds it from the events kept (a week: they are small).
BODY_TTL_SECONDS = 6 * 3600
# What renders an event: a change of code or translations between deploys must not serve
# events rendered by the old one from a cache shared through Redis.
RENDERING = hashlib.blake2b(
    b"".join(
        path.read_bytes()
        for path in sorted(
            [HERE / "ical.py", HERE / "timezones.py", *HERE.parent.glob("translations/*/*/*.mo")]
        )
    ),
    digest_size=8,
).hexdigest()


@dataclass(frozen=True)
class Slot:
    """One event a feed will show, known from its row before its gathering is loaded."""

    row: queries.Row
    url: str  # the gathering's page, absolute
    status: str = ical.Status.CONFIRMED
    marker: str = ""
    sequence: int = 0
    stamp: datetime | None = None

    def key(self, cancelled_prefix: str) -> str:
        """The event's bytes depend on this and nothing else."""
        # A cancellation's message is set or cleared only as the sequence rises: no part of its own.
        row, stamp = self.row, self.stamp.timestamp() if self.stamp else 0
        parts = (RENDERING, cancelled_prefix, self.url, row.id, row.sequence)
        parts += (row.updated_at.timestamp(), row.latitude, row.longitude)
        parts += (self.status, self.marker, self.sequence, stamp)
        text = "|".join(map(str, parts)).encode()
        return "vevent:" + hashlib.blake2b(text, digest_size=16).hexdigest()

    def entry(self, gathering) -> ical.Entry:
        return ical.Entry(gathering, self.url, self.status, self.marker, self.sequence, self.stamp)


def pieces(slots: list[Slot], cancelled_prefix: str) -> list[ical.Piece]:
    """Each slot's event, rendered now only when no version of it is kept already."""
    keys = [slot.key(cancelled_prefix) for slot in slots]
    found = dict(zip(keys, memory.store().get_many(keys), strict=True))
    missing = [(key, slot) for key, slot in zip(keys, slots, strict=True) if found[key] is None]
    if missing:
        loaded = queries.gatherings(slot.row.id for _key, slot in missing)
        made = {
            key: ical.Piece.of(slot.entry(loaded[slot.row.id]), cancelled_prefix).ical
            for key, slot in missing
            if slot.row.id in loaded  # deleted meanwhile
        }
        memory.store().set_many(made)
        found.update(made)
    return [
        ical.Piece(found[key], slot.row.zone, slot.row.starts_at.year, slot.row.ends_at.year)
        for key, slot in zip(keys, slots, strict=True)
        if found[key] is not None
    ]


@dataclass(frozen=True)
class Served:
    """A feed's ETag, known without its body; the body kept, or built once, when it is sent."""

    etag: str
    build: Callable[[], bytes] = field(repr=False)

    def body(self) -> bytes:
        return memory.remembered("feed:" + self.etag, self.build, ttl=BODY_TTL_SECONDS)

    def kept(self) -> bytes | None:
        """The body if it is kept already; None rather than building it."""
        return memory.get("feed:" + self.etag)


def served(key: str, build: Callable[[], bytes]) -> Served:
    """The feed whose content this key names (its kind, language, origin and freshness)."""
    text = f"{RENDERING}|{key}".encode()
    return Served(hashlib.blake2b(text, digest_size=16).hexdigest(), build)
