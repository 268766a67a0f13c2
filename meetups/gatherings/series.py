"""Occurrences of a series from its rule, in local wall-clock time (pure: no database, no Flask).

A date whose wall-clock time does not exist (a daylight-saving gap, 02:30 on the night the
clocks spring forward) is kept, moved forward past the gap (02:30 becomes 03:30) and
flagged `moved`; a time that happens twice (the clocks fall back) takes the first.
"""

import calendar
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import count, takewhile
from typing import NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from babel.dates import get_day_names

WEEKLY, BIWEEKLY, MONTHLY, MONTHLY_LAST = "weekly", "biweekly", "monthly", "monthly_last"
FREQUENCIES = (WEEKLY, BIWEEKLY, MONTHLY, MONTHLY_LAST)
HORIZON = timedelta(days=60)  # INTERFACE: the occurrences of the next 60 days exist...
AT_LEAST = 3  # ...and at least the next 3

# The rhythm in words; {day} is babel's weekday name, {nth} an ordinal below.
RHYTHMS = {
    "fr": {
        WEEKLY: "chaque {day}",
        BIWEEKLY: "un {day} sur deux",
        MONTHLY: "chaque {nth} {day} du mois",
        MONTHLY_LAST: "chaque dernier {day} du mois",
    },
    "en": {
        WEEKLY: "every {day}",
        BIWEEKLY: "every other {day}",
        MONTHLY: "every {nth} {day} of the month",
        MONTHLY_LAST: "every last {day} of the month",
    },
}
ORDINALS = {
    "fr": ("premier", "deuxième", "troisième", "quatrième", "cinquième"),
    "en": ("first", "second", "third", "fourth", "fifth"),
}


class Occurrence(NamedTuple):
    """One date of a series: its local date, aware UTC start and end, and whether a gap moved it."""

    day: date
    starts_at: datetime
    ends_at: datetime
    moved: bool = False


@dataclass(frozen=True)
class Rule:
    """How a series repeats: rhythm, wall-clock start, duration, zone, first local date, until."""

    frequency: str
    start_time: time
    duration: timedelta
    zone: str
    first: date
    until: date | None = None

    def __post_init__(self) -> None:
        """Refuse a rule that could not repeat as said (ValueError)."""
        if self.frequency not in FREQUENCIES:
            raise ValueError(f"unknown frequency {self.frequency!r}")
        if self.duration <= timedelta():
            raise ValueError("a duration must be positive")
        try:  # an unknown zone fails here, not at the first occurrence
            ZoneInfo(self.zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {self.zone!r}") from None
        year, month = self.first.year, self.first.month
        if self.frequency == MONTHLY_LAST and self.first != last_weekday(year, month, self.weekday):
            raise ValueError(f"{self.first} is not the last such weekday of its month")
        if self.until is not None and self.until < self.first:
            raise ValueError("the series would end before its first occurrence")

    @classmethod
    def from_first(
        cls, frequency: str, local_start: datetime, duration: timedelta, zone: str, until=None
    ) -> "Rule":
        """The rule whose first occurrence starts at local_start (naive, wall-clock in zone)."""
        if local_start.tzinfo is not None:
            raise ValueError("local_start is a wall-clock time: naive, in zone")
        return cls(frequency, local_start.time(), duration, zone, local_start.date(), until)

    @property
    def weekday(self) -> int:
        """The weekday every occurrence falls on (Monday is 0)."""
        return self.first.weekday()

    @property
    def nth(self) -> int:
        """Which such weekday of its month the first date is: 1 to 5."""
        return (self.first.day - 1) // 7 + 1


def nth_weekday(year: int, month: int, weekday: int, nth: int) -> date | None:
    """The nth given weekday of a month, or None when the month has no such one (a 5th)."""
    offset = (weekday - date(year, month, 1).weekday()) % 7
    day = 1 + offset + 7 * (nth - 1)
    return date(year, month, day) if day <= calendar.monthrange(year, month)[1] else None


def last_weekday(year: int, month: int, weekday: int) -> date:
    """The last given weekday of a month."""
    last = date(year, month, calendar.monthrange(year, month)[1])
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def _stepping(first: date, step: timedelta) -> Iterator[date]:
    """first, first + step, ... to the end of the calendar."""
    day = first
    while True:
        yield day
        if day > date.max - step:
            return
        day += step


def _months(first: date) -> Iterator[tuple[int, int]]:
    """(year, month) from first's month on, to the end of the calendar."""
    for index in count(first.year * 12 + first.month - 1):
        if index // 12 > date.max.year:
            return
        yield index // 12, index % 12 + 1


def _days(rule: Rule) -> Iterator[date]:
    """Every local date of the series, first to last (forever without `until`)."""
    if rule.frequency in (WEEKLY, BIWEEKLY):
        days = _stepping(rule.first, timedelta(weeks=1 if rule.frequency == WEEKLY else 2))
    elif rule.frequency == MONTHLY:  # months without an nth such weekday give None
        days = (nth_weekday(y, m, rule.weekday, rule.nth) for y, m in _months(rule.first))
    else:
        days = (last_weekday(y, m, rule.weekday) for y, m in _months(rule.first))
    return takewhile(lambda day: rule.until is None or day <= rule.until, filter(None, days))


def at(rule: Rule, day: date) -> Occurrence:
    """The occurrence on a local date: the wall-clock time in the zone, gap moved, overlap first."""
    wall = datetime.combine(day, rule.start_time)
    zone = ZoneInfo(rule.zone)
    # fold=0 reads a repeated time as its first pass, and a missing one with the offset
    # from before the gap: the same instant as the time moved forward by the gap.
    starts_at = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    moved = starts_at.astimezone(zone).replace(tzinfo=None) != wall
    return Occurrence(day, starts_at, starts_at + rule.duration, moved)


def _from(rule: Rule, after_utc: datetime) -> Iterator[Occurrence]:
    """The occurrences starting at after_utc or later, in order."""
    occurrences = (at(rule, day) for day in _days(rule))
    return (occurrence for occurrence in occurrences if occurrence.starts_at >= after_utc)


def occurrences(rule: Rule, after_utc: datetime, before_utc: datetime) -> list[Occurrence]:
    """The occurrences starting from after_utc (included) until before_utc (excluded)."""
    return list(takewhile(lambda o: o.starts_at < before_utc, _from(rule, after_utc)))


def horizon(rule: Rule, now_utc: datetime) -> list[Occurrence]:
    """The occurrences that must exist now: those of the next 60 days, and at least the next 3."""
    kept = []
    for occurrence in _from(rule, now_utc):
        if occurrence.starts_at >= now_utc + HORIZON and len(kept) >= AT_LEAST:
            break
        kept.append(occurrence)
    return kept


def describe(rule: Rule, locale: str | Locale) -> str:
    """The rhythm in words: "chaque premier jeudi du mois", "every other Tuesday"."""
    language = Locale.parse(locale).language
    language = language if language in RHYTHMS else "en"
    day = get_day_names("wide", locale=language)[rule.weekday]
    nth = ORDINALS[language][rule.nth - 1]
    return RHYTHMS[language][rule.frequency].format(day=day, nth=nth)
