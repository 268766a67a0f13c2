"""Every feed read as calendar clients read it: icalendar, vobject, ics (ics-py) and ical.

ical is the parser Home Assistant uses, and the strictest. The four must find the same events
at the same instants, and the raw bytes must follow RFC 5545: CRLF, lines folded at 75 octets.
The clock the feeds use is frozen in January 2027, so that the events on the days the clocks
change in 2027 stay inside the feed window whenever this runs.
"""

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import icalendar
import ics
import pytest
import vobject
from ical.calendar_stream import IcsCalendarStream

from meetups.extensions import db
from tests.conftest import proposal_from

PARSERS = ("icalendar", "vobject", "ics", "ical")
FROZEN_NOW = datetime(2027, 1, 10, 12, 0, tzinfo=UTC)
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
CONTENT_LINE = re.compile(r"^[A-Za-z0-9-]+[;:]")
NAMES = ("NAME", "X-WR-CALNAME", "DESCRIPTION", "X-WR-CALDESC", "SOURCE")
EVERY_CALENDAR_NAME = (*NAMES, "REFRESH-INTERVAL", "X-PUBLISHED-TTL")


# Reading feeds ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Parsed:
    """One event as a parser understood it, instants in UTC."""

    uid: str
    start: datetime
    end: datetime
    summary: str
    status: str
    sequence: int
    description: str
    location: str
    url: str
    categories: tuple[str, ...] = field(default=())
    geo: tuple[float, float] | None = None


def _utc(moment: datetime) -> datetime:
    assert moment.tzinfo is not None and moment.utcoffset() is not None, moment
    return moment.astimezone(UTC)


def with_icalendar(body: bytes) -> list[Parsed]:
    found = []
    for event in icalendar.Calendar.from_ical(body).walk("VEVENT"):
        categories = event.get("CATEGORIES")
        geo = event.get("GEO")
        found.append(
            Parsed(
                uid=str(event["UID"]),
                start=_utc(event["DTSTART"].dt),
                end=_utc(event["DTEND"].dt),
                summary=str(event["SUMMARY"]),
                status=str(event["STATUS"]),
                sequence=int(event["SEQUENCE"]),
                description=str(event["DESCRIPTION"]),
                location=str(event["LOCATION"]),
                url=str(event["URL"]),
                categories=tuple(sorted(str(c) for c in categories.cats)) if categories else (),
                geo=(geo.latitude, geo.longitude) if geo else None,
            )
        )
    return found


def with_vobject(body: bytes) -> list[Parsed]:
    calendar = vobject.readOne(body.decode("utf-8"))
    found = []
    for event in getattr(calendar, "vevent_list", []):
        contents = event.contents
        categories = [c for line in contents.get("categories", []) for c in line.value]
        geo = contents.get("geo")
        found.append(
            Parsed(
                uid=event.uid.value,
                start=_utc(event.dtstart.value),
                end=_utc(event.dtend.value),
                summary=event.summary.value,
                status=event.status.value,
                sequence=int(event.sequence.value),
                description=event.description.value,
                location=event.location.value,
                url=event.url.value,
                categories=tuple(sorted(categories)),
                geo=tuple(float(x) for x in geo[0].value.split(";")) if geo else None,
            )
        )
    return found


def with_ics(body: bytes) -> list[Parsed]:
    calendar = ics.Calendar(body.decode("utf-8"))
    found = []
    for event in calendar.events:
        sequence = [line.value for line in event.extra if line.name == "SEQUENCE"]
        found.append(
            Parsed(
                uid=event.uid,
                start=_utc(event.begin.datetime),
                end=_utc(event.end.datetime),
                summary=event.name,
                status=event.status,
                sequence=int(sequence[0]),
                description=event.description,
                location=event.location,
                url=event.url,
                categories=tuple(sorted(event.categories)),
                geo=(event.geo.latitude, event.geo.longitude) if event.geo else None,
            )
        )
    return found


