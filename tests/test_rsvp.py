"""RSVPs as people see them: answering, seats and the waitlist, who is coming, refusals.

Every person is a separate browser (test client) signed in through the login form; the
tests read what the pages show and the rows the database keeps, never the services' insides.
"""

import re
import time
from dataclasses import dataclass
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date
from flask.testing import FlaskClient
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError

from meetups.accounts.models import User
from meetups.dates import utcnow
from meetups.extensions import db
from meetups.gatherings.models import Gathering, Rsvp
from tests.conftest import PASSWORD, form_data, future_local

# Reading pages ---------------------------------------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class Element:
    """An HTML element with its children (elements and text)."""

    def __init__(self, tag: str, attrs: dict):
        self.tag = tag
        self.attrs = attrs
        self.children: list = []

    @property
    def classes(self) -> list[str]:
        return (self.attrs.get("class") or "").split()

    @property
    def text(self) -> str:
        return " ".join(self._raw_text().split())

    def _raw_text(self) -> str:
        return "".join(c if isinstance(c, str) else c._raw_text() for c in self.children)

    def iter(self):
        for child in self.children:
            if isinstance(child, Element):
                yield child
                yield from child.iter()

    def find_all(self, tag: str | None = None, cls: str | None = None) -> list["Element"]:
        return [
            e
            for e in self.iter()
            if (tag is None or e.tag == tag) and (cls is None or cls in e.classes)
        ]

    def find(self, tag: str | None = None, cls: str | None = None) -> "Element | None":
        return next(iter(self.find_all(tag, cls)), None)


class Page(HTMLParser):
    """A page as a tree, with what the RSVP tests read from it."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.html = html
        self.root = Element("#root", {})
        self._stack = [self.root]
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        element = Element(tag, dict(attrs))
        self._stack[-1].children.append(element)
        if tag not in VOID:
            self._stack.append(element)

    def handle_startendtag(self, tag, attrs):
        self._stack[-1].children.append(Element(tag, dict(attrs)))

    def handle_endtag(self, tag):
        for depth in range(len(self._stack) - 1, 0, -1):
            if self._stack[depth].tag == tag:
                del self._stack[depth:]
                return

    def handle_data(self, data):
        self._stack[-1].children.append(data)

    # What a person reads.

    @property
    def text(self) -> str:
        return self.root.text

    def by_id(self, element_id: str) -> Element | None:
        return next((e for e in self.root.iter() if e.attrs.get("id") == element_id), None)

    def people(self, element_id: str) -> list[str] | None:
        """The display names listed (one <li> each) in #going, #waitlist or #maybe; None if absent."""
        listing = self.by_id(element_id)
        if listing is None:
            return None
        return [li.find(cls="person-name").text for li in listing.find_all("li")]

    def items(self, element_id: str) -> list[str]:
        """The text of each <li> inside an element."""
        listing = self.by_id(element_id)
        return [] if listing is None else [li.text for li in listing.find_all("li")]

    @property
    def seats_left(self) -> str:
        return self.by_id("seats-left").text

    @property
    def my_status(self) -> str | None:
        status = self.by_id("my-status")
        return None if status is None else status.text

    @property
    def flashes(self) -> list[str]:
        return [p.text for p in self.root.find_all("p", cls="flash")]

    @property
    def notices(self) -> list[str]:
        return [p.text for p in self.root.find_all("p", cls="notice-success")]

    @property
    def trade_mix(self) -> str | None:
        mix = self.by_id("trade-mix")
        return None if mix is None else ", ".join(li.text for li in mix.find_all("li"))

    @property
    def who(self) -> Element:
        return self.root.find("section", cls="who")

    @property
    def rsvp_buttons(self) -> list[str]:
        return [
            b.attrs.get("value")
            for form in self.root.find_all("form", cls="rsvp-form")
            for b in form.find_all("button")
        ]

    def field_error(self, name: str) -> str | None:
        """The error shown in the `.field` block that holds the input `name`."""
        for block in self.root.find_all("div", cls="field"):
            if any(e.attrs.get("name") == name for e in block.find_all()):
                error = block.find("p", cls="error")
                return None if error is None else error.text
        raise AssertionError(f"no field {name!r} on the page")


def digits(text: str) -> list[str]:
    return re.findall(r"\d+", text)


def path_of(location: str) -> str:
    return urlsplit(location).path


# People ----------------------------------------------------------------------------------


@dataclass
class Person:
    """Someone with their own browser, signed in."""

    user: User
    client: FlaskClient

    @property
    def id(self) -> int:
        return self.user.id

    @property
    def name(self) -> str:
        return self.user.display_name

    def answer(self, gathering_id: int, response: str | None, **kwargs):
        data = {} if response is None else {"response": response}
        return self.client.post(f"/events/{gathering_id}/rsvp", data=data, **kwargs)

    def answers(self, gathering_id: int, response: str) -> Page:
        """Press an RSVP button: 303 back to the gathering, and read the page it lands on."""
        reply = self.answer(gathering_id, response)
        assert reply.status_code == 303, reply.text
        assert path_of(reply.headers["Location"]) == f"/events/{gathering_id}"
        return self.view(gathering_id)

    def view(self, gathering_id: int) -> Page:
        reply = self.client.get(f"/events/{gathering_id}")
        assert reply.status_code == 200, reply.text
        return Page(reply.text)


def browser(app, lang: str = "en") -> FlaskClient:
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = lang
    return client


def sign_in(app, user: User, lang: str = "en") -> Person:
    client = browser(app, lang)
    reply = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert reply.status_code == 302, reply.text
    client.get(reply.headers["Location"])  # where the "Signed in" message is shown
    return Person(user, client)


def new_person(app, create_user, lang="en", **kwargs) -> Person:
    return sign_in(app, create_user(**kwargs), lang)


def rsvp_rows(app, gathering_id: int) -> dict[int, tuple[str, bool]]:
    """{user id: (response, waitlisted)} as the database holds them."""
    with app.app_context():
        rows = db.session.scalars(db.select(Rsvp).filter_by(gathering_id=gathering_id))
        return {r.user_id: (r.response, r.is_waitlisted) for r in rows}


def capacity_of(app, gathering_id: int) -> int | None:
    with app.app_context():
        return db.session.get(Gathering, gathering_id).capacity


