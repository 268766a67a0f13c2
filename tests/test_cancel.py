"""Cancelling with a confirmation and a message, the cancelled page, and reinstating."""

import pytest

from meetups.extensions import db
from meetups.gatherings.models import Gathering
from tests.test_rsvp import START, Page, move_to_past, new_person, path_of, rsvp_rows


@pytest.fixture
def person(app, create_user):
    return lambda **kwargs: new_person(app, create_user, **kwargs)


@pytest.fixture
def organiser(person):
    return person(display_name="Camille Durand", trade="proofreader")


@pytest.fixture
def gid(create_gathering, organiser):
    """The organiser's two-seat gathering."""
    return create_gathering(organiser=organiser.user, start=START, capacity="2").id


@pytest.fixture
def answered(gid, person):
    """Ana going (the last seat), Ben waiting, Chloé maybe."""
    ana, ben, chloe = (person(display_name=name) for name in ("Ana", "Ben", "Chloé"))
    ana.answers(gid, "going")
    ben.answers(gid, "going")  # full: waiting
    chloe.answers(gid, "maybe")
    return ana, ben, chloe


def row(app, gathering_id: int) -> tuple:
    with app.app_context():
        g = db.session.get(Gathering, gathering_id)
        return g.status, g.sequence, g.cancel_message, g.cancelled_at is not None


def test_cancelling_asks_first_and_says_what_it_does(app, gid, organiser, answered):
    reply = organiser.client.get(f"/events/{gid}/cancel")
    assert reply.status_code == 200
    page = Page(reply.text)
    assert "stays visible, marked cancelled" in page.text
    assert "Calendars that hold it" in page.text
    assert "The 3 people who answered (going, maybe or on the waitlist)" in page.text
    assert page.root.find("textarea").attrs["name"] == "message"
    assert page.root.find("button", cls="button-danger").text.strip() == "Cancel the gathering"
    keep = next(a for a in page.root.find_all("a") if a.text.strip() == "Keep it")
    assert keep.attrs["href"] == f"/events/{gid}"
    # Asking changes nothing; the gathering's page leads to the question.
    assert row(app, gid) == ("scheduled", 0, None, False)
    assert f'href="/events/{gid}/cancel"' in organiser.client.get(f"/events/{gid}").text


def test_only_the_organiser_or_an_admin_is_asked(app, gid, person):
    assert person().client.get(f"/events/{gid}/cancel").status_code == 403
    assert person(is_admin=True).client.get(f"/events/{gid}/cancel").status_code == 200
    assert person().client.get("/events/999999/cancel").status_code == 404
    anonymous = app.test_client().get(f"/events/{gid}/cancel")
    assert path_of(anonymous.headers["Location"]) == "/auth/login"


def test_the_message_is_kept_and_shown_first(app, gid, organiser, answered):
    message = "La salle est inondée.\nOn se retrouve le mois prochain !"
    reply = organiser.client.post(f"/events/{gid}/cancel", data={"message": message})
    assert path_of(reply.headers["Location"]) == f"/events/{gid}"
    assert row(app, gid) == ("cancelled", 1, message, True)
    for someone in (organiser, *answered):
        page = someone.view(gid)
        notice = page.by_id("cancelled")
        assert notice.text.split()[0] == "Cancelled"
        assert "La salle est inondée." in notice.text and "le mois prochain" in notice.text
        # Nothing that says it will take place.
        assert page.by_id("seats-left") is None and page.by_id("my-status") is None
        assert page.root.find("form", cls="rsvp-form") is None
        for untruth in ("You are going", "hold a seat", "Add to my calendar", "Who is coming"):
            assert untruth not in page.text
        assert "Update my calendar (.ics file, marked cancelled)" in page.text
    ics = organiser.client.get(f"/events/{gid}/calendar.ics")
    assert ics.status_code == 200 and ics.mimetype == "text/calendar"
    assert b"STATUS:CANCELLED" in ics.data and b"La salle est inond" in ics.data
    assert rsvp_rows(app, gid)  # the answers are kept, should it be reinstated


def test_a_post_without_a_message_still_cancels_and_a_long_one_is_refused(app, gid, organiser):
    too_long = organiser.client.post(f"/events/{gid}/cancel", data={"message": "x" * 1001})
    assert too_long.status_code == 200
    assert "At most 1,000 characters." in too_long.text
    assert row(app, gid) == ("scheduled", 0, None, False)
    controls = organiser.client.post(f"/events/{gid}/cancel", data={"message": "Ferm\x00é"})
    assert controls.status_code == 200 and "invisible control characters" in controls.text
    assert row(app, gid) == ("scheduled", 0, None, False)
    assert organiser.client.post(f"/events/{gid}/cancel").status_code == 303
    assert row(app, gid) == ("cancelled", 1, None, True)
    assert "The organiser’s message" not in organiser.view(gid).text
    # Once cancelled, the question is not asked again.
    again = organiser.client.get(f"/events/{gid}/cancel")
    assert path_of(again.headers["Location"]) == f"/events/{gid}"


def test_reinstating_puts_it_back_with_its_answers(app, gid, organiser, answered):
    before = rsvp_rows(app, gid)
    organiser.client.post(f"/events/{gid}/cancel", data={"message": "Oups."})
    assert f'action="/events/{gid}/reinstate"' in organiser.client.get(f"/events/{gid}").text
    reply = organiser.client.post(f"/events/{gid}/reinstate")
    assert path_of(reply.headers["Location"]) == f"/events/{gid}"
    assert row(app, gid) == ("scheduled", 2, None, False)
    assert rsvp_rows(app, gid) == before
    page = organiser.view(gid)
    assert page.flashes == ["The gathering is on again; calendars will follow."]
    assert page.by_id("cancelled") is None and page.by_id("seats-left").text == "0"
    ics = organiser.client.get(f"/events/{gid}/calendar.ics").data
    assert b"STATUS:CONFIRMED" in ics and b"SEQUENCE:2" in ics
    # Not cancelled: nothing to reinstate.
    organiser.client.post(f"/events/{gid}/reinstate")
    assert organiser.view(gid).flashes == ["This gathering is not cancelled: nothing to reinstate."]
    assert row(app, gid) == ("scheduled", 2, None, False)


def test_reinstating_is_refused_once_started_and_to_others(app, gid, organiser, person):
    organiser.client.post(f"/events/{gid}/cancel")
    organiser.view(gid)  # where its message is shown
    assert person().client.post(f"/events/{gid}/reinstate").status_code == 403
    assert person().client.post("/events/999999/reinstate").status_code == 404
    anonymous = app.test_client().post(f"/events/{gid}/reinstate")
    assert path_of(anonymous.headers["Location"]) == "/auth/login"
    assert row(app, gid) == ("cancelled", 1, None, True)

    move_to_past(app, gid, days_ago=0)  # started two hours ago, ends now
    organiser.client.post(f"/events/{gid}/reinstate")
    page = organiser.view(gid)
    assert page.flashes == ["This gathering has already started: it can no longer be reinstated."]
    assert page.root.find("form", cls="rsvp-form") is None
    assert f'action="/events/{gid}/reinstate"' not in organiser.client.get(f"/events/{gid}").text
    assert row(app, gid) == ("cancelled", 1, None, True)