def with_ical(body: bytes) -> list[Parsed]:
    calendar = IcsCalendarStream.calendar_from_ics(body.decode("utf-8"))
    return [
        Parsed(
            uid=event.uid,
            start=_utc(event.dtstart),
            end=_utc(event.dtend),
            summary=event.summary,
            status=event.status.value,
            sequence=event.sequence,
            description=event.description,
            location=event.location,
            url=event.url,
            categories=tuple(sorted(event.categories)),
            geo=(event.geo.lat, event.geo.lng) if event.geo else None,
        )
        for event in calendar.events
    ]


READERS = {"icalendar": with_icalendar, "vobject": with_vobject, "ics": with_ics, "ical": with_ical}


def parse_all(body: bytes) -> dict[str, Parsed]:
    """The events by UID, after checking that all four parsers read exactly the same ones."""
    results = {}
    for name in PARSERS:
        events = READERS[name](body)
        by_uid = {event.uid: event for event in events}
        assert len(by_uid) == len(events), (name, "a UID appears twice")
        results[name] = by_uid
    reference = results["icalendar"]
    for name in PARSERS[1:]:
        assert results[name].keys() == reference.keys(), name
        for uid, event in reference.items():
            assert results[name][uid] == event, (name, uid)
    return reference


def content_lines(body: bytes) -> list[str]:
    """The unfolded content lines of a feed, checking the octets on the way (RFC 5545 3.1)."""
    assert body.startswith(b"BEGIN:VCALENDAR\r\n")
    assert body.endswith(b"END:VCALENDAR\r\n")
    physical = body.split(b"\r\n")[:-1]
    assert b"\r" not in b"".join(physical) and b"\n" not in b"".join(physical), "bare CR or LF"
    for line in physical:
        assert 0 < len(line) <= 75, line
        text = line.decode("utf-8")  # a fold never splits a character
        assert text.startswith(" ") or CONTENT_LINE.match(text), line
    return body.decode("utf-8").replace("\r\n ", "").split("\r\n")[:-1]


def property_names(lines: list[str]) -> list[str]:
    return [re.split(r"[;:]", line, maxsplit=1)[0].upper() for line in lines]


def check_feed_bytes(
    body: bytes, emails: tuple[str, ...] = (), typed_text: bool = False
) -> list[str]:
    """The checks every feed passes whatever it holds; returns its unfolded lines.

    typed_text: the feed holds arbitrary text typed by people, which may itself look like an
    e-mail address ("0@0.AA"); then only the accounts' own addresses are looked for.
    """
    lines = content_lines(body)
    unfolded = "\n".join(lines)
    if not typed_text:
        assert not EMAIL.search(unfolded), EMAIL.search(unfolded)
    for email in emails:
        assert email.lower() not in unfolded.lower()
    names = property_names(lines)
    for forbidden in ("METHOD", "ORGANIZER", "ATTENDEE"):
        assert forbidden not in names
    return lines


def unescape_text(raw: str) -> str:
    """A TEXT value as RFC 5545 3.3.11 reads it (icalendar leaves X- and NAME values raw)."""
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m[1] in "nN" else m[1], raw)


def text_of(value) -> str:
    """A parsed icalendar value as text: vText is unescaped already, unknown types are raw."""
    return str(value) if isinstance(value, icalendar.vText) else unescape_text(str(value))


def calendar_properties(body: bytes) -> dict[str, str]:
    """The calendar's own properties (outside any component), unfolded, name -> raw line."""
    found, depth = {}, 0
    for line in content_lines(body):
        if line.startswith("BEGIN:"):
            depth += 1
        elif line.startswith("END:"):
            depth -= 1
        elif depth == 1:
            name = re.split(r"[;:]", line, maxsplit=1)[0].upper()
            assert name not in found, f"{name} twice"
            found[name] = line
    return found


# The scene --------------------------------------------------------------------------------


@pytest.fixture
def frozen_clock(monkeypatch):
    """The feeds' and the RSVP rules' "now", in January 2027."""
    monkeypatch.setattr("meetups.feeds.views.utcnow", lambda: FROZEN_NOW)
    monkeypatch.setattr("meetups.gatherings.models.utcnow", lambda: FROZEN_NOW)
    return FROZEN_NOW


def at(day: str, hours: str = "19:00", length: int = 2) -> dict:
    start = datetime.fromisoformat(f"{day}T{hours}")
    end = start + timedelta(hours=length)
    return {"start": start, "ends_at": end.strftime("%Y-%m-%dT%H:%M")}


