"""Aware UTC datetimes: the column type, now(), and wall-clock time in a zone to UTC."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Stores aware datetimes as UTC; refuses naive ones; always reads back aware UTC (SQLite too)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        # SQLite has no zone type: store plain UTC so text comparisons stay in order.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class NonexistentTimeError(ValueError):
    """The wall-clock time falls in a DST gap (clocks jump over it)."""


class AmbiguousTimeError(ValueError):
    """The wall-clock time happens twice (clocks go back)."""


def local_to_utc(wall: datetime, tz_name: str) -> datetime:
    """Turn a naive wall-clock time in tz_name into aware UTC, refusing DST gaps and overlaps."""
    zone = ZoneInfo(tz_name)
    first = wall.replace(tzinfo=zone, fold=0)
    second = wall.replace(tzinfo=zone, fold=1)
    if first.utcoffset() != second.utcoffset():
        # Only one of the two readings survives a round trip when the time does not exist.
        if _round_trips(first) or _round_trips(second):
            raise AmbiguousTimeError(wall)
        raise NonexistentTimeError(wall)
    return first.astimezone(UTC)


def _round_trips(aware: datetime) -> bool:
    return aware.astimezone(UTC).astimezone(aware.tzinfo).replace(fold=0) == aware.replace(fold=0)


def utc_to_local(moment: datetime, tz_name: str) -> datetime:
    """Show an aware instant in the given zone."""
    return moment.astimezone(ZoneInfo(tz_name))
