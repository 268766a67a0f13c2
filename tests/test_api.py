"""The JSON API as a client sees it: shapes, local offsets, filters, pages, errors, the OpenAPI."""

import itertools
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import jsonschema
import pytest
from openapi_core import OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from openapi_spec_validator import validate as validate_spec

from meetups.dates import utcnow
from meetups.extensions import db
from meetups.gatherings.models import Gathering

# Fixed dates on both sides of the 2027 clock changes (Europe: 28 March; North America: 14 March).
WINTER = datetime(2027, 1, 14, 19, 0)
PARIS_SUMMER_TIME_STARTS = datetime(2027, 3, 28, 19, 0)
SUMMER = datetime(2027, 7, 1, 19, 0)
FROM_2027 = "from=2027-01-01"

LYON = (45.7640, 4.8357)
GRENOBLE = (45.1885, 5.7245)  # about 95 km from Lyon
PARIS = (48.8566, 2.3522)  # about 390 km from Lyon


@pytest.fixture
def document(client):
    """The API's own OpenAPI document, as served."""
    return client.get("/api/v1/openapi.json").json


@pytest.fixture
def schemas(document):
    return document["components"]["schemas"]


@pytest.fixture
def spec(document):
    """The document, checked, ready to validate real responses."""
    validate_spec(document)
    return OpenAPI.from_dict(document)


@pytest.fixture
def api(client, spec):
    """api(path, status=200) -> JSON body, after checking the response against the OpenAPI."""

    def get(path, status=200):
        response = client.get(path)
        assert response.status_code == status, response.text
        assert response.mimetype == "application/json"
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        spec.validate_response(
            WerkzeugOpenAPIRequest(response.request), WerkzeugOpenAPIResponse(response)
        )
        return response.json

    return get


@pytest.fixture
def organiser(create_user):
    return create_user(email="organiser.secret@example.org", display_name="Odile", trade="")


