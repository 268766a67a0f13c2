"""Saying "I met them": a mark alone shows nobody anything; two marks, each way, make a contact.

Every person is a separate browser signed in through the login form; gatherings are
proposed in the future, answered, then moved into the past (a started gathering takes no
new answers from the pages, as in life).
"""

import re
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from meetups.accounts.models import User, Visibility
from meetups.extensions import db
from meetups.gatherings.models import Encounter, Gathering, Status
from tests.conftest import text_of
from tests.test_rsvp import START, Page, Person, move_to_past, new_person, path_of

CSRF = re.compile(r'name="csrf_token" value="[^"]*"')
EXPLAINED = (
    "When they say they met you too, each of you sees the other’s links on your contacts "
    "page. Until then nobody sees anything."
)


def without_token(html: str) -> str:
    return CSRF.sub('name="csrf_token" value=""', html)


def marks(app, gathering_id: int | None = None) -> set[tuple[int, int]]:
    """{(who said it, whom they met)} as the database holds them."""
    with app.app_context():
        query = db.select(Encounter.user_id, Encounter.met_id)
        if gathering_id is not None:
            query = query.where(Encounter.gathering_id == gathering_id)
        return {(user_id, met_id) for user_id, met_id in db.session.execute(query)}


def profile(app, someone: Person, **values) -> None:
    with app.app_context():
        user = db.session.get(User, someone.id)
        for name, value in values.items():
            setattr(user, name, value)
        db.session.commit()


def said_met(someone: Person, gathering_id: int, other: Person, met: str | None = None):
    data = {} if met is None else {"met": met}
    return someone.client.post(f"/events/{gathering_id}/met/{other.id}", data=data)


def says_met(someone: Person, gathering_id: int, other: Person, met: str | None = None) -> Page:
    """Press the button: 303 back to the gathering's #met, and read the page it lands on."""
    reply = said_met(someone, gathering_id, other, met)
    assert reply.status_code == 303, reply.text
    assert reply.headers["Location"].endswith(f"/events/{gathering_id}#met")
    return someone.view(gathering_id)


def contacts_of(someone: Person) -> Page:
    reply = someone.client.get("/me/contacts")
    assert reply.status_code == 200, reply.text
    assert "private" in reply.headers["Cache-Control"]
    return Page(reply.text)


def contact_names(page: Page) -> list[str]:
    listing = page.by_id("contacts")
    if listing is None:
        return []
    return [e.text for e in listing.find_all(cls="contact-name")]


def met_section(page: Page) -> dict[str, str] | None:
    """{name: the text beside it} in #met; None when the section is absent."""
    section = page.by_id("met")
    if section is None:
        return None
    items = section.find_all("li")
    return {li.find(cls="person-name").text: li.text for li in items}


@dataclass
class Evening:
    """A gathering that took place: the organiser, two people who went, and its id."""

    gid: int
    organiser: Person
    ana: Person
    ben: Person


@pytest.fixture
def person(app, create_user):
    def make(lang="en", **kwargs) -> Person:
        return new_person(app, create_user, lang, **kwargs)

    return make


@pytest.fixture
def evening(app, person, create_gathering):
    """evening(capacity="4"): a gathering Ana and Ben went to, which started two days ago."""

    def make(capacity="4", past=True) -> Evening:
        organiser = person(display_name="Camille Durand", trade="proofreader")
        gid = create_gathering(organiser=organiser.user, start=START, capacity=capacity).id
        ana = person(display_name="Ana Lopes", trade="web developer")
        ben = person(display_name="Ben Martin", trade="UX designer")
        for someone in (ana, ben):
            someone.answers(gid, "going")  # the flash read, as a browser would
        if past:
            move_to_past(app, gid)
        return Evening(gid, organiser, ana, ben)

    return make


# Privacy --------------------------------------------------------------------------------


def test_a_mark_alone_shows_the_other_person_nothing(app, evening):
    e = evening()
    before = e.ben.client.get(f"/events/{e.gid}").text

    page = says_met(e.ana, e.gid, e.ben)

    after = e.ben.client.get(f"/events/{e.gid}").text
    assert without_token(after) == without_token(before)
    assert contact_names(contacts_of(e.ben)) == []
    # The one who marked sees their own mark, and no contact either.
    assert "You said you met them" in met_section(page)["Ben Martin"]
    assert "In your contacts" not in page.text
    assert contact_names(contacts_of(e.ana)) == []
    assert marks(app, e.gid) == {(e.ana.id, e.ben.id)}