@pytest.fixture
def scene(app, frozen_clock, create_user, create_gathering):
    """Gatherings in Lyon and Montréal on the 2027 clock-change days, and people answering."""
    from meetups.accounts.models import User
    from meetups.gatherings import placing, services
    from meetups.gatherings.models import Gathering

    organiser = create_user(email="olivia.orga@example.org", display_name="Olivia Orga")
    alice = create_user(email="alice@example.org", display_name="Alice")
    wendy = create_user(email="wendy@example.org", display_name="Wendy")
    max_ = create_user(email="max@example.org", display_name="Max")
    dan = create_user(email="dan@example.org", display_name="Dan")

    spring = create_gathering(
        organiser,
        title="Apéro du passage à l'heure d'été",
        capacity="2",
        tags="seo, rédaction",
        description="Première ligne.\nDeuxième ligne; avec, ponctuation: \\ et tout.",
        **at("2027-03-28"),
    )
    autumn = create_gathering(
        organiser,
        title="Apéro du retour à l'heure d'hiver",
        capacity="",
        tags="",
        description="",
        venue_name="La Cordée",
        venue_address="3 rue Dugas-Montbel, 69002 Lyon",
        **at("2027-10-31"),
    )
    cancelled = create_gathering(
        organiser, title="Atelier devis", tags="seo", **at("2027-02-10", "18:30", 1)
    )
    edited = create_gathering(organiser, title="Atelier tarifs", tags="", **at("2027-01-20"))
    montreal_spring = create_gathering(
        organiser,
        title="5 à 7 des pigistes",
        city="Montréal",
        venue_name="Café Olimpico",
        venue_address="124 rue Saint-Viateur Ouest, Montréal",
        tags="réseau",
        **at("2027-03-14"),
    )
    montreal_autumn = create_gathering(
        organiser,
        title="5 à 7 d'automne",
        city="Montréal",
        venue_name="Café Olimpico",
        venue_address="124 rue Saint-Viateur Ouest, Montréal",
        tags="réseau",
        **at("2027-11-07"),
    )

    with app.app_context():
        person = {u.id: db.session.get(User, u.id) for u in (alice, wendy, max_, dan)}
        get = db.session.get
        spring_organiser = get(User, organiser.id)
        placing.correct_location(get(Gathering, spring.id), (45.7640, 4.8357), spring_organiser)
        for who, gathering, answer in (
            (alice, spring, "going"),  # the last seat
            (wendy, spring, "going"),  # waitlisted
            (max_, spring, "maybe"),
            (dan, spring, "maybe"),
            (alice, cancelled, "going"),
            (alice, autumn, "maybe"),
            (alice, montreal_spring, "going"),
        ):
            services.respond(get(Gathering, gathering.id), person[who.id], answer)
        services.respond(get(Gathering, spring.id), person[dan.id], "no")  # un-RSVP
        services.update(
            get(Gathering, edited.id),
            proposal_from(title="Atelier tarifs et devis", tags="", **at("2027-01-21")),
        )
        services.cancel(get(Gathering, cancelled.id))
        db.session.commit()
        tokens = {u.id: get(User, u.id).feed_token for u in (organiser, alice, wendy, max_, dan)}

    return SimpleNamespace(
        organiser=organiser,
        alice=alice,
        wendy=wendy,
        max=max_,
        dan=dan,
        spring=spring.id,
        autumn=autumn.id,
        cancelled=cancelled.id,
        edited=edited.id,
        montreal_spring=montreal_spring.id,
        montreal_autumn=montreal_autumn.id,
        tokens=tokens,
        emails=tuple(u.email for u in (organiser, alice, wendy, max_, dan)),
    )


def fetch(client, path: str) -> bytes:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    assert response.content_type == "text/calendar; charset=utf-8"
    return response.data


def stored(app, gathering_id: int):
    from meetups.gatherings.models import Gathering

    with app.app_context():
        gathering = db.session.get(Gathering, gathering_id)
        _ = (gathering.city, gathering.venue, gathering.tags)
        db.session.expunge_all()
        return gathering


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# Instants ---------------------------------------------------------------------------------


