"""The property of issue 18: once Zéphyrine deleted her account, no page, feed, API answer,
export of anyone else, moderators' page or mail sent afterwards names her, and no row of the
database holds her name, address, trade or link, or points at her.

One world built once per module (tests.privacy_world), her account deleted through the form,
then every page everyone can reach crawled, as each person, as an admin, and anonymously.
"""

import json
from datetime import datetime

import pytest
import sqlalchemy as sa

from meetups.accounts.models import User
from meetups.extensions import db
from meetups.gatherings.models import Gathering, Rsvp, Status
from meetups.packs.models import Membership, Role
from tests import privacy_world
from tests.conftest import dispose_app, module_app
from tests.privacy_world import TRACES
from tests.smtp import html_of, text_of
from tests.test_rsvp import Page, browser


def traces_in(text: str) -> list[str]:
    low = text.lower()
    return [trace for trace in TRACES if trace in low]


@pytest.fixture(scope="module")
def world(tmp_path_factory, postgres_url, smtp_inbox):
    smtp_inbox.stop()
    smtp_inbox.start()
    app = module_app(
        tmp_path_factory.mktemp("traces"),
        postgres_url,
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=smtp_inbox.port,
        BASE_URL="https://meute.test",
        MAIL_DEFAULT_SENDER="Meute <noreply@meute.test>",
    )
    try:
        world = privacy_world.build(app)
        with app.app_context():
            world.old_feed = db.session.get(User, world.zoe.id).feed_token
        world.before = _crawl(world)
        world.rsvps_before = _rsvps(app)
        reply = world.zoe.client.post("/me/delete", data={"password": privacy_world.PASSWORD})
        assert reply.status_code == 303, reply.text
        smtp_inbox.clear()
        assert app.test_cli_runner().invoke(args=["send-mail"]).exit_code == 0
        world.mails = list(smtp_inbox.messages)
        world.after = _crawl(world)
        yield world
    finally:
        dispose_app(app)


def _rsvps(app) -> dict[int, tuple]:
    with app.app_context():
        rows = db.session.scalars(db.select(Rsvp))
        return {r.id: (r.gathering_id, r.user_id, r.response, r.is_waitlisted) for r in rows}


def _viewers(world):
    """Who looks: each remaining person (Alice is an admin), and an anonymous visitor."""
    return {"anonymous": browser(world.app)} | {k: m.client for k, m in world.others.items()}


def _paths(world) -> list[str]:
    """Every public address there is: pages, feeds and the API, for every row."""
    with world.app.app_context():
        gatherings = list(db.session.scalars(db.select(Gathering.id)))
        people = [*db.session.scalars(db.select(User.id)), world.zoe.id]
    paths = ["/", "/cities", "/cities/lyon", "/cities/lyon/trades", "/cities/lyon/calendar.ics"]
    paths += ["/packs", "/api/v1/packs", "/api/v1/cities", "/api/v1/events?limit=500"]
    for slug in world.packs:
        paths += [f"/packs/{slug}", f"/packs/{slug}/members", f"/packs/{slug}/calendar.ics"]
    for gid in gatherings:
        paths += [f"/events/{gid}", f"/events/{gid}/calendar.ics", f"/api/v1/events/{gid}"]
    paths += [f"/people/{pid}" for pid in people]
    return paths


OWN_PAGES = ("/me", "/me/contacts", "/me/export.json", "/me/profile", "/me/notifications")


def _crawl(world) -> dict[tuple[str, str], tuple[int, str]]:
    """(viewer, path) -> (status, body) for every page each viewer can ask for."""
    seen = {}
    paths = _paths(world)
    for name, client in _viewers(world).items():
        own = (*OWN_PAGES, "/admin/reports") if name != "anonymous" else ()
        for path in (*paths, *own):
            reply = client.get(path)
            seen[(name, path)] = (reply.status_code, reply.get_data(as_text=True))
        if name != "anonymous":
            with world.app.app_context():
                token = db.session.get(User, world.others[name].id).feed_token
            reply = client.get(f"/feeds/{token}.ics")
            seen[(name, "/feeds/<own>.ics")] = (reply.status_code, reply.get_data(as_text=True))
    return seen


def test_the_crawl_finds_her_before_the_deletion(world):
    """The crawl can see her: her name was on pages, feeds' neighbours and in exports."""
    found = {key for key, (_status, body) in world.before.items() if traces_in(body)}
    assert ("bob", f"/events/{world.gatherings['hers']}") in found
    assert ("anonymous", f"/people/{world.zoe.id}") in found
    assert ("alice", "/me/contacts") in found
    assert ("anonymous", f"/api/v1/events/{world.gatherings['hers']}") in found


