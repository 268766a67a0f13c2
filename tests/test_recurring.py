"""Recurring gatherings: proposing a series, keeping its horizon, editing and stopping it.

The clock is frozen on 10 January 2027 (moved on where a test says so), so that the
occurrences around the 2027 clock changes are the ones the horizon makes.
"""

import os
import subprocess
import sys
from datetime import UTC, date, datetime

import pytest

from meetups.extensions import db
from meetups.gatherings.models import Gathering, Response, Rsvp, Series, Status
from tests.conftest import form_data
from tests.test_feed_parsers import with_ical, with_icalendar, with_vobject
from tests.test_gatherings import event_id

JANUARY = datetime(2027, 1, 10, 12, 0, tzinfo=UTC)
CLOCKS = (
    "meetups.gatherings.forms.utcnow",
    "meetups.gatherings.repeating.utcnow",
    "meetups.gatherings.recurring.utcnow",
    "meetups.feeds.views.utcnow",
    "meetups.gatherings.models.utcnow",
)


@pytest.fixture
def clock(monkeypatch):
    """The time the forms, the horizon and the feeds see: clock(when) moves it."""

    def set_to(when: datetime) -> datetime:
        for name in CLOCKS:
            monkeypatch.setattr(name, lambda: when)
        return when

    set_to(JANUARY)
    return set_to


