"""What link previews and search engines read on a gathering page: OpenGraph and schema.org JSON-LD."""

import json
from datetime import datetime
from html.parser import HTMLParser

import pytest

from meetups.extensions import db
from tests.conftest import place_venue

START = datetime(2027, 3, 11, 19, 0)


class Head(HTMLParser):
    """The <meta property/name> values and the JSON-LD blocks of a page."""

    def __init__(self, html: str):
        super().__init__()
        self.meta: dict[str, str] = {}
        self.canonical = None
        self.json_ld: list[str] = []
        self._in_json_ld = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and (attrs.get("property") or attrs.get("name")):
            self.meta[attrs.get("property") or attrs["name"]] = attrs.get("content")
        elif tag == "link" and attrs.get("rel") == "canonical":
            self.canonical = attrs["href"]
        elif tag == "script" and attrs.get("type") == "application/ld+json":
            self._in_json_ld = True
            self.json_ld.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_json_ld = False

    def handle_data(self, data):
        if self._in_json_ld:
            self.json_ld[-1] += data

    @property
    def event(self) -> dict:
        assert len(self.json_ld) == 1, self.json_ld
        return json.loads(self.json_ld[0])


def head_of(client, gathering_id, language="fr") -> Head:
    response = client.get(f"/events/{gathering_id}", headers={"Accept-Language": language})
    assert response.status_code == 200
    return Head(response.text)


def test_gathering_page_describes_a_schema_org_event(client, create_user, create_gathering):
    organiser = create_user(display_name="Camille Durand", email="camille@example.org")
    gathering = create_gathering(organiser=organiser, start=START, capacity="12")

    event = head_of(client, gathering.id).event

    assert event["@context"] == "https://schema.org"
    assert event["@type"] == "Event"
    assert event["name"] == "Apéro freelance"
    assert event["url"] == f"http://localhost/events/{gathering.id}"
    # Local wall-clock time with the city's offset (Lyon, winter: +01:00).
    assert event["startDate"] == "2027-03-11T19:00:00+01:00"
    assert event["endDate"] == "2027-03-11T21:00:00+01:00"
    assert event["eventStatus"] == "https://schema.org/EventScheduled"
    assert event["eventAttendanceMode"] == "https://schema.org/OfflineEventAttendanceMode"
    assert event["location"]["name"] == "Café des Freelances"
    assert event["location"]["address"] == {
        "@type": "PostalAddress",
        "streetAddress": "12 rue de la République, 69002 Lyon",
        "addressLocality": "Lyon",
        "addressCountry": "FR",
    }
    assert event["organizer"] == {"@type": "Person", "name": "Camille Durand"}
    assert event["maximumAttendeeCapacity"] == 12
    assert event["description"] == "On parle tarifs.\nhttps://example.org"
    assert event["keywords"] == "rédaction, seo"


def test_page_head_never_carries_an_e_mail_address(client, create_user, create_gathering):
    organiser = create_user(display_name="Camille", email="camille.private@example.org")
    gathering = create_gathering(organiser=organiser)

    html = client.get(f"/events/{gathering.id}").text

    assert "camille.private@example.org" not in html


def test_cancelled_gathering_says_so_to_search_engines_and_previews(app, client, create_gathering):
    from meetups.gatherings import services
    from meetups.gatherings.models import Gathering

    gathering = create_gathering(start=START)
    with app.app_context():
        services.cancel(db.session.get(Gathering, gathering.id))
        db.session.commit()

    french = head_of(client, gathering.id, "fr")
    english = head_of(client, gathering.id, "en")

    assert french.event["eventStatus"] == "https://schema.org/EventCancelled"
    assert french.meta["og:description"].startswith("Annulée · jeudi 11 mars 2027, 19:00")
    assert english.meta["og:description"].startswith("Cancelled · Thursday, 11 March 2027, 19:00")


def test_opengraph_tags_name_the_gathering_in_the_page_language(client, create_gathering):
    gathering = create_gathering(start=START, title="Tarifs 2027 : on en parle")

    french = head_of(client, gathering.id, "fr")
    english = head_of(client, gathering.id, "en")

    url = f"http://localhost/events/{gathering.id}"
    assert french.meta["og:title"] == "Tarifs 2027 : on en parle"
    assert french.meta["og:type"] == "website"
    assert french.meta["og:site_name"] == "Meute"
    assert french.meta["og:url"] == url
    assert french.canonical == url
    assert french.meta["og:locale"] == "fr_FR"
    assert english.meta["og:locale"] == "en_GB"
    assert french.meta["og:description"] == (
        "jeudi 11 mars 2027, 19:00 · Café des Freelances, Lyon. On parle tarifs. https://example.org"
    )
    # The plain description (search results) says the same.
    assert french.meta["description"] == french.meta["og:description"]


def test_long_description_is_shortened_for_previews(client, create_gathering):
    long_text = " ".join(["Tarifs"] * 500)
    gathering = create_gathering(start=START, description=long_text)

    preview = head_of(client, gathering.id).meta["og:description"]

    assert len(preview) == 200
    assert preview.endswith("…")
    # The schema.org event keeps the whole text.
    assert head_of(client, gathering.id).event["description"] == long_text


@pytest.mark.parametrize(
    "title",
    [
        "</script><script>alert(1)</script>",
        '"><meta property="og:title" content="spoof">',
        "<!-- a & b -->",
    ],
)
def test_typed_text_cannot_break_out_of_the_metadata(client, create_gathering, title):
    gathering = create_gathering(title=title, description=f"{title}\n{title}")

    html = client.get(f"/events/{gathering.id}").text
    head = Head(html)

    assert head.event["name"] == title
    assert head.event["description"] == f"{title}\n{title}"
    assert head.meta["og:title"] == title
    assert "<script>alert(1)" not in html
    assert 'content="spoof"' not in html


def test_base_url_makes_the_shared_links(app, client, create_gathering):
    app.config["BASE_URL"] = "https://meute.example.org"  # as MEETUPS_BASE_URL sets it
    gathering = create_gathering()

    head = head_of(client, gathering.id)

    assert head.meta["og:url"] == f"https://meute.example.org/events/{gathering.id}"
    assert head.event["url"] == f"https://meute.example.org/events/{gathering.id}"


def test_located_venue_gives_coordinates_and_pending_one_none(app, client, create_gathering):
    located = create_gathering()
    pending = create_gathering(venue_name="La Cordée", venue_address="3 rue Dugas-Montbel")
    place_venue(app, located.venue_id, (45.7625, 4.8357))

    assert head_of(client, located.id).event["location"]["geo"] == {
        "@type": "GeoCoordinates",
        "latitude": 45.7625,
        "longitude": 4.8357,
    }
    assert "geo" not in head_of(client, pending.id).event["location"]


def test_no_limit_gives_no_capacity(client, create_gathering):
    gathering = create_gathering(capacity="")

    assert "maximumAttendeeCapacity" not in head_of(client, gathering.id).event
