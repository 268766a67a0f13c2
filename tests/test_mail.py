"""E-mail through a real SMTP server: what each person receives when they answer, move up, or
when their gathering changes or is called off; the outbox that keeps mail through an outage."""

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from icalendar import Calendar

from meetups.dates import utcnow
from meetups.extensions import db
from meetups.notifications.models import Mail
from tests.conftest import form_data, future_local
from tests.smtp import calendar_of, html_of, text_of


@pytest.fixture
def app_config(mail_config):
    return mail_config


@pytest.fixture
def people(create_user):
    return {
        "olga": create_user(email="olga@example.org", display_name="Olga Roux"),
        "anna": create_user(email="anna@example.org", display_name="Anna Petit"),
        "bob": create_user(email="bob@example.org", display_name="Bob Martin"),
        "eve": create_user(email="eve@example.org", display_name="Eve Blanc"),
    }


@pytest.fixture
def act(client, login):
    """act(person, path, data): sign in as person, post, sign out; the response."""

    def do(person, path, data):
        login(person)
        response = client.post(path, data=data)
        client.post("/auth/logout")
        return response

    return do


def send(runner) -> str:
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output
    return result.output


def propose(act, organiser, **fields) -> int:
    response = act(organiser, "/events/new", form_data(**fields))
    return int(response.headers["Location"].rsplit("/", 1)[1])


def feed_event(client, gathering_id: int):
    feed = Calendar.from_ical(client.get(f"/events/{gathering_id}/calendar.ics").data)
    return next(iter(feed.walk("VEVENT")))


def test_a_seat_the_waitlist_and_moving_up_each_bring_their_mail(
    app, client, runner, people, act, smtp_inbox
):
    gathering = propose(act, people["olga"], capacity="2")
    act(people["anna"], f"/events/{gathering}/rsvp", {"response": "going"})
    act(people["bob"], f"/events/{gathering}/rsvp", {"response": "going"})
    assert "Sent 2 e-mail(s)" in send(runner)

    (seat,) = smtp_inbox.to("anna@example.org")
    assert seat["Subject"] == "Votre place est réservée\u00a0: Apéro freelance"
    assert seat["To"] == "Anna Petit <anna@example.org>"
    assert "Votre place est réservée à cette rencontre" in text_of(seat)
    assert "https://meute.test/events/" in text_of(seat)
    assert "Apéro freelance" in html_of(seat)
    attachment = next(seat.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_param("method") == "PUBLISH"
    invite = calendar_of(seat)
    assert invite["METHOD"] == "PUBLISH"
    event, published = next(iter(invite.walk("VEVENT"))), feed_event(client, gathering)
    assert event["UID"] == published["UID"]
    assert event["SEQUENCE"] == published["SEQUENCE"]
    assert event["DTSTART"].dt == published["DTSTART"].dt
    assert "List-Unsubscribe" not in seat  # it always goes out

    (waiting,) = smtp_inbox.to("bob@example.org")
    assert waiting["Subject"] == "Vous êtes numéro 1 sur la liste d’attente\u00a0: Apéro freelance"
    assert calendar_of(waiting) is None

    act(people["anna"], f"/events/{gathering}/rsvp", {"response": "no"})
    send(runner)
    moved_up = smtp_inbox.to("bob@example.org")[-1]
    assert moved_up["Subject"] == "Une place s’est libérée pour vous\u00a0: Apéro freelance"
    assert calendar_of(moved_up) is not None
    assert len(smtp_inbox.to("anna@example.org")) == 1  # saying no brings no mail
    assert smtp_inbox.to("olga@example.org") == []  # the organiser proposed: no mail to them
    for message in smtp_inbox.messages:  # nobody sees anyone else's address
        others = {p.email for p in people.values()} - {message["To"].addresses[0].addr_spec}
        assert not any(address in message.as_string() for address in others)


def test_a_change_and_a_cancellation_reach_everyone_who_answered(
    app, client, runner, people, act, smtp_inbox
):
    gathering = propose(act, people["olga"], capacity="1")
    act(people["anna"], f"/events/{gathering}/rsvp", {"response": "maybe"})
    act(people["bob"], f"/events/{gathering}/rsvp", {"response": "going"})  # waitlisted
    act(people["eve"], f"/events/{gathering}/rsvp", {"response": "no"})
    send(runner)
    smtp_inbox.clear()

    # The description alone: calendars change, people are not written to.
    act(people["olga"], f"/events/{gathering}/edit", form_data(capacity="1", description="Plus."))
    assert "Sent 0 e-mail(s)" in send(runner)

    later = future_local(days=31, hour=20)
    edited = form_data(capacity="1", start=later, venue_name="La Cordée", title="Apéro déplacé")
    act(people["olga"], f"/events/{gathering}/edit", edited)
    send(runner)
    assert {m["To"].addresses[0].addr_spec for m in smtp_inbox.messages} == {
        "anna@example.org",
        "bob@example.org",
    }
    change = smtp_inbox.to("anna@example.org")[0]
    assert change["Subject"] == "Modifiée\u00a0: Apéro déplacé"
    body = text_of(change)
    assert "avant\u00a0: Apéro freelance, désormais\u00a0: Apéro déplacé" in body
    assert "20:00" in body and "19:00" in body  # the old and new local times
    assert "La Cordée" in body
    event = next(iter(calendar_of(change).walk("VEVENT")))
    assert event["SEQUENCE"] == feed_event(client, gathering)["SEQUENCE"]
    assert event["DTSTART"].dt.hour == 20

    smtp_inbox.clear()
    act(people["olga"], f"/events/{gathering}/cancel", {"message": "Il pleut trop."})
    send(runner)
    assert len(smtp_inbox.messages) == 2
    cancelled = smtp_inbox.to("bob@example.org")[0]
    assert cancelled["Subject"] == "Annulée\u00a0: Apéro déplacé"
    assert "Il pleut trop." in text_of(cancelled)
    assert next(iter(calendar_of(cancelled).walk("VEVENT")))["STATUS"] == "CANCELLED"


def test_each_mail_is_in_its_recipients_language(app, runner, people, act, smtp_inbox):
    with app.app_context():
        from meetups.accounts.models import User

        db.session.get(User, people["anna"].id).language = "en"
        db.session.commit()
    gathering = propose(act, people["olga"])
    act(people["anna"], f"/events/{gathering}/rsvp", {"response": "going"})
    act(people["bob"], f"/events/{gathering}/rsvp", {"response": "going"})
    send(runner)
    assert smtp_inbox.to("anna@example.org")[0]["Subject"] == "Your seat is kept: Apéro freelance"
    assert "Hello Anna Petit," in text_of(smtp_inbox.to("anna@example.org")[0])
    assert "Bonjour Bob Martin," in text_of(smtp_inbox.to("bob@example.org")[0])


def test_an_answer_that_is_refused_queues_nothing(app, runner, people, act):
    gathering = propose(act, people["olga"])
    act(people["olga"], f"/events/{gathering}/cancel", {})
    act(people["anna"], f"/events/{gathering}/rsvp", {"response": "going"})  # refused: cancelled
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Mail)) == 0