@pytest.fixture(autouse=True)
def english(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def me(create_user, login):
    user = create_user(display_name="Dominique")
    login(user)
    return user


def propose(client, **fields):
    """Post the proposal form; the response (a redirect when it was accepted)."""
    return client.post("/events/new", data=form_data(**fields), follow_redirects=False)


def first_thursday_apero(client) -> int:
    """ "Apéro freelance, every first Thursday at 19:00" in Lyon, from 4 February 2027."""
    return event_id(propose(client, start=datetime(2027, 2, 4, 19, 0), repeat="monthly"))


def occurrences(app, series_id=None) -> list[tuple]:
    """(local date, UTC start, title, status, detached) of every occurrence, in order."""
    with app.app_context():
        query = db.select(Gathering).where(Gathering.series_id.is_not(None))
        if series_id is not None:
            query = query.where(Gathering.series_id == series_id)
        rows = db.session.scalars(query.order_by(Gathering.series_day))
        return [(g.series_day, g.starts_at, g.title, g.status, g.detached) for g in rows]


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def tick(app, now: datetime) -> str:
    """Run the horizon's step of tick at `now`, committed as tick does; its line."""
    from meetups.gatherings import recurring

    with app.app_context():
        made = recurring.keep_horizons(now)
        db.session.commit()
        return recurring.describe_made(made)


# Proposing --------------------------------------------------------------------------------


def test_a_monthly_series_makes_its_horizon_at_19_local_across_the_clock_change(
    app, client, me, clock
):
    first = first_thursday_apero(client)
    made = occurrences(app)
    # 60 days from 10 January reach 4 March; at least 3 take 1 April, after the clocks change.
    assert [(day, start) for day, start, *_ in made] == [
        (date(2027, 2, 4), utc("2027-02-04T18:00")),
        (date(2027, 3, 4), utc("2027-03-04T18:00")),
        (date(2027, 4, 1), utc("2027-04-01T17:00")),
    ]
    with app.app_context():
        gatherings = db.session.scalars(db.select(Gathering).order_by(Gathering.starts_at)).all()
        assert gatherings[0].id == first
        assert len({g.uid for g in gatherings}) == 3
        assert {g.series_id for g in gatherings} == {gatherings[0].series_id}
        going = db.session.scalars(db.select(Rsvp).filter_by(response=Response.GOING)).all()
        assert sorted(r.gathering_id for r in going) == sorted(g.id for g in gatherings)
        assert {r.user_id for r in going} == {me.id}
        series = db.session.get(Series, gatherings[0].series_id)
        assert (series.frequency, series.first_day, series.until) == (
            "monthly",
            date(2027, 2, 4),
            None,
        )
        assert series.tags == ["rédaction", "seo"] and series.capacity == 12
    for gathering_id in (first, first + 1, first + 2):
        assert client.get(f"/events/{gathering_id}").status_code == 200


def test_a_weekly_series_makes_the_next_60_days(app, client, me, clock):
    event_id(propose(client, start=datetime(2027, 1, 14, 19, 0), repeat="weekly"))
    days = [day for day, *_ in occurrences(app)]
    assert days[0] == date(2027, 1, 14) and days[-1] == date(2027, 3, 4)  # < 11 March
    assert len(days) == 8


def test_until_ends_the_series(app, client, me, clock):
    start = datetime(2027, 1, 14, 19, 0)
    event_id(propose(client, start=start, repeat="biweekly", repeat_until="2027-02-11"))
    assert [day for day, *_ in occurrences(app)] == [
        date(2027, 1, 14),
        date(2027, 1, 28),
        date(2027, 2, 11),
    ]


def test_without_repeat_a_gathering_stands_alone(app, client, me, clock):
    gathering_id = event_id(propose(client, start=datetime(2027, 1, 14, 19, 0)))
    assert occurrences(app) == []
    assert 'id="rhythm"' not in client.get(f"/events/{gathering_id}").text


def test_a_time_that_a_clock_change_skips_is_moved_and_said(app, client, me, clock):
    # Sunday 21 March 2027 at 02:30 in Paris, weekly: on 28 March 02:30 does not exist.
    start = datetime(2027, 3, 21, 2, 30)
    response = propose(
        client, start=start, repeat="weekly", city="Paris", venue_address="1 rue de Rivoli, Paris"
    )
    page = client.get(response.headers["Location"]).text
    assert "The 28 March occurrence starts at 03:30: 02:30 does not exist that day." in page
    assert [start for _day, start, *_ in occurrences(app)][:2] == [
        utc("2027-03-21T01:30"),
        utc("2027-03-28T01:30"),  # 03:30 CEST
    ]


def test_toronto_keeps_19_00_across_its_clock_change(app, client, me, clock):
    response = propose(
        client,
        start=datetime(2027, 3, 4, 19, 0),
        repeat="weekly",
        city="Toronto",
        venue_address="100 Queen St W, Toronto",
        confirm_country="CA",
    )
    event_id(response)
    starts = {day: start for day, start, *_ in occurrences(app)}
    assert starts[date(2027, 3, 11)] == utc("2027-03-12T00:00")  # EST
    assert starts[date(2027, 3, 18)] == utc("2027-03-18T23:00")  # EDT


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {"repeat": "monthly_last", "start": datetime(2027, 2, 4, 19, 0)},
            "repeat",
            "The start date is not the last such weekday of its month",
        ),
        ({"repeat": "yearly"}, "repeat", "Choose how it repeats."),
        (
            {"repeat_until": "2027-03-01"},
            "repeat_until",
            "Choose how it repeats, or leave this empty.",
        ),
        (
            {"repeat": "weekly", "repeat_until": "2027-02-04"},
            "repeat_until",
            "The last date must come after the first one.",
        ),
        (
            {"repeat": "weekly", "repeat_until": "2029-06-01"},
            "repeat_until",
            "within the next two years",
        ),
        (
            {"repeat": "weekly", "repeat_until": "June"},
            "repeat_until",
            "Enter a date, like 2027-06-30.",
        ),
    ],
)
def test_a_repeat_the_rules_refuse_says_why_beside_the_field(
    app, client, me, clock, fields, field, message
):
    fields.setdefault("start", datetime(2027, 2, 4, 19, 0))
    response = propose(client, **fields)
    assert response.status_code == 200
    assert f'id="{field}-error"' in response.text
    assert message in response.text.replace("&#39;", "'")
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Gathering)) == 0


def test_the_last_thursday_of_the_month(app, client, me, clock):
    event_id(propose(client, start=datetime(2027, 1, 28, 19, 0), repeat="monthly_last"))
    days = [day for day, *_ in occurrences(app)]
    assert days == [date(2027, 1, 28), date(2027, 2, 25), date(2027, 3, 25)]