def test_no_page_feed_api_answer_or_export_names_her_after(world):
    for (viewer, path), (status, body) in world.after.items():
        assert status < 500, (viewer, path, status)
        assert not traces_in(body), (viewer, path, traces_in(body))


def test_her_profile_and_feed_are_gone(world):
    assert world.after[("anonymous", f"/people/{world.zoe.id}")][0] == 404
    assert browser(world.app).get(f"/feeds/{world.old_feed}.ics").status_code == 404


def test_no_mail_sent_afterwards_names_her(world):
    assert world.mails, "the deletion's own notices went out"
    for message in world.mails:
        parts = [str(message[h] or "") for h in ("Subject", "To", "From", "List-Unsubscribe")]
        parts += [text_of(message), html_of(message)]
        parts += [p.get_payload(decode=True).decode() for p in message.iter_attachments()]
        assert not traces_in("\n".join(parts)), (message["Subject"], message["To"])


def test_the_mails_people_get(world):
    """Emma moves up at Alice's; Bob is handed her pack's gathering; the people of her own
    gathering are told it is cancelled; Denis's mail about her request to join is dropped."""

    def subjects(address):
        return [str(m["Subject"]) for m in world.mails if address in str(m["To"])]

    assert any(s.startswith("A seat freed up for you") for s in subjects("emma@example.org"))
    assert any(s.startswith("You organise it now") for s in subjects("bob@example.org"))
    for address in ("bob@example.org", "emma@example.org"):
        assert "Cancelled: Atelier fil rouge" in subjects(address)
    assert "Annulée\xa0: Atelier fil rouge" in subjects("carole@example.org")  # her language
    assert not any("asks to join" in s for s in subjects("denis@example.org"))


def test_seats_went_down_the_line_and_nobody_elses_answer_changed(world):
    app, o, g = world.app, world.others, world.gatherings
    after = _rsvps(app)
    with app.app_context():
        for rsvp_id, (gid, user_id, response, waits) in world.rsvps_before.items():
            if (gid, user_id) == (g["pack"], world.zoe.id):  # her seat went to Bob, organiser now
                assert after[rsvp_id] == (gid, o["bob"].id, "going", False)
            elif user_id == world.zoe.id:
                past = db.session.get(Gathering, gid).ends_at <= datetime.now().astimezone()
                # Her past answers stay, anonymous; the rest went with her.
                assert after.get(rsvp_id) == ((gid, None, response, waits) if past else None)
            elif (gid, user_id) == (g["alices"], o["emma"].id):
                assert after[rsvp_id] == (gid, user_id, "going", False)  # first in line: up
            else:
                assert after[rsvp_id] == (gid, user_id, response, waits)
        # Denis, second in line at Alice's, is first now.
        denis = db.session.scalar(
            db.select(Rsvp).filter_by(gathering_id=g["alices"], user_id=o["denis"].id)
        )
        assert denis.is_waitlisted


def test_gatherings_cancelled_or_handed_over_and_packs_given_organisers(world):
    g, o = world.gatherings, world.others
    with world.app.app_context():
        hers = db.session.get(Gathering, g["hers"])
        assert hers.status == Status.CANCELLED and hers.organiser_id is None
        pack = db.session.get(Gathering, g["pack"])
        assert pack.status == Status.SCHEDULED and pack.organiser_id == o["bob"].id
        weekly = db.session.get(Gathering, g["weekly"])
        assert weekly.series.stopped_at is not None
        live = db.select(sa.func.count()).where(
            Gathering.series_id == weekly.series_id, Gathering.status != Status.CANCELLED
        )
        assert db.session.scalar(live) == 0
        past = db.session.get(Gathering, g["past_hers"])
        assert past.status == Status.SCHEDULED and past.organiser_id is None
        bob = db.session.scalar(
            db.select(Membership).filter_by(user_id=o["bob"].id, role=Role.ORGANISER)
        )
        assert bob is not None and bob.pack.slug == "plumes-de-lyon"
    page = Page(o["bob"].client.get(f"/events/{g['past_hers']}").text)
    assert "a former member" in page.text


def test_no_row_holds_her_traces_or_points_at_her(world):
    zoe_id = world.zoe.id
    with world.app.app_context():
        for table in db.metadata.sorted_tables:
            user_columns = [
                c
                for c in table.columns
                if any(fk.column.table.name == "users" for fk in c.foreign_keys)
            ]
            if table.name == "users":
                user_columns.append(table.c.id)
            for row in db.session.execute(sa.select(table)).mappings():
                text = json.dumps(dict(row.items()), default=str, ensure_ascii=False)
                assert not traces_in(text), (table.name, text)
                for column in user_columns:
                    assert row[column.name] != zoe_id, (table.name, column.name)
