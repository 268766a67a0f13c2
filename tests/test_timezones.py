"""VTIMEZONE components checked against the IANA data (zoneinfo), and read back by clients.

vtimezone() writes the classic two-rule form (one STANDARD and one DAYLIGHT observance, each
with a yearly RRULE) where the zone's rules allow it, else the zone's transitions one by one.
Here each component is expanded independently (dateutil's rrule from DTSTART) and every
transition instant and offset in the covered years must equal zoneinfo's. Then the components
go through the parsers' own time zone code (icalendar, dateutil/vobject, ical) with the
TZID renamed, so that no parser can fall back on its own copy of the zone database.
"""

import io
import uuid
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from dateutil import rrule
from dateutil import tz as dateutil_tz

from meetups.feeds import ical
from meetups.feeds.timezones import vtimezone
from meetups.gatherings.models import Gathering, Status, Tag
from meetups.places.models import City, Venue
from tests.test_feed_parsers import (
    FROZEN_NOW,
    READERS,
    at,
    check_feed_bytes,
    parse_all,
)

TWO_RULES = (
    "Europe/Paris",
    "America/Toronto",
    "America/St_Johns",
    "Australia/Sydney",
    "Pacific/Chatham",
    "Europe/Dublin",  # negative DST in the IANA data: GMT is its "daylight" observance there
)
NO_DST = ("Asia/Tokyo",)
IRREGULAR = ("Africa/Casablanca",)  # Ramadan moves every year: no yearly rule fits
ZONES = (*TWO_RULES, *NO_DST, *IRREGULAR)
SPANS = ((2027, 2027), (2026, 2028), (2024, 2031))

Change = tuple[datetime, timedelta, timedelta]  # UTC instant, offset before, offset after


def window(first_year: int, last_year: int) -> tuple[datetime, datetime]:
    """The instants a feed with events from first_year to last_year can show, with a margin."""
    return datetime(first_year, 1, 1, tzinfo=UTC) - timedelta(days=1), datetime(
        last_year + 1, 1, 1, tzinfo=UTC
    )


def zoneinfo_changes(zone: str, first_year: int, last_year: int) -> list[Change]:
    """Every change of UTC offset in the window, to the minute, hour by hour from zoneinfo."""
    tz = ZoneInfo(zone)
    start, end = window(first_year, last_year)
    found, moment = [], start
    offset = moment.astimezone(tz).utcoffset()
    while moment < end:
        following = moment + timedelta(hours=1)
        new = following.astimezone(tz).utcoffset()
        if new != offset:
            exact = next(
                moment + timedelta(minutes=m)
                for m in range(1, 61)
                if (moment + timedelta(minutes=m)).astimezone(tz).utcoffset() == new
            )
            found.append((exact, offset, new))
            offset = new
        moment = following
    return found


def parsed(component: icalendar.Timezone) -> icalendar.Timezone:
    """The component as a client receives it: serialised, then parsed."""
    text = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:test\r\n"
    text += component.to_ical() + b"END:VCALENDAR\r\n"
    (found,) = icalendar.Calendar.from_ical(text).walk("VTIMEZONE")
    return found


def onsets(component: icalendar.Timezone, until: datetime) -> list[Change]:
    """Every onset of every observance up to `until`, expanded from DTSTART, RRULE and RDATE."""
    found = []
    for observance in component.subcomponents:
        assert observance.name in ("STANDARD", "DAYLIGHT")
        start = observance["DTSTART"].dt
        assert start.tzinfo is None, "DTSTART of an observance is local time"
        before = observance["TZOFFSETFROM"].td
        after = observance["TZOFFSETTO"].td
        local = [start]
        if "RRULE" in observance:
            rule = rrule.rrulestr(observance["RRULE"].to_ical().decode(), dtstart=start)
            local = list(rule.between(start, until.replace(tzinfo=None), inc=True))
        rdates = observance.get("RDATE", [])
        for listed in rdates if isinstance(rdates, list) else [rdates]:
            local += [d.dt for d in listed.dts]
        found += [((moment - before).replace(tzinfo=UTC), before, after) for moment in local]
    return sorted(set(found))


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize(("first_year", "last_year"), SPANS)
def test_every_transition_in_the_covered_years_is_the_iana_one(zone, first_year, last_year):
    component = parsed(vtimezone(zone, first_year, last_year))
    assert str(component["TZID"]) == zone
    start, end = window(first_year, last_year)
    expanded = onsets(component, end)
    # Onsets that change nothing (a new name, the fixed observance of a zone without DST)
    # are not transitions; the others must be zoneinfo's, no more, no fewer.
    changes = [c for c in expanded if start < c[0] <= end and c[1] != c[2]]
    assert changes == zoneinfo_changes(zone, first_year, last_year)
    # And the observance already in force when the window opens gives zoneinfo's offset.
    in_force = [c for c in expanded if c[0] <= start]
    assert in_force, "no observance covers the start of the first year"
    assert in_force[-1][2] == start.astimezone(ZoneInfo(zone)).utcoffset()


