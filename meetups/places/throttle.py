"""At most one call per interval: across threads in-process, or across processes through Redis."""

import logging
import threading
import time

from flask import Flask

logger = logging.getLogger(__name__)


class LocalThrottle:
    """Turns for this process: reserve the next free turn, then sleep until it comes."""

    def __init__(self, interval: float, margin: float) -> None:
        self._interval, self._margin = interval, margin
        self._lock = threading.Lock()
        self._next = 0.0

    def wait(self, until: float) -> bool:
        """Sleep until this caller's turn; False at once when it would leave under `margin` before `until`."""
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next)
            if start + self._margin > until:
                return False
            self._next = start + self._interval
        time.sleep(start - now)
        return True


class RedisThrottle:
    """Turns shared by every process using this Redis: a key set with NX and a PX of the interval."""

    def __init__(self, url: str, key: str, interval: float, margin: float) -> None:
        import redis  # only instances that configure Redis need it

        self._redis = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self._key, self._px, self._margin = key, int(interval * 1000), margin
        self._errors = redis.RedisError

    def wait(self, until: float) -> bool:
        """Take the turn once it frees up; False when it would come too late or Redis fails."""
        try:
            while not self._redis.set(self._key, "1", nx=True, px=self._px):
                pause = max(self._redis.pttl(self._key), 1) / 1000  # -2: expired meanwhile
                if time.monotonic() + pause + self._margin > until:
                    return False
                time.sleep(min(pause, 0.05))
        except self._errors as error:  # without the shared count, staying polite means not asking
            logger.warning("No turn for %s: Redis failed: %s", self._key, error)
            return False
        return True


def for_app(app: Flask, key: str, interval: float, margin: float) -> LocalThrottle | RedisThrottle:
    """A Redis throttle when the app has REDIS_URL, else an in-process one."""
    if app.config.get("REDIS_URL"):
        return RedisThrottle(app.config["REDIS_URL"], key, interval, margin)
    return LocalThrottle(interval, margin)