def _queue_for_everyone(app, people, act) -> int:
    gathering = propose(act, people["olga"])
    for name in ("anna", "bob", "eve"):
        act(people[name], f"/events/{gathering}/rsvp", {"response": "going"})
    return gathering


def _rows(app) -> list[Mail]:
    with app.app_context():
        return list(db.session.scalars(db.select(Mail).order_by(Mail.id)))


def test_an_smtp_outage_loses_nothing_and_sends_nothing_twice(app, runner, people, act, smtp_inbox):
    _queue_for_everyone(app, people, act)
    smtp_inbox.stop()
    output = send(runner)
    assert "Sent 0 e-mail(s); 3 e-mail(s) waiting (3 to retry after an error" in output
    rows = _rows(app)
    assert all(row.attempts == 1 and row.sent_at is None and row.last_error for row in rows)
    assert all(row.due_at > utcnow() for row in rows)  # a wait before the next try

    smtp_inbox.start()
    assert "Sent 0 e-mail(s)" in send(runner)  # not due again yet
    with app.app_context():  # the wait is over
        db.session.execute(db.update(Mail).values(due_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    assert "Sent 3 e-mail(s); 0 e-mail(s) waiting" in send(runner)
    assert "Sent 0 e-mail(s)" in send(runner)
    assert sorted(m["To"].addresses[0].addr_spec for m in smtp_inbox.messages) == [
        "anna@example.org",
        "bob@example.org",
        "eve@example.org",
    ]


def test_the_retry_wait_grows(app, runner, people, act, smtp_inbox):
    _queue_for_everyone(app, people, act)
    smtp_inbox.stop()
    waits = []
    for _ in range(3):
        before = utcnow()
        send(runner)
        waits.append(min(row.due_at for row in _rows(app)) - before)
        with app.app_context():
            db.session.execute(db.update(Mail).values(due_at=utcnow() - timedelta(seconds=1)))
            db.session.commit()
    assert waits[0] < waits[1] < waits[2]
    assert waits[0] >= timedelta(seconds=50)


def test_without_a_mail_server_everything_is_kept(app, runner, people, act, smtp_inbox):
    _queue_for_everyone(app, people, act)
    app.config["MAIL_SERVER"] = None
    output = send(runner)
    assert "No mail server is configured (MEETUPS_MAIL_SERVER). 3 e-mail(s) kept" in output
    assert smtp_inbox.messages == []
    assert all(row.attempts == 0 and row.sent_at is None for row in _rows(app))


def test_the_same_notice_is_queued_once(app, people):
    from meetups.notifications import services
    from meetups.notifications.models import Kind

    with app.app_context():
        ids = [people["anna"].id, people["bob"].id]
        assert services.queue(Kind.RESET, ids, "test:{user}") == 2
        assert services.queue(Kind.RESET, ids, "test:{user}") == 0
        db.session.commit()
        assert db.session.scalar(db.select(db.func.count()).select_from(Mail)) == 2


def test_two_senders_at_once_send_each_mail_once(
    app, database_url, people, act, smtp_inbox, create_user, tmp_path
):
    """Two `send-mail` processes on one outbox: each mail leaves once (PostgreSQL: SKIP LOCKED)."""
    gathering = propose(act, people["olga"], capacity="")
    crowd = [create_user(email=f"p{n}@example.org") for n in range(60)]
    from meetups.notifications.models import Kind
    from meetups.notifications.services import queue

    with app.app_context():
        from meetups.gatherings.models import Response, Rsvp

        # Their seats, as 60 answers would leave them; then their confirmations, queued.
        db.session.add_all(
            Rsvp(gathering_id=gathering, user_id=p.id, response=Response.GOING) for p in crowd
        )
        queue(Kind.SEAT, [p.id for p in crowd], f"seat:{gathering}:{{user}}:0", gathering)
        db.session.commit()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("MEETUPS_")},
        "DATABASE_URL": database_url,
        "MEETUPS_INSTANCE_PATH": str(tmp_path / "instance"),
        "MEETUPS_SECRET_KEY": "test-secret-key",
        "MEETUPS_MAIL_SERVER": "127.0.0.1",
        "MEETUPS_MAIL_PORT": str(smtp_inbox.port),
        "MEETUPS_BASE_URL": "https://meute.test",
        "MEETUPS_GEOCODERS": "offline",
    }
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "send-mail"]
    senders = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True) for _ in "ab"]
    outputs = [sender.communicate(timeout=120)[0] for sender in senders]
    assert all(sender.returncode == 0 for sender in senders), outputs
    received = sorted(m["To"].addresses[0].addr_spec for m in smtp_inbox.messages)
    assert received == sorted(p.email for p in crowd)
    sent = [int(out.split("Sent ")[1].split(" ")[0]) for out in outputs]
    assert sum(sent) == 60