def move_to_past(app, gathering_id: int, days_ago: int = 2) -> None:
    with app.app_context():
        gathering = db.session.get(Gathering, gathering_id)
        gathering.starts_at = utcnow() - timedelta(days=days_ago, hours=2)
        gathering.ends_at = utcnow() - timedelta(days=days_ago)
        db.session.commit()


def freed_seat_notice(app, gathering_id: int, someone: "Person", lang: str = "en") -> str:
    """The notice a promoted person reads: the day the seat went to them, in Lyon's time."""
    with app.app_context():
        promoted_at = db.session.scalar(
            db.select(Rsvp.promoted_at).filter_by(gathering_id=gathering_id, user_id=someone.id)
        )
    local = promoted_at.astimezone(ZoneInfo("Europe/Paris"))
    day = format_date(local, "full", locale={"en": "en_GB"}.get(lang, lang))
    if lang == "fr":
        return f"Une place s’est libérée le {day} : vous y allez."
    return f"A seat freed up on {day}: you are going."


def promoted_days_ago(app, gathering_id: int, someone: "Person", days: int) -> None:
    with app.app_context():
        rsvp = db.session.scalar(
            db.select(Rsvp).filter_by(gathering_id=gathering_id, user_id=someone.id)
        )
        rsvp.promoted_at -= timedelta(days=days)
        db.session.commit()


GOING = ("going", False)
WAITING = ("going", True)
MAYBE = ("maybe", False)
NO = ("no", False)

START = future_local(days=21)


@pytest.fixture
def person(app, create_user):
    """person(display_name=..., trade=..., is_admin=..., lang=...): a signed-in browser."""

    def make(lang="en", **kwargs) -> Person:
        return new_person(app, create_user, lang, **kwargs)

    return make


@pytest.fixture
def organiser(person):
    return person(display_name="Camille Durand", trade="proofreader")


@pytest.fixture
def gathering_for(create_gathering, organiser):
    """gathering_for(capacity="3"): the organiser's gathering id, starting at START."""

    def make(capacity="3", **overrides) -> int:
        return create_gathering(
            organiser=organiser.user, start=START, capacity=capacity, **overrides
        ).id

    return make


def edit_capacity(organiser: Person, gathering_id: int, capacity: str):
    return organiser.client.post(
        f"/events/{gathering_id}/edit", data=form_data(start=START, capacity=capacity)
    )


# Responding ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("response", "flash", "status", "row"),
    [
        ("going", "You are going. See you there!", "You are going.", GOING),
        (
            "maybe",
            "Marked as maybe. Maybe doesn't hold a seat.",
            "You might come (maybe holds no seat).",
            MAYBE,
        ),
        ("no", "Noted: you are not going.", "Noted: you are not going.", NO),
    ],
)
def test_each_answer_redirects_back_to_the_gathering(
    app, person, gathering_for, response, flash, status, row
):
    gid = gathering_for(capacity="3")
    ana = person(display_name="Ana Lopes")

    reply = ana.answer(gid, response)

    assert reply.status_code == 303
    assert path_of(reply.headers["Location"]) == f"/events/{gid}"
    page = ana.view(gid)
    assert page.flashes == [flash]
    assert page.my_status == status
    assert rsvp_rows(app, gid)[ana.id] == row
    # The button of the current answer shows as pressed.
    pressed = page.root.find("form", cls="rsvp-form").find_all("button")
    assert [b.attrs["value"] for b in pressed if b.attrs["aria-pressed"] == "true"] == [response]


def test_changing_ones_mind_updates_the_same_rsvp(app, person, gathering_for):
    gid = gathering_for(capacity="3")
    ana = person(display_name="Ana Lopes")

    ana.answers(gid, "going")
    with app.app_context():
        first_id = db.session.scalar(db.select(Rsvp.id).filter_by(gathering_id=gid, user_id=ana.id))
    for response, seats in [("maybe", "2"), ("no", "2"), ("going", "1"), ("maybe", "2")]:
        page = ana.answers(gid, response)
        assert digits(page.seats_left) == [seats]
        with app.app_context():
            rows = db.session.execute(
                db.select(Rsvp.id, Rsvp.response).filter_by(gathering_id=gid, user_id=ana.id)
            ).all()
        assert [tuple(r) for r in rows] == [(first_id, response)]


def test_answering_the_same_thing_twice_changes_nothing(app, person, gathering_for):
    gid = gathering_for(capacity="3")
    ana = person(display_name="Ana Lopes")
    ana.answers(gid, "going")

    page = ana.answers(gid, "going")

    assert page.flashes == []
    assert page.my_status == "You are going."
    assert digits(page.seats_left) == ["1"]
    assert rsvp_rows(app, gid)[ana.id] == GOING


def test_the_database_refuses_a_second_rsvp_for_the_same_person(app, person, gathering_for):
    gid = gathering_for(capacity="3")
    ana = person(display_name="Ana Lopes")
    ana.answers(gid, "maybe")

    with app.app_context():
        db.session.add(Rsvp(gathering_id=gid, user_id=ana.id, response="going"))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
    assert rsvp_rows(app, gid)[ana.id] == MAYBE
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Rsvp)) == 2


def test_the_organiser_holds_a_seat_from_the_moment_they_propose(app, organiser):
    reply = organiser.client.post("/events/new", data=form_data(capacity="3"))
    assert reply.status_code == 303
    gid = int(re.fullmatch(r"/events/(\d+)", path_of(reply.headers["Location"])).group(1))

    page = organiser.view(gid)

    assert digits(page.seats_left) == ["2"]
    assert page.seats_left == "2 seats left"
    assert page.people("going") == ["Camille Durand"]
    assert page.my_status == "You organise this gathering: you hold a seat."
    assert "1 person going" in page.text
    assert rsvp_rows(app, gid) == {organiser.id: GOING}
    # No buttons to change an answer the organiser cannot change.
    assert page.rsvp_buttons == []


@pytest.mark.parametrize("response", ["going", "maybe", "no"])
def test_the_organiser_cannot_change_their_answer(app, organiser, gathering_for, response):
    gid = gathering_for(capacity="3")

    page = organiser.answers(gid, response)

    assert page.flashes == [
        "You organise this gathering, so you are going. To call it off, cancel it."
    ]
    assert rsvp_rows(app, gid) == {organiser.id: GOING}
    assert digits(page.seats_left) == ["2"]
    assert page.people("going") == ["Camille Durand"]


# Seats and the waitlist -----------------------------------------------------------------