def test_the_same_form_sent_twice_makes_one_series(app, client, me, clock):
    data = form_data(start=datetime(2027, 2, 4, 19, 0), repeat="monthly", idempotency_key="k" * 32)
    first = client.post("/events/new", data=data)
    second = client.post("/events/new", data=data)
    assert event_id(first) == event_id(second)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Series)) == 1
    assert len(occurrences(app)) == 3


# tick -------------------------------------------------------------------------------------


def test_tick_keeps_the_horizon_and_twice_makes_nothing_new(app, client, me, clock):
    first_thursday_apero(client)
    april = datetime(2027, 4, 2, 12, 0, tzinfo=UTC)
    assert tick(app, april) == "Made 3 occurrence(s) of 1 series."  # May, June, July
    assert tick(app, april) == "Made 0 occurrence(s) of 0 series."
    assert [day for day, *_ in occurrences(app)][-1] == date(2027, 7, 1)


def test_tick_never_remakes_a_cancelled_or_detached_occurrence(app, client, me, clock):
    first = first_thursday_apero(client)
    client.post(f"/events/{first + 1}/cancel", data={"scope": "this"})
    with app.app_context():
        db.session.get(Gathering, first + 2).detached = True
        db.session.commit()
    before = occurrences(app)
    assert tick(app, JANUARY) == "Made 0 occurrence(s) of 0 series."
    assert occurrences(app) == before


def test_the_tick_command_says_what_it_made(app, client, me, clock, runner):
    first_thursday_apero(client)
    result = runner.invoke(args=["tick"])  # today: the series' horizon is there already
    assert result.exit_code == 0, result.output
    assert "Made 0 occurrence(s) of 0 series." in result.output


def test_two_ticks_at_once_make_each_occurrence_once(
    app, client, me, clock, database_url, tmp_path
):
    """Two `tick` processes on one database: every missing occurrence made once, by one of them."""
    from datetime import timedelta

    from meetups.dates import utcnow

    # A weekly series from tomorrow, really (the processes read the real clock).
    start = (utcnow() + timedelta(days=1)).replace(
        tzinfo=None, hour=19, minute=0, second=0, microsecond=0
    )
    clock(utcnow())
    first = event_id(propose(client, start=start, repeat="weekly"))
    with app.app_context():
        later = db.session.scalars(db.select(Gathering).where(Gathering.id != first)).all()
        missing = len(later)
        for gathering in later:
            db.session.delete(gathering)
        db.session.commit()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("MEETUPS_")},
        "DATABASE_URL": database_url,
        "MEETUPS_INSTANCE_PATH": str(tmp_path / "instance"),
        "MEETUPS_SECRET_KEY": "test-secret-key",
        "MEETUPS_GEOCODERS": "offline",
    }
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "tick"]
    ticks = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True) for _ in "ab"]
    outputs = [t.communicate(timeout=120)[0] for t in ticks]
    assert all(t.returncode == 0 for t in ticks), outputs
    made = [int(out.split("Made ")[1].split(" ")[0]) for out in outputs]
    assert sum(made) == missing, outputs
    days = [day for day, *_ in occurrences(app)]
    assert len(days) == len(set(days)) == missing + 1


# Pages and the API ------------------------------------------------------------------------


def test_the_page_names_the_rhythm_and_links_to_the_next_ones(app, client, me, clock):
    first = first_thursday_apero(client)
    page = client.get(f"/events/{first}").text
    assert "every first Thursday of the month, 19:00" in page
    assert f'href="/events/{first + 1}"' in page and f'href="/events/{first + 2}"' in page
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"
    assert "chaque premier jeudi du mois, 19:00" in client.get(f"/events/{first}").text


