"""Gatherings to iCalendar bytes (RFC 5545). Pure: no request, no query, same input same bytes."""

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vCategory, vGeo, vText

from meetups.feeds.timezones import vtimezone
from meetups.gatherings.models import Gathering

PRODID = "-//Meute//Meute gatherings//EN"
REFRESH = timedelta(hours=1)
MAX_BYTES = 1_000_000  # Google Calendar ignores larger feeds
END_OF_CALENDAR = b"END:VCALENDAR\r\n"


class Status:
    CONFIRMED = "CONFIRMED"
    TENTATIVE = "TENTATIVE"
    CANCELLED = "CANCELLED"


@dataclass(frozen=True)
class Entry:
    """One gathering as one calendar shows it."""

    gathering: Gathering
    url: str  # the gathering's page, absolute
    status: str = Status.CONFIRMED
    marker: str = ""  # put before the title, e.g. "[Waitlist]" in a personal feed
    sequence: int = 0
    stamp: datetime | None = None  # the last change this calendar shows; the gathering's by default


@dataclass(frozen=True)
class CalendarInfo:
    """What a subscribed calendar is called; a single-event download has none of it."""

    name: str
    description: str
    source: str  # the feed's own absolute URL


class Text(vText):
    """TEXT escaped as RFC 5545 says, nothing more.

    vText also reads a backslash followed by "N" as a line break ("\\N" is one in iCalendar
    syntax), so a title or address in which someone typed \\N would come back split.
    """

    def to_ical(self) -> bytes:
        escaped = (
            str(self)
            .replace("\\", "\\\\")
            .replace(";", "\\;")
            .replace(",", "\\,")
            .replace("\r\n", "\n")
            .replace("\r", "\n")
            .replace("\n", "\\n")
        )
        return escaped.encode(self.encoding)


class Categories(vCategory):
    """CATEGORIES whose names are escaped as Text is."""

    def __init__(self, names: list[str]) -> None:
        super().__init__([])
        self.cats = [Text(name) for name in names]


def one_line(text: str | None) -> str:
    """Text safe for a one-line property: no control characters or line breaks, spaces collapsed.

    Only plain spaces are collapsed: a no-break space ("Annulé :") is kept as typed.
    """
    return re.sub(" {2,}", " ", _without_controls(text or "", keep_newlines=False)).strip(" ")


def multi_line(text: str | None) -> str:
    """Text safe for DESCRIPTION: line breaks kept as \\n, every other control character gone."""
    lines = _without_controls(text or "", keep_newlines=True).split("\n")
    return "\n".join(line.rstrip() for line in lines).strip()


def _without_controls(text: str, keep_newlines: bool) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    kept = []
    for char in text:
        category = unicodedata.category(char)
        if char == "\n" or category in ("Zl", "Zp"):
            kept.append("\n" if keep_newlines else " ")
        elif char == "\t":
            kept.append(" ")
        elif category not in ("Cc", "Cs", "Cf") or char in "\u200d\u200c":
            kept.append(char)  # joiners stay: emoji sequences and some scripts need them
    return "".join(kept)


@dataclass(frozen=True)
class Piece:
    """One event rendered, with the zone and years its VTIMEZONE must cover."""

    ical: bytes
    zone: str
    first_year: int
    last_year: int

    @classmethod
    def of(cls, entry: Entry, cancelled_prefix: str) -> "Piece":
        gathering = entry.gathering
        return cls(
            _event(entry, cancelled_prefix).to_ical(),
            gathering.city.timezone,
            gathering.starts_at.year,
            gathering.ends_at.year,
        )


def calendar(entries: Iterable[Entry], info: CalendarInfo, cancelled_prefix: str) -> bytes:
    """A subscribable calendar of these entries, under 1 MB (the furthest dropped first)."""
    entries = sorted(entries, key=lambda e: (e.gathering.starts_at, e.gathering.id))
    return assemble([Piece.of(entry, cancelled_prefix) for entry in entries], info)


def assemble(pieces: list[Piece], info: CalendarInfo) -> bytes:
    """The calendar around events already rendered, soonest first; byte for byte what
    icalendar renders of the whole. Over 1 MB, the longest run of soonest events that fits."""
    head = _head(pieces, info)
    kept = len(pieces)
    if len(head) + sum(len(piece.ical) for piece in pieces) > MAX_BYTES:
        # Keep the longest run of nearest gatherings that fits, with room for every time zone.
        budget, kept = MAX_BYTES - len(head), 0
        for piece in pieces:
            budget -= len(piece.ical)
            if budget < 0:
                break
            kept += 1
        head = _head(pieces[:kept], info)
    return _join(head, pieces[:kept])