def test_going_takes_a_free_seat_then_joins_the_waitlist_first_come_first_served(
    app, organiser, person, gathering_for
):
    gid = gathering_for(capacity="3")
    ana, ben, chloe, driss = (person(display_name=n) for n in ("Ana", "Ben", "Chloé", "Driss"))

    assert ana.answers(gid, "going").my_status == "You are going."
    page = ben.answers(gid, "going")
    assert page.my_status == "You are going."
    assert page.seats_left == "0"
    # The button says what pressing it will do.
    assert "Join the waitlist" in chloe.view(gid).root.find("form", cls="rsvp-form").text

    page = chloe.answers(gid, "going")
    assert page.flashes == [
        "It is full: you are on the waitlist, number 1 in line. "
        "You will get the first seat that frees up."
    ]
    assert page.my_status == "You are on the waitlist: number 1 in line."
    # Waiting is not going: the pressed button says so.
    pressed = [b for b in page.root.find_all("button") if b.attrs.get("aria-pressed") == "true"]
    assert [b.text.strip() for b in pressed] == ["On the waitlist"]
    page = driss.answers(gid, "going")
    assert page.flashes[0].startswith("It is full: you are on the waitlist, number 2 in line.")
    assert page.my_status == "You are on the waitlist: number 2 in line."
    assert page.seats_left == "0"
    assert "3 people going · 2 waiting" in page.text

    assert rsvp_rows(app, gid) == {
        organiser.id: GOING,
        ana.id: GOING,
        ben.id: GOING,
        chloe.id: WAITING,
        driss.id: WAITING,
    }
    seen = organiser.view(gid)
    assert seen.people("going") == ["Camille Durand", "Ana", "Ben"]
    assert seen.people("waitlist") == ["Chloé", "Driss"]


def test_maybe_and_no_never_hold_a_seat(app, organiser, person, gathering_for):
    gid = gathering_for(capacity="2")
    ana, ben, chloe = (person(display_name=n) for n in ("Ana", "Ben", "Chloé"))

    ana.answers(gid, "maybe")
    page = ben.answers(gid, "no")
    assert page.seats_left == "1 seat left"
    assert "1 person going · 1 maybe" in page.text

    assert chloe.answers(gid, "going").my_status == "You are going."
    # Maybe kept no seat in reserve: Ana, changing to going, waits.
    assert ana.answers(gid, "going").my_status == "You are on the waitlist: number 1 in line."
    assert rsvp_rows(app, gid) == {
        organiser.id: GOING,
        ana.id: WAITING,
        ben.id: NO,
        chloe.id: GOING,
    }


@pytest.mark.parametrize("change", ["maybe", "no"])
def test_a_freed_seat_goes_to_the_first_in_line_who_is_told_so_on_the_page(
    app, organiser, person, gathering_for, change
):
    gid = gathering_for(capacity="2")
    ana, ben, chloe = (person(display_name=n) for n in ("Ana", "Ben", "Chloé"))
    ana.answers(gid, "going")
    ben.answers(gid, "going")
    chloe.answers(gid, "going")
    assert rsvp_rows(app, gid)[ben.id] == WAITING

    reply = ana.answer(gid, change)

    assert reply.status_code == 303
    # Same request: Ben holds the seat before anyone loads a page.
    assert rsvp_rows(app, gid) == {
        organiser.id: GOING,
        ana.id: MAYBE if change == "maybe" else NO,
        ben.id: GOING,
        chloe.id: WAITING,
    }
    page = ben.view(gid)
    assert page.notices == [freed_seat_notice(app, gid, ben)]
    assert page.notices[0].startswith("A seat freed up on ")
    assert page.my_status == "You are going."
    assert page.seats_left == "0"
    # Told from what the database keeps, not by a write on the first visit: said again.
    assert ben.view(gid).notices == [freed_seat_notice(app, gid, ben)]
    # Chloé moved up, and was not told she is going.
    page = chloe.view(gid)
    assert page.notices == []
    assert page.my_status == "You are on the waitlist: number 1 in line."

    # Ben answers again: the news is over; the seat he leaves goes to Chloé, who is told.
    page = ben.answers(gid, "maybe")
    assert page.notices == []
    assert ben.answers(gid, "going").notices == []  # he waits again: no news for him
    assert chloe.view(gid).notices == [freed_seat_notice(app, gid, chloe)]
    # A week later it is not news any more; she is still going.
    promoted_days_ago(app, gid, chloe, 8)
    page = chloe.view(gid)
    assert page.notices == []
    assert page.my_status == "You are going."

    # In French too.
    dora = person(display_name="Dora", lang="fr")
    dora.answers(gid, "going")
    # The organiser makes room by raising the capacity.
    assert edit_capacity(organiser, gid, "5").status_code == 303
    notice = freed_seat_notice(app, gid, dora, "fr")
    assert notice.startswith("Une place s’est libérée le ")
    assert dora.view(gid).notices == [notice]


def test_showing_a_freed_seat_writes_nothing(app, organiser, person, gathering_for):
    gid = gathering_for(capacity="2")
    ana, ben = person(display_name="Ana"), person(display_name="Ben")
    ana.answers(gid, "going")
    ben.answers(gid, "going")
    ana.answers(gid, "no")
    statements, commits = [], []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(" ".join(statement.split()).upper())

    def record_commit(conn):
        commits.append(conn)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    event.listen(engine, "commit", record_commit)
    try:
        page = ben.view(gid)
    finally:
        event.remove(engine, "before_cursor_execute", record)
        event.remove(engine, "commit", record_commit)

    assert page.notices == [freed_seat_notice(app, gid, ben)]
    assert statements and all(s.startswith("SELECT ") for s in statements), statements
    assert commits == []


