"""/me: what I organise, am going to, wait for (and where in line), might attend, and did."""

from urllib.parse import parse_qs, urlsplit

import pytest

from meetups.extensions import db
from meetups.gatherings.models import Rsvp
from tests.conftest import future_local
from tests.test_rsvp import Page, Person, browser, move_to_past, new_person, sign_in


@pytest.fixture
def person(app, create_user):
    """person(display_name=..., lang=...): a signed-in browser."""

    def make(lang="en", **kwargs) -> Person:
        return new_person(app, create_user, lang, **kwargs)

    return make


@pytest.fixture
def host(person):
    return person(display_name="Hugo Host", trade="proofreader")


@pytest.fixture
def me(person):
    return person(display_name="Mona Me", trade="web writer")


@pytest.fixture
def event(create_gathering, host):
    """event("Title", days=N, capacity="", organiser=host): a gathering's id."""

    def make(title, days, capacity="", organiser=None) -> int:
        organiser = organiser or host
        return create_gathering(
            organiser=organiser.user, title=title, start=future_local(days=days), capacity=capacity
        ).id

    return make


def my_page(someone: Person) -> Page:
    reply = someone.client.get("/me")
    assert reply.status_code == 200, reply.text
    return Page(reply.text)


def titles(page: Page, element_id: str) -> list[str] | None:
    listing = page.by_id(element_id)
    if listing is None:
        return None
    return [li.find("a").text for li in listing.find_all("li")]


def headings(page: Page) -> list[str]:
    """The headings of the gathering sections (the feed's subscribe panel is not one of them)."""
    feed = ("My personal calendar feed", "Mon agenda personnel")
    return [h.text for h in page.root.find("main").find_all("h2") if h.text not in feed]


def test_me_asks_anonymous_visitors_to_sign_in(app):
    reply = browser(app).get("/me")

    assert reply.status_code == 302
    location = urlsplit(reply.headers["Location"])
    assert location.path == "/auth/login"
    assert parse_qs(location.query)["next"] == ["/me"]


def test_nothing_planned_yet(me):
    page = my_page(me)

    assert "Nothing planned yet. Find a gathering in your city, or propose one." in page.text
    assert headings(page) == []


def test_me_lists_each_kind_soonest_first_and_nothing_declined(app, person, me, event):
    early_bird = person(display_name="Early Bird")
    late_comer = person(display_name="Late Comer")
    # Created in an order that is not the order of the dates.
    event("Mine later", days=20, organiser=me)
    sooner_mine = event("Mine sooner", days=10, organiser=me)
    going_later = event("Going later", days=25)
    going_sooner = event("Going sooner", days=5)
    waiting_second = event("Waiting second", days=15, capacity="1")  # the host's seat only
    waiting_first = event("Waiting first", days=8, capacity="1")
    maybe_later = event("Maybe later", days=30)
    maybe_sooner = event("Maybe sooner", days=3)
    declined = event("Declined one", days=12)
    event("Not answered", days=6)

    for gid in (going_later, going_sooner):
        me.answers(gid, "going")
    early_bird.answers(waiting_second, "going")
    assert me.answers(waiting_second, "going").my_status == (
        "You are on the waitlist: number 2 in line."
    )
    me.answers(waiting_first, "going")
    late_comer.answers(waiting_first, "going")  # behind me: does not move my place
    for gid in (maybe_later, maybe_sooner):
        me.answers(gid, "maybe")
    me.answers(declined, "going")
    me.answers(declined, "no")
    early_bird.answers(sooner_mine, "going")  # others' answers to what I organise change nothing

    page = my_page(me)

    assert headings(page) == ["I organise", "I am going", "On the waitlist", "Maybe"]
    assert titles(page, "organising") == ["Mine sooner", "Mine later"]
    assert titles(page, "my-going") == ["Going sooner", "Going later"]
    assert titles(page, "my-waitlist") == ["Waiting first", "Waiting second"]
    waiting = page.items("my-waitlist")
    assert "number 1 in line" in waiting[0]
    assert "number 2 in line" in waiting[1]
    assert titles(page, "my-maybe") == ["Maybe sooner", "Maybe later"]
    assert titles(page, "my-past") is None
    assert "Declined one" not in page.html
    assert "Not answered" not in page.html
    assert "Nothing planned yet" not in page.text
    # Each entry links to its gathering.
    link = page.by_id("organising").find("a").attrs["href"]
    assert urlsplit(link).path == f"/events/{sooner_mine}"

    # In French, the place in line too.
    french = sign_in(app, me.user, "fr")
    page = my_page(french)
    assert headings(page) == ["J’organise", "J’y vais", "Sur liste d’attente", "Peut-être"]
    assert [badge.text for badge in page.by_id("my-waitlist").find_all(cls="badge")] == [
        "position 1",
        "position 2",
    ]


def test_me_follows_the_waitlist_as_it_moves(app, person, me, event):
    first = person(display_name="First")
    gid = event("Tight room", days=9, capacity="2")  # the host, and one more
    first.answers(gid, "going")
    second = person(display_name="Second")
    second.answers(gid, "going")
    me.answers(gid, "going")
    assert "number 2 in line" in my_page(me).items("my-waitlist")[0]

    second.answers(gid, "no")  # leaves the line: I move up
    assert "number 1 in line" in my_page(me).items("my-waitlist")[0]

    first.answers(gid, "maybe")  # frees a seat: it is mine
    page = my_page(me)
    assert titles(page, "my-going") == ["Tight room"]
    assert page.by_id("my-waitlist") is None


def test_past_gatherings_appear_under_past_most_recent_first(app, me, event):
    organised = event("Organised, over", days=4, organiser=me)
    went = event("Went, over", days=5)
    might = event("Might have, over", days=6)
    declined = event("Declined, over", days=7)
    upcoming = event("Still to come", days=9)
    me.answers(went, "going")
    me.answers(might, "maybe")
    me.answers(declined, "no")
    me.answers(upcoming, "going")
    move_to_past(app, organised, days_ago=3)
    move_to_past(app, went, days_ago=10)
    move_to_past(app, might, days_ago=1)
    move_to_past(app, declined, days_ago=2)

    page = my_page(me)

    assert headings(page) == ["I am going", "Past"]
    assert titles(page, "my-going") == ["Still to come"]
    assert titles(page, "my-past") == ["Might have, over", "Organised, over", "Went, over"]
    assert titles(page, "organising") is None
    assert "Declined, over" not in page.html


def test_a_cancelled_gathering_stays_listed_marked_cancelled(app, host, me, event):
    gid = event("Called off", days=9)
    me.answers(gid, "going")
    assert host.client.post(f"/events/{gid}/cancel").status_code in (302, 303)

    page = my_page(me)

    assert titles(page, "my-going") == ["Called off"]
    assert "Cancelled" in page.items("my-going")[0]
    with app.app_context():
        assert db.session.scalar(db.select(Rsvp.response).filter_by(user_id=me.id)) == "going"