@pytest.mark.parametrize("zone", TWO_RULES)
def test_zones_with_yearly_rules_get_the_two_rule_form(zone):
    component = parsed(vtimezone(zone, 2026, 2028))
    kinds = sorted(o.name for o in component.subcomponents)
    assert kinds == ["DAYLIGHT", "STANDARD"]
    for observance in component.subcomponents:
        assert observance["RRULE"]["FREQ"] == ["YEARLY"]
        assert "RDATE" not in observance
        assert "UNTIL" not in observance["RRULE"] and "COUNT" not in observance["RRULE"]
        # DTSTART is a real onset: the rule's first occurrence is DTSTART itself.
        rule = rrule.rrulestr(
            observance["RRULE"].to_ical().decode(), dtstart=observance["DTSTART"].dt
        )
        assert rule[0] == observance["DTSTART"].dt
        assert str(observance["TZNAME"])


def test_the_classic_rules_of_paris_and_toronto():
    paris = parsed(vtimezone("Europe/Paris", 2027, 2027))
    by_kind = {o.name: o for o in paris.subcomponents}
    assert by_kind["DAYLIGHT"]["RRULE"].to_ical() == b"FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3"
    assert by_kind["STANDARD"]["RRULE"].to_ical() == b"FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10"
    assert by_kind["DAYLIGHT"]["DTSTART"].dt.time() == time(2, 0)
    assert by_kind["STANDARD"]["DTSTART"].dt.time() == time(3, 0)
    assert str(by_kind["DAYLIGHT"]["TZNAME"]) == "CEST"
    assert by_kind["DAYLIGHT"]["TZOFFSETTO"].td == timedelta(hours=2)

    toronto = parsed(vtimezone("America/Toronto", 2027, 2027))
    by_kind = {o.name: o for o in toronto.subcomponents}
    assert by_kind["DAYLIGHT"]["RRULE"].to_ical() == b"FREQ=YEARLY;BYDAY=2SU;BYMONTH=3"
    assert by_kind["STANDARD"]["RRULE"].to_ical() == b"FREQ=YEARLY;BYDAY=1SU;BYMONTH=11"
    assert by_kind["STANDARD"]["TZOFFSETTO"].td == timedelta(hours=-5)


def test_a_zone_without_dst_has_one_fixed_observance():
    component = parsed(vtimezone("Asia/Tokyo", 2026, 2028))
    (observance,) = component.subcomponents
    assert observance.name == "STANDARD"
    assert [d.dt for d in observance["RDATE"].dts] == [observance["DTSTART"].dt]
    assert observance["TZOFFSETFROM"].td == observance["TZOFFSETTO"].td == timedelta(hours=9)
    assert "RRULE" not in observance
    assert str(observance["TZNAME"]) == "JST"


def test_a_zone_whose_rules_do_not_fit_lists_its_transitions_for_those_years_only():
    component = parsed(vtimezone("Africa/Casablanca", 2026, 2028))
    assert all("RRULE" not in o for o in component.subcomponents)
    years = {o["DTSTART"].dt.year for o in component.subcomponents}
    assert years <= {2025, 2026, 2027, 2028}
    assert len(component.subcomponents) == len(zoneinfo_changes("Africa/Casablanca", 2025, 2028))


# What clients make of it ------------------------------------------------------------------


def local_times(zone: str, year: int):
    """Wall times through a year (every day at 00:30, 12:00 and 19:00, every hour on the days
    of a change), skipping the ones a change makes ambiguous or impossible."""
    tz = ZoneInfo(zone)
    change_days = {c[0].astimezone(tz).date() for c in zoneinfo_changes(zone, year, year)}
    day = date(year, 1, 1)
    while day.year == year:
        hours = range(24) if day in change_days else (0, 12, 19)
        for hour in hours:
            moment = datetime.combine(day, time(hour, 30 if hour == 0 else 0), tz)
            if moment.utcoffset() == moment.replace(fold=1).utcoffset():
                yield moment.replace(tzinfo=None), moment.utcoffset()
        day += timedelta(days=1)


@pytest.mark.parametrize("zone", ZONES)
def test_clients_own_timezone_code_reads_the_component_as_zoneinfo(zone):
    component = vtimezone(zone, 2027, 2027)
    renamed = unheard_of().decode()
    text = component.to_ical().decode().replace(f"TZID:{zone}", f"TZID:{renamed}")
    by_dateutil = dateutil_tz.tzical(io.StringIO(text)).get(renamed)  # what vobject uses
    by_icalendar = parsed(icalendar.Timezone.from_ical(text)).to_tz(lookup_tzid=False)
    for wall, offset in local_times(zone, 2027):
        assert wall.replace(tzinfo=by_dateutil).utcoffset() == offset, ("dateutil", wall)
        assert wall.replace(tzinfo=by_icalendar).utcoffset() == offset, ("icalendar", wall)


# Feeds on the days clocks change ----------------------------------------------------------