def test_promotion_follows_the_order_of_the_waitlist(app, organiser, person, gathering_for):
    gid = gathering_for(capacity="2")
    ana, ben, chloe, driss, emma = (
        person(display_name=n) for n in ("Ana", "Ben", "Chloé", "Driss", "Emma")
    )
    for someone in (ana, ben, chloe, driss, emma):
        someone.answers(gid, "going")
    assert organiser.view(gid).people("waitlist") == ["Ben", "Chloé", "Driss", "Emma"]

    ana.answers(gid, "no")
    assert organiser.view(gid).people("going") == ["Camille Durand", "Ben"]
    assert organiser.view(gid).people("waitlist") == ["Chloé", "Driss", "Emma"]

    ben.answers(gid, "maybe")
    assert rsvp_rows(app, gid)[chloe.id] == GOING
    assert organiser.view(gid).people("waitlist") == ["Driss", "Emma"]
    assert emma.view(gid).my_status == "You are on the waitlist: number 2 in line."

    chloe.answers(gid, "no")
    assert rsvp_rows(app, gid)[driss.id] == GOING
    assert rsvp_rows(app, gid)[emma.id] == WAITING
    assert emma.view(gid).my_status == "You are on the waitlist: number 1 in line."
    # Someone coming back joins the end of the line.
    ana.answers(gid, "going")
    assert organiser.view(gid).people("waitlist") == ["Emma", "Ana"]


def test_raising_the_capacity_promotes_as_many_as_the_new_seats_in_order(
    app, organiser, person, gathering_for
):
    gid = gathering_for(capacity="2")
    ana, ben, chloe, driss = (person(display_name=n) for n in ("Ana", "Ben", "Chloé", "Driss"))
    for someone in (ana, ben, chloe, driss):
        someone.answers(gid, "going")

    reply = edit_capacity(organiser, gid, "4")

    assert reply.status_code == 303
    assert path_of(reply.headers["Location"]) == f"/events/{gid}"
    assert capacity_of(app, gid) == 4
    assert rsvp_rows(app, gid) == {
        organiser.id: GOING,
        ana.id: GOING,
        ben.id: GOING,
        chloe.id: GOING,
        driss.id: WAITING,
    }
    page = organiser.view(gid)
    assert page.seats_left == "0"
    assert page.people("waitlist") == ["Driss"]
    assert ben.view(gid).notices == [freed_seat_notice(app, gid, ben)]
    assert chloe.view(gid).notices == [freed_seat_notice(app, gid, chloe)]
    page = driss.view(gid)
    assert page.notices == []
    assert page.my_status == "You are on the waitlist: number 1 in line."


def test_removing_the_limit_promotes_everyone(app, organiser, person, gathering_for):
    gid = gathering_for(capacity="1")
    ana, ben = person(display_name="Ana"), person(display_name="Ben")
    ana.answers(gid, "going")
    ben.answers(gid, "going")

    assert edit_capacity(organiser, gid, "").status_code == 303

    assert capacity_of(app, gid) is None
    assert rsvp_rows(app, gid) == {organiser.id: GOING, ana.id: GOING, ben.id: GOING}
    page = organiser.view(gid)
    assert page.seats_left == "No limit on seats"
    assert digits(page.seats_left) == []
    assert page.people("waitlist") is None
    assert "3 people going" in page.text and "waiting" not in page.text
    assert ben.view(gid).notices == [freed_seat_notice(app, gid, ben)]


def test_lowering_the_capacity_below_the_number_going_is_refused_beside_the_field(
    app, organiser, person, gathering_for
):
    gid = gathering_for(capacity="5")
    person(display_name="Ana").answers(gid, "going")
    person(display_name="Ben").answers(gid, "going")
    person(display_name="Chloé").answers(gid, "maybe")  # holds no seat, does not count

    reply = edit_capacity(organiser, gid, "2")

    assert reply.status_code == 200
    page = Page(reply.text)
    assert page.field_error("capacity") == (
        "3 people are already going: the seats can't be fewer than that."
    )
    assert capacity_of(app, gid) == 5
    assert digits(organiser.view(gid).seats_left) == ["2"]

    # In French, the same refusal.
    french = browser(app, "fr")
    french.post("/auth/login", data={"email": organiser.user.email, "password": PASSWORD})
    reply = french.post(f"/events/{gid}/edit", data=form_data(start=START, capacity="1"))
    assert reply.status_code == 200
    assert "3 personnes viennent déjà" in Page(reply.text).field_error("capacity")
    assert capacity_of(app, gid) == 5

    # Exactly the number going is fine.
    reply = edit_capacity(organiser, gid, "3")
    assert reply.status_code == 303
    assert capacity_of(app, gid) == 3
    assert organiser.view(gid).seats_left == "0"


def test_seats_left_in_both_languages(app, organiser, person, gathering_for):
    limited = gathering_for(capacity="3")
    unlimited = gathering_for(capacity="")
    visitor_fr = browser(app, "fr")

    page = Page(visitor_fr.get(f"/events/{limited}").text)
    assert digits(page.seats_left) == ["2"]
    assert page.seats_left == "2 places restantes"
    page = Page(visitor_fr.get(f"/events/{unlimited}").text)
    assert digits(page.seats_left) == []
    assert page.seats_left == "Places illimitées"

    person(display_name="Ana").answers(limited, "going")
    person(display_name="Ben").answers(limited, "going")
    # Full says so in words; the digit stays in #seats-left for scripts.
    page = Page(visitor_fr.get(f"/events/{limited}").text)
    assert (page.seats_left, page.root.find("strong", cls="seats-full").text) == ("0", "Complet")
    page = Page(browser(app).get(f"/events/{limited}").text)
    assert (page.seats_left, page.root.find("strong", cls="seats-full").text) == ("0", "Full")


def test_a_waitlisted_person_answering_going_again_keeps_their_place(
    app, organiser, person, gathering_for
):
    gid = gathering_for(capacity="1")
    ana, ben, chloe = (person(display_name=n) for n in ("Ana", "Ben", "Chloé"))
    for someone in (ana, ben, chloe):
        someone.answers(gid, "going")
    with app.app_context():
        before = db.session.scalar(
            db.select(Rsvp.responded_at).filter_by(gathering_id=gid, user_id=ana.id)
        )

    page = ana.answers(gid, "going")

    assert page.my_status == "You are on the waitlist: number 1 in line."
    assert organiser.view(gid).people("waitlist") == ["Ana", "Ben", "Chloé"]
    with app.app_context():
        after = db.session.scalar(
            db.select(Rsvp.responded_at).filter_by(gathering_id=gid, user_id=ana.id)
        )
    assert after == before


