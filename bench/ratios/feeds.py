"""P3, in-process: a city feed built cold, rebuilt after one change, and bare icalendar's floor."""

import re
import statistics
import time
from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from flask import Flask
from flask.testing import FlaskClient
from icalendar import Calendar, Event

from bench.ratios.report import Goal, Row, progress
from meetups.dates import utcnow
from meetups.demo import PASSWORD
from meetups.extensions import db
from meetups.feeds.timezones import vtimezone
from meetups.gatherings import queries
from meetups.gatherings.models import Gathering
from meetups.places.models import City

COLD, REBUILD = Goal("<=", 1.3), Goal("<=", 0.1)
CANDIDATES = 6  # the busiest cities whose feeds are read to find the one closest to the size
UID = re.compile(rb"^UID:(.+?)\r$", re.MULTILINE)


def _empty_feed_cache(app: Flask) -> None:
    """Forget every feed and event this process keeps."""
    from meetups import cache

    cache.clear(app)


def feed_path(slug: str) -> str:
    return f"/cities/{slug}/calendar.ics"


def feed_city(app: Flask, events: int) -> tuple[str, int]:
    """The city whose feed holds the number of events closest to `events`, and that number."""
    with app.app_context():
        busiest = [city.slug for city, _n in queries.cities_with_counts()[:CANDIDATES]]
    client = app.test_client()
    sizes = {slug: client.get(feed_path(slug)).data.count(b"BEGIN:VEVENT") for slug in busiest}
    slug = min(sizes, key=lambda s: abs(sizes[s] - events))
    return slug, sizes[slug]


def rows(app: Flask, slug: str, repeat: int) -> list[Row]:
    """P3: cold build ÷ bare icalendar of the same events, and rebuild after a change ÷ cold;
    the three timed in turn each time round, so that the machine's load falls on all alike."""
    client, path = app.test_client(), feed_path(slug)
    body = _ok(client.get(path)).data
    head, events = _plain(app, slug, body)
    editor = Editor.of_city(app, slug)
    progress(f"P3: {path} cold, bare icalendar and after an edit, {repeat} times each …")
    times: dict[str, list[float]] = {"cold": [], "bare": [], "rebuild": []}
    for n in range(1, repeat + 1):
        times["cold"].append(_timed_cold(app, client, path))  # cached again for the edit
        times["bare"].append(_timed(lambda: _bare(head, events)))
        editor.edit(n)
        times["rebuild"].append(_timed(lambda: _ok(client.get(path))))
    cold, bare, rebuild = (statistics.median(times[k]) for k in ("cold", "bare", "rebuild"))
    sizes = f"{len(body) / 1024:,.0f} KB vs {len(_bare(head, events)) / 1024:,.0f} KB"
    return [
        Row(
            "P3 cold build",
            f"{cold:,.0f} ms vs bare icalendar {bare:,.0f} ms ({len(events):,} events, {sizes})",
            COLD,
            cold / bare,
        ),
        Row(
            "P3 rebuild",
            f"after one edit {rebuild:,.0f} ms vs cold {cold:,.0f} ms",
            REBUILD,
            rebuild / cold,
        ),
    ]


def _timed(work) -> float:
    """Milliseconds that work() takes."""
    started = time.perf_counter()
    work()
    return (time.perf_counter() - started) * 1000


def _timed_cold(app: Flask, client: FlaskClient, path: str) -> float:
    _empty_feed_cache(app)
    return _timed(lambda: _ok(client.get(path)))


def _ok(response):
    if response.status_code != 200:
        raise RuntimeError(f"{response.request.path} answered {response.status_code}")
    return response


# Bare icalendar: the same events with the same properties, nothing else -------------------