CITIES = {
    "Europe/Paris": ("Lyon", 45.76, 4.84),
    "America/Toronto": ("Montréal", 45.5, -73.57),
    "America/St_Johns": ("St. John's", 47.56, -52.71),
    "Australia/Sydney": ("Sydney", -33.87, 151.21),
    "Pacific/Chatham": ("Waitangi", -43.95, -176.56),
    "Asia/Tokyo": ("Tokyo", 35.68, 139.69),
    "Europe/Dublin": ("Dublin", 53.35, -6.26),
    "Africa/Casablanca": ("Casablanca", 33.57, -7.59),
}


def gathering_at(number: int, zone: str, wall: datetime) -> Gathering:
    """A gathering in memory, at this wall time in the zone, two hours long."""
    name, latitude, longitude = CITIES[zone]
    city = City(id=number, slug=f"city-{number}", name=name, country="XX", timezone=zone)
    city.latitude, city.longitude = latitude, longitude
    venue = Venue(name="Le lieu", address="1 rue Test", latitude=latitude, longitude=longitude)
    start = wall.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)
    stamp = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
    return Gathering(
        id=number,
        uid=f"tz-{number}@meute",
        sequence=0,
        title=f"{name} {wall:%Y-%m-%d %H:%M}",
        description="",
        city=city,
        venue=venue,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        status=Status.SCHEDULED,
        created_at=stamp,
        updated_at=stamp,
        tags=[Tag(name="tz")],
    )


def around_the_changes(zone: str, year: int) -> list[datetime]:
    """19:00 and 12:00 on the day before, the day of and the day after each change."""
    tz = ZoneInfo(zone)
    days = {c[0].astimezone(tz).date() for c in zoneinfo_changes(zone, year, year)}
    days |= {d + timedelta(days=k) for d in set(days) for k in (-1, 1)}
    days |= {date(year, 1, 15), date(year, 7, 15)}
    return [datetime.combine(d, time(h)) for d in sorted(days) for h in (12, 19)]


def feed_of(zones: tuple[str, ...], year: int = 2027) -> tuple[bytes, dict[str, datetime]]:
    gatherings = [
        gathering_at(n, zone, wall)
        for n, (zone, wall) in enumerate(
            ((z, w) for z in zones for w in around_the_changes(z, year)), 1
        )
    ]
    entries = [ical.Entry(g, f"https://meute.example/events/{g.id}") for g in gatherings]
    info = ical.CalendarInfo("Fuseaux", "Test", "https://meute.example/feed.ics")
    body = ical.calendar(entries, info, "Annulé :")
    return body, {g.uid: g.starts_at for g in gatherings}


@pytest.mark.parametrize("zone", ZONES)
def test_events_around_each_change_read_right_in_every_parser(zone):
    body, expected = feed_of((zone,))
    check_feed_bytes(body)
    events = parse_all(body)
    assert {uid: e.start for uid, e in events.items()} == expected


def unheard_of() -> bytes:
    """A TZID no parser knows, new each time (icalendar keeps the zones it built by TZID)."""
    return f"Meute-Test/{uuid.uuid4().hex}".encode()


@pytest.mark.parametrize("zone", ZONES)
def test_events_read_right_from_the_vtimezone_alone(zone):
    """TZID renamed: icalendar, vobject and ical must use the VTIMEZONE itself.

    ics-py 0.7 is left out here: it never reads VTIMEZONE components and takes an unknown
    TZID for UTC, so it relies on the IANA names the feeds use (checked above).
    """
    body, expected = feed_of((zone,))
    renamed = body.replace(zone.encode(), unheard_of())
    assert zone.encode() not in renamed
    for name in ("icalendar", "vobject", "ical"):
        starts = {e.uid: e.start for e in READERS[name](renamed)}
        assert starts == expected, name


def test_a_city_feed_on_both_2027_change_days(
    app, client, create_user, create_gathering, monkeypatch
):
    monkeypatch.setattr("meetups.feeds.views.utcnow", lambda: FROZEN_NOW)
    organiser = create_user()
    spring = create_gathering(organiser, title="Printemps", **at("2027-03-28"))
    autumn = create_gathering(organiser, title="Automne", **at("2027-10-31"))
    body = client.get("/cities/lyon/calendar.ics").data
    check_feed_bytes(body)
    events = parse_all(body)
    assert events[spring.uid].start == datetime(2027, 3, 28, 17, 0, tzinfo=UTC)
    assert events[autumn.uid].start == datetime(2027, 10, 31, 18, 0, tzinfo=UTC)
    renamed = body.replace(b"Europe/Paris", unheard_of())
    for name in ("icalendar", "vobject", "ical"):
        starts = {e.uid: e.start for e in READERS[name](renamed)}
        assert starts[spring.uid] == datetime(2027, 3, 28, 17, 0, tzinfo=UTC), name
        assert starts[autumn.uid] == datetime(2027, 10, 31, 18, 0, tzinfo=UTC), name
