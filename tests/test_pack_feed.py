"""A pack's calendar feed: the city feed's builder, window, caching and validators, for a pack.

Packs and memberships are made through the models here (the pack pages are built elsewhere),
and a gathering joins a pack by its pack_id.
"""

from datetime import timedelta
from types import SimpleNamespace

import flask
import icalendar
import pytest

from meetups.dates import utcnow
from meetups.extensions import db
from tests.conftest import form_data
from tests.test_feed_parsers import (
    calendar_properties,
    check_feed_bytes,
    content_lines,
    parse_all,
    text_of,
)
from tests.test_feeds import backdate, signed_in, uid_of

WRITERS = "/packs/redacteurs-de-lyon/calendar.ics"
SEO = "/packs/equipe-seo/calendar.ics"


def make_pack(app, slug: str, name: str, city_slug: str = "lyon", members=()) -> int:
    """A pack in this city, its first member its organiser (then plain members)."""
    from meetups.packs.models import Membership, Pack, Role
    from meetups.places.models import City

    with app.app_context():
        city = db.session.scalar(db.select(City).filter_by(slug=city_slug))
        pack = Pack(slug=slug, name=name, city=city, description="On écrit, on se relit.")
        for n, person in enumerate(members):
            role = Role.ORGANISER if n == 0 else Role.MEMBER
            pack.memberships.append(Membership(user_id=person.id, role=role, joined_at=utcnow()))
        db.session.add(pack)
        db.session.commit()
        return pack.id


def put_in_pack(app, gathering_id: int, pack_id: int | None) -> None:
    from meetups.gatherings.models import Gathering

    with app.app_context():
        db.session.get(Gathering, gathering_id).pack_id = pack_id
        db.session.commit()


def rename(app, pack_id: int, name: str) -> None:
    """As the pack's edit form does: a new name, and the pack's own change recorded."""
    from meetups.packs.models import Pack

    with app.app_context():
        pack = db.session.get(Pack, pack_id)
        pack.name, pack.updated_at = name, utcnow()
        db.session.commit()


@pytest.fixture
def scene(app, create_user, create_gathering):
    """Two packs in Lyon: the writers (an apéro, a cancelled workshop), the SEO team (a
    breakfast); a gathering in Lyon in no pack, and one in Paris."""
    from meetups.gatherings import services
    from meetups.gatherings.models import Gathering

    organiser = create_user(email="olga.orga@example.org", display_name="Olga Orga")
    member = create_user(email="marc.membre@example.org", display_name="Marc")
    apero = create_gathering(organiser, title="Apéro des rédacteurs", tags="seo", capacity="")
    workshop = create_gathering(organiser, title="Atelier relecture", tags="relecture")
    breakfast = create_gathering(organiser, title="Petit-déjeuner SEO", tags="seo")
    loose = create_gathering(organiser, title="Apéro sans meute", tags="seo")
    paris = create_gathering(
        organiser, title="Paris", city="Paris", venue_address="5 rue de Rivoli, 75004 Paris"
    )
    writers = make_pack(
        app, "redacteurs-de-lyon", "Rédacteurs de Lyon", members=[organiser, member]
    )
    seo = make_pack(app, "equipe-seo", "Équipe SEO", members=[member])
    for gathering, pack in ((apero, writers), (workshop, writers), (breakfast, seo)):
        put_in_pack(app, gathering.id, pack)
    with app.app_context():
        services.cancel(db.session.get(Gathering, workshop.id), "Reporté.")
        db.session.commit()
    backdate(app)
    return SimpleNamespace(
        organiser=organiser,
        member=member,
        writers=writers,
        seo=seo,
        apero=apero.id,
        workshop=workshop.id,
        breakfast=breakfast.id,
        loose=loose.id,
        paris=paris.id,
        emails=(organiser.email, member.email),
    )


def fetch(client, path: str) -> bytes:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    assert response.content_type == "text/calendar; charset=utf-8"
    return response.data


# What it holds ----------------------------------------------------------------------------