def test_a_waitlisted_person_who_declines_leaves_the_line_and_the_others_move_up(
    app, organiser, person, gathering_for
):
    gid = gathering_for(capacity="1")
    ana, ben, chloe = (person(display_name=n) for n in ("Ana", "Ben", "Chloé"))
    for someone in (ana, ben, chloe):
        someone.answers(gid, "going")

    page = ana.answers(gid, "no")

    assert page.my_status == "Noted: you are not going."
    assert "1 person going · 2 waiting" in page.text
    assert rsvp_rows(app, gid) == {
        organiser.id: GOING,
        ana.id: NO,
        ben.id: WAITING,
        chloe.id: WAITING,
    }
    assert ben.view(gid).my_status == "You are on the waitlist: number 1 in line."
    assert chloe.view(gid).my_status == "You are on the waitlist: number 2 in line."
    assert organiser.view(gid).people("waitlist") == ["Ben", "Chloé"]


def test_three_new_accounts_and_an_organiser_on_a_three_seat_gathering(app):
    """The issue's "Done when", as new people would try it: sign up, propose, answer."""
    people = {}
    for name, trade in [
        ("Camille", "proofreader"),
        ("Bastien", "web writer"),
        ("Inès", "SEO consultant"),
        ("Hugo", "designer"),
    ]:
        client = browser(app)
        reply = client.post(
            "/auth/register",
            data={
                "email": f"{name.lower()}@example.org",
                "display_name": name,
                "password": PASSWORD,
                "trade": trade,
                "city": "Lyon",
            },
        )
        assert reply.status_code == 302, reply.text
        people[name] = client
    camille, bastien, ines, hugo = people.values()
    reply = camille.post("/events/new", data=form_data(capacity="3"))
    assert reply.status_code == 303
    url = path_of(reply.headers["Location"])

    def press(client, response) -> Page:
        return Page(
            client.post(f"{url}/rsvp", data={"response": response}, follow_redirects=True).text
        )

    assert press(bastien, "going").seats_left == "1 seat left"
    page = press(ines, "going")
    assert page.my_status == "You are going."
    assert page.seats_left == "0"
    page = press(hugo, "going")
    assert page.my_status == "You are on the waitlist: number 1 in line."
    assert page.people("going") == ["Camille", "Bastien", "Inès"]

    press(bastien, "no")

    page = Page(hugo.get(url).text)
    (notice,) = page.notices
    assert re.fullmatch(r"A seat freed up on \w+,? \d+ \w+ \d{4}: you are going\.", notice)
    assert page.my_status == "You are going."
    assert page.people("going") == ["Camille", "Inès", "Hugo"]
    assert page.seats_left == "0"
    assert "3 people going" in page.text and "waiting" not in page.text


# Who is coming ---------------------------------------------------------------------------


@pytest.fixture
def crowd(app, organiser, person, gathering_for):
    """A 4-seat gathering: going Camille (organiser), Ana, Ben; Zoé going but hidden; the
    waitlist Chloé then Yann (hidden); Driss maybe; Elsa declined."""
    gid = gathering_for(capacity="4")
    ana = person(display_name="Ana Lopes", trade="web writer")
    ben = person(display_name="Ben Moreau", trade="web writer")
    zoe = person(display_name="Zoé Marchand", trade="SEO consultant")
    chloe = person(display_name="Chloé Vidal", trade="translator")
    yann = person(display_name="Yann Kerbrat", trade="designer")
    driss = person(display_name="Driss Amrani", trade="developer")
    elsa = person(display_name="Elsa Fontaine", trade="photographer")
    for someone, profile_trade in [(zoe, "SEO consultant"), (yann, "designer")]:
        reply = someone.client.post(
            "/me/profile",
            data={"display_name": someone.name, "trade": profile_trade, "visibility": "hidden"},
        )
        assert reply.status_code == 303, reply.text
    with app.app_context():
        assert db.session.get(User, zoe.id).is_hidden
    for someone, response in [
        (ana, "going"),
        (ben, "going"),
        (zoe, "going"),
        (chloe, "going"),
        (yann, "going"),
        (driss, "maybe"),
        (elsa, "no"),
    ]:
        someone.answers(gid, response)
    assert rsvp_rows(app, gid)[yann.id] == WAITING
    people = {"ana": ana, "ben": ben, "zoe": zoe, "chloe": chloe, "yann": yann, "driss": driss}
    return {"id": gid, "elsa": elsa, **people}


ATTENDEES = [
    "Ana Lopes",
    "Ben Moreau",
    "Zoé Marchand",
    "Chloé Vidal",
    "Yann Kerbrat",
    "Driss Amrani",
    "Elsa Fontaine",
]


def test_the_page_lists_people_going_with_name_and_trade_and_sums_the_trades(
    app, organiser, person, gathering_for
):
    gid = gathering_for(capacity="")
    ana = person(display_name="Ana Lopes", trade="web writer")
    ana.answers(gid, "going")
    reader = person(display_name="Reader", trade="")

    page = reader.view(gid)

    assert page.items("going") == ["Camille Durand · proofreader", "Ana Lopes · web writer"]
    assert page.trade_mix == "1 proofreader, 1 web writer"
    # Most common first, then by name.
    person(display_name="Ben Moreau", trade="web writer").answers(gid, "going")
    person(display_name="Alix", trade="translator").answers(gid, "maybe")  # not going
    assert reader.view(gid).trade_mix == "2 web writers, 1 proofreader"
    assert Page(browser(app, "fr").get(f"/events/{gid}").text).trade_mix == (
        "2 rédacteurs web, 1 correcteur"
    )
    # Written in French and in the feminine, the same trade; a trade outside the vocabulary
    # reads in the same shape: a count, a name.
    person(display_name="Rose", trade="Rédactrice web").answers(gid, "going")
    person(display_name="Luc", trade="luthier").answers(gid, "going")
    assert Page(browser(app, "fr").get(f"/events/{gid}").text).trade_mix == (
        "3 rédacteurs web, 1 correcteur, 1 luthier"
    )
    assert reader.view(gid).trade_mix == "3 web writers, 1 luthier, 1 proofreader"


def test_anonymous_visitors_see_counts_and_trades_but_no_names(app, crowd):
    gid = crowd["id"]

    reply = browser(app).get(f"/events/{gid}")

    assert reply.status_code == 200
    page = Page(reply.text)
    assert "4 people going · 2 waiting · 1 maybe" in page.text
    assert page.seats_left == "0"
    assert page.trade_mix == "2 web writers, 1 proofreader, 1 SEO consultant"
    assert "Sign in to see who is coming." in page.who.text
    # The only list items are the trade mix's: counts, no name.
    assert len(page.who.find_all("li")) == len(page.by_id("trade-mix").find_all("li")) == 3
    for element_id in ("going", "waitlist", "maybe"):
        assert page.by_id(element_id) is None
    for name in ATTENDEES:
        assert name not in reply.text
    # The organiser's name shows once in the page, on the "Proposed by" line (the head's
    # schema.org event names the organiser too, as that line does), and nowhere else.
    assert reply.text.split("</head>")[1].count("Camille Durand") == 1
    assert page.root.find("p", cls="organiser").text == "Proposed by Camille Durand · proofreader"
    assert page.my_status is None
    # The buttons are there; pressing one leads through sign-in.
    assert page.rsvp_buttons == ["going", "maybe", "no"]


