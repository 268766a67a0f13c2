"""The day before, "still coming?", in Chromium: `tick` and `send-mail` run as cron runs them, the
link is read from the mail the SMTP server received, and the page it opens works without signing
in. In English on a laptop, "I'm coming" thanks; in French on a phone, "I can't come" frees the
seat and the first person waiting gets it by mail."""

import os
import re
import sqlite3
import subprocess
import sys
import uuid
from contextlib import closing
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from tests.live_server import LIVE_SECRET_KEY, ROOT
from tests.smtp import calendar_of, text_of

from .conftest import AXE_SCRIPT, new_context
from .helpers import LAPTOP, PASSWORD, PHONE, post_form, sqlite_pass_only
from .test_accessibility import axe_report

pytestmark = sqlite_pass_only

SQLITE_DATETIME = "%Y-%m-%d %H:%M:%S.%f"  # as the application writes it


def in_hours(hours: int) -> str:
    """A datetime-local value in Lyon this many hours from now, as the proposal form takes it."""
    moment = datetime.now(UTC) + timedelta(hours=hours)
    return moment.astimezone(ZoneInfo("Europe/Paris")).strftime("%Y-%m-%dT%H:%M")


def register(browser, live_server, role: str) -> tuple:
    """A new person's browser context, signed up; and their address."""
    context = new_context(browser, live_server)
    email = f"{role}-{uuid.uuid4().hex[:8]}@example.org"
    account = {"email": email, "password": PASSWORD, "display_name": role.title(), "city": "Lyon"}
    post_form(context, "/auth/register", {**account, "trade": "translator"})
    return context, email


def answered_days_ago(database, gathering: str, days: int = 3) -> None:
    """Date the gathering's answers days back: no form can, and only time would."""
    gathering_id = int(gathering.rsplit("/", 1)[1])
    with closing(sqlite3.connect(database, timeout=10)) as connection, connection:
        rows = connection.execute(
            "SELECT id, responded_at FROM rsvps WHERE gathering_id = ?", (gathering_id,)
        ).fetchall()
        for rsvp_id, stored in rows:
            earlier = datetime.strptime(stored, SQLITE_DATETIME) - timedelta(days=days)
            connection.execute(
                "UPDATE rsvps SET responded_at = ? WHERE id = ?",
                (earlier.strftime(SQLITE_DATETIME), rsvp_id),
            )


def flask(command: str, live_server: str, live_database, smtp_inbox) -> str:
    """Run a flask command on the live server's database, as cron would."""
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith("MEETUPS_")},
        "DATABASE_URL": f"sqlite:///{live_database}",
        "MEETUPS_INSTANCE_PATH": str(live_database.parent / "instance"),
        "MEETUPS_SECRET_KEY": LIVE_SECRET_KEY,
        "MEETUPS_BASE_URL": live_server,
        "MEETUPS_MAIL_SERVER": "127.0.0.1",
        "MEETUPS_MAIL_PORT": str(smtp_inbox.port),
    }
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", command],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def assert_axe_finds_nothing(page) -> None:
    violations = page.evaluate("axe.run({resultTypes: ['violations']})")["violations"]
    assert not violations, axe_report(violations)


def test_still_coming_from_the_mail_to_a_freed_seat(
    browser, live_server, live_database, smtp_inbox
):
    organiser, _ = register(browser, live_server, "organiser")
    title = f"Apéro traduction {uuid.uuid4().hex[:6]}"
    gathering = post_form(
        organiser,
        "/events/new",
        {
            "title": title,
            "description": "On parle glossaires.",
            "city": "Lyon",
            "venue_name": "Café des Freelances",
            "venue_address": "20 rue de la République, 69002 Lyon",
            "starts_at": in_hours(20),
            "ends_at": in_hours(22),
            "capacity": "2",  # the organiser's seat and one more
            "tags": "traduction",
        },
    )
    going, going_email = register(browser, live_server, "going")
    waiting, waiting_email = register(browser, live_server, "waiting")
    for context in (going, waiting):
        post_form(context, f"{gathering}/rsvp", {"response": "going"}, form_page=gathering)
    for context in (organiser, going, waiting):
        context.close()
    answered_days_ago(live_database, gathering)

    assert "Queued 1 reminder(s)." in flask("tick", live_server, live_database, smtp_inbox)
    flask("send-mail", live_server, live_database, smtp_inbox)
    [reminder] = [m for m in smtp_inbox.to(going_email) if "/r/" in text_of(m)]
    link = re.search(rf"{re.escape(live_server)}/r/\S+", text_of(reminder)).group(0)

    # In English on a laptop: still coming.
    context = new_context(browser, live_server, locale="en-GB", viewport=LAPTOP)
    page = context.new_page()
    page.goto(link)
    expect(page.get_by_role("heading", name="Still coming?")).to_be_visible()
    expect(page.locator("#my-status")).to_have_text("You are going: a seat is kept for you.")
    page.get_by_role("button", name="I'm coming").click()
    expect(page.get_by_role("status")).to_contain_text("Thank you! See you there.")
    context.close()

    # In French on a phone: cannot come after all; the seat goes to the person waiting.
    context = new_context(browser, live_server, locale="fr-FR", viewport=PHONE)
    context.add_init_script(script=AXE_SCRIPT)
    page = context.new_page()
    page.goto(link)
    assert_axe_finds_nothing(page)
    expect(
        page.get_by_role("heading", name=re.compile(r"^Vous venez toujours\s\?$"))
    ).to_be_visible()
    page.get_by_role("button", name="Je ne peux pas venir").click()
    expect(page.get_by_role("status")).to_contain_text(
        re.compile(r"C’est noté\s: vous ne venez pas")
    )
    expect(page.locator("#my-status")).to_have_text(re.compile(r"C’est noté\s: vous n’y allez pas"))
    expect(page.get_by_role("button", name="Je ne peux pas venir")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_axe_finds_nothing(page)
    context.close()

    flask("send-mail", live_server, live_database, smtp_inbox)
    promoted = [m for m in smtp_inbox.to(waiting_email) if calendar_of(m) is not None]
    assert len(promoted) == 1 and title in promoted[0]["Subject"]
    assert str(calendar_of(promoted[0]).walk("VEVENT")[0]["SUMMARY"]) == title
