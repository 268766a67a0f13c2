"""Calendar feeds over HTTP: headers, validators, caching, the window, personal feeds, tokens.

Through the test client, and where processes matter through the real gunicorn server of
tests/live_server.py (several workers, each with its own cache): a change made through the
site shows on the very next fetch of every feed it touches, whichever worker answers.
"""

import http.cookiejar
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import icalendar
import pytest

from meetups.dates import utcnow
from meetups.extensions import db
from tests.conftest import PASSWORD, form_data, future_local
from tests.live_server import serve
from tests.test_feed_parsers import check_feed_bytes, parse_all
from tests.test_rsvp import Page

BASE = "https://meute.example"
TOKEN = re.compile(r"^[A-Za-z0-9_-]{22,}$")


@pytest.fixture
def app_config(app_config):
    return {**app_config, "BASE_URL": BASE}


# Helpers ----------------------------------------------------------------------------------


def signed_in(app, user):
    """A browser of its own, signed in as this person."""
    client = app.test_client()
    response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.text
    return client


def token_of(app, user) -> str:
    from meetups.accounts.models import User

    with app.app_context():
        return db.session.get(User, user.id).feed_token


def backdate(app, hours: int = 2) -> None:
    """Move every recorded change back in time, so that the next change is clearly later
    (Last-Modified counts whole seconds)."""
    from meetups.gatherings.models import Gathering, Rsvp

    with app.app_context():
        for gathering in db.session.scalars(db.select(Gathering)):
            gathering.created_at -= timedelta(hours=hours)
            gathering.updated_at -= timedelta(hours=hours)
        for rsvp in db.session.scalars(db.select(Rsvp)):
            rsvp.responded_at -= timedelta(hours=hours)
            if rsvp.updated_at is not None:
                rsvp.updated_at -= timedelta(hours=hours)
        db.session.commit()


def next_second() -> None:
    """Wait for the next whole second: Last-Modified counts seconds, so two changes within
    one would share it (a limit of HTTP dates, not of the feeds)."""
    time.sleep(1.02 - time.time() % 1)


def set_times(app, gathering_id: int, start, end, cancelled: bool = False) -> None:
    from meetups.gatherings.models import Gathering, Status

    with app.app_context():
        gathering = db.session.get(Gathering, gathering_id)
        gathering.starts_at, gathering.ends_at = start, end
        if cancelled:
            gathering.status = Status.CANCELLED
        db.session.commit()


def uid_of(app, gathering_id: int) -> str:
    from meetups.gatherings.models import Gathering

    with app.app_context():
        return db.session.get(Gathering, gathering_id).uid


def summaries(body: bytes) -> dict[str, str]:
    return {uid: e.summary for uid, e in parse_all(body).items()}


@pytest.fixture
def setting(app, create_user, create_gathering):
    """An organiser, an attendee, and a gathering in Lyon tagged seo with both going."""
    organiser = create_user(email="orga@example.org", display_name="Olga Orga")
    attendee = create_user(email="ana@example.org", display_name="Ana Attendee")
    gathering = create_gathering(organiser, title="Apéro SEO", tags="seo", capacity="")
    other = create_gathering(organiser, title="Atelier devis", tags="devis", capacity="")
    signed_in(app, attendee).post(f"/events/{gathering.id}/rsvp", data={"response": "going"})
    backdate(app)
    return organiser, attendee, gathering.id, other.id


def feeds_of(app, setting) -> dict[str, str]:
    organiser, attendee, gathering, _ = setting
    return {
        "city": "/cities/lyon/calendar.ics",
        "tag": "/cities/lyon/calendar.ics?tag=seo",
        "download": f"/events/{gathering}/calendar.ics",
        "organiser": f"/feeds/{token_of(app, organiser)}.ics",
        "attendee": f"/feeds/{token_of(app, attendee)}.ics",
    }


# Headers ----------------------------------------------------------------------------------


