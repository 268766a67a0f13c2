"""Quorum gatherings: tentative until enough people are going, confirmed the moment they are,
called off by tick at decide_at when short; people told by e-mail; the race of the last
"going" against tick's decision. On SQLite, and on PostgreSQL with TEST_DATABASE_URL."""

import threading
import time
from datetime import timedelta

import pytest
from icalendar import Calendar

from meetups.accounts.models import User
from meetups.dates import local_to_utc, utc_to_local, utcnow
from meetups.extensions import db
from meetups.gatherings import deciding, quorum, services, signals
from meetups.gatherings.models import Gathering, Response, Rsvp, Status
from tests.conftest import form_data, future_local
from tests.smtp import calendar_of, text_of

EN = {"Accept-Language": "en"}


@pytest.fixture
def app_config(mail_config):
    return mail_config


@pytest.fixture
def people(create_user):
    names = ("olga", "anna", "bob", "eve", "max")
    return {
        name: create_user(email=f"{name}@example.org", display_name=name.title()) for name in names
    }


@pytest.fixture
def act(client, login):
    """act(person, path, data): sign in as person, post, sign out; the response."""

    def do(person, path, data, headers=None):
        login(person)
        response = client.post(path, data=data, headers=headers)
        client.post("/auth/logout")
        return response

    return do


def propose(act, organiser, **fields) -> int:
    response = act(organiser, "/events/new", form_data(**fields))
    assert response.status_code in (302, 303), response.text
    return int(response.headers["Location"].rsplit("/", 1)[1])


def answer(act, person, gathering_id, response="going"):
    return act(person, f"/events/{gathering_id}/rsvp", {"response": response})


def load(app, gathering_id) -> Gathering:
    with app.app_context():
        gathering = db.session.get(Gathering, gathering_id)
        db.session.expunge(gathering)
        return gathering


def make_due(app, gathering_id) -> None:
    """Bring decide_at to the past, as time would (the form refuses a past one)."""
    with app.app_context():
        db.session.get(Gathering, gathering_id).decide_at = utcnow() - timedelta(minutes=1)
        db.session.commit()


def city_status(client, gathering_id) -> tuple[str, int]:
    feed = Calendar.from_ical(client.get("/cities/lyon/calendar.ics").data)
    (event,) = [e for e in feed.walk("VEVENT") if f"/events/{gathering_id}" in str(e["URL"])]
    return str(event["STATUS"]), int(event["SEQUENCE"])


def tick(runner) -> str:
    result = runner.invoke(args=["tick"])
    assert result.exit_code == 0, result.output
    return next(line for line in result.output.splitlines() if "quorum" in line)


def send(runner) -> None:
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output


# The rules ---------------------------------------------------------------------------------


def test_the_rules():
    assert quorum.needs(4, 1) == 3 and quorum.needs(4, 6) == 0 and quorum.needs(None, 1) == 0
    assert quorum.is_reached(2, 2) and not quorum.is_reached(2, 1) and quorum.is_reached(None, 0)
    now = utcnow()
    assert quorum.default_decide_at(now + timedelta(days=5), now) == now + timedelta(days=3)
    assert quorum.default_decide_at(now + timedelta(hours=10), now) == now + timedelta(hours=5)
    # A confirmed gathering stays confirmed; one without a quorum before gains it.
    assert quorum.status_after_edit(Status.SCHEDULED, True, 9, 2) == Status.SCHEDULED
    assert quorum.status_after_edit(Status.SCHEDULED, False, 3, 2) == Status.TENTATIVE
    assert quorum.status_after_edit(Status.TENTATIVE, True, 2, 2) == Status.SCHEDULED
    assert quorum.status_after_edit(Status.TENTATIVE, True, None, 1) == Status.SCHEDULED
    assert quorum.status_after_edit(Status.CANCELLED, True, 2, 5) == Status.CANCELLED


# Transitions -------------------------------------------------------------------------------


