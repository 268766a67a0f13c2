"""Feed bodies cached by content version: a calendar polling an unchanged feed costs one query.

Every flush that changes what a feed can show (gatherings, venues, RSVPs, tags, cities)
raises the single content version row in the same transaction, so the next request, in any
process, builds afresh. Bodies are kept in Redis when MEETUPS_REDIS_URL is set (shared by all
processes), else in a small in-process LRU.
"""

import hashlib
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import Flask, current_app
from sqlalchemy import event, insert, update

from meetups.extensions import db
from meetups.feeds.models import ContentVersion
from meetups.gatherings.models import Gathering, Rsvp, Tag
from meetups.places.models import City, Venue

EXTENSION = "meetups.feed_cache"
WATCHED = (Gathering, Rsvp, Tag, Venue, City)
LOCAL_ENTRIES = 512
REDIS_TTL_SECONDS = 24 * 3600


@dataclass(frozen=True)
class Built:
    """A feed's bytes with the validators clients send back."""

    body: bytes
    etag: str
    last_modified: datetime

    @classmethod
    def of(cls, body: bytes, last_modified: datetime) -> "Built":
        return cls(body, hashlib.sha256(body).hexdigest()[:32], last_modified)


def init_app(app: Flask) -> None:
    """Pick the store (Redis or in-process) and make writes raise the content version."""
    url = app.config.get("REDIS_URL")
    app.extensions[EXTENSION] = RedisStore(url) if url else LocalStore()
    if not event.contains(db.session, "before_flush", _raise_version):
        event.listen(db.session, "before_flush", _raise_version)


def _raise_version(session, _context, _instances) -> None:
    changed = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(obj, WATCHED) for obj in changed):
        bumped = session.execute(
            update(ContentVersion)
            .where(ContentVersion.id == 1)
            .values(version=ContentVersion.version + 1)
        )
        if bumped.rowcount == 0:  # a fresh database: the row appears with the first change
            session.execute(insert(ContentVersion).values(id=1, version=1))


def current_version() -> int:
    """The content version now: any write since a body was cached makes it stale."""
    return db.session.scalar(db.select(ContentVersion.version).filter_by(id=1)) or 0


def cached(key: str, build) -> Built:
    """The body stored under key, or build() stored there now."""
    store = current_app.extensions[EXTENSION]
    found = store.get(key)
    if found is None:
        found = build()
        store.set(key, found)
    return found


class LocalStore:
    """The most recently used bodies of this process."""

    def __init__(self) -> None:
        self._items: OrderedDict[str, Built] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> Built | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def set(self, key: str, value: Built) -> None:
        with self._lock:
            self._items[key] = value
            while len(self._items) > LOCAL_ENTRIES:
                self._items.popitem(last=False)


class RedisStore:
    """Bodies shared by every process through Redis; a Redis outage only means rebuilding."""

    def __init__(self, url: str) -> None:
        import redis

        self._redis = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)

    def get(self, key: str) -> Built | None:
        try:
            raw = self._redis.get(f"meute:feed:{key}")
        except Exception:
            current_app.logger.warning("Redis unavailable for the feed cache", exc_info=True)
            return None
        if raw is None:
            return None
        header, _, body = raw.partition(b"\n")
        meta = json.loads(header)
        return Built(body, meta["etag"], datetime.fromtimestamp(meta["last_modified"], UTC))

    def set(self, key: str, value: Built) -> None:
        meta = {"etag": value.etag, "last_modified": value.last_modified.timestamp()}
        try:
            self._redis.set(
                f"meute:feed:{key}",
                json.dumps(meta).encode() + b"\n" + value.body,
                ex=REDIS_TTL_SECONDS,
            )
        except Exception:
            current_app.logger.warning("Redis unavailable for the feed cache", exc_info=True)