def test_each_feed_answers_text_calendar_with_its_cache_headers(app, client, setting):
    for kind, path in feeds_of(app, setting).items():
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
        etag = response.headers["ETag"]
        assert etag.startswith('"') and not etag.startswith("W/"), etag  # strong
        assert response.headers["Last-Modified"].endswith(" GMT")
        assert "Content-Encoding" not in response.headers
        assert int(response.headers["Content-Length"]) == len(response.data)
        cache_control = response.headers["Cache-Control"]
        if kind in ("organiser", "attendee"):
            assert "private" in cache_control and "public" not in cache_control
            assert "noindex" in response.headers["X-Robots-Tag"]
        else:
            assert cache_control == "public, max-age=900"
            assert "X-Robots-Tag" not in response.headers
        if kind == "download":
            disposition = response.headers["Content-Disposition"]
            assert disposition.startswith("attachment;") and ".ics" in disposition
        else:
            assert "Content-Disposition" not in response.headers
        check_feed_bytes(response.data, ("orga@example.org", "ana@example.org"))


def test_no_cookie_is_set_or_varied_on_even_for_a_signed_in_browser(app, setting):
    organiser = setting[0]
    browser = signed_in(app, organiser)
    assert browser.get("/me").status_code == 200
    for path in feeds_of(app, setting).values():
        for headers in ({}, {"Accept-Language": "en", "Accept-Encoding": "identity"}):
            response = browser.get(path, headers=headers)
            assert response.status_code == 200
            assert "Set-Cookie" not in response.headers, path
            assert "cookie" not in response.headers.get("Vary", "").lower(), path
            assert "Content-Encoding" not in response.headers


def test_the_last_modified_is_the_newest_change_shown(app, client, setting):
    from meetups.gatherings.models import Gathering, Rsvp

    organiser, attendee, gathering_id, _ = setting
    with app.app_context():
        stamps = {g.id: g.updated_at for g in db.session.scalars(db.select(Gathering))}
        answered = db.session.scalar(db.select(Rsvp).filter_by(user_id=attendee.id)).updated_at
    city = client.get("/cities/lyon/calendar.ics")
    assert city.last_modified == max(stamps.values()).replace(microsecond=0)
    download = client.get(f"/events/{gathering_id}/calendar.ics")
    assert download.last_modified == stamps[gathering_id].replace(microsecond=0)
    mine = client.get(f"/feeds/{token_of(app, attendee)}.ics")
    newest = max(stamps[gathering_id], answered).replace(microsecond=0)
    assert mine.last_modified == newest
    (event,) = icalendar.Calendar.from_ical(mine.data).walk("VEVENT")
    assert event["DTSTAMP"].dt == event["LAST-MODIFIED"].dt == newest
    # Not "now": the changes were made (moved) two hours ago.
    assert utcnow() - city.last_modified > timedelta(hours=1)
    assert utcnow() - mine.last_modified > timedelta(hours=1)
    assert client.get(f"/feeds/{token_of(app, organiser)}.ics").last_modified == (
        max(stamps.values()).replace(microsecond=0)
    )


def test_unchanged_feeds_are_byte_identical_and_answer_304(app, client, setting):
    for path in feeds_of(app, setting).values():
        first, second = client.get(path), client.get(path)
        assert first.data == second.data, path
        assert first.headers["ETag"] == second.headers["ETag"]
        assert first.headers["Last-Modified"] == second.headers["Last-Modified"]

        by_etag = client.get(path, headers={"If-None-Match": first.headers["ETag"]})
        assert by_etag.status_code == 304, path
        assert by_etag.data == b""
        assert by_etag.headers["ETag"] == first.headers["ETag"]

        by_date = client.get(path, headers={"If-Modified-Since": first.headers["Last-Modified"]})
        assert by_date.status_code == 304, path
        assert by_date.data == b""

        older = (first.last_modified - timedelta(seconds=1)).strftime("%a, %d %b %Y %H:%M:%S GMT")
        assert client.get(path, headers={"If-Modified-Since": older}).status_code == 200
        assert client.get(path, headers={"If-None-Match": '"other"'}).status_code == 200


def test_head_answers_the_headers_without_the_body(app, client, setting):
    for path in feeds_of(app, setting).values():
        get, head = client.get(path), client.head(path)
        assert head.status_code == 200
        assert head.data == b""
        for name in ("Content-Type", "ETag", "Last-Modified", "Cache-Control", "Content-Length"):
            assert head.headers[name] == get.headers[name], (path, name)
        assert client.head(path, headers={"If-None-Match": get.headers["ETag"]}).status_code == 304