def test_tentative_until_the_nth_going_confirms_it(app, client, act, people):
    start = future_local(days=10)
    gathering_id = propose(act, people["olga"], min_going="3", start=start)
    gathering = load(app, gathering_id)
    assert gathering.status == "tentative" and gathering.min_going == 3
    # Default: 48 hours before the start.
    assert gathering.decide_at == local_to_utc(start, "Europe/Paris") - timedelta(hours=48)
    status, sequence = city_status(client, gathering_id)
    assert status == "TENTATIVE"
    event = client.get(f"/api/v1/events/{gathering_id}").json
    assert (event["status"], event["min_going"]) == ("tentative", 3)
    page = client.get(f"/events/{gathering_id}", headers=EN).text
    assert "Needs 2 more to happen" in page and 'id="quorum-progress"' in page
    assert 'max="3" value="1"' in page
    assert "Tentative · needs 2 more" in client.get("/cities/lyon", headers=EN).text

    answer(act, people["anna"], gathering_id, "maybe")  # maybe does not count
    answer(act, people["bob"], gathering_id)
    assert load(app, gathering_id).status == "tentative"
    assert "Needs 1 more to happen" in client.get(f"/events/{gathering_id}", headers=EN).text
    response = answer(act, people["eve"], gathering_id)
    assert response.status_code == 303
    assert load(app, gathering_id).status == "scheduled"
    confirmed_status, confirmed_sequence = city_status(client, gathering_id)
    assert confirmed_status == "CONFIRMED" and confirmed_sequence > sequence
    assert client.get(f"/api/v1/events/{gathering_id}").json["status"] == "scheduled"
    assert (
        "Confirmed: enough people are going."
        in client.get(f"/events/{gathering_id}", headers=EN).text
    )

    # Leaving after it is confirmed does not make it tentative again.
    answer(act, people["eve"], gathering_id, "no")
    answer(act, people["bob"], gathering_id, "no")
    assert load(app, gathering_id).status == "scheduled"


def test_waitlisted_answers_do_not_count(app, act, people):
    gathering_id = propose(act, people["olga"], min_going="2", capacity="2")
    with app.app_context():  # fewer seats than the quorum: only by hand, to see the rule
        db.session.get(Gathering, gathering_id).capacity = 1
        db.session.commit()
    answer(act, people["anna"], gathering_id)
    with app.app_context():
        rsvp = db.session.scalar(
            db.select(Rsvp).filter_by(gathering_id=gathering_id, user_id=people["anna"].id)
        )
        assert rsvp.is_waitlisted
    assert load(app, gathering_id).status == "tentative"


def test_the_confirmation_is_mailed_to_everyone_who_answered(app, runner, act, people, smtp_inbox):
    gathering_id = propose(act, people["olga"], min_going="2")
    answer(act, people["anna"], gathering_id, "maybe")
    send(runner)
    smtp_inbox.clear()
    answer(act, people["bob"], gathering_id)
    send(runner)
    subject = "Confirmée, assez de participants\u00a0: Apéro freelance"
    told = {m["To"].addresses[0].addr_spec for m in smtp_inbox.messages if m["Subject"] == subject}
    assert told == {"olga@example.org", "anna@example.org"}  # bob's answer did it: his seat mail
    mail = smtp_inbox.to("anna@example.org")[0]
    assert "confirmée" in text_of(mail)
    assert next(iter(calendar_of(mail).walk("VEVENT")))["STATUS"] == "CONFIRMED"


def test_tick_calls_off_one_that_fell_short_and_tells_everyone(
    app, client, runner, act, people, smtp_inbox
):
    short = propose(act, people["olga"], min_going="4", title="Petit-déjeuner")
    answer(act, people["anna"], short)
    answer(act, people["bob"], short, "maybe")
    answer(act, people["eve"], short, "no")
    later = propose(act, people["olga"], min_going="4", title="Pas encore")
    assert tick(runner) == "Decided 0 quorum gathering(s): 0 confirmed, 0 called off."
    send(runner)
    smtp_inbox.clear()

    make_due(app, short)
    assert tick(runner) == "Decided 1 quorum gathering(s): 0 confirmed, 1 called off."
    gathering = load(app, short)
    assert gathering.status == "cancelled"
    assert gathering.cancel_message == "Pas assez de monde\u00a0: 2 sur les 4 nécessaires."
    assert city_status(client, short)[0] == "CANCELLED"
    assert load(app, later).status == "tentative"  # not due yet
    send(runner)
    told = sorted(m["To"].addresses[0].addr_spec for m in smtp_inbox.messages)
    assert told == ["anna@example.org", "bob@example.org", "olga@example.org"]  # not eve: "no"
    mail = smtp_inbox.to("olga@example.org")[0]
    assert mail["Subject"] == "Annulée\u00a0: Petit-déjeuner"
    assert "2 sur les 4" in text_of(mail) and "L’organisateur" not in text_of(mail)
    page = client.get(f"/events/{short}", headers=EN).text
    assert "Not enough people: 2 of the 4 needed." not in page  # stored in French, as said
    assert "2 sur les 4 nécessaires" in page and "The organiser’s message" not in page
    assert next(iter(calendar_of(mail).walk("VEVENT")))["STATUS"] == "CANCELLED"

    # Twice in a row: nothing more.
    smtp_inbox.clear()
    assert tick(runner) == "Decided 0 quorum gathering(s): 0 confirmed, 0 called off."
    send(runner)
    assert smtp_inbox.messages == []
    # And the answers are closed.
    answer(act, people["max"], short)
    with app.app_context():
        assert (
            db.session.scalar(
                db.select(Rsvp).filter_by(gathering_id=short, user_id=people["max"].id)
            )
            is None
        )