@pytest.fixture
def gather(create_gathering, organiser):
    """A gathering by the same organiser: gather(start=naive local time, city=..., ...)."""
    counter = itertools.count(1)

    def make(start=WINTER, hours=2, **fields):
        n = next(counter)
        fields.setdefault("title", f"Rencontre {n}")
        fields.setdefault("venue_name", f"Café {n}")
        fields.setdefault("capacity", "")
        end = (start + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M")
        return create_gathering(organiser=organiser, start=start, ends_at=end, **fields)

    return make


@pytest.fixture
def locate(app):
    """Place a gathering's venue at given coordinates, as a person correcting it would."""
    from meetups.places.services import place_venue

    def do(gathering, point):
        with app.app_context():
            place_venue(db.session.get(Gathering, gathering.id).venue, *point)
            db.session.commit()

    return do


@pytest.fixture
def answer(app):
    """RSVP through the service, under its lock, as a request would."""
    from meetups.accounts.models import User
    from meetups.gatherings import services

    def do(gathering, user, response):
        with app.app_context():
            services.respond(services.lock(gathering.id), db.session.get(User, user.id), response)
            db.session.commit()

    return do


@pytest.fixture
def cancel(app):
    from meetups.gatherings import services

    def do(gathering):
        with app.app_context():
            services.cancel(services.lock(gathering.id))
            db.session.commit()

    return do


def soon(days=10, hour=19) -> datetime:
    """A naive Paris wall-clock time some days ahead, on the hour."""
    day = (utcnow() + timedelta(days=days)).date()
    return datetime(day.year, day.month, day.day, hour)


def ids(body) -> list[int]:
    return [event["id"] for event in body["events"]]


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


# Shapes and values ---------------------------------------------------------------------------


def test_an_event_shows_every_public_field(api, gather, locate):
    gathering = gather(
        city="Lyon",
        title="Apéro SEO",
        description="On parle tarifs.\nhttps://example.org",
        venue_name="Café des Freelances",
        venue_address="12 rue de la République, 69002 Lyon",
        capacity="12",
        tags="SEO, rédaction",
    )
    locate(gathering, LYON)
    event = api(f"/api/v1/events/{gathering.id}")
    assert event == {
        "id": gathering.id,
        "url": f"http://localhost/events/{gathering.id}",
        "title": "Apéro SEO",
        "description": "On parle tarifs.\nhttps://example.org",
        "status": "scheduled",
        "starts_at": "2027-01-14T19:00:00+01:00",
        "ends_at": "2027-01-14T21:00:00+01:00",
        "timezone": "Europe/Paris",
        "city": {"slug": "lyon", "name": "Lyon"},
        "pack": None,
        "series": None,
        "venue": {
            "name": "Café des Freelances",
            "address": "12 rue de la République, 69002 Lyon",
            "latitude": LYON[0],
            "longitude": LYON[1],
        },
        "capacity": 12,
        "min_going": None,
        "going_count": 1,  # the organiser
        "seats_left": 11,
        "waitlist_count": 0,
        "tags": ["rédaction", "seo"],
        "organiser": {"display_name": "Odile", "trade": None},
        "ical_url": f"http://localhost/events/{gathering.id}/calendar.ics",
    }


@pytest.mark.parametrize(
    ("city", "start", "starts_at", "ends_at"),
    [
        ("Paris", WINTER, "2027-01-14T19:00:00+01:00", "2027-01-14T21:00:00+01:00"),
        (
            "Paris",
            PARIS_SUMMER_TIME_STARTS,
            "2027-03-28T19:00:00+02:00",
            "2027-03-28T21:00:00+02:00",
        ),
        ("Montréal", WINTER, "2027-01-14T19:00:00-05:00", "2027-01-14T21:00:00-05:00"),
        ("Montréal", SUMMER, "2027-07-01T19:00:00-04:00", "2027-07-01T21:00:00-04:00"),
    ],
)
def test_times_carry_the_citys_offset_on_that_date(api, gather, city, start, starts_at, ends_at):
    gathering = gather(city=city, start=start)
    event = api(f"/api/v1/events/{gathering.id}")
    assert (event["starts_at"], event["ends_at"]) == (starts_at, ends_at)
    # The same instant a client computes from the string and the zone name.
    local = datetime.fromisoformat(event["starts_at"])
    assert local.replace(tzinfo=None) == start
    assert local.utcoffset() == start.replace(tzinfo=ZoneInfo(event["timezone"])).utcoffset()


def test_a_venue_has_no_coordinates_until_it_is_located(api, gather, locate):
    gathering = gather(city="Lyon")
    venue = api(f"/api/v1/events/{gathering.id}")["venue"]
    assert (venue["latitude"], venue["longitude"]) == (None, None)
    locate(gathering, LYON)
    venue = api(f"/api/v1/events/{gathering.id}")["venue"]
    assert (venue["latitude"], venue["longitude"]) == LYON


def test_seats_and_waitlist_follow_the_answers(api, gather, answer, create_user):
    gathering = gather(capacity="2")
    first, second, third = create_user(), create_user(), create_user()

    def seats():
        event = api(f"/api/v1/events/{gathering.id}")
        return event["going_count"], event["seats_left"], event["waitlist_count"]

    assert seats() == (1, 1, 0)
    answer(gathering, first, "going")
    assert seats() == (2, 0, 0)
    answer(gathering, second, "going")  # full: waits
    answer(gathering, third, "maybe")  # holds no seat, waits for none
    assert seats() == (2, 0, 1)
    answer(gathering, first, "no")  # frees a seat for the second
    assert seats() == (2, 0, 0)
    listed = api(f"/api/v1/events?{FROM_2027}")["events"]
    assert [(e["going_count"], e["seats_left"], e["waitlist_count"]) for e in listed] == [(2, 0, 0)]


def test_no_limit_means_null_capacity_and_seats_left(api, gather, answer, create_user):
    gathering = gather(capacity="")
    answer(gathering, create_user(), "going")
    event = api(f"/api/v1/events/{gathering.id}")
    assert (event["capacity"], event["seats_left"], event["going_count"]) == (None, None, 2)


def test_a_cancelled_gathering_stays_listed_with_its_status(api, gather, cancel):
    kept, called_off = gather(), gather()
    cancel(called_off)
    assert api(f"/api/v1/events/{called_off.id}")["status"] == "cancelled"
    listed = api(f"/api/v1/events?{FROM_2027}")["events"]
    assert [(e["id"], e["status"]) for e in listed] == [
        (kept.id, "scheduled"),
        (called_off.id, "cancelled"),
    ]


def test_cities_with_their_upcoming_counts(api, gather, cancel):
    gather(city="Lyon", start=soon(3))
    gather(city="Lyon", start=soon(4))
    cancel(gather(city="Lyon", start=soon(5)))
    gather(city="Lyon", start=soon(-3))  # over
    gather(city="Montréal", start=soon(6))
    cities = {city["slug"]: city for city in api("/api/v1/cities")["cities"]}
    assert cities["lyon"] == {
        "slug": "lyon",
        "name": "Lyon",
        "country": "FR",
        "latitude": pytest.approx(45.74906),
        "longitude": pytest.approx(4.84789),
        "timezone": "Europe/Paris",
        "upcoming_count": 2,
    }
    assert (cities["montreal"]["country"], cities["montreal"]["upcoming_count"]) == ("CA", 1)
    ZoneInfo(cities["montreal"]["timezone"])  # a real IANA zone


def test_links_use_the_configured_base_url(app, client, gather):
    app.config["BASE_URL"] = "https://meute.example.org/"
    gathering = gather(start=soon())
    event = client.get("/api/v1/events?limit=1").json["events"][0]
    assert event["url"] == f"https://meute.example.org/events/{gathering.id}"
    assert event["ical_url"] == f"https://meute.example.org/events/{gathering.id}/calendar.ics"


def test_no_answer_ever_holds_an_email_address(
    app, client, api, gather, answer, create_user, cancel, organiser
):
    people = [create_user(email=f"hidden{n}@private.example", trade="") for n in range(3)]
    gathering = gather(start=soon(), capacity="2")
    for person in people:
        answer(gathering, person, "going")
    cancel(gather(start=soon(2)))
    make_pack(app, "secrets", "Secrets", [organiser, people[0]], pending=people[1:])
    in_packs(app, "secrets")
    bodies = [
        client.get(path).text
        for path in (
            "/api/v1/cities",
            "/api/v1/events",
            f"/api/v1/events/{gathering.id}",
            "/api/v1/events?limit=1",
            "/api/v1/openapi.json",
            "/api/v1/events/999999",
            "/api/v1/trades",
            "/api/v1/packs",
            "/api/v1/events?pack=secrets",
        )
    ]
    assert all("@" not in body for body in bodies)
    assert "Secrets" in bodies[-1]


def test_answers_are_public_cacheable_json(client, gather):
    gathering = gather()
    paths = ("/api/v1/cities", "/api/v1/events", f"/api/v1/events/{gathering.id}", "/api/v1/trades")
    paths += ("/api/v1/packs",)
    for path in paths:
        response = client.get(path)
        assert response.headers["Content-Type"] == "application/json"
        assert response.headers["Cache-Control"] == "public, max-age=60"
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert "Set-Cookie" not in response.headers


# Filters -------------------------------------------------------------------------------------


def test_without_from_the_list_holds_what_is_not_over_yet(api, gather):
    now = datetime.now(ZoneInfo("Europe/Paris")).replace(tzinfo=None, minute=0, second=0)
    gather(start=now - timedelta(days=2))  # over
    going_on = gather(start=now - timedelta(days=1), hours=48)
    later = gather(start=soon(5))
    assert ids(api("/api/v1/events")) == [going_on.id, later.id]


def test_city_and_tag_filters(api, gather):
    lyon_seo = gather(city="Lyon", tags="seo, rédaction")
    gather(city="Lyon", tags="design")
    paris_seo = gather(city="Paris", tags="seo")
    assert ids(api(f"/api/v1/events?{FROM_2027}&city=lyon")) == [lyon_seo.id, lyon_seo.id + 1]
    assert ids(api(f"/api/v1/events?{FROM_2027}&tag=SEO")) == [lyon_seo.id, paris_seo.id]
    assert ids(api(f"/api/v1/events?{FROM_2027}&tag=seo&city=paris")) == [paris_seo.id]
    assert ids(api(f"/api/v1/events?{FROM_2027}&tag=nothing")) == []


def test_an_unknown_city_is_a_404(api):
    body = api("/api/v1/events?city=atlantis", status=404)
    assert body == {"error": "No city with the slug “atlantis”."}


def test_from_and_to_select_by_overlap_naive_times_being_utc(api, gather):
    # 19:00-21:00 in Paris on 14 January: 18:00Z to 20:00Z.
    winter = gather(city="Paris", start=WINTER)
    spring = gather(city="Paris", start=PARIS_SUMMER_TIME_STARTS)

    def found(query):
        return ids(api(f"/api/v1/events?{query}"))

    assert found("from=2027-01-14T19:59") == [winter.id, spring.id]  # ends after
    assert found("from=2027-01-14T20:00") == [spring.id]
    assert found("from=2027-01-14T20:59%2B01:00") == [winter.id, spring.id]
    assert found("from=2027-01-14T19:59:59Z") == [winter.id, spring.id]
    assert found("from=2027-01-01&to=2027-01-14T18:00") == []  # starts before, strictly
    assert found("from=2027-01-01&to=2027-01-14T18:01Z") == [winter.id]
    assert found("from=2027-01-01&to=2027-01-14") == [winter.id]  # a date: the whole day
    assert found("from=2027-01-01&to=2027-01-13") == []
    assert found("from=2027-01-15&to=2027-03-28") == [spring.id]
    assert found("from=2027-03-29") == []


def test_near_within_uses_the_distance_of_located_venues(api, gather, locate):
    lyon, grenoble, paris = gather(city="Lyon"), gather(city="Grenoble"), gather(city="Paris")
    gather(city="Lyon")  # not located: never near anything
    locate(lyon, LYON)
    locate(grenoble, GRENOBLE)
    locate(paris, PARIS)

    def near(point, km, extra=""):
        return ids(api(f"/api/v1/events?{FROM_2027}&near={point[0]},{point[1]}&within={km}{extra}"))

    assert near(LYON, 10) == [lyon.id]
    assert near(LYON, 100) == [lyon.id, grenoble.id]
    assert near(LYON, 90) == [lyon.id]  # Grenoble is inside the box, not the circle
    assert near(LYON, 100, "&city=grenoble") == [grenoble.id]
    assert near(LYON, 100, "&limit=1") == [lyon.id]
    assert near((45.0, -73.0), 200) == []


def test_a_near_page_is_full_and_links_to_the_rest(api, gather, locate):
    close = []
    for n in range(5):
        far = gather(city="Grenoble", start=WINTER + timedelta(days=2 * n))
        locate(far, GRENOBLE)
        close.append(gather(city="Lyon", start=WINTER + timedelta(days=2 * n + 1)))
        locate(close[-1], LYON)
    body = api(f"/api/v1/events?{FROM_2027}&near={LYON[0]},{LYON[1]}&within=20&limit=2")
    seen = ids(body)
    while body["next"]:
        body = api(path_of(body["next"]))
        seen += ids(body)
    assert seen == [g.id for g in close]


def test_limit_cuts_the_page(api, gather):
    made = [gather(start=WINTER + timedelta(days=n)) for n in range(3)]
    assert ids(api(f"/api/v1/events?{FROM_2027}&limit=2")) == [made[0].id, made[1].id]
    assert ids(api(f"/api/v1/events?{FROM_2027}&limit=500")) == [g.id for g in made]


# Pages ---------------------------------------------------------------------------------------


def test_walking_the_pages_loses_and_repeats_nothing_even_with_inserts(api, gather, cancel):
    # Ties on the start are ordered by id, across page boundaries too.
    made = [gather(start=WINTER + timedelta(days=n // 3)) for n in range(10)]
    cancel(made[4])
    body = api(f"/api/v1/events?{FROM_2027}&limit=3")
    seen, pages = ids(body), 1
    before = gather(start=WINTER - timedelta(days=1))  # sorts before the cursor: not in this walk
    after = gather(start=WINTER + timedelta(days=30))  # sorts after it: shows up
    while body["next"]:
        assert body["next"].startswith("http://localhost/api/v1/events?")
        body = api(path_of(body["next"]))
        seen, pages = seen + ids(body), pages + 1
    assert seen == [g.id for g in made] + [after.id]
    assert before.id not in seen
    assert pages == 4


def test_the_next_link_keeps_the_filters_and_pins_from(api, gather):
    for _ in range(3):
        gather(start=soon(3), tags="seo")
    body = api("/api/v1/events?city=lyon&tag=seo&limit=2")
    query = parse_qs(urlsplit(body["next"]).query)
    assert {name: query[name] for name in ("city", "tag", "limit")} == {
        "city": ["lyon"],
        "tag": ["seo"],
        "limit": ["2"],
    }
    assert datetime.fromisoformat(query["from"][0]) <= utcnow()
    assert query["cursor"]
    last = api(path_of(body["next"]))
    assert len(last["events"]) == 1
    assert last["next"] is None


def test_the_last_page_has_no_next(api, gather):
    gather()
    assert api(f"/api/v1/events?{FROM_2027}&limit=1")["next"] is None
    assert api("/api/v1/events?from=2030-01-01") == {"events": [], "next": None}


# Errors --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("limit=0", "limit"),
        ("limit=-1", "limit"),
        ("limit=501", "limit"),
        ("limit=abc", "limit"),
        ("limit=2.5", "limit"),
        ("from=yesterday", "from"),
        ("from=2027-02-30", "from"),
        ("to=2027-13-01", "to"),
        ("from=2027-01-14T19:00:00+01:00", "from"),  # an unencoded + reads as a space
        ("from=2027-02-01&to=2027-01-01", "to"),
        ("from=2027-02-01T10:00Z&to=2027-02-01T10:00Z", "to"),
        ("near=45.76,4.83", "within"),
        ("within=10", "near"),
        ("near=45.76,4.83&within=0", "within"),
        ("near=45.76,4.83&within=-5", "within"),
        ("near=45.76,4.83&within=200.5", "within"),
        ("near=45.76,4.83&within=abc", "within"),
        ("near=45.76,4.83&within=nan", "within"),
        ("near=abc&within=10", "near"),
        ("near=45.76&within=10", "near"),
        ("near=1,2,3&within=10", "near"),
        ("near=91,0&within=10", "near"),
        ("near=0,-181&within=10", "near"),
        ("near=nan,0&within=10", "near"),
        ("near=inf,0&within=10", "near"),
        ("cursor=not-a-cursor", "cursor"),
        ("cursor=MjAyNy0wMS0xNHxhYmM", "cursor"),  # base64 of "2027-01-14|abc"
        # "2027-01-14T18:00:00+00:00|99999999999999999999": no id is that large
        ("cursor=MjAyNy0wMS0xNFQxODowMDowMCswMDowMHw5OTk5OTk5OTk5OTk5OTk5OTk5OQ", "cursor"),
    ],
)
def test_bad_parameters_are_400_naming_what_is_wrong(api, query, names):
    body = api(f"/api/v1/events?{query}", status=400)
    assert body["error"].startswith(f"{names} ")


def test_every_problem_is_named_at_once(api):
    error = api("/api/v1/events?limit=0&within=500", status=400)["error"]
    assert "limit must be a whole number from 1 to 500" in error
    assert "within must be a distance in km, more than 0 and at most 200" in error


def test_the_largest_allowed_values_pass(api):
    api("/api/v1/events?near=-90,180&within=200&limit=500&to=8999-12-31")


@pytest.mark.parametrize(
    "path", ["/api/v1/events/999999", "/api/v1/events/abc", "/api/v1/events/99999999999999999999"]
)
def test_an_unknown_event_is_a_json_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.mimetype == "application/json"
    assert set(response.json) == {"error"}


def test_unknown_id_names_it(api):
    assert api("/api/v1/events/424242", status=404) == {"error": "No event with the id 424242."}


# Looking up a typed city name ------------------------------------------------------------------


def test_a_place_lookup_resolves_what_people_type(api):
    assert api("/api/v1/places?q=saint%20etienne") == {
        "match": {
            "name": "Saint-Étienne",
            "country": "FR",
            "timezone": "Europe/Paris",
            "slug": "saint-etienne",
            "label": "Saint-Étienne, France",
        },
        "suggestions": [],
    }


def test_a_place_lookup_suggests_close_names_for_a_typo(api):
    body = api("/api/v1/places?q=Lyonn")
    assert body["match"] is None
    assert [s["label"] for s in body["suggestions"][:2]] == [
        "Lyon, France",
        "Lynn, États-Unis",
    ]  # French by default


def test_a_place_label_follows_the_language(client):
    body = client.get("/api/v1/places?q=Montreal", headers={"Accept-Language": "fr"}).json
    assert body["match"]["label"] == "Montréal, Canada"
    body = client.get("/api/v1/places?q=Bruxelles", headers={"Accept-Language": "fr"}).json
    assert body["match"]["label"] == "Brussels, Belgique"
    response = client.get("/api/v1/places?q=Bruxelles", headers={"Accept-Language": "en"})
    assert response.json["match"]["label"] == "Brussels, Belgium"
    assert "Accept-Language" in response.headers["Vary"]


@pytest.mark.parametrize("query", ["", "q=", "q=%20%20", "q=Xyzzyville", "q=" + "x" * 200])
def test_a_place_lookup_may_find_nothing(api, query):
    assert api(f"/api/v1/places?{query}") == {"match": None, "suggestions": []}


def test_a_place_lookup_refuses_a_long_text(api):
    assert api("/api/v1/places?q=" + "x" * 201, status=400)["error"].startswith("q ")


@pytest.mark.parametrize("csrf", [False, True])
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/events",
        "/api/v1/cities",
        "/api/v1/events/1",
        "/api/v1/trades",
        "/api/v1/openapi.json",
    ],
)
def test_writing_is_not_allowed(app, client, schemas, path, csrf):
    app.config["WTF_CSRF_ENABLED"] = csrf
    response = client.post(path, json={"title": "x"})
    assert response.status_code == 405
    assert response.mimetype == "application/json"
    jsonschema.validate(response.json, schemas["Error"])