def test_unknown_city_gathering_or_token_is_404(app, client, setting):
    assert client.get("/cities/atlantis/calendar.ics").status_code == 404
    assert client.get("/events/999999/calendar.ics").status_code == 404
    assert client.get("/feeds/not-a-real-token-at-all-xxxxxxxxxxxxxxx.ics").status_code == 404
    assert client.get(f"/feeds/{'x' * 200}.ics").status_code == 404
    assert client.head("/cities/atlantis/calendar.ics").status_code == 404


def test_the_tag_filter(app, client, setting):
    _, _, seo, devis = setting
    everything = set(parse_all(client.get("/cities/lyon/calendar.ics").data))
    assert everything == {uid_of(app, seo), uid_of(app, devis)}
    assert set(parse_all(client.get("/cities/lyon/calendar.ics?tag=seo").data)) == {
        uid_of(app, seo)
    }
    assert set(parse_all(client.get("/cities/lyon/calendar.ics?tag=SEO").data)) == {
        uid_of(app, seo)
    }
    assert parse_all(client.get("/cities/lyon/calendar.ics?tag=nothing").data) == {}
    # A city known from the gazetteer but where nobody met yet has no feed.
    assert client.get("/cities/paris/calendar.ics").status_code == 404


# What a change does -----------------------------------------------------------------------


def test_every_change_shows_on_the_next_request_of_every_feed_it_touches(app, client, setting):
    organiser, attendee, gathering_id, _ = setting
    feeds = feeds_of(app, setting)
    uid = uid_of(app, gathering_id)
    seen = {name: client.get(path) for name, path in feeds.items()}
    host, guest = signed_in(app, organiser), signed_in(app, attendee)
    next_second()

    def next_fetch(name):
        """The next request, conditional as a polling client makes it, by ETag and by date."""
        path, before = feeds[name], seen[name]
        by_etag = client.get(path, headers={"If-None-Match": before.headers["ETag"]})
        by_date = client.get(path, headers={"If-Modified-Since": before.headers["Last-Modified"]})
        if by_etag.status_code == 304:
            assert by_date.status_code == 304, f"{name}: If-Modified-Since misses a change"
            return None
        assert by_etag.status_code == 200 and by_date.status_code == 200, name
        assert by_etag.data == by_date.data
        assert by_etag.headers["ETag"] != before.headers["ETag"]
        seen[name] = by_etag
        return parse_all(by_etag.data)

    sequences = {}

    def touched(*names):
        next_second()  # for the next change
        found = {name: next_fetch(name) for name in feeds}
        for name, events in found.items():
            assert (events is not None) == (name in names), name
            if events and uid in events:  # every change a person would notice raises it
                assert events[uid].sequence > sequences.get(name, 0), name
                sequences[name] = events[uid].sequence
        return found

    # An edit: a new time and title, a higher SEQUENCE, everywhere it shows.
    start = future_local(days=40, hour=18)
    edited = host.post(
        f"/events/{gathering_id}/edit",
        data=form_data(title="Apéro SEO avancé", tags="seo", capacity="", start=start),
    )
    assert edited.status_code == 303, edited.text
    found = touched("city", "tag", "download", "organiser", "attendee")
    for events in found.values():
        assert events[uid].summary == "Apéro SEO avancé"
        assert events[uid].sequence == 1

    # The venue placed by hand: GEO appears, SEQUENCE rises.
    placed = host.post(
        f"/events/{gathering_id}/location", data={"latitude": "45.7641", "longitude": "4.8350"}
    )
    assert placed.status_code == 303, placed.text
    found = touched("city", "tag", "download", "organiser", "attendee")
    for events in found.values():
        assert events[uid].geo == (45.7641, 4.835)
        assert events[uid].sequence == 2

    # An RSVP change touches that person's feed only.
    assert guest.post(f"/events/{gathering_id}/rsvp", data={"response": "maybe"}).status_code == 303
    found = touched("attendee")
    assert found["attendee"][uid].status == "TENTATIVE"
    assert found["attendee"][uid].summary == "[Peut-être] Apéro SEO avancé"
    assert guest.post(f"/events/{gathering_id}/rsvp", data={"response": "no"}).status_code == 303
    found = touched("attendee")
    assert uid not in found["attendee"]  # removed, not cancelled
    assert guest.post(f"/events/{gathering_id}/rsvp", data={"response": "going"}).status_code == 303
    found = touched("attendee")
    assert found["attendee"][uid].status == "CONFIRMED"

    # A cancellation stays in every feed, marked.
    assert host.post(f"/events/{gathering_id}/cancel").status_code == 303
    found = touched("city", "tag", "download", "organiser", "attendee")
    for events in found.values():
        assert events[uid].status == "CANCELLED"
        assert events[uid].summary == "Annulé\xa0: Apéro SEO avancé"
    assert found["city"][uid].sequence == 3
    assert found["attendee"][uid].sequence == 3 + 3  # the gathering's, and her 3 answers

    # Reinstated: on again everywhere, a higher SEQUENCE still.
    assert host.post(f"/events/{gathering_id}/reinstate").status_code == 303
    found = touched("city", "tag", "download", "organiser", "attendee")
    for events in found.values():
        assert (events[uid].status, events[uid].summary) == ("CONFIRMED", "Apéro SEO avancé")
    assert found["city"][uid].sequence == 4

    # Cancelled with a word to the people coming: calendars carry it first.
    cancelled = host.post(f"/events/{gathering_id}/cancel", data={"message": "Salle inondée."})
    assert cancelled.status_code == 303
    found = touched("city", "tag", "download", "organiser", "attendee")
    for events in found.values():
        assert events[uid].status == "CANCELLED"
        assert events[uid].description.startswith("Annulé\xa0: Salle inondée.\n\n")
    assert found["city"][uid].sequence == 5