def test_the_2027_clock_change_days_read_the_same_in_every_parser(client, scene):
    lyon = parse_all(fetch(client, "/cities/lyon/calendar.ics"))
    montreal = parse_all(fetch(client, "/cities/montreal/calendar.ics"))
    by_title = {e.summary: e for e in (*lyon.values(), *montreal.values())}

    # 19:00 in Paris: CEST (UTC+2) from the morning of 28 March, CET (UTC+1) from 31 October.
    assert by_title["Apéro du passage à l'heure d'été"].start == utc("2027-03-28T17:00")
    assert by_title["Apéro du passage à l'heure d'été"].end == utc("2027-03-28T19:00")
    assert by_title["Apéro du retour à l'heure d'hiver"].start == utc("2027-10-31T18:00")
    assert by_title["Apéro du retour à l'heure d'hiver"].end == utc("2027-10-31T20:00")
    # 19:00 in Montréal: EDT (UTC-4) from 14 March, EST (UTC-5) from 7 November.
    assert by_title["5 à 7 des pigistes"].start == utc("2027-03-14T23:00")
    assert by_title["5 à 7 d'automne"].start == utc("2027-11-08T00:00")
    # And the ordinary days around them.
    assert by_title["Atelier tarifs et devis"].start == utc("2027-01-21T18:00")
    assert by_title["Annulé\xa0: Atelier devis"].start == utc("2027-02-10T17:30")


def test_the_same_events_in_every_feed_and_every_parser(app, client, scene):
    lyon = parse_all(fetch(client, "/cities/lyon/calendar.ics"))
    seo = parse_all(fetch(client, "/cities/lyon/calendar.ics?tag=seo"))
    single = parse_all(fetch(client, f"/events/{scene.spring}/calendar.ics"))
    mine = parse_all(fetch(client, f"/feeds/{scene.tokens[scene.alice.id]}.ics"))
    organiser = parse_all(fetch(client, f"/feeds/{scene.tokens[scene.organiser.id]}.ics"))

    uid = {g: stored(app, g).uid for g in vars(scene).values() if isinstance(g, int)}
    lyon_ids = (scene.spring, scene.autumn, scene.cancelled, scene.edited)
    assert set(lyon) == {uid[g] for g in lyon_ids}
    assert set(seo) == {uid[scene.spring], uid[scene.cancelled]}
    assert set(single) == {uid[scene.spring]}
    assert set(mine) == {uid[g] for g in (scene.spring, scene.cancelled, scene.autumn)} | {
        uid[scene.montreal_spring]
    }
    assert set(organiser) == set(uid.values())
    # One UID per gathering, the stored one, with the same times wherever it shows.
    for feed in (seo, single, mine, organiser):
        for key, event in feed.items():
            if key in lyon:
                assert (event.start, event.end, event.location) == (
                    lyon[key].start,
                    lyon[key].end,
                    lyon[key].location,
                )


def test_every_feed_is_crlf_folded_at_75_octets_and_shows_no_email(client, scene):
    tokens = scene.tokens.values()
    paths = [
        "/cities/lyon/calendar.ics",
        "/cities/lyon/calendar.ics?tag=seo",
        "/cities/lyon/calendar.ics?lang=en",
        "/cities/montreal/calendar.ics",
        *(f"/events/{g}/calendar.ics" for g in (scene.spring, scene.cancelled)),
        *(f"/feeds/{token}.ics" for token in tokens),
    ]
    for path in paths:
        body = fetch(client, path)
        check_feed_bytes(body, scene.emails)
        assert b"Olivia" not in body and b"Orga" not in body  # nor anyone's name
        parse_all(body)
    # Long lines really were folded (the description makes one).
    body = fetch(client, f"/events/{scene.spring}/calendar.ics")
    assert b"\r\n " in body