def test_tick_confirms_one_that_reached_its_quorum(app, runner, act, people):
    gathering_id = propose(act, people["olga"], min_going="2")
    answer(act, people["anna"], gathering_id)  # confirmed at once
    with app.app_context():  # as if the answer had come by another way (an edit, a promotion)
        db.session.get(Gathering, gathering_id).status = Status.TENTATIVE
        db.session.commit()
    make_due(app, gathering_id)
    assert tick(runner) == "Decided 1 quorum gathering(s): 1 confirmed, 0 called off."
    assert load(app, gathering_id).status == "scheduled"


def test_lowering_the_minimum_confirms_at_once(app, client, act, people):
    gathering_id = propose(act, people["olga"], min_going="3")
    answer(act, people["anna"], gathering_id)
    before = load(app, gathering_id).sequence
    response = act(people["olga"], f"/events/{gathering_id}/edit", form_data(min_going="2"))
    assert response.status_code == 303
    gathering = load(app, gathering_id)
    assert gathering.status == "scheduled" and gathering.sequence > before


def test_adding_a_minimum_makes_it_tentative(app, act, people):
    gathering_id = propose(act, people["olga"])
    assert load(app, gathering_id).status == "scheduled"
    act(people["olga"], f"/events/{gathering_id}/edit", form_data(min_going="3"))
    assert load(app, gathering_id).status == "tentative"
    act(people["olga"], f"/events/{gathering_id}/edit", form_data())  # no minimum: on
    assert load(app, gathering_id).status == "scheduled"


def test_a_start_less_than_48_hours_away_is_decided_halfway(app, act, people):
    start = utc_to_local(utcnow() + timedelta(hours=20), "Europe/Paris").replace(
        tzinfo=None, second=0, microsecond=0
    )
    before = utcnow()
    gathering = load(app, propose(act, people["olga"], min_going="2", start=start))
    starts_at = gathering.starts_at
    assert before < gathering.decide_at < starts_at
    assert abs((starts_at - gathering.decide_at) - (gathering.decide_at - before)) < timedelta(
        minutes=2
    )


# The form ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"min_going": "1"}, "At least 2 people"),
        ({"min_going": "13"}, "At most the number of seats (12)"),
        ({"min_going": "deux"}, "Enter a whole number"),
        ({"min_going": "3", "decide_at": "PAST"}, "This time has already passed"),
        ({"min_going": "3", "decide_at": "AFTER"}, "Pick a time before the start."),
        ({"decide_at": "BEFORE"}, "Set a minimum number of people"),
        ({"min_going": "3", "repeat": "weekly"}, "A minimum is for a gathering of its own"),
    ],
)
def test_form_errors_beside_the_field(app, client, login, people, fields, error):
    start = future_local(days=10)
    when = {
        "PAST": (future_local(days=-2)).strftime("%Y-%m-%dT%H:%M"),
        "AFTER": (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "BEFORE": (start - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
    }
    fields = {k: when.get(v, v) for k, v in fields.items()}
    login(people["olga"])
    response = client.post("/events/new", data=form_data(start=start, **fields), headers=EN)
    assert response.status_code == 200
    assert error in response.text
    for value in fields.values():  # nothing typed is lost
        assert f'value="{value}"' in response.text or value in response.text
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Gathering)) == 0