# Trades ----------------------------------------------------------------------------------------


def test_trades_are_the_vocabulary_with_their_complements(api):
    from meetups.accounts.trades import VOCABULARY

    body = api("/api/v1/trades")
    assert list(body) == ["trades"]
    assert [t["slug"] for t in body["trades"]] == [t.slug for t in VOCABULARY]
    writer = next(t for t in body["trades"] if t["slug"] == "redacteur-web")
    assert writer == {
        "slug": "redacteur-web",
        "label": "rédacteur web",  # French by default
        "complements": ["correcteur", "seo", "traducteur", "webdesigner"],
    }
    lawyer = next(t for t in body["trades"] if t["slug"] == "juriste")
    assert lawyer["complements"] == ["comptable"]


@pytest.mark.parametrize(
    ("language", "labels"),
    [
        (
            "fr",
            {
                "correcteur": "correcteur",
                "seo": "consultant SEO",
                "data-analyst": "analyste de données",
            },
        ),
        (
            "en-GB,en;q=0.8",
            {"correcteur": "proofreader", "seo": "SEO consultant", "data-analyst": "data analyst"},
        ),
    ],
)
def test_trade_labels_follow_the_asked_language(client, spec, language, labels):
    response = client.get("/api/v1/trades", headers={"Accept-Language": language})
    spec.validate_response(
        WerkzeugOpenAPIRequest(response.request), WerkzeugOpenAPIResponse(response)
    )
    found = {t["slug"]: t["label"] for t in response.json["trades"]}
    assert {slug: found[slug] for slug in labels} == labels
    assert "Accept-Language" in response.headers["Vary"]