def test_calendar_properties_of_subscribable_feeds_and_of_the_download(client, scene):
    for path, name in (
        ("/cities/lyon/calendar.ics", "Meute · Lyon"),
        ("/cities/lyon/calendar.ics?tag=seo", "Meute · Lyon · seo"),
        (f"/feeds/{scene.tokens[scene.alice.id]}.ics", "Meute\xa0: mes rencontres"),
        (f"/feeds/{scene.tokens[scene.alice.id]}.ics?lang=en", "Meute: my gatherings"),
    ):
        body = fetch(client, path)
        props = calendar_properties(body)
        assert props["VERSION"] == "VERSION:2.0"
        assert props["PRODID"].startswith("PRODID:-//Meute//")
        assert props["CALSCALE"] == "CALSCALE:GREGORIAN"
        assert props["REFRESH-INTERVAL"] == "REFRESH-INTERVAL;VALUE=DURATION:PT1H"
        assert props["X-PUBLISHED-TTL"] == "X-PUBLISHED-TTL:PT1H"
        assert "METHOD" not in props
        cal = icalendar.Calendar.from_ical(body)
        title = text_of(cal["NAME"])
        assert title == text_of(cal["X-WR-CALNAME"]) == name
        description = text_of(cal["DESCRIPTION"])
        assert description == text_of(cal["X-WR-CALDESC"])
        assert description.strip()
        source = str(cal["SOURCE"])
        assert source.startswith("http://localhost/") and path.split("?")[0] in source
        # ical reads the same names and the refresh interval.
        strict = IcsCalendarStream.calendar_from_ics(body.decode())
        assert strict.name == [title]
        assert strict.description == [description]
        assert strict.refresh_interval == timedelta(hours=1)
        assert strict.source == source
        # vobject too.
        loose = vobject.readOne(body.decode())
        assert loose.x_wr_calname.value == loose.contents["name"][0].value == title
        assert loose.x_wr_caldesc.value == description

    single = fetch(client, f"/events/{scene.spring}/calendar.ics")
    props = calendar_properties(single)
    assert {"VERSION", "PRODID", "CALSCALE"} <= set(props)
    for name in (*EVERY_CALENDAR_NAME, "METHOD"):
        assert name not in props, name


def test_the_source_of_a_feed_in_another_language_is_that_feed(client, scene):
    cal = icalendar.Calendar.from_ical(fetch(client, "/cities/lyon/calendar.ics?tag=seo&lang=en"))
    assert str(cal["SOURCE"]) == "http://localhost/cities/lyon/calendar.ics?tag=seo&lang=en"
    token = scene.tokens[scene.alice.id]
    cal = icalendar.Calendar.from_ical(fetch(client, f"/feeds/{token}.ics?lang=en"))
    assert str(cal["SOURCE"]) == f"http://localhost/feeds/{token}.ics?lang=en"
    cal = icalendar.Calendar.from_ical(fetch(client, f"/feeds/{token}.ics"))
    assert str(cal["SOURCE"]) == f"http://localhost/feeds/{token}.ics"


def test_one_vtimezone_per_tzid_in_the_two_rule_form(client, scene):
    token = scene.tokens[scene.organiser.id]
    for path, zones in (
        ("/cities/lyon/calendar.ics", {"Europe/Paris"}),
        ("/cities/montreal/calendar.ics", {"America/Toronto"}),
        (f"/feeds/{token}.ics", {"Europe/Paris", "America/Toronto"}),
        (f"/events/{scene.montreal_autumn}/calendar.ics", {"America/Toronto"}),
    ):
        cal = icalendar.Calendar.from_ical(fetch(client, path))
        timezones = cal.walk("VTIMEZONE")
        assert sorted(str(tz["TZID"]) for tz in timezones) == sorted(zones)
        used = {e["DTSTART"].params["TZID"] for e in cal.walk("VEVENT")}
        used |= {e["DTEND"].params["TZID"] for e in cal.walk("VEVENT")}
        assert used == zones
        for tz in timezones:
            kinds = [c.name for c in tz.subcomponents]
            assert sorted(kinds) == ["DAYLIGHT", "STANDARD"], kinds
            for observance in tz.subcomponents:
                assert observance["RRULE"]["FREQ"] == ["YEARLY"]
                assert "RDATE" not in observance


