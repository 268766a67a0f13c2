"""Values kept between requests, under keys that name their content (so none is ever stale).

A key says what its value was made from (a feed's own validators, an event's version), so a
change makes new keys and old entries simply fall out of use: nothing is ever invalidated.
This process keeps the most recently used values within a byte budget; with
MEETUPS_REDIS_URL set they are shared through Redis too, so that one process's work serves
every other. A Redis outage only means doing the work again.
"""

import contextlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable

from flask import Flask, current_app

EXTENSION = "meetups.cache"
LOCAL_BYTES = 64 * 1024 * 1024  # per process
REDIS_TTL_SECONDS = 7 * 24 * 3600
REDIS_PREFIX = "meute:"
MAKE_WAIT_SECONDS = 10  # the longest another process's making is waited for


class LocalStore:
    """The most recently used values of this process, up to a number of bytes."""

    def __init__(self, budget: int = LOCAL_BYTES) -> None:
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._size = 0
        self._budget = budget
        self._lock = threading.Lock()

    def get_many(self, keys: Iterable[str]) -> list[bytes | None]:
        with self._lock:
            found = [self._items.get(key) for key in keys]
            for key, value in zip(keys, found, strict=True):
                if value is not None:
                    self._items.move_to_end(key)
            return found

    def set_many(self, items: dict[str, bytes], ttl: int = REDIS_TTL_SECONDS) -> None:
        """Keep these (ttl is Redis's: here the least recently used go first)."""
        with self._lock:
            for key, value in items.items():
                old = self._items.pop(key, None)
                self._size += len(value) - (len(old) if old is not None else 0)
                self._items[key] = value
            while self._size > self._budget and self._items:
                _key, dropped = self._items.popitem(last=False)
                self._size -= len(dropped)


class RedisStore:
    """Values shared by every process through Redis, with this process's own copies in front."""

    def __init__(self, url: str) -> None:
        import redis

        self.redis = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
        self._local = LocalStore()

    def get_many(self, keys: Iterable[str]) -> list[bytes | None]:
        keys = list(keys)
        found = self._local.get_many(keys)
        missing = [key for key, value in zip(keys, found, strict=True) if value is None]
        if not missing:
            return found
        try:
            values = self.redis.mget([REDIS_PREFIX + key for key in missing])
            shared = dict(zip(missing, values, strict=True))
        except Exception:
            current_app.logger.warning("Redis unavailable for the cache", exc_info=True)
            return found
        self._local.set_many({k: v for k, v in shared.items() if v is not None})
        return [
            value if value is not None else shared.get(key)
            for key, value in zip(keys, found, strict=True)
        ]

    def set_many(self, items: dict[str, bytes], ttl: int = REDIS_TTL_SECONDS) -> None:
        """Keep these here and in Redis, there for ttl seconds (here until pushed out)."""
        self._local.set_many(items)
        try:
            with self.redis.pipeline(transaction=False) as pipe:
                for key, value in items.items():
                    pipe.set(REDIS_PREFIX + key, value, ex=ttl)
                pipe.execute()
        except Exception:
            current_app.logger.warning("Redis unavailable for the cache", exc_info=True)


def init_app(app: Flask) -> None:
    """Keep values in Redis when MEETUPS_REDIS_URL is set, else in this process only."""
    url = app.config.get("REDIS_URL")
    app.extensions[EXTENSION] = RedisStore(url) if url else LocalStore()


def store() -> LocalStore | RedisStore:
    """The app's store."""
    return current_app.extensions[EXTENSION]


def clear(app: Flask) -> None:
    """Forget everything this process keeps (benchmarks measure cold work this way)."""
    init_app(app)


def get(key: str) -> bytes | None:
    """The value under key, or None."""
    return store().get_many([key])[0]


def remembered(key: str, make: Callable[[], bytes], ttl: int = REDIS_TTL_SECONDS) -> bytes:
    """The value under key, or make() kept there now: made once, however many ask at once.

    Others asking for the same key meanwhile wait for that one make() (threads of this
    process always; other processes too through Redis), rather than all making it again.
    A key soon out of use (one that names a minute) is kept in Redis for ttl seconds only.
    """
    value = get(key)
    if value is not None:
        return value
    with _turn(key):
        value = get(key)  # made while this thread waited
        if value is None:
            value = make()
            store().set_many({key: value}, ttl)
    return value


_turns: dict[str, list] = {}  # key -> [lock, how many threads want it]
_turns_lock = threading.Lock()


@contextlib.contextmanager
def _turn(key: str):
    """Hold the one right to make key's value in this process, and in Redis when shared."""
    with _turns_lock:
        turn = _turns.setdefault(key, [threading.Lock(), 0])
        turn[1] += 1
    try:
        with turn[0], _shared_turn(key):
            yield
    finally:
        with _turns_lock:
            turn[1] -= 1
            if not turn[1]:
                del _turns[key]


@contextlib.contextmanager
def _shared_turn(key: str):
    shared = store()
    if not isinstance(shared, RedisStore):
        yield
        return
    name = f"{REDIS_PREFIX}making:{key}"
    deadline, mine = time.monotonic() + MAKE_WAIT_SECONDS, False
    try:
        # While another process makes it, wait for its value (or for its claim to lapse).
        while not (mine := bool(shared.redis.set(name, b"1", nx=True, ex=MAKE_WAIT_SECONDS))):
            if time.monotonic() > deadline or shared.get_many([key])[0] is not None:
                break
            time.sleep(0.02)
    except Exception:
        current_app.logger.warning("Redis unavailable for the cache", exc_info=True)
    try:
        yield
    finally:
        if mine:
            with contextlib.suppress(Exception):
                shared.redis.delete(name)