def test_trade_complements_follow_the_pairs_admins_change(api, runner):
    def complements(slug):
        return next(t for t in api("/api/v1/trades")["trades"] if t["slug"] == slug)["complements"]

    assert "juriste" not in complements("seo")
    result = runner.invoke(args=["trade-pairs", "add", "seo", "juriste"])
    assert result.exit_code == 0, result.output
    seo = [
        "redacteur-web",
        "integrateur",
        "community-manager",
        "sea",
        "juriste",
    ]  # vocabulary order
    assert complements("seo") == seo
    assert complements("juriste") == ["seo", "comptable"]
    result = runner.invoke(args=["trade-pairs", "remove", "juriste", "seo"])
    assert result.exit_code == 0, result.output
    assert complements("juriste") == ["comptable"]


# Packs ---------------------------------------------------------------------------------------


def make_pack(app, slug, name, members=(), pending=(), city="lyon") -> str:
    """A pack made through the models (its pages live elsewhere): the first member organises."""
    from meetups.packs.models import Membership, MemberStatus, Pack, Role
    from meetups.places.models import City

    with app.app_context():
        pack = Pack(
            slug=slug, name=name, city=db.session.scalar(db.select(City).filter_by(slug=city))
        )
        for n, person in enumerate(members):
            role = Role.ORGANISER if n == 0 else Role.MEMBER
            pack.memberships.append(Membership(user_id=person.id, role=role, joined_at=utcnow()))
        for person in pending:
            pack.memberships.append(
                Membership(user_id=person.id, status=MemberStatus.PENDING, answer="Moi aussi !")
            )
        db.session.add(pack)
        db.session.commit()
    return slug