def test_members_see_names_except_hidden_people_who_still_count(app, person, crowd):
    gid = crowd["id"]
    reader = person(display_name="Reader", trade="")

    reply = reader.client.get(f"/events/{gid}")

    page = Page(reply.text)
    assert page.people("going") == ["Camille Durand", "Ana Lopes", "Ben Moreau"]
    assert page.people("waitlist") == ["Chloé Vidal"]
    assert page.by_id("maybe") is None  # the maybe list is the organiser's
    private = [p.text for p in page.who.find_all("p", cls="muted")]
    assert private == [
        "And 1 person who keeps their name private.",
        "And 1 person who keeps their name private.",
    ]
    assert "4 people going · 2 waiting · 1 maybe" in page.text
    assert page.trade_mix == "2 web writers, 1 proofreader, 1 SEO consultant"
    for hidden in ("Zoé Marchand", "Yann Kerbrat", "Driss Amrani", "Elsa Fontaine"):
        assert hidden not in reply.text
    assert "hidden" not in page.who.text


def test_an_hidden_person_always_sees_themselves(crowd):
    zoe, yann = crowd["zoe"], crowd["yann"]

    page = zoe.view(crowd["id"])
    assert page.people("going") == ["Camille Durand", "Ana Lopes", "Ben Moreau", "Zoé Marchand"]
    assert page.people("waitlist") == ["Chloé Vidal"]
    assert "Yann Kerbrat" not in page.html
    assert [p.text for p in page.who.find_all("p", cls="muted")] == [
        "And 1 person who keeps their name private."  # Yann, on the waitlist
    ]

    page = yann.view(crowd["id"])
    assert page.people("waitlist") == ["Chloé Vidal", "Yann Kerbrat"]
    assert page.my_status == "You are on the waitlist: number 2 in line."


@pytest.mark.parametrize("who", ["organiser", "admin"])
def test_the_organiser_and_admins_see_everyone_the_waitlist_in_order_and_maybe(
    crowd, organiser, person, who
):
    viewer = organiser if who == "organiser" else person(display_name="Root", is_admin=True)

    page = viewer.view(crowd["id"])

    assert page.people("going") == ["Camille Durand", "Ana Lopes", "Ben Moreau", "Zoé Marchand"]
    assert page.items("going")[3] == "Zoé Marchand · SEO consultant (hidden)"
    assert page.people("waitlist") == ["Chloé Vidal", "Yann Kerbrat"]
    assert page.items("waitlist") == [
        "Chloé Vidal · translator",
        "Yann Kerbrat · designer (hidden)",
    ]
    assert page.people("maybe") == ["Driss Amrani"]
    assert "Elsa Fontaine" not in page.html  # declined: on no list
    assert "keeps their name private" not in page.text


# Refusals --------------------------------------------------------------------------------


def test_answers_to_a_cancelled_gathering_are_refused_and_change_nothing(
    app, organiser, person, gathering_for
):
    gid = gathering_for(capacity="3")
    ana, ben = person(display_name="Ana"), person(display_name="Ben")
    ana.answers(gid, "going")
    assert organiser.client.post(f"/events/{gid}/cancel").status_code in (302, 303)
    before = rsvp_rows(app, gid)

    page = ana.answers(gid, "no")
    assert page.flashes == ["This gathering is cancelled: answers are closed."]
    page = ben.answers(gid, "going")
    assert page.flashes == ["This gathering is cancelled: answers are closed."]

    assert rsvp_rows(app, gid) == before == {organiser.id: GOING, ana.id: GOING}
    assert page.rsvp_buttons == []
    # In French too.
    french = sign_in(app, ben.user, "fr")
    assert french.answers(gid, "maybe").flashes == [
        "Cette rencontre est annulée : les réponses sont closes."
    ]
    assert rsvp_rows(app, gid) == before


def test_answers_to_a_past_gathering_are_refused_and_change_nothing(
    app, organiser, person, gathering_for
):
    gid = gathering_for(capacity="3")
    ana, ben = person(display_name="Ana"), person(display_name="Ben")
    ana.answers(gid, "maybe")
    move_to_past(app, gid)

    page = ana.answers(gid, "going")
    assert page.flashes == ["This gathering is over: answers are closed."]
    page = ben.answers(gid, "going")
    assert page.flashes == ["This gathering is over: answers are closed."]

    assert rsvp_rows(app, gid) == {organiser.id: GOING, ana.id: MAYBE}
    assert page.rsvp_buttons == []


def test_an_unknown_gathering_is_404(app, person, gathering_for):
    gathering_for()
    ana = person(display_name="Ana")

    assert ana.answer(999_999, "going").status_code == 404
    assert ana.client.get("/events/999999").status_code == 404
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Rsvp)) == 1


@pytest.mark.parametrize("value", ["yes", "", "GOING", None])
def test_a_bad_response_is_400_with_a_message_and_changes_nothing(
    app, organiser, person, gathering_for, value
):
    gid = gathering_for(capacity="3")
    ana, ben = person(display_name="Ana"), person(display_name="Ben")
    ana.answers(gid, "maybe")

    for someone in (ana, ben):
        reply = someone.answer(gid, value)
        assert reply.status_code == 400
        assert "Answer “going”, “maybe” or “no”." in Page(reply.text).text

    assert rsvp_rows(app, gid) == {organiser.id: GOING, ana.id: MAYBE}


@pytest.mark.parametrize("value", ["going\x00", "\x08", "no\x7f"])
def test_an_answer_with_a_control_character_is_400_and_changes_nothing(
    app, organiser, person, gathering_for, value
):
    """The edge rule refuses it (meetups.forms.SiteForm), and the 400 says so: not a 500."""
    gid = gathering_for(capacity="3")
    ana = person(display_name="Ana")
    ana.answers(gid, "maybe")

    reply = ana.answer(gid, value)
    assert reply.status_code == 400
    assert "invisible control characters" in Page(reply.text).text

    assert rsvp_rows(app, gid) == {organiser.id: GOING, ana.id: MAYBE}


