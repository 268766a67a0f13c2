"""`flask demo --gatherings N`: bulk demo data that the pages, feeds and API read like their own."""

import random
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
import sqlalchemy as sa

from meetups.dates import utcnow
from meetups.extensions import db

GATHERINGS = 300


def bulk(runner, *args):
    result = runner.invoke(args=["demo", "--gatherings", str(GATHERINGS), *args])
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture
def loaded(runner):
    """The database after `flask demo --gatherings 300`; the command's result."""
    return bulk(runner)


def count_of(model):
    return sa.select(sa.func.count()).select_from(model)


def scalar(app, statement):
    with app.app_context():
        return db.session.scalar(statement)


def rows(app, statement):
    with app.app_context():
        return db.session.execute(statement).all()


def test_it_reports_progress_and_how_to_sign_in(app, loaded, client):
    assert f"Made {GATHERINGS} of {GATHERINGS} gatherings" in loaded.output
    assert f"{GATHERINGS} gatherings" in loaded.stdout
    signed = re.search(r"Sign in as (\S+) with the password (\S+)\.", loaded.stdout)
    assert signed, loaded.stdout
    response = client.post("/auth/login", data={"email": signed[1], "password": signed[2]})
    assert response.status_code == 302


def test_it_makes_n_gatherings_spread_over_cities_dates_and_tags(app, loaded):
    from meetups.gatherings.models import Gathering, Status, gathering_tags
    from meetups.places.models import City, Venue

    now = utcnow()
    assert scalar(app, sa.select(sa.func.count(Gathering.id))) == GATHERINGS
    zones = scalar(app, sa.select(sa.func.count(sa.distinct(City.timezone))))
    assert scalar(app, sa.select(sa.func.count(City.id))) >= 8 and zones >= 2
    starts = [s for (s,) in rows(app, sa.select(Gathering.starts_at))]
    assert min(starts) < now - timedelta(weeks=3)
    assert max(starts) > now + timedelta(days=300)
    cancelled = scalar(app, count_of(Gathering).where(Gathering.status == Status.CANCELLED))
    assert 0 < cancelled < GATHERINGS // 10
    assert scalar(app, sa.select(sa.func.count(sa.distinct(gathering_tags.c.tag_id)))) >= 10
    assert scalar(app, count_of(Gathering).where(Gathering.capacity.is_(None))) > 0
    # Every venue is located, in the city of the gatherings held there.
    assert scalar(app, count_of(Venue).where(Venue.latitude.is_(None))) == 0
    elsewhere = count_of(Gathering).join(Gathering.venue).where(Venue.city_id != Gathering.city_id)
    assert scalar(app, elsewhere) == 0


def test_packs_in_the_cities_hold_a_share_of_the_gatherings(app, loaded, client):
    from meetups.gatherings.models import Gathering
    from meetups.packs.models import Membership, MemberStatus, Pack, Role

    assert scalar(app, count_of(Pack)) >= 2
    in_packs = scalar(app, count_of(Gathering).where(Gathering.pack_id.is_not(None)))
    assert GATHERINGS * 0.15 < in_packs < GATHERINGS * 0.45
    # A pack's gatherings are in its city, proposed by one of its active members.
    stray = (
        count_of(Gathering)
        .join(Pack, Pack.id == Gathering.pack_id)
        .outerjoin(
            Membership,
            (Membership.pack_id == Pack.id)
            & (Membership.user_id == Gathering.organiser_id)
            & (Membership.status == MemberStatus.ACTIVE),
        )
        .where((Pack.city_id != Gathering.city_id) | Membership.id.is_(None))
    )
    assert scalar(app, stray) == 0
    # Each pack has exactly one organiser, and members besides.
    organisers = sa.select(Membership.pack_id, sa.func.count()).where(
        Membership.role == Role.ORGANISER
    )
    assert {n for _pack, n in rows(app, organisers.group_by(Membership.pack_id))} == {1}
    assert scalar(app, count_of(Membership)) >= 3 * scalar(app, count_of(Pack))
    # Its page names the pack.
    gathering_id, name = rows(
        app, sa.select(Gathering.id, Pack.name).join(Gathering.pack).order_by(Gathering.id)
    )[0]
    assert name in client.get(f"/events/{gathering_id}").text


