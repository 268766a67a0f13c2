"""Suggestions on a gathering's page (#suggested): who sees them, who is named, and what the
page costs. Privacy first: nobody who did not opt in is named, and nobody sees what was
suggested to someone else."""

import sqlalchemy as sa
from sqlalchemy import event

from meetups.accounts.models import User
from meetups.accounts.trades import canonical
from meetups.extensions import db
from meetups.gatherings.models import Gathering
from tests.conftest import future_local
from tests.test_rsvp import Page, browser, new_person


def suggested(page: Page) -> list[str]:
    """Each suggestion as read on the page: "Name · reason"."""
    block = page.by_id("suggested")
    return [] if block is None else [li.text for li in block.find_all("li")]


def set_profile(app, person, **columns) -> None:
    with app.app_context():
        db.session.execute(sa.update(User).filter_by(id=person.id).values(**columns))
        db.session.commit()


def opt_in(app, *people, wanted=True) -> None:
    for someone in people:
        set_profile(app, someone, wants_suggestions=wanted)


def test_the_writer_sees_the_proofreader_with_the_reason_not_the_photographer(
    app, create_user, create_gathering
):
    host = new_person(app, create_user, display_name="Hugo", trade="luthier")
    gid = create_gathering(organiser=host.user, capacity="").id
    writer = new_person(app, create_user, display_name="Wanda", trade="Rédactrice web")
    reader = new_person(app, create_user, display_name="Paul", trade="correcteur")
    photographer = new_person(app, create_user, display_name="Fanny", trade="photographer")
    manager = new_person(app, create_user, display_name="Carla", trade="community manager")
    for someone in (writer, reader, photographer, manager):
        someone.answer(gid, "going")
    opt_in(app, writer, reader, photographer, manager)

    assert suggested(writer.view(gid)) == ["Paul · proofreader: complements web writer"]
    fr = new_person(app, create_user, lang="fr", display_name="Alice", trade="Rédactrice web")
    fr.answer(gid, "going")
    opt_in(app, fr)
    assert suggested(fr.view(gid)) == ["Paul · correcteur : complète rédactrice web"]
    assert suggested(reader.view(gid)) == [
        "Wanda · web writer: complements proofreader",
        "Alice · web writer: complements proofreader",
    ]
    assert suggested(manager.view(gid)) == ["Fanny · photographer: complements community manager"]

    # The photographer turns suggestions off: gone from everyone's, and gets none.
    opt_in(app, photographer, wanted=False)
    assert suggested(manager.view(gid)) == []
    assert suggested(photographer.view(gid)) == []
    assert suggested(writer.view(gid)) == ["Paul · proofreader: complements web writer"]


def test_only_a_person_who_answered_and_opted_in_sees_suggestions_and_only_their_own(
    app, create_user, create_gathering
):
    host = new_person(app, create_user, display_name="Hugo", trade="SEO consultant")
    gid = create_gathering(organiser=host.user, capacity="3").id
    writer = new_person(app, create_user, display_name="Wanda", trade="web writer")
    reader = new_person(app, create_user, display_name="Paul", trade="proofreader")
    late = new_person(app, create_user, display_name="Lou", trade="web writer")  # waitlisted
    maybe = new_person(app, create_user, display_name="May", trade="web writer")
    declined = new_person(app, create_user, display_name="Noé", trade="web writer")
    onlooker = new_person(app, create_user, display_name="Otto", trade="web writer")
    writer.answer(gid, "going")
    reader.answer(gid, "going")
    late.answer(gid, "going")  # full: waitlisted
    maybe.answer(gid, "maybe")
    declined.answer(gid, "no")
    everyone = (host, writer, reader, late, maybe, declined, onlooker)
    opt_in(app, *everyone)

    assert suggested(writer.view(gid)) == [
        "Hugo · SEO consultant: complements web writer",
        "Paul · proofreader: complements web writer",
    ]
    # Waiting or maybe: suggestions among the people going, never of themselves.
    assert len(suggested(late.view(gid))) == 2
    assert len(suggested(maybe.view(gid))) == 2
    # Not answered, declined, signed out: no block at all.
    for page in (
        declined.view(gid),
        onlooker.view(gid),
        Page(browser(app).get(f"/events/{gid}").text),
    ):
        assert page.by_id("suggested") is None
    # People waiting or maybe are never suggested: only people going.
    assert "Lou" not in " ".join(suggested(reader.view(gid)))
    assert "May" not in " ".join(suggested(reader.view(gid)))
    # The organiser sees everyone's names but not what was suggested to whom.
    organiser_page = host.view(gid)
    assert suggested(organiser_page) == ["Wanda · web writer: complements SEO consultant"]
    assert "proofreader: complements" not in organiser_page.html

    # A viewer who did not opt in gets none; a person who did not opt in is never named.
    opt_in(app, writer, wanted=False)
    assert writer.view(gid).by_id("suggested") is None
    assert "Wanda" not in " ".join(suggested(reader.view(gid)))
    # Hidden people are never named, even opted in (the profile form refuses the pair).
    set_profile(app, reader, visibility="hidden")
    assert suggested(host.view(gid)) == []


def test_a_cancelled_gathering_suggests_nobody(app, create_user, create_gathering):
    host = new_person(app, create_user, display_name="Hugo", trade="proofreader")
    gid = create_gathering(organiser=host.user).id
    writer = new_person(app, create_user, display_name="Wanda", trade="web writer")
    writer.answer(gid, "going")
    opt_in(app, host, writer)
    assert suggested(writer.view(gid)) == ["Hugo · proofreader: complements web writer"]
    host.client.post(f"/events/{gid}/cancel")
    assert writer.view(gid).by_id("suggested") is None


def count_statements(app, client, path: str) -> list[str]:
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(" ".join(statement.split())[:120])

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        reply = client.get(path)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert reply.status_code == 200
    return statements


def test_the_page_makes_the_same_queries_for_3_or_100_people_going(
    app, create_user, create_gathering
):
    from meetups.gatherings import services

    host = new_person(app, create_user, display_name="Hugo", trade="proofreader")
    viewer = new_person(app, create_user, display_name="Wanda", trade="web writer")
    gids = []
    trades = ["web writer", "proofreader", "SEO consultant", "luthier", "photographe", ""]
    with app.app_context():
        for going in (3, 100):
            gathering = db.session.get(
                Gathering,
                create_gathering(organiser=host.user, capacity="", start=future_local()).id,
            )
            for n in range(going - 1):
                user = User(
                    email=f"g{gathering.id}-{n}@example.org",
                    password_hash="!",
                    display_name=f"Person {n}",
                    trade=trades[n % len(trades)],
                    visibility="hidden" if n % 7 == 0 else "members",
                    wants_suggestions=n % 2 == 0,
                )
                user.trade_slug = canonical(user.trade)
                db.session.add(user)
                db.session.flush()
                services.respond(gathering, user, "going")
            services.respond(gathering, db.session.get(User, viewer.id), "going")
            db.session.commit()
            gids.append(gathering.id)
    opt_in(app, viewer)
    small, large = (count_statements(app, viewer.client, f"/events/{gid}") for gid in gids)
    assert len(suggested(viewer.view(gids[1]))) == 3
    assert len(small) == len(large), "\n".join(large)
    # The gathering; the answers with each person's profile (one join); the organiser; the
    # complementary pairs; the city; the venue; the tags. None per person.
    assert len(large) == 7, "\n".join(large)