def test_the_pack_feed_holds_the_packs_gatherings_in_every_parser(app, client, scene):
    body = fetch(client, WRITERS)
    check_feed_bytes(body, scene.emails)
    events = parse_all(body)  # icalendar, vobject, ics and ical agree
    assert set(events) == {uid_of(app, scene.apero), uid_of(app, scene.workshop)}
    apero, workshop = events[uid_of(app, scene.apero)], events[uid_of(app, scene.workshop)]
    assert apero.status == "CONFIRMED" and apero.summary == "Apéro des rédacteurs"
    assert workshop.status == "CANCELLED"
    assert workshop.summary == "Annulé\xa0: Atelier relecture"
    assert workshop.description.startswith("Annulé\xa0: Reporté.")
    assert apero.url == f"http://localhost/events/{scene.apero}"

    other = parse_all(fetch(client, SEO))
    assert set(other) == {uid_of(app, scene.breakfast)}


def test_the_pack_feed_is_named_after_the_pack_in_its_language(client, scene):
    for path, name, source in (
        (WRITERS, "Meute · Rédacteurs de Lyon", WRITERS),
        (f"{WRITERS}?tag=seo", "Meute · Rédacteurs de Lyon · seo", f"{WRITERS}?tag=seo"),
        (f"{WRITERS}?lang=en", "Meute · Rédacteurs de Lyon", f"{WRITERS}?lang=en"),
    ):
        body = fetch(client, path)
        props = calendar_properties(body)
        assert props["REFRESH-INTERVAL"] == "REFRESH-INTERVAL;VALUE=DURATION:PT1H"
        cal = icalendar.Calendar.from_ical(body)
        assert text_of(cal["NAME"]) == text_of(cal["X-WR-CALNAME"]) == name
        assert str(cal["SOURCE"]) == "http://localhost" + source
        assert text_of(cal["DESCRIPTION"]) == text_of(cal["X-WR-CALDESC"])
    english = parse_all(fetch(client, f"{WRITERS}?lang=en"))
    assert {e.summary for e in english.values()} == {
        "Apéro des rédacteurs",
        "Cancelled: Atelier relecture",
    }
    descriptions = {
        text_of(icalendar.Calendar.from_ical(fetch(client, path))["DESCRIPTION"])
        for path in (WRITERS, f"{WRITERS}?lang=en")
    }
    assert descriptions == {
        "Les rencontres de la meute Rédacteurs de Lyon, à Lyon, par Meute.",
        "Gatherings of the pack Rédacteurs de Lyon, in Lyon, from Meute.",
    }


def test_a_tag_narrows_the_pack_feed(app, client, scene, caplog):
    events = parse_all(fetch(client, f"{WRITERS}?tag=SEO"))
    assert set(events) == {uid_of(app, scene.apero)}
    # Too long a tag: refused with the message, by the fast path handing it on, not failing.
    for feed in (WRITERS, "/cities/lyon/calendar.ics"):
        refused = client.get(f"{feed}?tag={'x' * 10_000}", headers={"Accept-Language": "fr"})
        assert refused.status_code == 400
        assert "Un mot-clé fait au plus 40 caractères." in refused.text
    assert "fast path failed" not in caplog.text


def test_times_carry_their_tzid_and_a_matching_vtimezone(client, scene):
    body = fetch(client, WRITERS)
    cal = icalendar.Calendar.from_ical(body)
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Europe/Paris"]
    for event in cal.walk("VEVENT"):
        assert event["DTSTART"].params["TZID"] == "Europe/Paris"
        assert event["DTEND"].params["TZID"] == "Europe/Paris"
    assert any(line.startswith("DTSTART;TZID=Europe/Paris:") for line in content_lines(body))


def test_the_same_window_as_the_city_feed(app, client, scene):
    from tests.test_feeds import set_times

    now = utcnow()
    # Long over: out. Cancelled and ended three days ago: still in (a week). A year and more
    # ahead: out.
    set_times(app, scene.apero, now - timedelta(weeks=6), now - timedelta(weeks=6, hours=-2))
    set_times(app, scene.workshop, now - timedelta(days=3, hours=2), now - timedelta(days=3), True)
    set_times(app, scene.breakfast, now + timedelta(days=400), now + timedelta(days=400, hours=2))
    put_in_pack(app, scene.breakfast, scene.writers)
    assert set(parse_all(fetch(client, WRITERS))) == {uid_of(app, scene.workshop)}
    city = parse_all(fetch(client, "/cities/lyon/calendar.ics"))
    assert uid_of(app, scene.workshop) in city and uid_of(app, scene.apero) not in city