def test_what_each_event_carries(app, client, scene):
    body = fetch(client, "/cities/lyon/calendar.ics")
    cal = icalendar.Calendar.from_ical(body)
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    lines = check_feed_bytes(body, scene.emails)

    for gathering_id in (scene.spring, scene.autumn, scene.cancelled, scene.edited):
        gathering = stored(app, gathering_id)
        event = events[gathering.uid]
        url = f"http://localhost/events/{gathering.id}"
        changed = gathering.updated_at.replace(microsecond=0)
        assert event["DTSTAMP"].dt == changed
        assert event["LAST-MODIFIED"].dt == changed
        assert event["CREATED"].dt == gathering.created_at.replace(microsecond=0)
        assert event["SEQUENCE"] == gathering.sequence
        for name in ("DTSTART", "DTEND"):
            assert event[name].params["TZID"] == "Europe/Paris"
        assert event["DTSTART"].dt == gathering.starts_at
        assert event["DTEND"].dt == gathering.ends_at
        assert str(event["URL"]) == url
        assert str(event["DESCRIPTION"]).endswith(url)
        assert str(event["LOCATION"]) == f"{gathering.venue.name}, {gathering.venue.address}"
        tags = sorted(t.name for t in gathering.tags)
        assert sorted(map(str, event["CATEGORIES"].cats) if tags else []) == tags
        assert ("CATEGORIES" in event) == bool(tags)
        assert ("GEO" in event) == gathering.venue.is_located
        expected_status = "CANCELLED" if gathering.is_cancelled else "CONFIRMED"
        assert event["STATUS"] == expected_status
    # The stamp is the last change, not now: the frozen clock is years after the changes.
    assert all(e["DTSTAMP"].dt < FROZEN_NOW for e in events.values())

    spring = events[stored(app, scene.spring).uid]
    assert (spring["GEO"].latitude, spring["GEO"].longitude) == (45.764, 4.8357)
    assert str(spring["DESCRIPTION"]) == (
        "Première ligne.\nDeuxième ligne; avec, ponctuation: \\ et tout.\n\n"
        f"http://localhost/events/{scene.spring}"
    )
    # SUMMARY is one content line, whatever its length.
    summaries = [line for line in lines if line.startswith("SUMMARY")]
    assert len(summaries) == len(events)
    assert all("\\n" not in line for line in summaries)


def test_an_edit_keeps_the_uid_and_raises_the_sequence_in_every_parser(app, client, scene):
    from meetups.gatherings import services
    from meetups.gatherings.models import Gathering

    uid = stored(app, scene.autumn).uid
    before = parse_all(fetch(client, "/cities/lyon/calendar.ics"))[uid]
    download = parse_all(fetch(client, f"/events/{scene.autumn}/calendar.ics"))[uid]
    assert before == download and before.sequence == 0

    with app.app_context():
        services.update(
            db.session.get(Gathering, scene.autumn),
            proposal_from(
                title="Apéro du retour à l'heure d'hiver, une heure plus tôt",
                description="",
                capacity="",
                tags="",
                venue_name="La Cordée",
                venue_address="3 rue Dugas-Montbel, 69002 Lyon",
                **at("2027-10-31", "18:00"),
            ),
        )
        db.session.commit()

    for path in (
        "/cities/lyon/calendar.ics",
        f"/events/{scene.autumn}/calendar.ics",
        f"/feeds/{scene.tokens[scene.organiser.id]}.ics",
    ):
        after = parse_all(fetch(client, path))[uid]
        assert after.sequence == before.sequence + 1
        assert after.start == utc("2027-10-31T17:00")
        assert after.summary == "Apéro du retour à l'heure d'hiver, une heure plus tôt"


def test_a_cancellation_stays_in_every_feed_marked_in_the_feeds_language(app, client, scene):
    uid = stored(app, scene.cancelled).uid
    token = scene.tokens[scene.alice.id]
    for path, prefix in (
        ("/cities/lyon/calendar.ics", "Annulé\xa0: "),
        ("/cities/lyon/calendar.ics?tag=seo", "Annulé\xa0: "),
        (f"/events/{scene.cancelled}/calendar.ics", "Annulé\xa0: "),
        (f"/feeds/{token}.ics", "Annulé\xa0: "),
        ("/cities/lyon/calendar.ics?lang=en", "Cancelled: "),
        (f"/events/{scene.cancelled}/calendar.ics?lang=en", "Cancelled: "),
        (f"/feeds/{token}.ics?lang=en", "Cancelled: "),
    ):
        event = parse_all(fetch(client, path))[uid]
        assert event.status == "CANCELLED", path
        assert event.summary == prefix + "Atelier devis", path
        # Cancelling raised it, and so did placing the venue by hand before.
        assert event.sequence == stored(app, scene.cancelled).sequence == 2