def test_seats_are_never_oversold_and_only_full_gatherings_have_a_waitlist(app, loaded):
    from meetups.gatherings.models import Gathering, Response, Rsvp

    seated = sa.func.sum(sa.case((Rsvp.is_waitlisted.is_(False), 1), else_=0))
    waiting = sa.func.sum(sa.case((Rsvp.is_waitlisted.is_(True), 1), else_=0))
    counts = rows(
        app,
        sa.select(Gathering.capacity, seated, waiting)
        .join(Rsvp, (Rsvp.gathering_id == Gathering.id) & (Rsvp.response == Response.GOING))
        .group_by(Gathering.id, Gathering.capacity),
    )
    assert len(counts) == GATHERINGS  # the organiser is going in every one
    assert all(capacity is None or going <= capacity for capacity, going, _w in counts)
    assert all(going == capacity for capacity, going, waits in counts if waits)
    assert any(waits for _c, _g, waits in counts)
    organisers_seated = (
        count_of(Gathering)
        .join(Rsvp, (Rsvp.gathering_id == Gathering.id) & (Rsvp.user_id == Gathering.organiser_id))
        .where(Rsvp.response == Response.GOING, Rsvp.is_waitlisted.is_(False))
    )
    assert scalar(app, organisers_seated) == GATHERINGS


def test_every_city_feed_holds_its_window(app, loaded, client):
    from meetups.gatherings.models import Gathering, Status
    from meetups.places.models import City

    cities = client.get("/api/v1/cities").json["cities"]
    for city in cities:
        hour = utcnow().replace(minute=0, second=0, microsecond=0)
        response = client.get(f"/cities/{city['slug']}/calendar.ics")
        assert response.status_code == 200
        events = icalendar.Calendar.from_ical(response.data).walk("VEVENT")
        in_window = (
            count_of(Gathering)
            .join(Gathering.city)
            .where(
                City.slug == city["slug"],
                Gathering.ends_at >= hour - timedelta(weeks=4),
                Gathering.starts_at <= hour + timedelta(days=365),
                (Gathering.status == Status.SCHEDULED)
                | (Gathering.ends_at >= hour - timedelta(days=7)),
            )
        )
        assert len(events) == scalar(app, in_window), city["slug"]
        cancelled = [e for e in events if e.get("STATUS") == "CANCELLED"]
        assert all(int(e["SEQUENCE"]) == 1 for e in cancelled)


def test_the_api_and_the_city_pages_agree(app, loaded, client):
    from meetups.gatherings.models import Gathering, Status
    from meetups.places.models import City

    now = utcnow()
    for city in client.get("/api/v1/cities").json["cities"]:
        of_city = count_of(Gathering).join(Gathering.city).where(City.slug == city["slug"])
        upcoming = of_city.where(Gathering.ends_at > now)
        scheduled = upcoming.where(Gathering.status == Status.SCHEDULED)
        assert city["upcoming_count"] == scalar(app, scheduled)
        page = client.get(f"/api/v1/events?city={city['slug']}&limit=500").json
        assert page["next"] is None
        assert len(page["events"]) == scalar(app, upcoming)
        # The city page lists the same gatherings, 50 a page, following its "later" links.
        cards, path = 0, f"/cities/{city['slug']}"
        while path:
            html = client.get(path).text
            cards += html.count('<article class="card')
            later = re.search(r'rel="next" href="([^"]+)"', html)
            path = later.group(1).replace("&amp;", "&") if later else None
        assert cards == len(page["events"]), city["slug"]
        for event in page["events"]:
            assert_event_reads_right(event, city["timezone"])