def test_an_edit_that_takes_a_gathering_out_of_a_tag_feed_shows_there(
    app, client, setting, create_gathering
):
    organiser, _, gathering_id, _ = setting
    staying = create_gathering(organiser, title="Atelier SEO", tags="seo")
    backdate(app)
    path = "/cities/lyon/calendar.ics?tag=seo"
    before = client.get(path)
    assert set(parse_all(before.data)) == {uid_of(app, gathering_id), staying.uid}
    next_second()
    signed_in(app, organiser).post(
        f"/events/{gathering_id}/edit",
        data=form_data(title="Apéro SEO", tags="apéro", capacity="", start=future_local()),
    )
    after = client.get(path, headers={"If-Modified-Since": before.headers["Last-Modified"]})
    assert after.status_code == 200
    assert set(parse_all(after.data)) == {staying.uid}


def test_promotion_from_the_waitlist_confirms_with_a_higher_sequence(
    app, client, create_user, create_gathering
):
    organiser = create_user()
    first, second = create_user(), create_user()
    gathering = create_gathering(organiser, capacity="2")
    signed_in(app, first).post(f"/events/{gathering.id}/rsvp", data={"response": "going"})
    waiting = signed_in(app, second)
    waiting.post(f"/events/{gathering.id}/rsvp", data={"response": "going"})
    path = f"/feeds/{token_of(app, second)}.ics"
    before = parse_all(client.get(path).data)[gathering.uid]
    assert before.status == "TENTATIVE"
    assert before.summary == "[Liste d’attente] Apéro freelance"
    assert parse_all(client.get(path + "?lang=en").data)[gathering.uid].summary == (
        "[Waitlist] Apéro freelance"
    )

    signed_in(app, first).post(f"/events/{gathering.id}/rsvp", data={"response": "no"})
    after = parse_all(client.get(path).data)[gathering.uid]
    assert after.status == "CONFIRMED"
    assert after.summary == "Apéro freelance"
    assert after.sequence > before.sequence
    assert gathering.uid not in parse_all(client.get(f"/feeds/{token_of(app, first)}.ics").data)


def test_the_personal_feed_holds_what_i_organise_attend_wait_for_or_might_attend(
    app, client, create_user, create_gathering
):
    me, other = create_user(), create_user()
    mine = create_gathering(me, title="Le mien")
    going = create_gathering(other, title="J'y vais")
    maybe = create_gathering(other, title="Peut-être")
    declined = create_gathering(other, title="Non merci")
    full = create_gathering(other, title="Complet", capacity="1")
    unrelated = create_gathering(other, title="Pas moi")
    browser = signed_in(app, me)
    for gathering, answer in (
        (going, "going"),
        (maybe, "maybe"),
        (declined, "going"),
        (full, "going"),
    ):
        browser.post(f"/events/{gathering.id}/rsvp", data={"response": answer})
    browser.post(f"/events/{declined.id}/rsvp", data={"response": "no"})

    for lang, wait, perhaps in (
        ("", "[Liste d’attente]", "[Peut-être]"),
        ("en", "[Waitlist]", "[Maybe]"),
    ):
        events = parse_all(client.get(f"/feeds/{token_of(app, me)}.ics?lang={lang}").data)
        assert {uid: (e.status, e.summary) for uid, e in events.items()} == {
            mine.uid: ("CONFIRMED", "Le mien"),
            going.uid: ("CONFIRMED", "J'y vais"),
            maybe.uid: ("TENTATIVE", f"{perhaps} Peut-être"),
            full.uid: ("TENTATIVE", f"{wait} Complet"),
        }
    assert unrelated.uid not in events and declined.uid not in events