def test_the_api_names_the_series(app, client, me, clock):
    first = first_thursday_apero(client)
    alone = event_id(propose(client, start=datetime(2027, 1, 20, 19, 0)))
    with app.app_context():
        series_id = db.session.get(Gathering, first).series_id
    assert client.get(f"/api/v1/events/{first}").json["series"] == series_id
    assert client.get(f"/api/v1/events/{first + 2}").json["series"] == series_id
    assert client.get(f"/api/v1/events/{alone}").json["series"] is None


# Editing and cancelling -------------------------------------------------------------------


def edit(client, gathering_id, scope="this", **fields):
    page = client.get(f"/events/{gathering_id}/edit")
    assert page.status_code == 200
    data = form_data(**fields) | {"scope": scope}
    return client.post(f"/events/{gathering_id}/edit", data=data)


def test_the_scope_is_offered_only_for_an_occurrence(app, client, me, clock):
    first = first_thursday_apero(client)
    alone = event_id(propose(client, start=datetime(2027, 1, 20, 19, 0)))
    assert 'name="scope"' in client.get(f"/events/{first}/edit").text
    assert 'name="scope"' in client.get(f"/events/{first}/cancel").text
    assert 'name="scope"' not in client.get(f"/events/{alone}/edit").text
    assert 'name="scope"' not in client.get(f"/events/{alone}/cancel").text


def test_following_may_not_move_the_date(app, client, me, clock):
    first = first_thursday_apero(client)
    response = edit(client, first + 1, "following", start=datetime(2027, 3, 5, 19, 0))
    assert response.status_code == 200
    assert 'id="scope-error"' in response.text


def test_the_new_users_story_in_every_parser(app, client, me, clock, create_user):
    """Propose in February; edit April alone; change the following from May; cancel June."""
    first = first_thursday_apero(client)
    april = first + 2
    guest = create_user()  # going to May: keeps the seat through the edits
    assert (
        event_id(
            edit(client, april, start=datetime(2027, 4, 1, 19, 0), title="Apéro spécial avril")
        )
        == april
    )
    clock(datetime(2027, 4, 2, 12, 0, tzinfo=UTC))
    assert tick(app, datetime(2027, 4, 2, 12, 0, tzinfo=UTC)).startswith("Made 3 ")
    may, june, july = april + 1, april + 2, april + 3
    with app.app_context():
        db.session.add(Rsvp(gathering_id=may, user_id=guest.id, response=Response.GOING))
        db.session.commit()
    response = edit(
        client, may, "following", start=datetime(2027, 5, 6, 19, 30), title="Apéro des freelances"
    )
    assert event_id(response) == may
    assert event_id(client.post(f"/events/{june}/cancel", data={"scope": "this"})) == june
    with app.app_context():
        assert (
            db.session.scalar(
                db.select(Rsvp).filter_by(gathering_id=may, user_id=guest.id)
            ).response
            == Response.GOING
        )
        sequences = {g.id: g.sequence for g in db.session.scalars(db.select(Gathering))}
        series = db.session.scalar(db.select(Series))
        assert (series.title, series.start_time.isoformat()) == ("Apéro des freelances", "19:30:00")
    assert sequences[first] == 0 and sequences[may] == 1 and sequences[july] == 1
    assert sequences[june] == 2  # moved to 19:30, then cancelled
    expected = [
        (utc("2027-02-04T18:00"), "Apéro freelance", "CONFIRMED"),
        (utc("2027-03-04T18:00"), "Apéro freelance", "CONFIRMED"),
        (utc("2027-04-01T17:00"), "Apéro spécial avril", "CONFIRMED"),
        (utc("2027-05-06T17:30"), "Apéro des freelances", "CONFIRMED"),
        (utc("2027-06-03T17:30"), "Apéro des freelances", "CANCELLED"),
        (utc("2027-07-01T17:30"), "Apéro des freelances", "CONFIRMED"),
    ]
    clock(JANUARY)  # the feed's window: four weeks back from January, a year ahead
    body = client.get("/cities/lyon/calendar.ics").data
    events_text = body.split(b"BEGIN:VEVENT", 1)[1]  # the VTIMEZONE's rules come before
    assert b"RRULE" not in events_text and b"RECURRENCE-ID" not in events_text
    for read in (with_icalendar, with_vobject, with_ical):
        events = sorted(read(body), key=lambda e: e.start)
        # A cancelled event's summary says so first ("Annulé : ..."), in the feed's language.
        got = [(e.start, e.summary.split("\xa0: ")[-1], e.status) for e in events]
        assert got == expected, read.__name__
        assert len({e.uid for e in events}) == 6