def in_packs(app, slug, *gatherings) -> None:
    """Put these gatherings in the pack; given none, every gathering in no pack yet."""
    from meetups.packs.models import Pack

    with app.app_context():
        pack = db.session.scalar(db.select(Pack).filter_by(slug=slug))
        chosen = [g.id for g in gatherings]
        query = db.select(Gathering).where(
            Gathering.id.in_(chosen) if chosen else Gathering.pack_id.is_(None)
        )
        for gathering in db.session.scalars(query):
            gathering.pack_id = pack.id
        db.session.commit()


def test_packs_with_their_counts(api, app, gather, cancel, organiser, create_user):
    member, asking = create_user(email="member.secret@example.org"), create_user()
    lyon = [gather(city="Lyon", start=soon(n)) for n in (3, 4, 5)]
    paris = gather(city="Paris", start=soon(6))
    over = gather(city="Lyon", start=soon(-3))
    make_pack(app, "redacteurs-de-lyon", "Rédacteurs de Lyon", [organiser, member], [asking])
    make_pack(app, "correcteurs", "Correcteurs", [member])
    make_pack(app, "seo-paris", "SEO à Paris", [organiser], city="paris")
    make_pack(app, "atelier-vide", "atelier vide", [])
    in_packs(app, "redacteurs-de-lyon", lyon[0], lyon[1], over)
    in_packs(app, "correcteurs", lyon[2])
    in_packs(app, "seo-paris", paris)
    cancel(lyon[1])
    body = api("/api/v1/packs")
    assert body["packs"][2] == {
        "slug": "redacteurs-de-lyon",
        "name": "Rédacteurs de Lyon",
        "city": {"slug": "lyon", "name": "Lyon"},
        "member_count": 2,  # the pending request is not a member
        "upcoming_count": 1,  # neither the cancelled one nor the one over
        "url": "http://localhost/packs/redacteurs-de-lyon",
        "ical_url": "http://localhost/packs/redacteurs-de-lyon/calendar.ics",
    }
    # By city name, then pack name whatever its case.
    listed = [(p["slug"], p["member_count"], p["upcoming_count"]) for p in body["packs"]]
    assert listed == [
        ("atelier-vide", 0, 0),
        ("correcteurs", 1, 1),
        ("redacteurs-de-lyon", 2, 1),
        ("seo-paris", 1, 1),
    ]
    assert "@" not in str(body)


