"""Deleting one's account at /me/delete: the password asked again, seats down the waitlist,
gatherings cancelled or handed over, packs given an organiser, the past anonymised."""

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from meetups.accounts.models import User
from meetups.extensions import db
from meetups.gatherings.models import Gathering, Rsvp, Series, Status
from meetups.packs.models import Membership, Role
from meetups.places.models import Venue
from tests.conftest import PASSWORD, form_data, future_local
from tests.smtp import text_of as mail_text
from tests.test_rsvp import Page, Person, browser, move_to_past, new_person


def deletes(person: Person, password: str = PASSWORD):
    return person.client.post("/me/delete", data={"password": password})


def deleted(person: Person) -> Page:
    """Delete the account through the form: 303 home, with the message."""
    reply = deletes(person)
    assert reply.status_code == 303, reply.text
    assert reply.headers["Location"].endswith("/")
    return Page(person.client.get("/").text)


def proposes(person: Person, **fields) -> int:
    reply = person.client.post("/events/new", data=form_data(**fields))
    assert reply.status_code in (302, 303), reply.text
    return int(reply.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def exists(app, user_id: int) -> bool:
    with app.app_context():
        return db.session.get(User, user_id) is not None


def rsvps(app, gathering_id: int) -> list[tuple[int | None, str, bool]]:
    with app.app_context():
        query = db.select(Rsvp).filter_by(gathering_id=gathering_id).order_by(Rsvp.id)
        return [(r.user_id, r.response, r.is_waitlisted) for r in db.session.scalars(query)]


def test_the_page_says_what_happens_and_asks_the_password(app, create_user):
    zoe = new_person(app, create_user)
    page = zoe.client.get("/me/delete")
    assert page.status_code == 200
    assert "Your seats at gatherings still to come go to the next people" in page.text
    assert "Your answers to past gatherings still count, but name nobody." in page.text
    assert 'name="password"' in page.text
    assert "/me/delete" in zoe.client.get("/me").text


def test_anonymous_visitors_are_sent_to_sign_in(client):
    reply = client.get("/me/delete")
    assert reply.status_code == 302
    assert "/auth/login?next=" in reply.headers["Location"]
    assert client.post("/me/delete", data={"password": "x"}).status_code == 302


def test_a_wrong_password_changes_nothing(app, create_user):
    zoe = new_person(app, create_user)
    for password in ("wrong password", ""):
        reply = deletes(zoe, password)
        assert reply.status_code == 200
        assert Page(reply.text).field_error("password")
    assert exists(app, zoe.id)
    assert zoe.client.get("/me").status_code == 200  # still signed in


def test_the_account_goes_and_its_session_with_it(app, create_user):
    zoe = new_person(app, create_user, email="zoe@example.org")
    replay = browser(app)
    replay.set_cookie("session", zoe.client.get_cookie("session").value)
    home = deleted(zoe)
    assert "Your account was deleted." in home.flashes
    assert not exists(app, zoe.id)
    # This browser and a copy of its old cookie sign nobody in.
    assert zoe.client.get("/me").status_code == 302
    assert replay.get("/me").status_code == 302
    # The old credentials open nothing; the address can sign up again.
    signin = browser(app).post(
        "/auth/login", data={"email": "zoe@example.org", "password": PASSWORD}
    )
    assert signin.status_code == 200
    again = browser(app).post(
        "/auth/register",
        data={"email": "zoe@example.org", "display_name": "Zoé", "password": PASSWORD},
    )
    assert again.status_code == 302


def test_the_message_follows_the_language(app, create_user):
    zoe = new_person(app, create_user, lang="fr")
    assert "Votre compte est supprimé." in deleted(zoe).flashes


def test_seats_go_down_the_waitlist_in_order_and_the_first_gets_the_mail(
    app_config, mail_config, app, create_user, smtp_inbox, runner
):
    host = new_person(app, create_user)
    gid = proposes(host, capacity="2")
    zoe = new_person(app, create_user)
    first = new_person(app, create_user, email="first@example.org")
    second = new_person(app, create_user, email="second@example.org")
    zoe.answers(gid, "going")
    first.answers(gid, "going")
    second.answers(gid, "going")
    runner.invoke(args=["send-mail"])
    smtp_inbox.clear()
    deleted(zoe)
    assert rsvps(app, gid) == [
        (host.id, "going", False),
        (first.id, "going", False),
        (second.id, "going", True),
    ]
    page = first.view(gid)
    assert page.people("going") == [host.name, first.name]
    assert page.people("waitlist") == [second.name]
    runner.invoke(args=["send-mail"])
    promoted = smtp_inbox.to("first@example.org")
    assert len(promoted) == 1
    assert promoted[0]["Subject"].startswith(
        "Une place s’est libérée pour vous"
    )  # French: nobody chose
    assert smtp_inbox.to("second@example.org") == []


def test_future_gatherings_are_cancelled_and_their_people_told(
    app_config, mail_config, app, create_user, smtp_inbox, runner
):
    zoe = new_person(app, create_user)
    gid = proposes(zoe, capacity="1")
    waiting = new_person(app, create_user, email="waiting@example.org")
    maybe = new_person(app, create_user, email="maybe@example.org")
    waiting.answers(gid, "going")
    maybe.answers(gid, "maybe")
    runner.invoke(args=["send-mail"])
    smtp_inbox.clear()
    deleted(zoe)
    with app.app_context():
        gathering = db.session.get(Gathering, gid)
        assert gathering.status == Status.CANCELLED
        assert gathering.organiser_id is None
    page = waiting.view(gid)
    assert "a former member" in page.text
    feed = Calendar.from_ical(browser(app).get("/cities/lyon/calendar.ics").data)
    (event,) = list(feed.walk("VEVENT"))
    assert str(event["STATUS"]) == "CANCELLED"
    runner.invoke(args=["send-mail"])
    for address in ("waiting@example.org", "maybe@example.org"):
        (mail,) = smtp_inbox.to(address)
        assert mail["Subject"].startswith("Annulée\xa0:")
        assert "a former member" not in mail_text(mail)


def test_a_pack_gets_an_organiser_and_its_gathering_a_new_one(
    app_config, mail_config, app, create_user, smtp_inbox, runner
):
    zoe = new_person(app, create_user)
    reply = zoe.client.post(
        "/packs/new",
        data={"name": "Rédacteurs de Lyon", "city": "Lyon", "join_policy": "open"},
    )
    assert reply.status_code in (302, 303), reply.text
    early = new_person(app, create_user, email="early@example.org")
    late = new_person(app, create_user)
    early.client.post("/packs/redacteurs-de-lyon/join")
    late.client.post("/packs/redacteurs-de-lyon/join")
    gid = proposes(zoe, pack="redacteurs-de-lyon", capacity="2")
    late.answers(gid, "going")
    early.answers(gid, "going")  # waitlisted: the organiser and `late` hold the seats
    runner.invoke(args=["send-mail"])
    smtp_inbox.clear()
    deleted(zoe)
    with app.app_context():
        roles = {
            m.user_id: m.role
            for m in db.session.scalars(db.select(Membership).filter_by(pack_id=1))
        }
        assert roles == {early.id: Role.ORGANISER, late.id: Role.MEMBER}
        gathering = db.session.get(Gathering, gid)
        assert gathering.status == Status.SCHEDULED
        assert gathering.organiser_id == early.id
    # The new organiser took the seat of the one who left; nobody else moved.
    assert sorted(rsvps(app, gid)) == sorted(
        [(early.id, "going", False), (late.id, "going", False)]
    )
    page = early.view(gid)
    assert f"Proposed by {early.name}" in page.text
    runner.invoke(args=["send-mail"])
    (mail,) = smtp_inbox.to("early@example.org")
    assert mail["Subject"].startswith("Vous l’organisez désormais\xa0:")
    assert f"/events/{gid}" in mail_text(mail)


def test_a_pack_left_with_nobody_keeps_its_page(app, create_user):
    zoe = new_person(app, create_user)
    zoe.client.post("/packs/new", data={"name": "Solo", "city": "Lyon", "join_policy": "open"})
    deleted(zoe)
    page = browser(app).get("/packs/solo")
    assert page.status_code == 200


def test_series_stop_and_the_feed_answers_404(app, create_user, runner):
    zoe = new_person(app, create_user)
    gid = proposes(zoe, repeat="weekly")
    with app.app_context():
        token = db.session.get(User, zoe.id).feed_token
        series_id = db.session.get(Gathering, gid).series_id
    assert browser(app).get(f"/feeds/{token}.ics").status_code == 200
    deleted(zoe)
    assert browser(app).get(f"/feeds/{token}.ics").status_code == 404
    runner.invoke(args=["tick"])
    with app.app_context():
        series = db.session.get(Series, series_id)
        assert series.stopped_at is not None and series.organiser_id is None
        live = db.session.scalar(
            db.select(sa.func.count()).where(
                Gathering.series_id == series_id, Gathering.status != Status.CANCELLED
            )
        )
        assert live == 0


def test_past_answers_stay_counted_and_name_nobody(app, create_user):
    host = new_person(app, create_user)
    gid = proposes(host, start=future_local(days=3))
    zoe = new_person(app, create_user, display_name="Zéphyrine Q")
    zoe.answers(gid, "going")
    move_to_past(app, gid)
    past_own = proposes(zoe, start=future_local(days=4))
    move_to_past(app, past_own, days_ago=1)
    before = rsvps(app, gid)
    deleted(zoe)
    after = rsvps(app, gid)
    assert len(after) == len(before)
    assert (None, "going", False) in after
    api = browser(app).get(f"/api/v1/events/{gid}").json
    assert api["going_count"] == 2
    page = host.view(gid)
    assert "Zéphyrine" not in page.text
    assert "a former member" in page.people("going")
    own = browser(app).get(f"/api/v1/events/{past_own}").json
    assert own["organiser"] is None
    assert "a former member" in host.view(past_own).text


@pytest.mark.parametrize("path", ["/privacy"])
def test_the_privacy_page_in_both_languages(app, path):
    en = browser(app, "en").get(path)
    fr = browser(app, "fr").get(path)
    assert en.status_code == fr.status_code == 200
    assert "What stays after deletion" in en.text
    assert "removed 30 days after sending" in en.text
    assert "Vos données sur Meute" in fr.text
    assert "/privacy" in browser(app).get("/").text
    assert "/privacy" in browser(app).get("/auth/register").text


def test_signed_in_people_reach_the_export_and_deletion_from_the_privacy_page(app, create_user):
    zoe = new_person(app, create_user)
    page = zoe.client.get("/privacy").text
    assert "/me/export.json" in page and "/me/delete" in page


# The property over random answers: two gatherings with few seats, six people answering in
# a random order, then one of them (or the organiser) deleting their account.
answers_strategy = st.lists(
    st.tuples(st.integers(0, 5), st.integers(0, 1), st.sampled_from(["going", "maybe", "no"])),
    max_size=14,
)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(answered=answers_strategy, victim=st.integers(-1, 5))
def test_a_deletion_moves_the_line_and_touches_nobody_else(app, answered, victim):
    from meetups.accounts.models import new_session_token
    from meetups.gatherings import services
    from meetups.privacy.deletion import delete_account
    from tests.conftest import proposal_from

    with app.app_context():
        tag = new_session_token()[:8].lower()
        # No password hashing per example (scrypt is slow on purpose): nobody signs in here.
        host, *people = [
            User(email=f"{tag}-{n}@example.org", display_name=f"P{n}", password_hash="-")
            for n in range(7)
        ]
        db.session.add_all([host, *people])
        db.session.flush()
        gids = [
            services.propose(host, proposal_from(capacity=str(c), title=f"G{c}")).id for c in (2, 3)
        ]
        db.session.commit()
        for who, which, response in answered:
            gathering = services.lock(gids[which])
            services.respond(gathering, people[who], response)
            db.session.commit()
        gone = host if victim < 0 else people[victim]
        gone_id = gone.id
        before = {gid: _answers(gid) for gid in gids}
        delete_account(gone)
        db.session.commit()
        for gid in gids:
            _check_after(gid, gone_id, before[gid], was_host=victim < 0)
        for table in db.metadata.sorted_tables:
            for column in table.columns:
                if any(fk.column.table.name == "users" for fk in column.foreign_keys):
                    query = sa.select(sa.func.count()).where(column == gone_id)
                    assert db.session.scalar(query) == 0, (table.name, column.name)


def _answers(gathering_id: int) -> list[Rsvp]:
    """Answers in the line's order, as plain tuples (user, response, waitlisted)."""
    query = (
        db.select(Rsvp).filter_by(gathering_id=gathering_id).order_by(Rsvp.responded_at, Rsvp.id)
    )
    return [(r.user_id, r.response, r.is_waitlisted) for r in db.session.scalars(query)]


def _check_after(gid: int, gone_id: int, before: list, was_host: bool) -> None:
    gathering = db.session.get(Gathering, gid)
    after = _answers(gid)
    seated = [u for u, r, w in after if r == "going" and not w]
    assert len(seated) <= gathering.capacity
    if was_host:  # cancelled: every other answer stays as it was
        assert gathering.status == Status.CANCELLED
        assert after == [a for a in before if a[0] != gone_id]
        return
    had_seat = any(u == gone_id and r == "going" and not w for u, r, w in before)
    line = [u for u, r, w in before if r == "going" and w and u != gone_id]
    moved_up = line[: 1 if had_seat else 0]
    expected = [(u, r, False if u in moved_up else w) for u, r, w in before if u != gone_id]
    assert sorted(after, key=lambda a: a[0]) == sorted(expected, key=lambda a: a[0])
    # The line keeps its order: whoever still waits, waits in the same order as before.
    assert [u for u, r, w in after if w] == line[len(moved_up) :]


def venue_of(app, gathering_id: int) -> tuple[int, int | None, tuple]:
    """(venue id, its owner, its point) as the database holds them."""
    with app.app_context():
        venue = db.session.get(Gathering, gathering_id).venue
        return venue.id, venue.owner_id, (venue.latitude, venue.longitude)


def test_her_own_placement_of_a_venue_becomes_shared(app, create_user):
    zoe = new_person(app, create_user)
    gid = proposes(zoe, start=future_local(days=2))
    reply = zoe.client.post(
        f"/events/{gid}/location", data={"latitude": "45.76", "longitude": "4.83"}
    )
    assert reply.status_code == 303
    move_to_past(app, gid)
    venue_id, owner, point = venue_of(app, gid)
    assert owner == zoe.id
    deleted(zoe)
    assert venue_of(app, gid) == (venue_id, None, point)  # shared now, where she put it


def test_her_copy_of_a_shared_venue_merges_back_into_it(app, create_user):
    bob = new_person(app, create_user)
    bobs = proposes(bob)
    zoe = new_person(app, create_user)
    hers = proposes(zoe, start=future_local(days=2))
    shared_id, _owner, _point = venue_of(app, bobs)
    assert venue_of(app, hers)[0] == shared_id
    reply = zoe.client.post(
        f"/events/{hers}/location", data={"latitude": "45.7", "longitude": "4.8"}
    )
    assert reply.status_code == 303
    move_to_past(app, hers)
    copy_id, owner, _point = venue_of(app, hers)
    assert copy_id != shared_id and owner == zoe.id
    deleted(zoe)
    assert venue_of(app, hers)[:2] == (shared_id, None)
    with app.app_context():
        assert db.session.get(Venue, copy_id) is None


def test_a_deleted_accounts_id_is_never_given_again_nor_its_links(app, create_user):
    """Links signed with an id (unsubscribe, "still coming?") must not act on a newcomer."""
    from meetups.notifications.tokens import unsubscribe_token

    zoe = new_person(app, create_user)
    with app.app_context():
        token = unsubscribe_token(zoe.id, "reminders")
    deleted(zoe)
    newcomer = create_user()
    assert newcomer.id > zoe.id
    assert browser(app).post(f"/unsubscribe/{token}").status_code == 404


def test_a_suspended_member_takes_over_no_pack(app, create_user):
    zoe = new_person(app, create_user)
    zoe.client.post(
        "/packs/new", data={"name": "Relecteurs", "city": "Lyon", "join_policy": "open"}
    )
    early = new_person(app, create_user)  # the longest-standing member, but suspended
    late = new_person(app, create_user)
    early.client.post("/packs/relecteurs/join")
    late.client.post("/packs/relecteurs/join")
    gid = proposes(zoe, pack="relecteurs")
    with app.app_context():
        db.session.get(User, early.id).suspended_at = db.func.now()
        db.session.commit()
    deleted(zoe)
    with app.app_context():
        roles = {
            m.user_id: m.role
            for m in db.session.scalars(db.select(Membership).filter_by(pack_id=1))
        }
        assert roles == {early.id: Role.MEMBER, late.id: Role.ORGANISER}
        assert db.session.get(Gathering, gid).organiser_id == late.id


def test_a_mail_whose_person_is_deleted_while_it_goes_out_is_skipped(
    app_config, mail_config, app, create_user, smtp_inbox
):
    """send-mail loaded a batch; one recipient deletes their account before their mail leaves."""
    from meetups.extensions import mail as mailer
    from meetups.notifications import sending
    from meetups.notifications.models import Kind, Mail
    from meetups.notifications.services import queue

    stays, goes = create_user(email="stays@example.org"), create_user(email="goes@example.org")
    with app.app_context(), app.test_request_context():
        queue(Kind.RESET, [stays.id], "reset:{user}", None)
        queue(Kind.RESET, [goes.id], "reset:{user}", None)
        db.session.commit()
        ids = list(db.session.scalars(db.select(Mail.id).order_by(Mail.id)))
        batch = sending._load(ids)
        db.session.commit()  # what send-mail does after each mail: the rows are expired
        with db.engine.begin() as other:  # the deletion, from another connection
            other.execute(sa.delete(User).where(User.id == goes.id))
        report = sending.Report()
        with mailer.connect() as connection:
            assert [sending._send_one(connection, m, report) for m in batch] == [True, True]
        assert report.sent == 1
        assert db.session.scalar(db.select(db.func.count(Mail.id))) == 1
    assert [m["To"] for m in smtp_inbox.messages] == [f"{stays.display_name} <stays@example.org>"]