def single(entry: Entry, cancelled_prefix: str, method: str | None = None) -> bytes:
    """One gathering, as a file to download and import; with METHOD (PUBLISH) in an e-mail."""
    piece = Piece.of(entry, cancelled_prefix)
    return _join(_head([piece], None, method), [piece])


def _head(pieces: list[Piece], info: CalendarInfo | None, method: str | None = None) -> bytes:
    head = _calendar(info, pieces, method).to_ical()
    if not head.endswith(END_OF_CALENDAR):  # icalendar always ends a calendar so
        raise ValueError("unexpected calendar ending")
    return head


def _join(head: bytes, pieces: list[Piece]) -> bytes:
    """The calendar head with these events inserted before its end, as add_component() would."""
    return head[: -len(END_OF_CALENDAR)] + b"".join(p.ical for p in pieces) + END_OF_CALENDAR


def _calendar(info: CalendarInfo | None, pieces: list[Piece], method: str | None) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:  # iMIP (RFC 6047): the same as the attachment's Content-Type method
        cal.add("method", method)
    if info is not None:
        _describe(cal, info)
    for component in _timezones(pieces):
        cal.add_component(component)
    return cal


def _describe(cal: Calendar, info: CalendarInfo) -> None:
    # icalendar writes calendar-level and X- properties without escaping line breaks, and
    # NAME and X- properties without escaping at all unless given as text.
    name, description = Text(one_line(info.name)), Text(one_line(info.description))
    cal.add("name", name)
    cal.add("x-wr-calname", name)
    cal.add("description", description)
    cal.add("x-wr-caldesc", description)
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT1H")
    cal.add("source", one_line(info.source), parameters={"VALUE": "URI"})


def _timezones(pieces: list[Piece]):
    years: dict[str, list[int]] = {}
    for piece in pieces:
        years.setdefault(piece.zone, []).extend((piece.first_year, piece.last_year))
    return [vtimezone(zone, min(span), max(span)) for zone, span in sorted(years.items())]


def _status(gathering: Gathering, shown: str) -> str:
    """Cancelled above all (removed by moderators too: in the mail saying so, calendars drop
    it); a gathering waiting for its quorum is at most tentative."""
    if gathering.is_cancelled or gathering.is_hidden:
        return Status.CANCELLED
    return Status.TENTATIVE if gathering.is_tentative else shown


def _event(entry: Entry, cancelled_prefix: str) -> Event:
    gathering = entry.gathering
    zone = ZoneInfo(gathering.city.timezone)
    status = _status(gathering, entry.status)
    prefix = one_line(cancelled_prefix) if status == Status.CANCELLED else ""
    parts = (prefix, one_line(entry.marker), one_line(gathering.title))
    title = " ".join(part for part in parts if part)
    stamp = entry.stamp or gathering.updated_at
    event = Event()
    event.add("uid", gathering.uid)
    event.add("dtstamp", stamp)
    event.add("last-modified", stamp)
    event.add("created", gathering.created_at)
    event.add("sequence", entry.sequence)
    event.add("dtstart", gathering.starts_at.astimezone(zone))
    event.add("dtend", gathering.ends_at.astimezone(zone))
    event.add("summary", Text(title))
    event.add("description", Text(_description(gathering, entry.url, prefix)))
    event.add("location", Text(one_line(f"{gathering.venue.name}, {gathering.venue.address}")))
    if gathering.venue.is_located:
        event.add("geo", vGeo((gathering.venue.latitude, gathering.venue.longitude)))
    event.add("url", entry.url, parameters={"VALUE": "URI"})
    categories = [c for c in (one_line(tag.name.replace(",", " ")) for tag in gathering.tags) if c]
    if categories:  # commas separate categories; a tag of nothing but controls leaves none
        event.add("categories", Categories(categories))
    event.add("status", status)
    return event


def _description(gathering: Gathering, url: str, cancelled_prefix: str = "") -> str:
    parts = [multi_line(gathering.description), url]
    if cancelled_prefix and gathering.cancel_message:
        # What the organiser told the people coming, first: it is what changed.
        parts.insert(0, f"{cancelled_prefix} {multi_line(gathering.cancel_message)}")
    return "\n\n".join(part for part in parts if part)