def test_pack_links_use_the_configured_base_url(app, client, gather, organiser):
    app.config["BASE_URL"] = "https://meute.example.org/"
    gather(city="Lyon")
    make_pack(app, "correcteurs", "Correcteurs", [organiser])
    (pack,) = client.get("/api/v1/packs").json["packs"]
    assert pack["url"] == "https://meute.example.org/packs/correcteurs"
    assert pack["ical_url"] == "https://meute.example.org/packs/correcteurs/calendar.ics"


def test_events_of_a_pack_and_each_events_pack(api, app, gather, organiser):
    first, loose, second, proofing = (gather(city="Lyon", start=soon(n)) for n in (3, 4, 5, 6))
    make_pack(app, "redacteurs-de-lyon", "Rédacteurs de Lyon", [organiser])
    make_pack(app, "correcteurs", "Correcteurs", [organiser])
    in_packs(app, "redacteurs-de-lyon", first, second)
    in_packs(app, "correcteurs", proofing)
    body = api("/api/v1/events?pack=redacteurs-de-lyon")
    assert ids(body) == [first.id, second.id]
    assert {e["pack"]["slug"] for e in body["events"]} == {"redacteurs-de-lyon"}
    assert body["events"][0]["pack"] == {"slug": "redacteurs-de-lyon", "name": "Rédacteurs de Lyon"}
    assert ids(api("/api/v1/events?pack=correcteurs&city=lyon")) == [proofing.id]
    every = {e["id"]: e["pack"] for e in api("/api/v1/events")["events"]}
    assert every[loose.id] is None
    assert every[proofing.id] == {"slug": "correcteurs", "name": "Correcteurs"}
    assert api(f"/api/v1/events/{second.id}")["pack"]["name"] == "Rédacteurs de Lyon"
    assert api(f"/api/v1/events/{loose.id}")["pack"] is None