def test_a_chosen_decision_time_is_kept(app, act, people):
    start = future_local(days=10)
    decide = start - timedelta(days=3)
    gathering_id = propose(
        act, people["olga"], min_going="2", start=start, decide_at=decide.strftime("%Y-%m-%dT%H:%M")
    )
    assert load(app, gathering_id).decide_at == local_to_utc(decide, "Europe/Paris")


# The race ----------------------------------------------------------------------------------
#
# Each side runs in its own thread, app context, session and connection, as a request and a
# cron job would. `first` makes one side hold the gathering's lock (done, not yet committed)
# while the other starts, so that both orders are seen; None lets them race freely.

HOLD = 0.3  # seconds the first side keeps its transaction open while the other waits


def _going(app, gathering_id, user_id, turn, results):
    """What POST /events/<id>/rsvp does (its refusal is in words: a request's language)."""
    with app.test_request_context():
        turn.before("answer")
        gathering = services.lock(gathering_id)
        user = db.session.get(User, user_id)
        try:
            outcome = services.respond(gathering, user, Response.GOING)
        except services.RsvpRefused:
            db.session.rollback()
            results["answer"] = "refused"
            return
        signals.report(signals.answered, gathering=gathering, user=user, outcome=outcome)
        turn.after("answer")
        db.session.commit()
        results["answer"] = "confirmed" if outcome.confirmed else "going"


def _decide(app, turn, results):
    """What tick's step does, in its own app context and session."""
    with app.app_context():
        turn.before("tick")
        results["tick"] = deciding.decide(utcnow())
        turn.after("tick")
        db.session.commit()


class Turn:
    """Who goes first: that side holds its transaction open a while once it is done."""

    def __init__(self, first: str | None, delay: float):
        self.first, self.delay = first, delay
        self.start, self.held = threading.Barrier(2), threading.Event()

    def before(self, side: str) -> None:
        self.start.wait()
        if self.first is None:
            time.sleep(self.delay if side == "tick" else 0)
        elif side != self.first:
            self.held.wait(timeout=10)

    def after(self, side: str) -> None:
        if side == self.first:
            self.held.set()
            time.sleep(HOLD)  # the other side now waits for the lock


@pytest.mark.parametrize(
    ("first", "delay"),
    [("answer", 0), ("tick", 0), (None, 0), (None, 0.005), (None, 0.02), (None, 0.05)],
)
def test_the_last_going_against_tick_one_outcome_wins(app, act, people, first, delay):
    gathering_id = propose(act, people["olga"], min_going="2")
    make_due(app, gathering_id)
    turn, results = Turn(first, delay), {}
    threads = [
        threading.Thread(target=_going, args=(app, gathering_id, people["anna"].id, turn, results)),
        threading.Thread(target=_decide, args=(app, turn, results)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    gathering = load(app, gathering_id)
    with app.app_context():
        going = services.seats_taken(db.session.get(Gathering, gathering_id))
    if gathering.status == Status.SCHEDULED:  # the answer came first: confirmed with them
        assert results == {"answer": "confirmed", "tick": deciding.Decided(0, 0)}
        assert going == 2 and first != "tick"
    else:  # tick came first: called off, the answer refused
        assert gathering.status == Status.CANCELLED
        assert results == {"answer": "refused", "tick": deciding.Decided(0, 1)}
        assert going == 1 and first != "answer"


def test_reinstating_follows_the_quorum(app, client, act, people):
    short = propose(act, people["olga"], min_going="3")
    act(people["olga"], f"/events/{short}/cancel", {})
    act(people["olga"], f"/events/{short}/reinstate", {})
    assert load(app, short).status == "tentative"  # still short of 3: tentative again, not on
    act(people["olga"], f"/events/{short}/cancel", {})
    make_due(app, short)
    act(people["olga"], f"/events/{short}/reinstate", {})
    assert load(app, short).status == "cancelled"  # its decision time is past: edit it first


def test_a_minimum_taken_away_is_not_mailed_as_a_quorum_reached(
    app, runner, act, people, smtp_inbox
):
    gathering_id = propose(act, people["olga"], min_going="3")
    answer(act, people["anna"], gathering_id, "maybe")
    send(runner)
    smtp_inbox.clear()
    act(people["olga"], f"/events/{gathering_id}/edit", form_data(min_going=""))
    send(runner)
    (mail,) = smtp_inbox.to("anna@example.org")
    assert mail["Subject"].startswith("Modifiée")