def test_marks_both_ways_show_each_other_s_links(app, evening):
    e = evening()
    profile(
        app,
        e.ana,
        links=["https://ana.example.org/"],
        offers="Sites that load fast",
        looking_for="A designer",
    )
    profile(app, e.ben, links=["https://ben.example.net/portfolio"], offers="Wireframes")
    says_met(e.ana, e.gid, e.ben)
    assert contact_names(contacts_of(e.ana)) == []

    page = says_met(e.ben, e.gid, e.ana)

    assert "In your contacts" in met_section(page)["Ana Lopes"]
    assert "In your contacts" in met_section(e.ana.view(e.gid))["Ben Martin"]
    ana_sees, ben_sees = contacts_of(e.ana), contacts_of(e.ben)
    assert contact_names(ana_sees) == ["Ben Martin"]
    assert contact_names(ben_sees) == ["Ana Lopes"]
    assert '<a rel="nofollow ugc" href="https://ben.example.net/portfolio">' in ana_sees.html
    assert '<a rel="nofollow ugc" href="https://ana.example.org/">' in ben_sees.html
    assert "Sites that load fast" in ben_sees.text and "A designer" in ben_sees.text
    assert "UX designer" in ana_sees.text  # the trade
    met_at = ben_sees.by_id("contacts").find(cls="contact-gatherings").find("a")
    assert met_at.attrs["href"] == f"/events/{e.gid}"
    assert met_at.text == "Apéro freelance"
    for page in (ana_sees, ben_sees):
        assert "@" not in page.text, "no e-mail address, ever"
        assert "example.org" not in page.text.replace("https://ana.example.org/", "")


def test_a_third_person_sees_nothing_of_a_contact(app, evening, person):
    e = evening(past=False)
    carla = person(display_name="Carla Petit")
    carla.answers(e.gid, "going")
    move_to_past(app, e.gid)
    before = carla.client.get(f"/events/{e.gid}").text

    says_met(e.ana, e.gid, e.ben)
    says_met(e.ben, e.gid, e.ana)

    assert without_token(carla.client.get(f"/events/{e.gid}").text) == without_token(before)
    assert contact_names(contacts_of(carla)) == []
    assert contact_names(contacts_of(e.organiser)) == []


def test_no_e_mail_address_on_the_contacts_page(app, evening):
    e = evening()
    says_met(e.ana, e.gid, e.ben)
    says_met(e.ben, e.gid, e.ana)

    page = contacts_of(e.ana).html

    assert e.ben.user.email not in page
    assert e.ana.user.email not in page
    assert "mailto:" not in page


# Who may say it, and when -----------------------------------------------------------------


def test_before_the_start_nothing_is_stored(app, evening):
    e = evening(past=False)

    assert met_section(e.ana.view(e.gid)) is None
    reply = said_met(e.ana, e.gid, e.ben)

    assert reply.status_code == 303
    assert "You can say whom you met once the gathering has started." in (e.ana.view(e.gid).flashes)
    assert marks(app) == set()


def test_a_cancelled_gathering_takes_no_marks(app, evening):
    e = evening()
    with app.app_context():
        db.session.get(Gathering, e.gid).status = Status.CANCELLED
        db.session.commit()

    assert met_section(e.ana.view(e.gid)) is None
    assert said_met(e.ana, e.gid, e.ben).status_code == 303
    assert marks(app) == set()


def test_waitlisted_and_maybe_people_neither_mark_nor_are_marked(app, evening, person):
    e = evening(capacity="3", past=False)  # the organiser, Ana and Ben hold the seats
    dan = person(display_name="Dan Waiting")
    eve = person(display_name="Eve Maybe")
    assert dan.answer(e.gid, "going").status_code == 303
    assert eve.answer(e.gid, "maybe").status_code == 303
    move_to_past(app, e.gid)

    assert said_met(dan, e.gid, e.ana).status_code == 403
    assert said_met(eve, e.gid, e.ana).status_code == 403
    assert said_met(e.ana, e.gid, dan).status_code == 404
    assert said_met(e.ana, e.gid, eve).status_code == 404
    assert marks(app) == set()
    assert met_section(dan.view(e.gid)) is None
    assert met_section(eve.view(e.gid)) is None
    listed = met_section(e.ana.view(e.gid))
    assert set(listed) == {"Camille Durand", "Ben Martin"}