def test_an_unknown_pack_is_not_found(client, scene):
    assert client.get("/packs/personne/calendar.ics").status_code == 404
    assert client.head("/packs/personne/calendar.ics").status_code == 404


# Validators -------------------------------------------------------------------------------


def test_headers_304_and_head(client, scene):
    response = client.get(WRITERS)
    etag = response.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert response.headers["Cache-Control"] == "public, max-age=900"
    assert response.headers["Last-Modified"].endswith(" GMT")
    assert int(response.headers["Content-Length"]) == len(response.data)
    again = client.get(WRITERS, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    since = client.get(WRITERS, headers={"If-Modified-Since": response.headers["Last-Modified"]})
    assert since.status_code == 304
    head = client.head(WRITERS)
    assert head.status_code == 200 and head.data == b""
    assert head.headers["ETag"] == etag
    assert head.headers["Content-Type"] == "text/calendar; charset=utf-8"
    # Another pack, another language, another tag: other ETags.
    others = {
        client.get(p).headers["ETag"] for p in (SEO, f"{WRITERS}?lang=en", f"{WRITERS}?tag=seo")
    }
    assert etag not in others and len(others) == 3


def etags(client) -> dict[str, str]:
    return {path: client.get(path).headers["ETag"] for path in (WRITERS, SEO)}


def changed(client, before: dict[str, str]) -> set[str]:
    """The feeds whose ETag moved; those that did not answer 304 to their old one."""
    moved = set()
    for path, etag in before.items():
        response = client.get(path, headers={"If-None-Match": etag})
        if response.status_code == 304:
            continue
        assert response.status_code == 200 and response.headers["ETag"] != etag
        moved.add(path)
    return moved


def test_an_edit_in_the_pack_changes_its_feed_only(app, client, scene):
    before = etags(client)
    host = signed_in(app, scene.organiser)
    edited = form_data(title="Apéro des rédactrices", capacity="", tags="seo")
    assert host.post(f"/events/{scene.apero}/edit", data=edited).status_code == 303
    assert changed(client, before) == {WRITERS}
    put_in_pack(app, scene.apero, scene.writers)  # whatever the edit form does with packs
    assert "Apéro des rédactrices" in {
        e.summary for e in parse_all(fetch(client, WRITERS)).values()
    }


def test_a_gathering_joining_or_leaving_the_pack_changes_its_feed(app, client, scene):
    before = etags(client)
    put_in_pack(app, scene.loose, scene.writers)
    assert changed(client, before) == {WRITERS}
    assert uid_of(app, scene.loose) in parse_all(fetch(client, WRITERS))
    before = etags(client)
    put_in_pack(app, scene.loose, scene.seo)  # from one pack to the other
    assert changed(client, before) == {WRITERS, SEO}
    assert uid_of(app, scene.loose) not in parse_all(fetch(client, WRITERS))


def test_a_rename_changes_the_packs_feed_and_its_name(app, client, scene):
    before = etags(client)
    rename(app, scene.writers, "Rédactrices et rédacteurs de Lyon")
    assert changed(client, before) == {WRITERS}
    cal = icalendar.Calendar.from_ical(fetch(client, WRITERS))
    assert text_of(cal["X-WR-CALNAME"]) == "Meute · Rédactrices et rédacteurs de Lyon"


def test_a_change_elsewhere_leaves_the_pack_feed_alone(app, client, scene):
    from meetups.gatherings import services
    from meetups.gatherings.models import Gathering

    before = {path: client.get(path) for path in (WRITERS, SEO)}
    host = signed_in(app, scene.organiser)
    # Another pack's gathering, a gathering of the city in no pack, another pack's name.
    edited = form_data(title="Petit-déjeuner SEO déplacé", tags="seo")
    assert host.post(f"/events/{scene.breakfast}/edit", data=edited).status_code == 303
    assert host.post(f"/events/{scene.loose}/cancel").status_code == 303
    rename(app, scene.seo, "L'équipe SEO")
    with app.app_context():
        services.cancel(db.session.get(Gathering, scene.paris))
        db.session.commit()
    again = client.get(WRITERS, headers={"If-None-Match": before[WRITERS].headers["ETag"]})
    assert again.status_code == 304
    assert client.get(WRITERS).data == before[WRITERS].data
    assert client.get(SEO).headers["ETag"] != before[SEO].headers["ETag"]


# What it costs ----------------------------------------------------------------------------


def test_a_conditional_get_is_one_query_in_any_process(client, scene, other_process, statements):
    etag = client.get(WRITERS).headers["ETag"]
    fresh = other_process()  # nothing of this feed in its memory
    watch = statements(fresh)
    count, response = watch.during(
        lambda: fresh.test_client().get(WRITERS, headers={"If-None-Match": etag})
    )
    assert response.status_code == 304
    assert count == 1  # the pack feed's freshness: nothing built


def test_a_build_costs_the_same_queries_however_many_gatherings(
    app, scene, create_gathering, other_process, statements
):
    def cold_build() -> int:
        fresh = other_process()  # empty memory: every event rendered
        count, response = statements(fresh).during(lambda: fresh.test_client().get(WRITERS))
        assert response.status_code == 200
        return count

    few = cold_build()
    for n in range(6):
        made = create_gathering(scene.organiser, title=f"Rencontre {n}", tags=f"t{n}, seo")
        put_in_pack(app, made.id, scene.writers)
    assert cold_build() == few


def test_a_kept_pack_feed_is_answered_beside_flask(app, client, scene):
    started = []

    def record(sender, **_extra):
        started.append(flask.request.path)

    etag = client.get(WRITERS).headers["ETag"]  # built, through the app
    with flask.request_started.connected_to(record, app):
        assert client.get(WRITERS).status_code == 200
        assert client.get(WRITERS, headers={"If-None-Match": etag}).status_code == 304
        assert client.head(WRITERS).status_code == 200
    assert started == []


# The subscribe block a pack page includes --------------------------------------------------


def test_the_subscribe_block_of_a_pack_page(app, scene):
    from meetups.packs.models import Pack

    for language, feed in (
        ("fr", "http://localhost/packs/redacteurs-de-lyon/calendar.ics"),
        ("en", "http://localhost/packs/redacteurs-de-lyon/calendar.ics?lang=en"),
    ):
        with app.test_request_context("/", headers={"Accept-Language": language}):
            pack = db.session.get(Pack, scene.writers)
            html = flask.render_template("packs/_feed.html", pack=pack)
        webcal = feed.replace("http://", "webcal://")
        assert f'value="{feed}"' in html  # the URL to copy
        assert f'href="{webcal}"' in html
        assert "calendar.google.com" in html and "outlook.live.com" in html
        assert "<svg" in html  # the QR code
        assert "Rédacteurs de Lyon" in html
        heading = {"fr": "S’abonner aux rencontres de Rédacteurs de Lyon"}
        assert heading.get(language, "Subscribe to the gatherings of Rédacteurs de Lyon") in html


def test_a_change_shows_on_the_next_request_whichever_process_serves_it(
    app, client, scene, other_process
):
    workers = [other_process().test_client(), other_process().test_client()]
    kept = {n: w.get(WRITERS).headers["ETag"] for n, w in enumerate(workers)}
    assert len(set(kept.values())) == 1 and client.get(WRITERS).headers["ETag"] == kept[0]
    rename(app, scene.writers, "Plumes de Lyon")  # written through this process
    for n, worker in enumerate(workers):  # each with the old feed in its memory
        response = worker.get(WRITERS, headers={"If-None-Match": kept[n]})
        assert response.status_code == 200
        name = icalendar.Calendar.from_ical(response.data)["X-WR-CALNAME"]
        assert text_of(name) == "Meute · Plumes de Lyon"
    put_in_pack(app, scene.loose, scene.writers)
    for worker in workers:
        assert uid_of(app, scene.loose) in parse_all(fetch(worker, WRITERS))