def test_tick_forgets_mails_sent_over_a_month_ago(app, runner, people, act):
    _queue_for_everyone(app, people, act)
    send(runner)
    with app.app_context():
        first, *_ = db.session.scalars(db.select(Mail).order_by(Mail.id))
        first.sent_at = utcnow() - timedelta(days=31)
        db.session.commit()
    output = runner.invoke(args=["tick"]).output
    assert "Removed 1 e-mail(s) sent over 30 days ago from the outbox." in output
    assert len(_rows(app)) == 2
    assert "Removed 0 e-mail(s)" in runner.invoke(args=["tick"]).output


def test_a_seat_given_back_before_its_mail_left_is_not_confirmed(
    app, runner, people, act, smtp_inbox
):
    gathering = propose(act, people["olga"])
    act(people["anna"], f"/events/{gathering}/rsvp", {"response": "going"})
    act(people["anna"], f"/events/{gathering}/rsvp", {"response": "no"})  # within the minute
    assert "given up" in send(runner)
    assert smtp_inbox.to("anna@example.org") == []


def test_a_mail_that_cannot_be_written_is_given_up_and_the_others_leave(
    app, runner, people, act, smtp_inbox
):
    from meetups.notifications.models import Kind
    from meetups.notifications.services import queue

    gathering = _queue_for_everyone(app, people, act)
    with app.app_context():
        broken = {"noticed": ["time"], "before": {"time": "not a time"}}
        queue(Kind.CHANGED, [people["anna"].id], "broken:{user}", gathering, broken)
        db.session.commit()
    assert "Sent 3 e-mail(s); 0 e-mail(s) waiting (0 to retry after an error, 1 given up)" in send(
        runner
    )
    (row,) = [row for row in _rows(app) if row.key.startswith("broken:")]
    assert row.failed_at is not None and "ValueError" in row.last_error