def _plain(app: Flask, slug: str, body: bytes) -> tuple[list, list[list[tuple]]]:
    """The calendar's properties and each event's, as plain values, for the events of body."""
    uids = [uid.decode() for uid in UID.findall(body)]
    with app.app_context():
        city = db.session.scalar(db.select(City).filter_by(slug=slug))
        found = db.session.scalars(db.select(Gathering).where(Gathering.uid.in_(uids))).all()
        found = sorted(found, key=lambda g: (g.starts_at, g.id))
        zone = ZoneInfo(city.timezone)
        events = [_properties(g, zone) for g in found]
        years = [y for g in found for y in (g.starts_at.year, g.ends_at.year)]
        head = [
            ("prodid", "-//Meute//Meute gatherings//EN"),
            ("version", "2.0"),
            ("x-wr-calname", f"Meute · {city.name}"),
            ("vtimezone", vtimezone(city.timezone, min(years), max(years))),
        ]
    return head, events


def _properties(g: Gathering, zone: ZoneInfo) -> list[tuple]:
    """One event's properties as (name, value[, parameters]), values of plain types."""
    url = f"http://localhost/events/{g.id}"
    cancelled = g.is_cancelled
    return [
        *(("uid", g.uid), ("dtstamp", g.updated_at), ("created", g.created_at)),
        *(("last-modified", g.updated_at), ("sequence", g.sequence)),
        *(("dtstart", g.starts_at.astimezone(zone)), ("dtend", g.ends_at.astimezone(zone))),
        ("summary", ("Cancelled: " if cancelled else "") + g.title),
        ("description", f"{g.description}\n\n{url}"),
        ("location", f"{g.venue.name}, {g.venue.address}"),
        *([("geo", (g.venue.latitude, g.venue.longitude))] if g.venue.is_located else []),
        ("url", url, {"VALUE": "URI"}),
        *([("categories", [t.name for t in g.tags])] if g.tags else []),
        ("status", "CANCELLED" if cancelled else "CONFIRMED"),
    ]


def _bare(head: list[tuple], events: list[list[tuple]]) -> bytes:
    """Calendar and Event with those properties, the time zone, then to_ical()."""
    cal = Calendar()
    for name, value in head:
        if name == "vtimezone":
            cal.add_component(value)
        else:
            cal.add(name, value)
    for properties in events:
        event = Event()
        for name, value, *parameters in properties:
            event.add(name, value, parameters=parameters[0] if parameters else None)
        cal.add_component(event)
    return cal.to_ical()


# Rebuild after one change, made as the site makes it: the edit form, by the organiser ------


@dataclass(frozen=True)
class Editor:
    """The organiser of a coming gathering of the city, signed in, with its edit form's fields."""

    client: FlaskClient
    gathering_id: int
    form: dict

    @classmethod
    def of_city(cls, app: Flask, slug: str) -> "Editor":
        with app.app_context():
            city = db.session.scalar(db.select(City).filter_by(slug=slug))
            soon = utcnow() + timedelta(days=2)  # still open to edits when the run ends
            gathering = queries.upcoming(city=city, now=soon, include_cancelled=False, limit=1)[0]
            editor = cls(app.test_client(), gathering.id, _form(gathering))
            email = gathering.organiser.email
        signed = editor.client.post("/auth/login", data={"email": email, "password": PASSWORD})
        if signed.status_code != 302:
            raise RuntimeError(f"the organiser {email} could not sign in")
        return editor

    def edit(self, n: int) -> None:
        """Change the title through the edit form, as the organiser would."""
        data = {**self.form, "title": f"{self.form['title']} {n}"}
        edited = self.client.post(f"/events/{self.gathering_id}/edit", data=data)
        if edited.status_code != 303:
            raise RuntimeError(f"editing gathering {self.gathering_id}: {edited.status_code}")


def _form(g: Gathering) -> dict:
    """The edit form's fields as the page fills them (times local to the city)."""
    zone = ZoneInfo(g.city.timezone)
    return {
        "title": g.title[:130],
        "description": g.description,
        "city": g.city.name,
        "venue_name": g.venue.name,
        "venue_address": g.venue.address,
        "starts_at": g.starts_at.astimezone(zone).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": g.ends_at.astimezone(zone).strftime("%Y-%m-%dT%H:%M"),
        "capacity": "" if g.capacity is None else str(g.capacity),
        "tags": ", ".join(tag.name for tag in g.tags),
    }
