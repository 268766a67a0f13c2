"""E-mail: how long queuing the change notices of a 500-person gathering takes, and how many
mails a second `send-mail` sends to a local SMTP server.

    python -m bench.mail                      # SQLite
    python -m bench.mail --postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres
    python -m bench.mail --people 2000

Queuing is measured at the entry point people use: the organiser's edit form (a new time and
title), through the Flask test client with CSRF off, on a gathering where PEOPLE others are
going; the figure beside it is the part spent writing the outbox rows (the signal's receivers),
the rest being the edit itself. Sending runs `flask --app wsgi send-mail` as cron would, in its
own process, to an aiosmtpd server on loopback that accepts every message (the same server the
tests read), and counts what arrived.
"""

import argparse
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

if __package__ in (None, ""):  # run as a file: python bench/mail.py
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench import common
from meetups import create_app
from meetups.extensions import db


def main() -> None:
    """Make a gathering with PEOPLE going, edit it, time the queuing, then time send-mail."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", metavar="URL", help="a PostgreSQL server to use")
    parser.add_argument("--people", type=int, default=500)
    args = parser.parse_args()
    from tests.smtp import Inbox

    inbox = Inbox()
    inbox.start()
    try:
        with common.scratch_database(args.postgres) as url:
            common.flask(url, "db", "upgrade", echo=False)
            app = _app(url, inbox.port)
            gathering_id, organiser = _crowd(app, args.people)
            queued, in_receivers, total = _edit(app, gathering_id, organiser)
            print(f"database: {common.engine_name(url)}, {args.people} people going")
            print(
                f"queuing: {queued} change notices in {in_receivers * 1000:.0f} ms "
                f"(the whole edit request: {total * 1000:.0f} ms)"
            )
            run = common.flask(url, "send-mail", echo=False, env=_mail_env(inbox.port))
            arrived = len(inbox.messages)
            print(
                f"send-mail: {arrived} mails in {run.seconds:.2f} s, "
                f"{arrived / run.seconds:.0f} mails/s (process start included), "
                f"peak memory {run.max_rss_mb:.0f} MB"
            )
            print(f"  its own words: {run.output.strip()}")
    finally:
        inbox.stop()


def _mail_env(port: int) -> dict:
    return {
        "MEETUPS_MAIL_SERVER": "127.0.0.1",
        "MEETUPS_MAIL_PORT": str(port),
        "MEETUPS_BASE_URL": "https://meute.bench",
    }


def _app(url: str, port: int):
    config = {
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": "bench-secret-key",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "GEOCODERS": "offline",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": port,
        "BASE_URL": "https://meute.bench",
    }
    return create_app(config)


def _crowd(app, people: int) -> tuple[int, str]:
    """A gathering in Lyon and `people` others going to it; returns its id and the organiser's e-mail."""
    from meetups.accounts.models import User
    from meetups.dates import local_to_utc, utcnow
    from meetups.gatherings import services
    from meetups.gatherings.models import Response, Rsvp
    from meetups.places import gazetteer

    with app.app_context():
        organiser = User(email="organiser@bench.example", display_name="Organiser")
        organiser.set_password("correct horse battery")
        users = [
            User(email=f"p{n}@bench.example", display_name=f"Person {n}", password_hash="x")  # noqa: S106
            for n in range(people)
        ]
        db.session.add_all([organiser, *users])
        db.session.flush()
        start = _start()
        place = gazetteer.lookup("Lyon")
        proposal = services.Proposal(
            "Apéro freelance",
            "",
            place,
            "Café des Freelances",
            "12 rue de la République",
            local_to_utc(start, place.timezone),
            local_to_utc(start + timedelta(hours=2), place.timezone),
            None,
            (),
        )
        gathering = services.propose(organiser, proposal)
        db.session.flush()
        now = utcnow()
        db.session.add_all(
            Rsvp(gathering_id=gathering.id, user_id=u.id, response=Response.GOING, responded_at=now)
            for u in users
        )
        db.session.commit()
        return gathering.id, organiser.email


def _start() -> datetime:
    day = (datetime.now() + timedelta(days=30)).date()
    return datetime(day.year, day.month, day.day, 19, 0)


def _edit(app, gathering_id: int, organiser: str) -> tuple[int, float, float]:
    """The organiser moves the gathering an hour later and renames it, through the edit form."""
    from meetups.gatherings import signals
    from meetups.notifications import services as notifications
    from meetups.notifications.models import Mail

    spent = []
    timed = _timed(notifications.edited, spent)
    signals.edited.disconnect(notifications.edited, app)
    signals.edited.connect(timed, app)
    client = app.test_client()
    client.post("/auth/login", data={"email": organiser, "password": "correct horse battery"})
    start = _start() + timedelta(hours=1)
    form = {
        "title": "Apéro freelance (plus tard)",
        "description": "",
        "city": "Lyon",
        "venue_name": "Café des Freelances",
        "venue_address": "12 rue de la République",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "capacity": "",
        "tags": "",
    }
    began = time.perf_counter()
    response = client.post(f"/events/{gathering_id}/edit", data=form)
    total = time.perf_counter() - began
    if response.status_code != 303:
        raise SystemExit(f"the edit failed: {response.status_code}")
    with app.app_context():
        queued = db.session.scalar(db.select(db.func.count()).select_from(Mail))
    return queued, sum(spent), total


def _timed(receiver, spent: list):
    def timed(*args, **kwargs):
        began = time.perf_counter()
        receiver(*args, **kwargs)
        spent.append(time.perf_counter() - began)

    return timed


if __name__ == "__main__":
    main()