def test_the_personal_feed_in_every_parser(app, client, scene):
    uid = {g: stored(app, g).uid for g in (scene.spring, scene.autumn, scene.cancelled)}
    spring = "Apéro du passage à l'heure d'été"

    def mine(person, lang=""):
        return parse_all(fetch(client, f"/feeds/{scene.tokens[person.id]}.ics{lang}"))

    alice = mine(scene.alice)
    assert alice[uid[scene.spring]].status == "CONFIRMED"
    assert alice[uid[scene.spring]].summary == spring
    assert alice[uid[scene.autumn]].status == "TENTATIVE"
    assert alice[uid[scene.autumn]].summary == "[Peut-être] Apéro du retour à l'heure d'hiver"
    assert alice[uid[scene.cancelled]].status == "CANCELLED"

    wendy = mine(scene.wendy)
    assert set(wendy) == {uid[scene.spring]}
    assert wendy[uid[scene.spring]].status == "TENTATIVE"
    assert wendy[uid[scene.spring]].summary == f"[Liste d’attente] {spring}"
    assert mine(scene.wendy, "?lang=en")[uid[scene.spring]].summary == f"[Waitlist] {spring}"

    max_ = mine(scene.max)
    assert max_[uid[scene.spring]].status == "TENTATIVE"
    assert max_[uid[scene.spring]].summary == f"[Peut-être] {spring}"
    assert mine(scene.max, "?lang=en")[uid[scene.spring]].summary == f"[Maybe] {spring}"

    # Dan said maybe, then no: the event left his feed, it was not cancelled there.
    assert mine(scene.dan) == {}

    organiser = mine(scene.organiser)
    assert organiser[uid[scene.spring]].status == "CONFIRMED"
    assert organiser[uid[scene.spring]].summary == spring
    # The personal feed's event is the city feed's, as this person sees it.
    lyon = parse_all(fetch(client, "/cities/lyon/calendar.ics"))
    for key in uid.values():
        assert (alice[key].start, alice[key].end, alice[key].location, alice[key].url) == (
            lyon[key].start,
            lyon[key].end,
            lyon[key].location,
            lyon[key].url,
        )


def test_a_promotion_from_the_waitlist_confirms_with_a_higher_sequence(app, client, scene):
    from meetups.accounts.models import User
    from meetups.gatherings import services
    from meetups.gatherings.models import Gathering

    uid = stored(app, scene.spring).uid
    path = f"/feeds/{scene.tokens[scene.wendy.id]}.ics"
    waiting = parse_all(fetch(client, path))[uid]
    assert waiting.status == "TENTATIVE"

    with app.app_context():
        gathering = db.session.get(Gathering, scene.spring)
        services.respond(gathering, db.session.get(User, scene.alice.id), "no")
        db.session.commit()

    going = parse_all(fetch(client, path))[uid]
    assert going.status == "CONFIRMED"
    assert going.summary == "Apéro du passage à l'heure d'été"
    assert going.sequence > waiting.sequence
    assert going.uid == waiting.uid
    # Alice's own feed no longer holds it.
    assert uid not in parse_all(fetch(client, f"/feeds/{scene.tokens[scene.alice.id]}.ics"))


def test_the_demo_data_feed_reads_in_every_parser(app, client, runner):
    """What a newcomer subscribes to first: the Lyon feed of `flask demo`."""
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    body = fetch(client, "/cities/lyon/calendar.ics")
    check_feed_bytes(body)
    events = parse_all(body)
    assert events
    assert all(e.location and e.url for e in events.values())
    # Everything is on, except the breakfast still short of its quorum.
    tentative = [e.summary for e in events.values() if e.status == "TENTATIVE"]
    assert tentative == ["Petit-déjeuner des nouveaux freelances"]
    assert all(e.status in ("CONFIRMED", "TENTATIVE") for e in events.values())