def test_anonymous_buttons_go_through_sign_in_and_back_to_the_gathering(
    app, create_user, organiser, gathering_for
):
    gid = gathering_for(capacity="3")
    ana = create_user(display_name="Ana")
    visitor = browser(app)
    page_url = f"http://localhost/events/{gid}"

    # A browser sends the page it was on.
    reply = visitor.post(
        f"/events/{gid}/rsvp", data={"response": "going"}, headers={"Referer": page_url}
    )
    assert reply.status_code == 302
    location = urlsplit(reply.headers["Location"])
    assert location.path == "/auth/login"
    assert parse_qs(location.query)["next"] == [f"/events/{gid}"]
    assert ana.id not in rsvp_rows(app, gid)

    signed_in = visitor.post(
        f"/auth/login?{location.query}",
        data={"email": ana.email, "password": PASSWORD},
        follow_redirects=True,
    )
    assert signed_in.request.path == f"/events/{gid}"
    assert signed_in.status_code == 200

    # Without a Referer, sign-in returns to the RSVP URL, which leads to the gathering page.
    other = browser(app)
    reply = other.post(f"/events/{gid}/rsvp", data={"response": "going"})
    assert reply.status_code == 302
    location = urlsplit(reply.headers["Location"])
    assert location.path == "/auth/login"
    assert parse_qs(location.query)["next"] == [f"/events/{gid}/rsvp"]
    signed_in = other.post(
        f"/auth/login?{location.query}",
        data={"email": ana.email, "password": PASSWORD},
        follow_redirects=True,
    )
    assert signed_in.status_code == 200
    assert signed_in.request.path == f"/events/{gid}"
    assert [r.status_code for r in signed_in.history] == [302, 303]
    assert other.get(f"/events/{gid}/rsvp").status_code == 303

    # A Referer from another site is not followed.
    stranger = browser(app)
    reply = stranger.post(
        f"/events/{gid}/rsvp",
        data={"response": "going"},
        headers={"Referer": "https://evil.example/events/1"},
    )
    assert parse_qs(urlsplit(reply.headers["Location"]).query)["next"] == [f"/events/{gid}/rsvp"]

    # Nothing was recorded before signing in; then Ana's answer was saved, once.
    assert rsvp_rows(app, gid) == {organiser.id: GOING, ana.id: GOING}


# An answer given while signed out ---------------------------------------------------------


def press_signed_out(visitor: FlaskClient, gathering_id: int, response: str) -> Page:
    """Press an RSVP button without an account: land on the sign-in page, and read it."""
    page_url = f"http://localhost/events/{gathering_id}"
    reply = visitor.post(
        f"/events/{gathering_id}/rsvp", data={"response": response}, headers={"Referer": page_url}
    )
    assert reply.status_code == 302, reply.text
    assert path_of(reply.headers["Location"]) == "/auth/login"
    login_page = visitor.get(reply.headers["Location"])
    assert login_page.status_code == 200
    page = Page(login_page.text)
    page.url = reply.headers["Location"]
    return page


def sign_in_from(visitor: FlaskClient, login_url: str, user: User) -> tuple[str, Page]:
    """Sign in on the page the button led to: the path landed on, and the page."""
    reply = visitor.post(
        login_url, data={"email": user.email, "password": PASSWORD}, follow_redirects=True
    )
    assert reply.status_code == 200, reply.text
    return reply.request.path, Page(reply.text)


def test_an_answer_given_signed_out_is_saved_on_sign_in_and_said(
    app, create_user, organiser, gathering_for
):
    gid = gathering_for(capacity="3")
    ana = create_user(display_name="Ana")
    visitor = browser(app)

    login_page = press_signed_out(visitor, gid, "going")
    assert login_page.flashes == ["Sign in or create an account, and your “Going” will be saved."]
    assert ana.id not in rsvp_rows(app, gid)

    landed, page = sign_in_from(visitor, login_page.url, ana)
    assert landed == f"/events/{gid}"
    assert page.flashes == [
        "Signed in. Hello, Ana!",
        "Your answer to “Apéro freelance” is saved.",
        "You are going. See you there!",
    ]
    assert page.my_status == "You are going."
    assert "Ana" in page.people("going")
    assert rsvp_rows(app, gid) == {organiser.id: GOING, ana.id: GOING}

    # Used once: signing in again later does not answer again.
    reply = visitor.post(f"/events/{gid}/rsvp", data={"response": "no"}, follow_redirects=True)
    assert reply.status_code == 200
    visitor.post("/auth/logout", follow_redirects=True)
    landed, page = sign_in_from(visitor, f"/auth/login?next=/events/{gid}", ana)
    assert page.flashes == ["Signed in. Hello, Ana!"]
    assert rsvp_rows(app, gid)[ana.id] == NO


def test_an_answer_given_signed_out_is_saved_on_sign_up_in_french(app, organiser, gathering_for):
    gid = gathering_for(capacity="1")  # the organiser holds the only seat: the waitlist
    visitor = browser(app, "fr")

    login_page = press_signed_out(visitor, gid, "going")
    assert login_page.flashes == [
        "Connectez-vous ou créez un compte, et votre « J’y vais » sera enregistré."
    ]
    sign_up = next(
        a.attrs["href"] for a in login_page.root.find_all("a") if a.text == "Créer un compte"
    )
    assert path_of(sign_up) == "/auth/register"
    assert parse_qs(urlsplit(sign_up).query)["next"] == [f"/events/{gid}"]

    reply = visitor.post(
        sign_up,
        data={"email": "bea@example.org", "display_name": "Béa", "password": PASSWORD},
        follow_redirects=True,
    )
    assert reply.request.path == f"/events/{gid}"
    page = Page(reply.text)
    assert page.flashes[:2] == [
        "Bienvenue sur Meute, Béa !",
        "Votre réponse à « Apéro freelance » est enregistrée.",
    ]
    assert "liste d’attente" in page.flashes[2]
    with app.app_context():
        bea = db.session.scalar(db.select(User).filter_by(email="bea@example.org"))
    assert rsvp_rows(app, gid) == {organiser.id: GOING, bea.id: WAITING}