def test_following_leaves_a_detached_occurrence_and_the_earlier_ones(app, client, me, clock):
    first = first_thursday_apero(client)
    edit(client, first + 2, start=datetime(2027, 4, 1, 19, 0), title="Avril à part")
    edit(client, first, "following", start=datetime(2027, 2, 4, 18, 0), title="Apéro tôt")
    made = occurrences(app)
    assert [(title, detached) for _d, _s, title, _st, detached in made] == [
        ("Apéro tôt", False),
        ("Apéro tôt", False),
        ("Avril à part", True),
    ]
    assert made[1][1] == utc("2027-03-04T17:00")
    assert made[2][1] == utc("2027-04-01T17:00")  # kept its 19:00
    # Each page names the rhythm at its own time: April was edited alone and kept 19:00.
    assert "every first Thursday of the month, 18:00" in client.get(f"/events/{first}").text
    assert "every first Thursday of the month, 19:00" in client.get(f"/events/{first + 2}").text


def test_cancelling_the_following_stops_the_series(app, client, me, clock):
    first = first_thursday_apero(client)
    response = client.post(f"/events/{first + 1}/cancel", data={"scope": "following"})
    assert event_id(response) == first + 1
    statuses = [status for _d, _s, _t, status, _dt in occurrences(app)]
    assert statuses == [Status.SCHEDULED, Status.CANCELLED, Status.CANCELLED]
    assert tick(app, datetime(2027, 4, 2, 12, 0, tzinfo=UTC)) == "Made 0 occurrence(s) of 0 series."
    with app.app_context():
        assert db.session.scalar(db.select(Series)).stopped_at is not None
    body = client.get("/cities/lyon/calendar.ics").data
    assert body.count(b"STATUS:CANCELLED") == 2


def test_people_who_answered_are_told_of_each_occurrence_changed(
    app, client, me, clock, create_user
):
    from meetups.notifications.models import Kind, Mail

    first = first_thursday_apero(client)
    guest = create_user()
    with app.app_context():
        for gathering_id in (first + 1, first + 2):
            db.session.add(
                Rsvp(gathering_id=gathering_id, user_id=guest.id, response=Response.MAYBE)
            )
        db.session.commit()
    edit(client, first, "following", start=datetime(2027, 2, 4, 18, 30))
    client.post(f"/events/{first + 2}/cancel", data={"scope": "following"})
    with app.app_context():
        told = db.session.execute(
            db.select(Mail.kind, Mail.gathering_id).filter_by(user_id=guest.id)
        ).all()
    assert sorted(told) == sorted(
        [(Kind.CHANGED, first + 1), (Kind.CHANGED, first + 2), (Kind.CANCELLED, first + 2)]
    )


def test_an_empty_scope_means_this_one(app, client, me, clock):
    first = first_thursday_apero(client)
    assert event_id(client.post(f"/events/{first + 1}/cancel", data={"scope": ""})) == first + 1
    statuses = [status for _d, _s, _t, status, _dt in occurrences(app)]
    assert statuses == [Status.SCHEDULED, Status.CANCELLED, Status.SCHEDULED]


def test_an_occurrence_takes_no_minimum(app, client, me, clock):
    first = first_thursday_apero(client)
    reply = edit(client, first + 1, "following", start=datetime(2027, 3, 4, 19, 0), min_going="3")
    assert reply.status_code == 200 and "A minimum is for a gathering of its own" in reply.text
    assert [status for _d, _s, _t, status, _dt in occurrences(app)] == [Status.SCHEDULED] * 3
