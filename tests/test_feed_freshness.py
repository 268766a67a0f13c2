"""Feeds know when they changed from their own rows: what a 304, a write elsewhere, a rebuild
and a crowd of simultaneous requests cost, counted in SQL statements and rendered events.

"Another process" is a second app on the same database: its own memory, its own cache.
"""

import threading

import flask
import pytest
import redis

from tests.conftest import form_data
from tests.test_feeds import signed_in, token_of

LYON = "/cities/lyon/calendar.ics"
PARIS = "/cities/paris/calendar.ics"


@pytest.fixture
def two_cities(app, create_user, create_gathering):
    """An organiser and an attendee; two gatherings in Lyon, one in Paris."""
    organiser, attendee = create_user(), create_user()
    lyon = [create_gathering(organiser, title=f"Lyon {n}", capacity="") for n in (1, 2)]
    paris = create_gathering(
        organiser,
        title="Paris 1",
        city="Paris",
        venue_address="5 rue de Rivoli, 75004 Paris",
    )
    signed_in(app, attendee).post(f"/events/{lyon[0].id}/rsvp", data={"response": "going"})
    return organiser, attendee, lyon, paris


def test_a_conditional_get_is_answered_from_one_query_in_any_process(
    app, client, two_cities, other_process, statements
):
    organiser, _attendee, lyon, _paris = two_cities
    paths = [LYON, f"{LYON}?tag=seo&lang=en", f"/events/{lyon[0].id}/calendar.ics"]
    paths.append(f"/feeds/{token_of(app, organiser)}.ics")
    etags = {path: client.get(path).headers["ETag"] for path in paths}
    fresh = other_process()  # nothing of these feeds in its memory
    watch = statements(fresh)
    for path, etag in etags.items():
        count, response = watch.during(
            lambda p=path, e=etag: fresh.test_client().get(p, headers={"If-None-Match": e})
        )
        assert response.status_code == 304, path
        assert count == 1, path  # the feed's freshness, and nothing built


def test_a_feed_already_kept_is_answered_without_the_page_machinery(app, client, two_cities):
    """No session, CSRF, rate limit, language negotiation or page hooks for a feed kept:
    Flask's request handling does not even start."""
    started = []

    def record(sender, **_extra):
        started.append(flask.request.path)

    etag = client.get(LYON).headers["ETag"]  # built, through the app
    with flask.request_started.connected_to(record, app):
        assert client.get(LYON).status_code == 200
        assert client.get(LYON, headers={"If-None-Match": etag}).status_code == 304
        assert client.head(LYON).status_code == 200
        assert started == []
        assert client.get("/cities/lyon").status_code == 200  # a page does go through Flask
        assert started == ["/cities/lyon"]
    kept = client.get(LYON, headers={"Cookie": "session=x", "Accept-Language": "en"})
    assert kept.headers["X-Content-Type-Options"] == "nosniff"
    assert kept.headers["Referrer-Policy"] == "same-origin"
    assert "Set-Cookie" not in kept.headers


def test_a_write_elsewhere_leaves_a_feed_alone(app, client, two_cities, statements):
    organiser, attendee, lyon, _paris = two_cities
    first = client.get(PARIS)
    lyon_before = client.get(LYON).headers["ETag"]
    host, guest = signed_in(app, organiser), signed_in(app, attendee)
    # In Lyon: a proposal, an answer, a cancellation.
    assert host.post("/events/new", data=form_data(title="Lyon 3")).status_code == 303
    assert guest.post(f"/events/{lyon[1].id}/rsvp", data={"response": "maybe"}).status_code == 303
    assert host.post(f"/events/{lyon[0].id}/cancel").status_code == 303
    watch = statements(app)
    count, again = watch.during(lambda: client.get(PARIS))
    assert count == 1  # its freshness only: served as it was, not rebuilt
    assert again.data == first.data and again.headers["ETag"] == first.headers["ETag"]
    assert client.get(LYON).headers["ETag"] != lyon_before  # the writes did change Lyon's
    # An answer changes the person's own feed, and no city feed.
    mine = client.get(f"/feeds/{token_of(app, attendee)}.ics").headers["ETag"]
    lyon_now = client.get(LYON).headers["ETag"]
    assert guest.post(f"/events/{lyon[1].id}/rsvp", data={"response": "no"}).status_code == 303
    assert client.get(LYON, headers={"If-None-Match": lyon_now}).status_code == 304
    assert client.get(f"/feeds/{token_of(app, attendee)}.ics").headers["ETag"] != mine


@pytest.fixture
def shared(app_config, redis_url):
    """Feeds kept in Redis as well, where what is kept can be seen."""
    return {**app_config, "REDIS_URL": redis_url}


def vevents(redis_url) -> set[bytes]:
    return set(redis.Redis.from_url(redis_url).keys("meute:vevent:*"))


def test_a_rebuild_renders_the_changed_event_only_and_matches_a_full_build(
    shared, redis_url, create_user, create_gathering, other_process
):
    app = other_process(**shared)
    organiser = create_user()
    made = [
        create_gathering(organiser, title=f"Rencontre {n}", capacity="", venue_name=f"Café {n}")
        for n in range(6)
    ]
    personal = f"/feeds/{token_of(app, organiser)}.ics"
    client = app.test_client()
    for path in (LYON, personal):
        assert client.get(path).status_code == 200
    rendered = vevents(redis_url)
    assert len(rendered) == 12  # six events, as the city and the organiser's feed show them
    # A body lasts until its feed changes: Redis keeps it hours, not the week events get.
    shared = redis.Redis.from_url(redis_url)
    (body_key, *_rest) = shared.keys("meute:feed:*")
    assert 0 < shared.ttl(body_key) <= 6 * 3600 < shared.ttl(next(iter(rendered)))

    edited = form_data(title="Rencontre déplacée", capacity="", tags="seo", venue_name="Café 2")
    response = signed_in(app, organiser).post(f"/events/{made[2].id}/edit", data=edited)
    assert response.status_code == 303
    after = {path: client.get(path).data for path in (LYON, personal)}
    assert len(vevents(redis_url) - rendered) == 2  # the edited event, in each feed: no more
    assert all("Rencontre déplacée".encode() in body for body in after.values())

    redis.Redis.from_url(redis_url).flushall()
    cold = other_process(**shared).test_client()  # a full build: every event rendered anew
    for path, body in after.items():
        assert cold.get(path).data == body, path


def test_a_feed_is_built_by_one_request_at_a_time(
    shared, create_user, create_gathering, other_process, statements
):
    organiser = create_user()
    for n in range(4):
        create_gathering(organiser, title=f"Rencontre {n}")
    # What one cold request costs, on a third process (its build is kept in Redis: clear it).
    probe = other_process(**shared)
    watch = statements(probe)
    cold, _ = watch.during(lambda: probe.test_client().get(LYON))
    with probe.app_context():
        redis.Redis.from_url(probe.config["REDIS_URL"]).flushall()
    assert cold > 1

    # Eight requests at once over two processes, each with empty memory.
    workers = [other_process(**shared), other_process(**shared)]
    watches = [statements(worker) for worker in workers]
    start, bodies = threading.Barrier(8), []

    def fetch(worker):
        client = worker.test_client()
        start.wait()
        bodies.append(client.get(LYON).data)

    threads = [threading.Thread(target=fetch, args=(workers[n % 2],)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(bodies) == 8 and len(set(bodies)) == 1
    # Eight freshness queries, and one build's worth of statements beyond them.
    assert sum(w.count for w in watches) == 8 + (cold - 1)