# The window -------------------------------------------------------------------------------


def test_the_feed_window(app, client, create_user, create_gathering):
    organiser = create_user()
    now = utcnow()
    day = timedelta(days=1)
    cases = {
        # name: (start, end, cancelled, in the feed)
        "upcoming": (now + 3 * day, now + 3 * day + timedelta(hours=2), False, True),
        "under way": (now - timedelta(hours=1), now + timedelta(hours=1), False, True),
        "ended 3 weeks ago": (now - 21 * day, now - 21 * day + timedelta(hours=2), False, True),
        "ended 5 weeks ago": (now - 35 * day, now - 35 * day + timedelta(hours=2), False, False),
        "cancelled, ended 5 days ago": (
            now - 5 * day - timedelta(hours=2),
            now - 5 * day,
            True,
            True,
        ),
        "cancelled, ended 9 days ago": (
            now - 9 * day - timedelta(hours=2),
            now - 9 * day,
            True,
            False,
        ),
        "cancelled, upcoming": (now + 9 * day, now + 9 * day + timedelta(hours=2), True, True),
        "in 11 months": (now + 335 * day, now + 335 * day + timedelta(hours=2), False, True),
        "in 13 months": (now + 395 * day, now + 395 * day + timedelta(hours=2), False, False),
    }
    uids = {}
    for name, (start, end, cancelled, _) in cases.items():
        gathering = create_gathering(organiser, title=name)
        set_times(app, gathering.id, start, end, cancelled)
        uids[gathering.uid] = name
    expected = {name for name, case in cases.items() if case[3]}

    for path in ("/cities/lyon/calendar.ics", f"/feeds/{token_of(app, organiser)}.ics"):
        events = parse_all(client.get(path).data)
        assert {uids[uid] for uid in events} == expected, path
    # The download of a single gathering answers whenever it is.
    for name, uid in ((n, u) for u, n in uids.items()):
        assert name in summaries(client.get(f"/events/{_id_of(app, uid)}/calendar.ics").data)[uid]


def _id_of(app, uid: str) -> int:
    from meetups.gatherings.models import Gathering

    with app.app_context():
        return db.session.scalar(db.select(Gathering.id).filter_by(uid=uid))


