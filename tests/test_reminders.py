"""About a day before a gathering, "still coming?": who gets it, the mail, and the page with its
two buttons ("I can't come" frees the seat for the next person waiting)."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from meetups.accounts.models import User
from meetups.dates import utcnow
from meetups.extensions import db
from meetups.gatherings import services, signals
from meetups.gatherings.models import Gathering, Rsvp
from meetups.notifications import timed, tokens
from meetups.notifications.models import Mail, Settings
from tests.conftest import text_of as text_of_page
from tests.smtp import calendar_of, html_of, text_of

BASE = "https://meute.test"
LINK = re.compile(r"https://meute\.test(/r/[A-Za-z0-9_.\-]+)")


@pytest.fixture
def app_config(mail_config, request):
    """The mail settings; a test may add its own (parametrize app_config indirectly)."""
    return {**mail_config, **getattr(request, "param", {})}


def soon(hours: float = 20):
    """A wall-clock time in Lyon this many hours from now, as the proposal form takes it."""
    local = (utcnow() + timedelta(hours=hours)).astimezone(ZoneInfo("Europe/Paris"))
    return local.replace(tzinfo=None, second=0, microsecond=0)


def answer(app, gathering_id: int, user, response: str) -> None:
    """An RSVP as POST /events/<id>/rsvp records it: under the lock, reported, one commit."""
    with app.app_context():
        gathering = services.lock(gathering_id)
        person = db.session.get(User, user.id)
        outcome = services.respond(gathering, person, response)
        signals.report(signals.answered, gathering=gathering, user=person, outcome=outcome)
        db.session.commit()


def answered_days_ago(app, gathering_id: int, days: int = 3) -> None:
    """Make the answers so far as old as they would be days later (no form can date them)."""
    with app.app_context():
        for rsvp in db.session.scalars(select(Rsvp).filter_by(gathering_id=gathering_id)):
            rsvp.responded_at -= timedelta(days=days)
        db.session.commit()


def opt(app, user, reminders: bool) -> None:
    with app.app_context():
        db.session.add(Settings(user_id=user.id, reminders=reminders))
        db.session.commit()


def send_mail(runner) -> str:
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output
    return result.output


def reminders_in(inbox) -> dict[str, object]:
    """The reminders the SMTP server received, by recipient address."""
    return {
        message["To"].addresses[0].addr_spec: message
        for message in inbox.messages
        if LINK.search(text_of(message))
    }


def tick_at(app, now) -> list[str]:
    """What tick says about reminders when run at `now`."""
    with app.app_context():
        return [line for line in timed.run(now) if "reminder" in line]


def outbox_size(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Mail))


@pytest.fixture
def people(create_user):
    """An organiser and the people who answer, by role."""
    return {
        role: create_user(email=f"{role}@example.org", display_name=role.title())
        for role in (
            "organiser",
            "going",
            "opted_out",
            "opted_in",
            "maybe",
            "no",
            "late",
            "waiting",
        )
    }


def test_tick_reminds_those_holding_a_seat_who_answered_before_the_day(
    app, runner, create_gathering, people, smtp_inbox
):
    gathering = create_gathering(organiser=people["organiser"], start=soon(20), capacity="5")
    for role, response in (
        ("going", "going"),
        ("opted_out", "going"),
        ("opted_in", "going"),
        ("maybe", "maybe"),
        ("no", "no"),
    ):
        answer(app, gathering.id, people[role], response)
    opt(app, people["opted_out"], reminders=False)
    opt(app, people["opted_in"], reminders=True)
    answered_days_ago(app, gathering.id)
    answer(app, gathering.id, people["late"], "going")  # the fifth seat, within the day
    answer(app, gathering.id, people["waiting"], "going")  # full: the waitlist
    send_mail(runner)  # the seat and waitlist mails, out of the way
    smtp_inbox.clear()

    first = runner.invoke(args=["tick"])
    assert "Queued 2 reminder(s)." in first.output
    after_first = outbox_size(app)
    second = runner.invoke(args=["tick"])
    assert "Queued 0 reminder(s)." in second.output
    assert outbox_size(app) == after_first

    assert "Sent 2 e-mail(s)" in send_mail(runner)
    assert set(reminders_in(smtp_inbox)) == {"going@example.org", "opted_in@example.org"}
    assert "Sent 0 e-mail(s)" in send_mail(runner)


def test_reminders_go_out_in_the_day_before_and_not_in_the_last_two_hours(
    app, create_gathering, people
):
    gathering = create_gathering(organiser=people["organiser"], capacity="5")
    answer(app, gathering.id, people["going"], "going")
    starts = gathering.starts_at
    for hours in (25, 24.01, 2, 1, -1):
        assert tick_at(app, starts - timedelta(hours=hours)) == ["Queued 0 reminder(s)."], hours
    assert tick_at(app, starts - timedelta(hours=24)) == ["Queued 1 reminder(s)."]
    assert tick_at(app, starts - timedelta(hours=3)) == ["Queued 0 reminder(s)."]  # once


def test_no_reminder_for_a_cancelled_gathering(app, create_gathering, people):
    gathering = create_gathering(organiser=people["organiser"])
    answer(app, gathering.id, people["going"], "going")
    with app.app_context():
        services.cancel(db.session.get(Gathering, gathering.id))
        db.session.commit()
    assert tick_at(app, gathering.starts_at - timedelta(hours=20)) == ["Queued 0 reminder(s)."]


def test_a_gathering_moved_to_another_day_reminds_again(app, create_gathering, people):
    from tests.conftest import future_local, proposal_from

    gathering = create_gathering(organiser=people["organiser"], start=future_local(days=30))
    answer(app, gathering.id, people["going"], "going")
    assert tick_at(app, gathering.starts_at - timedelta(hours=20)) == ["Queued 1 reminder(s)."]
    with app.app_context():
        moved = db.session.get(Gathering, gathering.id)
        services.update(moved, proposal_from(start=future_local(days=32)))
        db.session.commit()
        starts = moved.starts_at
    assert tick_at(app, starts - timedelta(hours=20)) == ["Queued 1 reminder(s)."]


def remind(app, runner, smtp_inbox, create_gathering, people, capacity="2"):
    """A gathering 30 days ahead with the organiser and `going` holding its seats and `waiting`
    in line; the day before, `going` receives the reminder. Returns it and the gathering."""
    gathering = create_gathering(organiser=people["organiser"], capacity=capacity)
    answer(app, gathering.id, people["going"], "going")
    answer(app, gathering.id, people["waiting"], "going")
    send_mail(runner)
    smtp_inbox.clear()
    tick_at(app, gathering.starts_at - timedelta(hours=20))
    send_mail(runner)
    return reminders_in(smtp_inbox)["going@example.org"], gathering


def test_the_reminder_mail_carries_the_link_and_one_click_unsubscribe(
    app, runner, smtp_inbox, create_gathering, people
):
    mail, gathering = remind(app, runner, smtp_inbox, create_gathering, people)
    assert mail["Subject"] == f"Vous venez toujours\u00a0? {gathering.title}"
    assert mail["List-Unsubscribe"].startswith(f"<{BASE}/unsubscribe/")
    # On the wire as a mail client reads it: the URL whole, not RFC 2047 encoded words.
    raw_headers = mail.raw.split(b"\r\n\r\n", 1)[0].decode()
    assert f"\r\nList-Unsubscribe: <{BASE}/unsubscribe/" in raw_headers
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text, html = text_of(mail), html_of(mail)
    link = LINK.search(text).group(0)
    assert f'href="{link}"' in html
    assert "Vous venez toujours\u00a0? Dites-le en un clic" in text  # French by default
    assert gathering.title in text and "Café des Freelances" in text
    assert "waiting" not in reminders_in(smtp_inbox) and calendar_of(mail) is None


def test_the_reminder_is_in_the_persons_language(app, runner, smtp_inbox, create_gathering, people):
    with app.app_context():
        db.session.get(User, people["going"].id).language = "en"
        db.session.commit()
    mail, _gathering = remind(app, runner, smtp_inbox, create_gathering, people)
    text = text_of(mail)
    assert "Still coming? Tell us in one click: if you can't, your seat goes" in text
    assert "Vous venez" not in text and "Vous venez" not in html_of(mail)


def path_of(mail) -> str:
    return LINK.search(text_of(mail)).group(1)


def test_opening_the_link_shows_the_gathering_and_changes_nothing(
    app, client, runner, smtp_inbox, create_gathering, people
):
    mail, gathering = remind(app, runner, smtp_inbox, create_gathering, people)
    smtp_inbox.clear()
    page = client.get(path_of(mail))
    assert page.status_code == 200
    shown = text_of_page(page.text)
    assert gathering.title in shown and "Café des Freelances" in shown
    assert "Vous y allez : une place vous est réservée." in shown.replace("\u00a0", " ")
    assert 'value="cannot"' in page.text and "Je ne peux pas venir" in shown
    assert "Je viens" in shown
    assert page.headers["Cache-Control"] == "no-store"
    english = client.get(path_of(mail), headers={"Accept-Language": "en"})
    english = text_of_page(english.text)
    assert "I can't come" in english and "You are going: a seat is kept" in english
    assert "Sent 0 e-mail(s)" in send_mail(runner)  # nobody was told anything
    again = text_of_page(client.get(path_of(mail)).text).replace("\u00a0", " ")
    assert "Vous y allez : une place vous est réservée." in again


def test_i_cannot_come_frees_the_seat_for_the_first_person_waiting(
    app, client, runner, smtp_inbox, create_gathering, people
):
    mail, gathering = remind(app, runner, smtp_inbox, create_gathering, people)
    smtp_inbox.clear()
    response = client.post(path_of(mail), data={"answer": "cannot"})
    assert response.status_code == 303 and response.headers["Location"] == path_of(mail)
    page = client.get(path_of(mail))
    shown = text_of_page(page.text).replace("\u00a0", " ")
    assert "C’est noté : vous ne venez pas." in shown
    assert "C’est noté : vous n’y allez pas." in shown  # the answer now
    assert 'value="cannot"' not in page.text  # nothing left to free

    send_mail(runner)
    [promoted] = smtp_inbox.to("waiting@example.org")
    assert promoted["Subject"].endswith(gathering.title)
    assert str(calendar_of(promoted).walk("VEVENT")[0]["SUMMARY"]) == gathering.title
    assert smtp_inbox.to("going@example.org") == []  # no mail for the seat given up


def test_i_am_coming_thanks_and_changes_nothing(
    app, client, runner, smtp_inbox, create_gathering, people
):
    mail, _gathering = remind(app, runner, smtp_inbox, create_gathering, people)
    smtp_inbox.clear()
    response = client.post(path_of(mail), data={"answer": "coming"}, follow_redirects=True)
    shown = text_of_page(response.text).replace("\u00a0", " ")
    assert "Merci ! À bientôt sur place." in shown
    assert "Vous y allez : une place vous est réservée." in shown
    assert "Sent 0 e-mail(s)" in send_mail(runner)
    assert client.post(path_of(mail), data={"answer": "later"}).status_code == 400


def test_a_cancelled_gathering_offers_no_buttons(
    app, client, runner, smtp_inbox, create_gathering, people
):
    mail, gathering = remind(app, runner, smtp_inbox, create_gathering, people)
    with app.app_context():
        services.cancel(db.session.get(Gathering, gathering.id))
        db.session.commit()
    page = client.get(path_of(mail))
    assert "Cette rencontre est annulée" in text_of_page(page.text)
    assert 'value="cannot"' not in page.text
    client.post(path_of(mail), data={"answer": "cannot"})
    with app.app_context():  # the answer stands: a cancelled gathering takes none
        rsvp = db.session.scalar(select(Rsvp).filter_by(user_id=people["going"].id))
        assert rsvp.response == "going"


def test_a_forged_or_altered_link_is_not_found(app, client, create_gathering, people):
    gathering = create_gathering(organiser=people["organiser"])
    answer(app, gathering.id, people["going"], "going")
    with app.app_context():
        genuine = tokens.reminder_token(gathering.id, people["going"].id)
        unsubscribe = tokens.unsubscribe_token(people["going"].id, "reminders")
    assert client.get(f"/r/{genuine}").status_code == 200
    for token in (
        genuine[:-2] + "xx",
        unsubscribe,
        "nothing",
        f"{gathering.id}.{people['going'].id}",
    ):
        assert client.get(f"/r/{token}").status_code == 404, token
        assert client.post(f"/r/{token}", data={"answer": "cannot"}).status_code == 404, token
    with app.app_context():
        other = tokens.reminder_token(gathering.id + 1000, people["going"].id)
    assert client.get(f"/r/{other}").status_code == 404


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True}], indirect=True)
def test_answers_are_rate_limited_like_rsvps_and_reading_is_not(
    app, client, create_gathering, people
):
    gathering = create_gathering(organiser=people["organiser"])
    answer(app, gathering.id, people["going"], "going")
    with app.app_context():
        path = f"/r/{tokens.reminder_token(gathering.id, people['going'].id)}"
    assert {client.get(path).status_code for _ in range(61)} == {200}
    assert {client.post(path, data={"answer": "coming"}).status_code for _ in range(60)} == {303}
    assert client.post(path, data={"answer": "cannot"}).status_code == 429
    with app.app_context():  # the refused answer changed nothing
        rsvp = db.session.scalar(select(Rsvp).filter_by(user_id=people["going"].id))
        assert rsvp.response == "going"