@pytest.mark.parametrize("value", ["yes", "", "going\x00"])
def test_an_invalid_answer_given_signed_out_is_not_kept(
    app, create_user, organiser, gathering_for, value
):
    gid = gathering_for(capacity="3")
    ana = create_user(display_name="Ana")
    visitor = browser(app)

    reply = visitor.post(f"/events/{gid}/rsvp", data={"response": value})
    assert path_of(reply.headers["Location"]) == "/auth/login"
    with visitor.session_transaction() as session:
        assert "pending_rsvp" not in session

    landed, page = sign_in_from(visitor, reply.headers["Location"], ana)
    assert landed == f"/events/{gid}"
    assert page.flashes == ["Please sign in to continue.", "Signed in. Hello, Ana!"]
    assert rsvp_rows(app, gid) == {organiser.id: GOING}


@pytest.mark.parametrize(
    "kept",
    [
        {"gathering_id": "GID", "response": "attending", "at": "NOW"},
        {"gathering_id": "GID", "response": ["going"], "at": "NOW"},
        {"gathering_id": "GID", "response": "going", "at": "HOUR_AGO"},  # stale
        {"gathering_id": "GID", "response": "going", "at": "TOMORROW"},
        {"gathering_id": "GID", "response": "going"},
        {"gathering_id": True, "response": "going", "at": "NOW"},
        {"gathering_id": "1", "response": "going", "at": "NOW"},
        {"gathering_id": 10**9, "response": "going", "at": "NOW"},  # no such gathering
        ["GID", "going"],
    ],
)
def test_a_forged_or_stale_kept_answer_is_ignored(app, create_user, organiser, gathering_for, kept):
    gid = gathering_for(capacity="3")
    ana = create_user(display_name="Ana")
    visitor = browser(app)
    now = int(time.time())
    times = {"NOW": now, "HOUR_AGO": now - 3601, "TOMORROW": now + 86_400}
    if isinstance(kept, dict):
        fill = {"GID": gid, **times}
        kept = {k: fill.get(v, v) if isinstance(v, str) else v for k, v in kept.items()}
    else:
        kept = [gid if v == "GID" else v for v in kept]
    with visitor.session_transaction() as session:
        session["pending_rsvp"] = kept

    landed, page = sign_in_from(visitor, f"/auth/login?next=/events/{gid}", ana)
    assert landed == f"/events/{gid}"
    assert page.flashes == ["Signed in. Hello, Ana!"]
    assert page.my_status == "You have not answered yet."
    assert rsvp_rows(app, gid) == {organiser.id: GOING}
    with visitor.session_transaction() as session:
        assert "pending_rsvp" not in session


def test_an_answer_kept_for_a_gathering_cancelled_since_is_refused_as_usual(
    app, create_user, organiser, gathering_for
):
    gid = gathering_for(capacity="3")
    ana = create_user(display_name="Ana")
    visitor = browser(app)
    login_page = press_signed_out(visitor, gid, "maybe")
    assert organiser.client.post(f"/events/{gid}/cancel").status_code in (302, 303)

    landed, page = sign_in_from(visitor, login_page.url, ana)
    assert landed == f"/events/{gid}"
    assert page.flashes == [
        "Signed in. Hello, Ana!",
        "This gathering is cancelled: answers are closed.",
    ]
    assert rsvp_rows(app, gid) == {organiser.id: GOING}


def test_the_organiser_signing_in_after_pressing_a_button_is_told_the_usual_rule(
    app, organiser, gathering_for
):
    gid = gathering_for(capacity="3")
    visitor = browser(app)
    login_page = press_signed_out(visitor, gid, "no")

    landed, page = sign_in_from(visitor, login_page.url, organiser.user)
    assert landed == f"/events/{gid}"
    assert page.flashes[-1] == (
        "You organise this gathering, so you are going. To call it off, cancel it."
    )
    assert rsvp_rows(app, gid) == {organiser.id: GOING}


# Query count -----------------------------------------------------------------------------


def test_the_gathering_page_costs_the_same_queries_with_3_or_30_people_going(
    app, create_user, create_gathering
):
    from meetups.gatherings import services

    host = create_user(display_name="Host", trade="proofreader")
    small = create_gathering(organiser=host, capacity="3").id
    large = create_gathering(organiser=host, capacity="30").id
    member = create_user(display_name="Member", trade="web writer")
    admin = create_user(display_name="Admin", is_admin=True)
    trades = ["web writer", "proofreader", "SEO consultant", "luthier", ""]
    with app.app_context():
        for gid, going in [(small, 2), (large, 29)]:
            gathering = db.session.get(Gathering, gid)
            # going, then 2 waitlisted, 2 maybe and 1 no; every third person hidden
            for n in range(going + 5):
                user = User(
                    email=f"g{gid}-{n}@example.org",
                    password_hash="!",
                    display_name=f"G{gid} person {n}",
                    trade=trades[n % len(trades)],
                    visibility="hidden" if n % 3 == 0 else "members",
                )
                db.session.add(user)
                db.session.flush()
                response = "going" if n < going + 2 else ("maybe" if n < going + 4 else "no")
                services.respond(gathering, user, response)
            db.session.commit()
    assert sum(r == GOING for r in rsvp_rows(app, small).values()) == 3
    assert sum(r == GOING for r in rsvp_rows(app, large).values()) == 30
    assert sum(r == WAITING for r in rsvp_rows(app, large).values()) == 2

    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    viewers = {
        "anonymous": browser(app),
        "member": sign_in(app, member).client,
        "organiser": sign_in(app, host).client,
        "admin": sign_in(app, admin).client,
    }
    with app.app_context():
        engine = db.engine
        event.listen(engine, "before_cursor_execute", record)
    # Requests run outside that context: a pushed app context would be shared by every request
    # (with its cached current user), which no real server does.
    counts = {}
    try:
        for who, client in viewers.items():
            for gid in (small, large):
                client.get(f"/events/{gid}")  # warm up: first-visit effects aside
                statements.clear()
                reply = client.get(f"/events/{gid}")
                assert reply.status_code == 200
                counts[who, gid] = len(statements)
                page = Page(reply.text)
                if who == "anonymous":
                    assert page.by_id("going") is None
                else:
                    assert "Host" in page.people("going")
    finally:
        event.remove(engine, "before_cursor_execute", record)

    for who in viewers:
        assert counts[who, small] == counts[who, large], (who, counts)
        assert counts[who, large] <= 12, (who, counts)