def test_a_feed_stays_under_a_megabyte_dropping_the_furthest_first(app, client, create_user):
    from meetups.accounts.models import User
    from meetups.gatherings import services
    from tests.test_feed_parsers import proposal_from

    organiser = create_user()
    paragraph = "Une description très longue, avec des virgules; des accents: é à ü. " * 60
    with app.app_context():
        person = db.session.get(User, organiser.id)
        for n in range(260):
            start = future_local(days=2 + n)
            services.propose(
                person,
                proposal_from(
                    title=f"Rencontre n°{n:03d}",
                    description=f"{n}\n{paragraph}",
                    tags="seo, rédaction, très long",
                    start=start,
                    ends_at=(start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
                ),
            )
        db.session.commit()
    body = client.get("/cities/lyon/calendar.ics").data
    assert len(body) > 990_000  # the cut keeps every event that fits, not a rough 90 %
    assert len(body) < 1_000_000
    check_feed_bytes(body)
    events = sorted(parse_all(body).values(), key=lambda e: e.start)
    titles = [e.summary for e in events]
    assert 150 < len(titles) < 260
    assert titles == [f"Rencontre n°{n:03d}" for n in range(len(titles))]  # the soonest kept


# Tokens -----------------------------------------------------------------------------------


def test_tokens_are_long_random_and_different_per_person(app, create_user):
    people = [create_user() for _ in range(6)]
    tokens = [token_of(app, person) for person in people]
    assert all(TOKEN.match(token) for token in tokens), tokens
    assert len(set(tokens)) == len(tokens)


def test_rotating_the_token_retires_the_old_address(app, client, setting):
    organiser = setting[0]
    old = token_of(app, organiser)
    assert client.get(f"/feeds/{old}.ics").status_code == 200
    browser = signed_in(app, organiser)
    response = browser.post("/me/feed/rotate")
    assert response.status_code == 303
    new = token_of(app, organiser)
    assert new != old and TOKEN.match(new)
    assert client.get(f"/feeds/{old}.ics").status_code == 404
    assert client.get(f"/feeds/{new}.ics").status_code == 200
    assert client.head(f"/feeds/{old}.ics").status_code == 404
    # /me now shows the new address only.
    page = browser.get("/me").text
    assert new in page and old not in page
    # Rotating needs a signed-in person and a POST.
    assert client.post("/me/feed/rotate").status_code == 302
    assert browser.get("/me/feed/rotate").status_code == 405


# Subscribing ------------------------------------------------------------------------------


def subscribe_links(html: str, heading_id: str) -> dict:
    page = Page(html)
    section = next(
        s for s in page.root.find_all("section") if s.attrs.get("aria-labelledby") == heading_id
    )
    links = {a.attrs.get("class", ""): a.attrs["href"] for a in section.find_all("a")}
    field = next(i for i in section.find_all("input") if "feed-url" in i.classes)
    return {
        "webcal": next(v for k, v in links.items() if "subscribe-webcal" in k),
        "google": next(v for k, v in links.items() if "subscribe-google" in k),
        "outlook": next(v for k, v in links.items() if "subscribe-outlook" in k),
        "https": field.attrs["value"],
        "svg": section.find("svg"),
    }


def check_subscribe_links(links: dict, feed: str) -> None:
    assert links["https"] == feed
    assert feed.startswith("https://")
    assert links["webcal"] == "webcal://" + feed.removeprefix("https://")
    google = urlsplit(links["google"])
    assert google.netloc == "calendar.google.com"
    assert parse_qs(google.query)["cid"] == [links["webcal"]]
    outlook = urlsplit(links["outlook"])
    assert outlook.netloc == "outlook.live.com" and "addfromweb" in outlook.path
    assert parse_qs(outlook.query)["url"] == [feed]
    assert links["svg"] is not None  # the QR code, inline


def test_the_city_page_offers_every_way_to_subscribe(app, client, setting):
    response = client.get("/cities/lyon")
    assert response.status_code == 200
    links = subscribe_links(response.text, "subscribe-heading")
    check_subscribe_links(links, f"{BASE}/cities/lyon/calendar.ics")
    assert client.get(urlsplit(links["https"]).path).status_code == 200
    # A tag page subscribes to the tag's feed.
    tagged = subscribe_links(client.get("/cities/lyon?tag=seo").text, "subscribe-heading")
    check_subscribe_links(tagged, f"{BASE}/cities/lyon/calendar.ics?tag=seo")
    assert (
        "<svg" in response.text and "<img" not in response.text.split("subscribe-heading")[1][:3000]
    )


def test_me_offers_every_way_to_subscribe_to_my_feed(app, setting):
    organiser = setting[0]
    browser = signed_in(app, organiser)
    links = subscribe_links(browser.get("/me").text, "my-feed-heading")
    feed = f"{BASE}/feeds/{token_of(app, organiser)}.ics"
    check_subscribe_links(links, feed)
    path = urlsplit(feed).path
    response = app.test_client().get(path)
    assert response.status_code == 200
    assert "private" in response.headers["Cache-Control"]


def test_the_gathering_page_links_to_its_download(app, client, setting):
    gathering_id = setting[2]
    page = client.get(f"/events/{gathering_id}").text
    assert f'href="/events/{gathering_id}/calendar.ics"' in page
    download = client.get(f"/events/{gathering_id}/calendar.ics")
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert uid_of(app, gathering_id) in parse_all(download.data)


# Across processes -------------------------------------------------------------------------


class Browser:
    """A person's browser against the live server: cookies, CSRF tokens from the pages."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def open(self, path: str, data: dict | None = None, headers: dict | None = None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body, headers=headers or {})
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()

    def post(self, path: str, form_page: str, data: dict) -> int:
        status, _, page = self.open(form_page)
        assert status == 200, page
        token = re.search(rb'name="csrf_token" value="([^"]+)"', page)[1].decode()
        status, _, page = self.open(path, {**data, "csrf_token": token})
        assert status == 200, page  # followed the redirect to the gathering
        return status

    def sign_in(self, email: str) -> None:
        self.post("/auth/login", "/auth/login", {"email": email, "password": PASSWORD})


def test_changes_reach_every_worker_of_a_live_server(
    app, database_url, tmp_path, create_user, create_gathering
):
    organiser = create_user(email="orga@example.org")
    attendee = create_user(email="ana@example.org")
    gathering = create_gathering(organiser, title="Apéro multi-processus", tags="seo", capacity="")
    backdate(app)
    feeds = {
        "city": "/cities/lyon/calendar.ics",
        "download": f"/events/{gathering.id}/calendar.ics",
        "organiser": f"/feeds/{token_of(app, organiser)}.ics",
        "attendee": f"/feeds/{token_of(app, attendee)}.ics",
    }
    with serve(database_url, tmp_path / "server", workers=3, threads=2) as base:
        host, guest, anyone = Browser(base), Browser(base), Browser(base)
        host.sign_in(organiser.email)
        guest.sign_in(attendee.email)
        seen = {}

        def every_worker(name: str, tries: int = 8):
            """Fetch a feed several times (new connections, so several workers): one answer."""
            answers = set()
            for _ in range(tries):
                status, headers, body = anyone.open(feeds[name])
                assert status == 200, (name, body)
                assert headers["Set-Cookie"] is None and headers["Content-Encoding"] is None
                answers.add((headers["ETag"], headers["Last-Modified"], body))
            assert len(answers) == 1, f"{name}: workers disagree"
            ((etag, modified, body),) = answers
            if name in seen:  # a polling client asks conditionally, and gets the change
                for header, value in (
                    ("If-None-Match", seen[name][0]),
                    ("If-Modified-Since", seen[name][1]),
                ):
                    status, _, again = anyone.open(feeds[name], headers={header: value})
                    changed = seen[name][2] != body
                    assert status == (200 if changed else 304), (name, header)
                    assert again == (body if changed else b"")
            status, _, _ = anyone.open(feeds[name], headers={"If-None-Match": etag})
            assert status == 304, name
            seen[name] = (etag, modified, body)
            check_feed_bytes(body, (organiser.email, attendee.email))
            return parse_all(body)

        uid = gathering.uid
        for name in feeds:
            every_worker(name)  # every worker has cached the first version now

        start = future_local(days=45, hour=20)
        next_second()  # before each change: Last-Modified counts seconds
        host.post(
            f"/events/{gathering.id}/edit",
            f"/events/{gathering.id}/edit",
            form_data(title="Apéro déplacé", tags="seo", capacity="", start=start),
        )
        for name in ("city", "download", "organiser"):
            event = every_worker(name)[uid]
            assert (event.summary, event.sequence) == ("Apéro déplacé", 1), name

        next_second()
        host.post(
            f"/events/{gathering.id}/location",
            f"/events/{gathering.id}/location",
            {"latitude": "45.7600", "longitude": "4.8400"},
        )
        for name in ("city", "download", "organiser"):
            event = every_worker(name)[uid]
            assert (event.geo, event.sequence) == ((45.76, 4.84), 2), name

        assert every_worker("attendee") == {}
        page = f"/events/{gathering.id}"
        next_second()
        guest.post(f"{page}/rsvp", page, {"response": "maybe"})
        assert every_worker("attendee")[uid].status == "TENTATIVE"
        next_second()
        guest.post(f"{page}/rsvp", page, {"response": "going"})
        assert every_worker("attendee")[uid].status == "CONFIRMED"
        assert every_worker("city")[uid].sequence == 2  # an RSVP is not a change of the event
        next_second()
        guest.post(f"{page}/rsvp", page, {"response": "no"})
        assert every_worker("attendee") == {}

        next_second()
        host.post(f"{page}/cancel", page, {})
        for name in ("city", "download", "organiser"):
            event = every_worker(name)[uid]
            assert (event.status, event.sequence) == ("CANCELLED", 3), name
            assert event.summary == "Annulé\xa0: Apéro déplacé"