def test_nobody_marks_themselves(app, evening):
    e = evening()

    assert said_met(e.ana, e.gid, e.ana).status_code == 404
    assert "Ana Lopes" not in met_section(e.ana.view(e.gid))
    assert marks(app) == set()


def test_the_organiser_went_and_may_be_marked(app, evening):
    e = evening()

    says_met(e.organiser, e.gid, e.ana)
    says_met(e.ana, e.gid, e.organiser)

    assert contact_names(contacts_of(e.ana)) == ["Camille Durand"]


def test_a_hidden_person_is_not_listed_and_cannot_be_marked_by_members(app, evening):
    e = evening()
    profile(app, e.ben, visibility=Visibility.HIDDEN)

    assert "Ben Martin" not in met_section(e.ana.view(e.gid))
    # The same answer as for someone who did not go: attendance stays private.
    assert said_met(e.ana, e.gid, e.ben).status_code == 404
    assert marks(app) == set()
    says_met(e.organiser, e.gid, e.ben)  # organisers see everyone who comes


def test_someone_who_did_not_go_cannot_be_marked(app, evening, person):
    e = evening()
    stranger = person(display_name="Sam Elsewhere")

    assert said_met(e.ana, e.gid, stranger).status_code == 404
    assert said_met(stranger, e.gid, e.ana).status_code == 403
    assert marks(app) == set()


# The button ----------------------------------------------------------------------------


def test_the_section_lists_people_with_a_button_each(app, evening):
    e = evening()

    page = e.ana.view(e.gid)

    section = page.by_id("met")
    assert section.find("h2").text == "Who did you meet?"
    assert EXPLAINED in section.text
    assert set(met_section(page)) == {"Camille Durand", "Ben Martin"}
    buttons = section.find_all("button")
    # Each button names its person for screen readers, who hear the buttons out of their row.
    assert sorted(b.text for b in buttons) == [
        "I met them (Ben Martin)",
        "I met them (Camille Durand)",
    ]
    assert {b.attrs["aria-pressed"] for b in buttons} == {"false"}
    assert {f.attrs["action"] for f in section.find_all("form")} == {
        f"/events/{e.gid}/met/{e.organiser.id}",
        f"/events/{e.gid}/met/{e.ben.id}",
    }


def test_the_page_reads_the_marks_in_one_query(app, evening, client, count_queries, login):
    e = evening()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(e.ana.user)
    n_before, _ = count_queries(f"/events/{e.gid}")
    says_met(e.ana, e.gid, e.ben)
    says_met(e.ana, e.gid, e.organiser)
    says_met(e.ben, e.gid, e.ana)

    n_after, reply = count_queries(f"/events/{e.gid}")

    assert n_after == n_before
    assert reply.text.count("You said you met them") == 2


def test_undo_takes_back_one_s_own_mark_only(app, evening):
    e = evening()
    says_met(e.ana, e.gid, e.ben)
    says_met(e.ben, e.gid, e.ana)

    page = says_met(e.ana, e.gid, e.ben, met="no")

    assert "Undone: you no longer say you met them." in page.flashes
    buttons = [(b.text, b.attrs["aria-pressed"]) for b in page.by_id("met").find_all("button")]
    assert ("I met them (Ben Martin)", "false") in buttons
    assert marks(app, e.gid) == {(e.ben.id, e.ana.id)}
    assert contact_names(contacts_of(e.ana)) == []
    assert contact_names(contacts_of(e.ben)) == []
    says_met(e.ana, e.gid, e.ben, met="no")  # again: nothing left to take back, no error


def test_pressing_twice_keeps_one_mark(app, evening):
    e = evening()

    says_met(e.ana, e.gid, e.ben, met="yes")
    page = says_met(e.ana, e.gid, e.ben)

    assert marks(app, e.gid) == {(e.ana.id, e.ben.id)}
    undo = page.by_id("met").find_all("button")
    assert ("Undo (Ben Martin)", "true") in [(b.text, b.attrs["aria-pressed"]) for b in undo]