def test_the_next_link_keeps_the_pack(api, app, gather, organiser):
    made = [gather(city="Lyon", start=soon(n)) for n in (3, 4, 5)]
    make_pack(app, "correcteurs", "Correcteurs", [organiser])
    in_packs(app, "correcteurs", *made)
    first = api("/api/v1/events?pack=correcteurs&limit=2")
    assert parse_qs(urlsplit(first["next"]).query)["pack"] == ["correcteurs"]
    assert ids(first) + ids(api(path_of(first["next"]))) == [g.id for g in made]


def test_an_unknown_pack_is_a_404(api):
    body = api("/api/v1/events?pack=personne", status=404)
    assert body == {"error": "No pack with the slug “personne”."}


# The OpenAPI document --------------------------------------------------------------------------


def test_the_openapi_document_is_valid_and_lists_every_endpoint(document):
    validate_spec(document)
    assert document["openapi"].startswith("3.")
    assert set(document["paths"]) == {
        "/cities",
        "/events",
        "/events/{id}",
        "/packs",
        "/places",
        "/trades",
        "/openapi.json",
    }
    assert {p["name"] for p in document["paths"]["/events"]["get"]["parameters"]} == {
        "city",
        "pack",
        "tag",
        "from",
        "to",
        "near",
        "within",
        "limit",
        "cursor",
    }
    event = document["components"]["schemas"]["Event"]
    assert event["additionalProperties"] is False
    assert "email" not in str(document).lower()