def assert_event_reads_right(event: dict, timezone: str) -> None:
    """Seats add up, and the start is a usual wall-clock time in the city's zone."""
    if event["capacity"] is not None:
        assert event["going_count"] + event["seats_left"] == event["capacity"]
    if event["waitlist_count"]:
        assert event["seats_left"] == 0
    starts = datetime.fromisoformat(event["starts_at"])
    assert starts.utcoffset() == starts.astimezone(ZoneInfo(timezone)).utcoffset()
    assert 8 <= starts.hour <= 22 and starts.minute in (0, 30), event["starts_at"]


def test_it_refuses_a_non_empty_database_and_changes_nothing(app, runner, create_user):
    from meetups.accounts.models import User
    from meetups.gatherings.models import Gathering
    from meetups.places.models import City

    create_user()
    result = runner.invoke(args=["demo", "--gatherings", "50"])
    assert result.exit_code != 0
    assert "The database is not empty" in result.output
    assert scalar(app, sa.select(sa.func.count(User.id))) == 1
    assert scalar(app, sa.select(sa.func.count(Gathering.id))) == 0
    assert scalar(app, sa.select(sa.func.count(City.id))) == 0


@pytest.mark.parametrize("count", ["0", "-3", "many"])
def test_it_wants_a_positive_number(app, runner, count):
    result = runner.invoke(args=["demo", "--gatherings", count])
    assert result.exit_code == 2
    assert "--gatherings" in result.output


def test_the_same_seed_makes_the_same_gatherings(app, runner):
    from meetups.gatherings.models import Gathering

    def titles(*args):
        with app.app_context():
            db.drop_all()
            db.create_all()
        bulk(runner, *args)
        return rows(app, sa.select(Gathering.title, Gathering.capacity).order_by(Gathering.id))

    first = titles("--seed", "7")
    assert titles("--seed", "7") == first
    assert titles("--seed", "8") != first


def test_without_gatherings_the_small_demo_is_unchanged(app, runner):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "Made" not in result.output
    assert runner.invoke(args=["demo", "--seed", "3"]).exit_code == 2


def test_bulk_answers_are_what_the_rsvp_service_leaves(app, create_gathering, create_user):
    """The same random answers, played through services.respond() and the bulk generator."""
    from meetups.accounts.models import User
    from meetups.demo.rsvps import answers_for
    from meetups.gatherings import services
    from meetups.gatherings.models import Gathering, Rsvp

    rng = random.Random(5)
    people = [create_user().id for _ in range(12)]
    promotions = 0
    for capacity in (1, 3, 5, None):
        gathering_id = create_gathering(capacity=str(capacity or "")).id
        opened = utcnow()
        moves = [
            (opened + timedelta(seconds=n), rng.choice(people), rng.choice(LIKELY_ANSWERS))
            for n in range(1, 41)
        ]
        with app.app_context():
            gathering = db.session.get(Gathering, gathering_id)
            for _at, user_id, response in moves:
                services.respond(gathering, db.session.get(User, user_id), response)
            db.session.commit()
            query = sa.select(Rsvp).filter_by(gathering_id=gathering_id).order_by(Rsvp.id)
            served = [shape(rsvp) for rsvp in db.session.scalars(query)]
            made = answers_for(gathering.organiser_id, moves, capacity, opened)
        assert [shape(answer) for answer in made] == served
        promotions += sum(promoted for *_rest, promoted in served)
    assert promotions  # freed seats went to the waitlist, so that rule was played too


LIKELY_ANSWERS = ("going", "going", "going", "maybe", "no")


def shape(rsvp) -> tuple:
    """What pages and feeds read of an RSVP, times aside."""
    promoted = rsvp.promoted_at is not None
    return (rsvp.user_id, rsvp.response, rsvp.is_waitlisted, rsvp.sequence, promoted)
