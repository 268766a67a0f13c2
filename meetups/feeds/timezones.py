"""VTIMEZONE components in the two-rule RRULE form, derived from the zone's own transitions.

icalendar's add_missing_timezones() writes every historical transition as an RDATE list;
ical.js (Thunderbird) and vobject then place every summer-time event an hour off. Calendar
clients all understand the classic form instead: one STANDARD and one DAYLIGHT observance,
each repeating yearly ("last Sunday of March"). We find the zone's transitions with zoneinfo
for the years a feed covers, express each as a yearly rule, and check that the rule gives
back exactly those transitions; a zone whose rules do not fit (it changed its offsets within
those years) gets its transitions listed instead, for those years only.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard, vRecur

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True)
class Transition:
    """A change of offset: local wall time just before it, offsets before and after."""

    local: datetime  # naive, in the offset that applied before (as RFC 5545 DTSTART wants)
    offset_from: timedelta
    offset_to: timedelta
    name: str
    is_dst: bool


def transitions(tz_name: str, year: int) -> list[Transition]:
    """Every change of UTC offset in the zone during a year, in order."""
    zone = ZoneInfo(tz_name)
    found = []
    moment = datetime(year, 1, 1, tzinfo=UTC)
    end = datetime(year + 1, 1, 1, tzinfo=UTC)
    while moment < end:
        following = min(moment + timedelta(days=1), end)
        if moment.astimezone(zone).utcoffset() != following.astimezone(zone).utcoffset():
            found.append(_pinpoint(zone, moment, following))
        moment = following
    return found


def _pinpoint(zone: ZoneInfo, before: datetime, after: datetime) -> Transition:
    """Bisect, in whole minutes, to the instant at which the offset changes within a day."""
    offset = before.astimezone(zone).utcoffset()
    low, high = 0, int((after - before) / timedelta(minutes=1))
    while high - low > 1:
        middle = (low + high) // 2
        if (before + timedelta(minutes=middle)).astimezone(zone).utcoffset() == offset:
            low = middle
        else:
            high = middle
    instant = before + timedelta(minutes=high)
    new = instant.astimezone(zone)
    local = (instant + offset).replace(tzinfo=None)
    return Transition(local, offset, new.utcoffset(), new.tzname() or "", bool(new.dst()))


def yearly_rule(day: date) -> dict:
    """The RRULE parts for "the same weekday in the same week of the month" ("-1SU" = last)."""
    weekday = WEEKDAYS[day.weekday()]
    if (day + timedelta(days=7)).month != day.month:
        return {"freq": "YEARLY", "bymonth": day.month, "byday": f"-1{weekday}"}
    return {"freq": "YEARLY", "bymonth": day.month, "byday": f"{(day.day - 1) // 7 + 1}{weekday}"}


@lru_cache(maxsize=256)
def vtimezone(tz_name: str, first_year: int, last_year: int) -> Timezone:
    """A VTIMEZONE for a zone, valid for events from first_year to last_year."""
    # The year before is included so that January of first_year has an observance in force.
    years = range(first_year - 1, last_year + 1)
    by_year = [transitions(tz_name, year) for year in years]
    component = Timezone()
    component.add("tzid", tz_name)
    if not any(by_year):
        component.add_component(_fixed(tz_name, first_year - 1))
    elif _rules_fit(by_year):
        for transition in by_year[0]:
            component.add_component(_observance(transition, yearly_rule(transition.local.date())))
    else:
        for transition in (t for year in by_year for t in year):
            component.add_component(_observance(transition))
    return component


def _rules_fit(by_year: list[list[Transition]]) -> bool:
    """True when every year has the same transitions, each on its yearly rule's day."""
    first = by_year[0]
    shape = [
        (t.offset_from, t.offset_to, t.local.time(), yearly_rule(t.local.date())) for t in first
    ]
    return all(
        [(t.offset_from, t.offset_to, t.local.time(), yearly_rule(t.local.date())) for t in year]
        == shape
        for year in by_year[1:]
    )


def _observance(transition: Transition, rule: dict | None = None):
    observance = TimezoneDaylight() if transition.is_dst else TimezoneStandard()
    observance.add("tzname", transition.name)
    observance.add("dtstart", transition.local)
    observance.add("tzoffsetfrom", transition.offset_from)
    observance.add("tzoffsetto", transition.offset_to)
    if rule:
        observance.add("rrule", vRecur(rule))
    else:
        # DTSTART is the onset, but ical (Home Assistant's parser) only counts RRULE and RDATE.
        observance.add("rdate", transition.local)
    return observance


def _fixed(tz_name: str, year: int) -> TimezoneStandard:
    """The only observance of a zone without changes in the years covered."""
    moment = datetime(year, 1, 1, tzinfo=UTC).astimezone(ZoneInfo(tz_name))
    observance = TimezoneStandard()
    observance.add("tzname", moment.tzname() or tz_name)
    observance.add("dtstart", datetime(1970, 1, 1))
    observance.add("rdate", datetime(1970, 1, 1))  # see _observance
    observance.add("tzoffsetfrom", moment.utcoffset())
    observance.add("tzoffsetto", moment.utcoffset())
    return observance