def test_the_document_refuses_what_the_api_never_sends(schemas, api, gather):
    """The schemas are strict: a field added to an answer must be documented too."""
    event = api(f"/api/v1/events/{gather().id}")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**event, "email": "x@example.org"}, schemas["Event"])
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**event, "status": "postponed"}, schemas["Event"])
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(
            {**event, "venue": {**event["venue"], "latitude": "45"}}, schemas["Event"]
        )


# Query counts ----------------------------------------------------------------------------------


def add_events(gather, answer, cancel, locate, create_user, first, last, person):
    for n in range(first, last):
        gathering = gather(
            city="Lyon" if n % 2 else "Grenoble",
            start=WINTER + timedelta(days=n),
            capacity="" if n % 3 else "2",
            tags=f"tag{n}, seo",
        )
        locate(gathering, LYON if n % 2 else GRENOBLE)
        answer(gathering, person, "going")
        if n % 5 == 4:
            cancel(gathering)


QUERY_BUDGET = {
    # gatherings (city, venue, organiser joined), their tags, seats taken, waitlists
    f"/api/v1/events?{FROM_2027}": 4,
    f"/api/v1/events?{FROM_2027}&city=lyon&tag=seo": 5,  # + the city
    f"/api/v1/events?{FROM_2027}&near={LYON[0]},{LYON[1]}&within=150": 5,  # + the ids nearby
    f"/api/v1/events?{FROM_2027}&pack=tous": 5,  # + the pack (the event's own: joined)
    "/api/v1/packs": 3,  # packs (city joined), their members, their upcoming gatherings
    "/api/v1/cities": 1,  # the cities' counts' key (the counts: once per write or minute)
    "/api/v1/trades": 1,  # the complementary pairs
}


@pytest.mark.parametrize("path", list(QUERY_BUDGET))
def test_queries_do_not_grow_with_events(
    app, count_queries, gather, answer, cancel, locate, create_user, held_minute, path
):
    person, waiting = create_user(), create_user()
    add_events(gather, answer, cancel, locate, create_user, 0, 3, person)
    for n in range(2):
        make_pack(app, f"meute-{n}", f"Meute {n}", [person])
    make_pack(app, "tous", "Tous", [person, waiting])
    in_packs(app, "tous")
    count_queries(path)  # warm-up: connections, first-request work, the cities' counts
    few, few_response = count_queries(path)
    add_events(gather, answer, cancel, locate, create_user, 3, 30, waiting)
    for n in range(2, 9):
        make_pack(app, f"meute-{n}", f"Meute {n}", [person, waiting])
    in_packs(app, "tous")
    count_queries(path)  # the cities are counted again after those writes
    many, many_response = count_queries(path)
    few_body, many_body = few_response.json, many_response.json
    for key in ("events", "packs"):
        if key in many_body:
            assert len(many_body[key]) > len(few_body[key])
    assert few == many, f"{path}: {few} queries with 3 events, {many} with 30"
    assert many == QUERY_BUDGET[path], f"{path}: {many} queries (update QUERY_BUDGET if meant)"