def test_the_same_person_met_at_two_gatherings_is_one_contact(app, evening, create_gathering):
    e = evening()
    second = create_gathering(organiser=e.organiser.user, start=START, title="Déj freelance").id
    for someone in (e.ana, e.ben):
        assert someone.answer(second, "going").status_code == 303
    move_to_past(app, second, days_ago=1)
    for gid in (e.gid, second):
        says_met(e.ana, gid, e.ben)
        says_met(e.ben, gid, e.ana)

    page = contacts_of(e.ana)

    assert contact_names(page) == ["Ben Martin"]
    assert page.items("contacts")  # one contact, listing both gatherings
    titles = [a.text for a in page.by_id("contacts").find(cls="contact-gatherings").find_all("a")]
    assert titles == ["Déj freelance", "Apéro freelance"]  # newest first


# What anyone can send --------------------------------------------------------------------


def test_unknown_gathering_or_person_is_404(app, evening):
    e = evening()

    assert said_met(e.ana, 999_999, e.ben).status_code == 404
    reply = e.ana.client.post(f"/events/{e.gid}/met/999999")
    assert reply.status_code == 404
    for path in (f"/events/{e.gid}/met/99999999999999999999", "/events/1/met/0", "/events/x/met/1"):
        assert e.ana.client.post(path).status_code == 404, path
    assert marks(app) == set()


def test_an_unknown_answer_is_refused(app, evening):
    e = evening()

    reply = said_met(e.ana, e.gid, e.ben, met="<b>maybe</b>")

    assert reply.status_code == 400
    assert "<b>maybe" not in reply.text
    assert marks(app) == set()


def test_anonymous_visitors_are_sent_to_sign_in(app, evening):
    e = evening()
    visitor = app.test_client()

    for reply in (visitor.post(f"/events/{e.gid}/met/{e.ben.id}"), visitor.get("/me/contacts")):
        assert reply.status_code == 302
        assert path_of(reply.headers["Location"]) == "/auth/login"
    assert marks(app) == set()
    assert 'id="met"' not in visitor.get(f"/events/{e.gid}").text


def test_names_and_links_are_escaped(app, evening):
    e = evening()
    profile(
        app,
        e.ben,
        display_name="<script>alert(1)</script>",
        offers="<b>bold</b>",
        links=["javascript:alert(1)", 'https://ok.example/"onmouseover="x', "http://[broken"],
    )
    says_met(e.ana, e.gid, e.ben)
    says_met(e.ben, e.gid, e.ana)

    page = e.ana.client.get("/me/contacts").text

    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
    assert "<b>bold" not in page
    assert 'href="javascript:' not in page
    assert '"onmouseover' not in page
    assert "<script>alert(1)" not in e.ana.client.get(f"/events/{e.gid}").text


def test_contacts_empty_state_and_link_from_me(app, person):
    ana = person(display_name="Ana Lopes")

    me = Page(ana.client.get("/me").text)
    page = contacts_of(ana)

    assert me.by_id("contacts-link").attrs["href"] == "/me/contacts"
    assert contact_names(page) == []
    assert "say whom you met" in page.by_id("no-contacts").text


def test_in_french(app, evening, person):
    e = evening()
    ana_fr = Person(e.ana.user, e.ana.client)
    ana_fr.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"

    page = ana_fr.view(e.gid)
    assert page.by_id("met").find("h2").text == "Qui avez-vous rencontré ?"
    says_met(ana_fr, e.gid, e.ben)
    says_met(e.ben, e.gid, e.ana)
    contacts = text_of(ana_fr.client.get("/me/contacts").text)
    assert "Mes contacts" in contacts
    assert "Ben Martin" in contacts


def test_stored_rows_count_once(app, evening):
    e = evening()
    says_met(e.ana, e.gid, e.ben)
    says_met(e.ana, e.gid, e.ben)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Encounter)) == 1


def test_contacts_page_queries_do_not_grow_with_contacts(app, evening, person):
    e = evening(capacity="8", past=False)
    others = [person(display_name=f"Guest {n}") for n in range(3)]
    for someone in others:
        someone.answers(e.gid, "going")
    move_to_past(app, e.gid)
    counts = []
    for someone in [e.ben, *others]:
        says_met(e.ana, e.gid, someone)
        says_met(someone, e.gid, e.ana)
        counts.append(statements_for(app, e.ana, "/me/contacts"))

    assert len(set(counts)) == 1, counts
    assert len(contact_names(contacts_of(e.ana))) == 4


def statements_for(app, someone: Person, path: str) -> int:
    statements = []

    def record(*_args):
        statements.append(1)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        assert someone.client.get(path).status_code == 200
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    return len(statements)
