"""Moderation: people report gatherings and profiles; admins hide, suspend or dismiss, and
what they hide leaves every list, feed and the API on the very next request."""

from datetime import timedelta

import pytest
from icalendar import Calendar

from meetups.accounts.models import User
from meetups.dates import utcnow
from meetups.extensions import db
from meetups.gatherings.models import Gathering, Series, Status
from meetups.moderation.models import AuditLine, Report
from tests.conftest import PASSWORD, form_data, text_of
from tests.smtp import calendar_of


@pytest.fixture
def client(app):
    """A test client that asks for English pages, so text assertions do not depend on catalogues."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def people(create_user):
    return {
        "admin": create_user(email="admin@example.org", display_name="Alice", is_admin=True),
        "olga": create_user(email="olga@example.org", display_name="Olga Roux"),
        "anna": create_user(email="anna@example.org", display_name="Anna Petit"),
        "bob": create_user(email="bob@example.org", display_name="Bob Martin"),
    }


@pytest.fixture
def spam(people, create_gathering):
    """A spam gathering Olga proposed in Lyon."""
    return create_gathering(organiser=people["olga"], title="Spam <b>course</b>")


@pytest.fixture
def as_(client, login):
    """as_(person): the client signed in as this person (signed out of anyone before)."""

    def sign_in(person):
        client.post("/auth/logout")
        login(person)
        return client

    return sign_in


def reports(app) -> list[tuple]:
    with app.app_context():
        rows = db.session.scalars(db.select(Report).order_by(Report.id))
        return [(r.reporter_id, r.gathering_id, r.person_id, r.reason, r.outcome) for r in rows]


def audit(app) -> list[tuple]:
    with app.app_context():
        rows = db.session.scalars(db.select(AuditLine).order_by(AuditLine.id))
        return [(r.actor_id, r.action, r.gathering_id, r.person_id, r.reports_closed) for r in rows]


def status_of(app, gathering_id: int) -> str:
    with app.app_context():
        return db.session.get(Gathering, gathering_id).status


def report(client, gathering_id: int, reason="Spam: an ad, not a gathering."):
    return client.post(f"/events/{gathering_id}/report", data={"reason": reason})


def act(client, report_id: int, action: str):
    return client.post(f"/admin/reports/{report_id}/{action}")


def first_open_report(app) -> int:
    with app.app_context():
        query = db.select(Report.id).where(Report.resolved_at.is_(None)).order_by(Report.id)
        return db.session.scalar(query)


# Reporting --------------------------------------------------------------------------------


def test_the_report_form_is_linked_and_saves_a_report(app, client, people, spam, as_):
    as_(people["anna"])
    page = client.get(f"/events/{spam.id}")
    assert f'href="/events/{spam.id}/report"' in page.text
    form = client.get(f"/events/{spam.id}/report")
    assert form.status_code == 200
    assert 'name="reason"' in form.text and "Spam &lt;b&gt;course&lt;/b&gt;" in form.text
    assert form.headers["Cache-Control"] == "private"

    response = report(client, spam.id, "  Spam: an ad, not a gathering.  ")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/events/{spam.id}"
    shown = client.get(response.headers["Location"])
    assert "Thank you: moderators will look at it." in shown.text
    assert reports(app) == [
        (people["anna"].id, spam.id, None, "Spam: an ad, not a gathering.", None)
    ]


@pytest.mark.parametrize(
    ("reason", "error"),
    [
        ("", "Say what is wrong, in a few words."),
        ("   ", "Say what is wrong, in a few words."),
        ("ab", "Between 3 and 1000 characters."),
        ("x" * 1001, "Between 3 and 1000 characters."),
        ("Spam\x00 here", "invisible control characters"),
    ],
)
def test_a_bad_reason_shows_beside_the_field_and_stores_nothing(
    app, client, people, spam, as_, reason, error
):
    as_(people["anna"])
    response = report(client, spam.id, reason)
    assert response.status_code == 200
    assert error in text_of(response.text)
    assert 'aria-invalid="true"' in response.text
    if reason.strip() and "\x00" not in reason:
        assert reason.strip()[:50] in response.text  # what was typed is kept
    assert reports(app) == []


def test_reporting_again_changes_the_reason_of_the_open_report(app, client, people, spam, as_):
    as_(people["anna"])
    report(client, spam.id, "First words")
    report(client, spam.id, "Second thoughts")
    assert reports(app) == [(people["anna"].id, spam.id, None, "Second thoughts", None)]


def test_a_profile_can_be_reported(app, client, people, as_):
    olga = people["olga"]
    as_(people["anna"])
    assert f'href="/people/{olga.id}/report"' in client.get(f"/people/{olga.id}").text
    response = client.post(f"/people/{olga.id}/report", data={"reason": "Insults in her links"})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/people/{olga.id}"
    assert reports(app) == [(people["anna"].id, None, olga.id, "Insults in her links", None)]


def test_nobody_reports_their_own_gathering_or_profile(app, client, people, spam, as_):
    as_(people["olga"])
    assert 'href="/events/' + str(spam.id) + '/report"' not in client.get(f"/events/{spam.id}").text
    own = report(client, spam.id)
    assert own.status_code == 403
    assert "You cannot report your own gathering." in own.text
    assert client.get(f"/events/{spam.id}/report").status_code == 403
    me = client.post(f"/people/{people['olga'].id}/report", data={"reason": "Me, myself"})
    assert me.status_code == 403
    assert "You cannot report your own profile." in me.text
    assert reports(app) == []


def test_reporting_needs_signing_in_and_a_target_one_may_see(app, client, people, spam, as_):
    signed_out = report(client, spam.id)
    assert signed_out.status_code == 302
    assert signed_out.headers["Location"].startswith("/auth/login")
    as_(people["anna"])
    assert report(client, 999_999).status_code == 404
    assert client.post("/people/999999/report", data={"reason": "Who?"}).status_code == 404
    with app.app_context():
        db.session.get(User, people["bob"].id).visibility = "hidden"
        db.session.commit()
    hidden = client.post(f"/people/{people['bob'].id}/report", data={"reason": "Hidden one"})
    assert hidden.status_code == 404
    assert reports(app) == []


# The admins' page ------------------------------------------------------------------------


def test_only_admins_see_the_reports_page(client, people, as_):
    anonymous = client.get("/admin/reports")
    assert anonymous.status_code == 302
    assert anonymous.headers["Location"].startswith("/auth/login")
    as_(people["anna"])
    assert client.get("/admin/reports").status_code == 403
    assert act(client, 1, "hide").status_code == 403
    assert "/admin/reports" not in client.get("/").text
    as_(people["admin"])
    page = client.get("/admin/reports")
    assert page.status_code == 200
    assert "No open reports." in text_of(page.text)
    assert 'href="/admin/reports"' in client.get("/").text


def test_open_reports_are_grouped_by_target_oldest_first(app, client, people, spam, as_):
    as_(people["anna"])
    report(client, spam.id, "Anna says <script>spam</script>")
    client.post(f"/people/{people['olga'].id}/report", data={"reason": "Spams everyone"})
    as_(people["bob"])
    report(client, spam.id, "Bob says spam too")
    as_(people["admin"])
    page = client.get("/admin/reports")
    text = text_of(page.text)
    assert page.headers["Cache-Control"] == "private, no-store"
    assert text.count("Spam <b>course</b>") == 1  # one case for the two reports
    assert "<b>course</b>" not in page.text and "&lt;script&gt;" in page.text
    assert text.index("Anna says") < text.index("Bob says") < text.index("Profile: Olga Roux")
    assert "Reported by Anna Petit" in text and "Reported by Bob Martin" in text
    assert "organised by Olga Roux" in text and "Lyon" in text and "scheduled" in text
    assert "Hide the gathering" in text and "Suspend Olga Roux" in text
    assert "@example.org" not in page.text


# Actions ----------------------------------------------------------------------------------


def test_hiding_closes_every_report_on_it_and_writes_one_audit_line(app, client, people, spam, as_):
    for person in ("anna", "bob"):
        as_(people[person])
        report(client, spam.id)
    as_(people["admin"])
    done = act(client, first_open_report(app), "hide")
    assert done.status_code == 303 and done.headers["Location"] == "/admin/reports"
    assert status_of(app, spam.id) == Status.HIDDEN
    assert [outcome for *_r, outcome in reports(app)] == ["hide", "hide"]
    assert audit(app) == [(people["admin"].id, "hide", spam.id, None, 2)]
    page = text_of(client.get("/admin/reports").text)
    assert "Hidden: it has left every list and feed. Reports closed: 2." in page
    assert "No open reports." in page
    assert "Alice hid “Spam <b>course</b>” (reports closed: 2)" in page


def test_a_hidden_gathering_answers_410_everywhere(app, client, people, spam, as_):
    with app.app_context():
        db.session.get(User, people["olga"].id).is_admin = False
    as_(people["anna"])
    report(client, spam.id)
    as_(people["admin"])
    act(client, first_open_report(app), "hide")

    page = client.get(f"/events/{spam.id}")
    assert page.status_code == 410
    assert "This gathering was removed by moderators." in page.text
    assert "Spam" not in page.text and "On parle tarifs" not in page.text
    assert 'href="/"' in page.text
    assert client.get(f"/events/{spam.id}/calendar.ics").status_code == 410
    api = client.get(f"/api/v1/events/{spam.id}")
    assert api.status_code == 410 and set(api.json) == {"error"}
    as_(people["olga"])  # even its organiser: nothing more to do with it
    assert client.post(f"/events/{spam.id}/rsvp", data={"response": "no"}).status_code == 410
    assert client.get(f"/events/{spam.id}/edit").status_code == 410
    assert client.post(f"/events/{spam.id}/edit", data=form_data()).status_code == 410
    assert client.post(f"/events/{spam.id}/cancel").status_code == 410
    assert client.get(f"/events/{spam.id}/duplicate").status_code == 410
    assert client.post(f"/events/{spam.id}/met/{people['anna'].id}").status_code == 410
    as_(people["anna"])
    assert report(client, spam.id).status_code == 410
    assert status_of(app, spam.id) == Status.HIDDEN


def test_actions_that_do_not_apply_are_refused_and_change_nothing(app, client, people, spam, as_):
    as_(people["anna"])
    client.post(f"/people/{people['admin'].id}/report", data={"reason": "Bossy admin"})
    as_(people["admin"])
    on_person = first_open_report(app)
    hide = act(client, on_person, "hide")
    assert hide.status_code == 400
    assert "Only a gathering can be hidden" in text_of(hide.text)
    myself = act(client, on_person, "suspend")
    assert myself.status_code == 400
    assert "You cannot suspend your own account." in text_of(myself.text)
    assert act(client, on_person, "delete").status_code == 404
    assert act(client, 999_999, "dismiss").status_code == 404
    assert audit(app) == []
    assert [outcome for *_r, outcome in reports(app)] == [None]

    assert act(client, on_person, "dismiss").status_code == 303
    again = client.post(f"/admin/reports/{on_person}/dismiss", follow_redirects=True)
    assert "This report was already handled." in text_of(again.text)
    assert audit(app) == [(people["admin"].id, "dismiss", None, people["admin"].id, 1)]


def test_suspending_an_organiser_whose_account_is_gone_is_refused(app, client, people, spam, as_):
    as_(people["anna"])
    report(client, spam.id)
    with app.app_context():
        db.session.get(Gathering, spam.id).organiser_id = None
        db.session.commit()
    as_(people["admin"])
    refused = act(client, first_open_report(app), "suspend")
    assert refused.status_code == 400
    assert "The organiser’s account is gone" in refused.text
    assert audit(app) == []


def test_dismissing_keeps_the_gathering(app, client, people, spam, as_):
    as_(people["anna"])
    report(client, spam.id)
    as_(people["admin"])
    act(client, first_open_report(app), "dismiss")
    assert status_of(app, spam.id) == Status.SCHEDULED
    assert client.get(f"/events/{spam.id}").status_code == 200
    assert audit(app) == [(people["admin"].id, "dismiss", spam.id, None, 1)]


def test_suspending_ends_sessions_sign_in_and_the_profile_and_hides_gatherings(
    app, client, people, spam, as_, create_gathering
):
    olga = people["olga"]
    other = create_gathering(organiser=olga, title="Another one of Olga's")
    olga_browser = app.test_client()
    olga_browser.post("/auth/login", data={"email": olga.email, "password": PASSWORD})
    assert olga_browser.get("/me").status_code == 200
    as_(people["anna"])
    report(client, spam.id)
    client.post(f"/people/{olga.id}/report", data={"reason": "Spams everyone"})
    as_(people["admin"])
    done = act(client, first_open_report(app), "suspend")
    assert done.status_code == 303
    assert "Olga Roux is suspended" in text_of(client.get("/admin/reports").text)
    # Her reports, on the gathering and on her profile, are closed by the one action.
    assert [outcome for *_r, outcome in reports(app)] == ["suspend", "suspend"]
    assert audit(app) == [(people["admin"].id, "suspend", spam.id, olga.id, 2)]
    assert status_of(app, spam.id) == status_of(app, other.id) == Status.HIDDEN

    gone = olga_browser.get("/me")  # her session ended
    assert gone.status_code == 302 and gone.headers["Location"].startswith("/auth/login")
    again = olga_browser.post(
        "/auth/login",
        data={"email": olga.email, "password": PASSWORD},
        headers={"Accept-Language": "en"},
    )
    assert again.status_code == 200
    assert "This account is suspended by the moderators" in text_of(again.text)
    wrong = olga_browser.post("/auth/login", data={"email": olga.email, "password": "nope nope"})
    assert "suspended" not in wrong.text  # said only to whoever knows the password
    # Nor is a password reset a way back in: the link is refused, the password unchanged.
    from meetups.accounts.services import reset_token

    with app.app_context():
        link = f"/auth/reset/{reset_token(db.session.get(User, olga.id))}"
    refused = olga_browser.post(
        link, data={"password": "a brand new password"}, headers={"Accept-Language": "en"}
    )
    assert refused.status_code == 403
    assert "This account is suspended by the moderators" in text_of(refused.text)
    assert olga_browser.get("/me").status_code == 302
    with app.app_context():
        assert db.session.get(User, olga.id).check_password(PASSWORD)

    assert client.get(f"/people/{olga.id}").status_code == 200  # the admin still sees it
    as_(people["anna"])
    assert client.get(f"/people/{olga.id}").status_code == 404
    client.post("/auth/logout")
    with app.app_context():
        db.session.get(User, olga.id).visibility = "public"
        db.session.commit()
    assert client.get(f"/people/{olga.id}").status_code == 404


def test_hiding_an_occurrence_hides_the_later_ones_and_stops_the_series(
    app, client, people, as_, runner
):
    as_(people["olga"])
    proposed = client.post("/events/new", data=form_data(title="Weekly spam", repeat="weekly"))
    assert proposed.status_code in (302, 303)
    with app.app_context():
        first, second, *later = db.session.scalars(
            db.select(Gathering).order_by(Gathering.starts_at)
        ).all()
        ids = (first.id, second.id, *[g.id for g in later])
    as_(people["anna"])
    report(client, ids[1])
    as_(people["bob"])
    report(client, ids[2])  # a later one, reported on its own: closed by the same action
    as_(people["admin"])
    act(client, first_open_report(app), "hide")
    assert [outcome for *_r, outcome in reports(app)] == ["hide", "hide"]
    assert audit(app) == [(people["admin"].id, "hide", ids[1], None, 2)]
    assert status_of(app, ids[0]) == Status.SCHEDULED  # the one before stays
    assert {status_of(app, i) for i in ids[1:]} == {Status.HIDDEN}
    with app.app_context():
        series = db.session.scalar(db.select(Series))
        assert series.stopped_at is not None
        count = db.session.scalar(db.select(db.func.count(Gathering.id)))
    from meetups.gatherings import recurring

    with app.app_context():
        made = recurring.keep_horizons(utcnow() + timedelta(days=120))
        db.session.commit()
        assert int(made) == 0
        assert db.session.scalar(db.select(db.func.count(Gathering.id))) == count


def test_a_suspended_organisers_series_makes_no_more(app, client, people, as_):
    as_(people["olga"])
    client.post("/events/new", data=form_data(title="Weekly", repeat="weekly"))
    with app.app_context():
        db.session.get(User, people["olga"].id).suspended_at = utcnow()
        db.session.commit()
        from meetups.gatherings import recurring

        assert int(recurring.keep_horizons(utcnow() + timedelta(days=120))) == 0


# Gone from every list and feed -------------------------------------------------------------


def _hide(app, client, as_, people, gathering_id):
    as_(people["anna"])
    report(client, gathering_id)
    as_(people["admin"])
    assert act(client, first_open_report(app), "hide").status_code == 303
    client.post("/auth/logout")


def test_a_hidden_gathering_leaves_lists_feeds_and_the_api_on_the_next_request(
    app, client, people, spam, as_, create_gathering
):
    kept = create_gathering(organiser=people["bob"], title="Real apéro")
    olga_feed = people["olga"].feed_token
    before = {
        "home": client.get("/").text,
        "city": client.get("/cities/lyon").text,
        "api": client.get("/api/v1/events").json,
    }
    feed = client.get("/cities/lyon/calendar.ics")
    personal = client.get(f"/feeds/{olga_feed}.ics")
    assert "Spam" in before["home"] and "Spam" in before["city"]
    assert {e["id"] for e in before["api"]["events"]} == {spam.id, kept.id}
    assert b"Spam" in feed.data and b"Spam" in personal.data

    _hide(app, client, as_, people, spam.id)

    for path in ("/", "/cities/lyon", "/cities", "/api/v1/events?city=lyon"):
        assert "Spam" not in client.get(path).text, path
    assert [e["id"] for e in client.get("/api/v1/events").json["events"]] == [kept.id]
    assert client.get("/api/v1/cities").json["cities"][0]["upcoming_count"] == 1
    again = client.get("/cities/lyon/calendar.ics", headers={"If-None-Match": feed.headers["ETag"]})
    assert again.status_code == 200 and again.headers["ETag"] != feed.headers["ETag"]
    titles = [str(e["SUMMARY"]) for e in Calendar.from_ical(again.data).walk("VEVENT")]
    assert titles == ["Real apéro"]
    mine = client.get(f"/feeds/{olga_feed}.ics")
    assert mine.headers["ETag"] != personal.headers["ETag"] and b"Spam" not in mine.data
    as_(people["olga"])
    assert "Spam" not in client.get("/me").text


def test_a_hidden_gathering_leaves_its_pack_and_the_feeds_of_people_going(app, client, people, as_):
    as_(people["olga"])
    made = client.post(
        "/packs/new", data={"name": "Spammers", "city": "Lyon", "join_policy": "open"}
    )
    slug = made.headers["Location"].rsplit("/", 1)[-1]
    as_(people["anna"])
    client.post(f"/packs/{slug}/join")
    as_(people["olga"])
    proposed = client.post("/events/new", data=form_data(title="Pack spam", pack=slug))
    gathering_id = int(proposed.headers["Location"].rsplit("/", 1)[-1])
    as_(people["anna"])
    client.post(f"/events/{gathering_id}/rsvp", data={"response": "going"})
    anna_feed = people["anna"].feed_token
    assert b"Pack spam" in client.get(f"/feeds/{anna_feed}.ics").data
    assert b"Pack spam" in client.get(f"/packs/{slug}/calendar.ics").data
    assert "Pack spam" in client.get(f"/packs/{slug}").text
    assert "Pack spam" in client.get(f"/people/{people['anna'].id}").text

    _hide(app, client, as_, people, gathering_id)

    assert b"Pack spam" not in client.get(f"/feeds/{anna_feed}.ics").data
    assert b"Pack spam" not in client.get(f"/packs/{slug}/calendar.ics").data
    assert "Pack spam" not in client.get(f"/packs/{slug}").text
    assert client.get("/api/v1/packs").json["packs"][0]["upcoming_count"] == 0
    as_(people["anna"])
    assert "Pack spam" not in client.get(f"/people/{people['anna'].id}").text
    assert "Pack spam" not in client.get("/me").text


def test_the_issue_story_spam_reported_by_two_hidden_gone_from_the_city_feed(
    app, client, people, as_, create_gathering
):
    spam = create_gathering(organiser=people["olga"], title="BUY FOLLOWERS NOW")
    create_gathering(organiser=people["bob"], title="Apéro des rédacteurs")
    subscribed = client.get("/cities/lyon/calendar.ics")

    def summaries(response) -> set[str]:
        return {str(e["SUMMARY"]) for e in Calendar.from_ical(response.data).walk("VEVENT")}

    assert summaries(subscribed) == {"BUY FOLLOWERS NOW", "Apéro des rédacteurs"}
    for person, reason in (("anna", "Pure spam."), ("bob", "Not a gathering: an ad.")):
        as_(people[person])
        assert report(client, spam.id, reason).status_code == 303
    as_(people["admin"])
    queue = text_of(client.get("/admin/reports").text)
    assert "Pure spam." in queue and "Not a gathering: an ad." in queue
    assert act(client, first_open_report(app), "hide").status_code == 303
    client.post("/auth/logout")

    polled = client.get(
        "/cities/lyon/calendar.ics", headers={"If-None-Match": subscribed.headers["ETag"]}
    )
    assert polled.status_code == 200
    assert summaries(polled) == {"Apéro des rédacteurs"}
    assert "removed by moderators" in client.get(f"/events/{spam.id}").text


# Mail -------------------------------------------------------------------------------------


class TestMail:
    @pytest.fixture
    def app_config(self, mail_config):
        return mail_config

    def test_admins_are_told_by_mail_without_anyones_address(
        self, app, client, runner, people, spam, as_, smtp_inbox, create_user
    ):
        second = create_user(email="root@example.org", display_name="Root", is_admin=True)
        suspended = create_user(email="gone@example.org", display_name="Gone", is_admin=True)
        with app.app_context():
            db.session.get(User, suspended.id).suspended_at = utcnow()
            db.session.commit()
        as_(second)  # an admin reporting is not told of their own report
        report(client, spam.id, "Spam, and a <b>tag</b>")
        as_(people["anna"])
        report(client, spam.id, "Spam spam spam")
        report(client, spam.id, "Spam, really")  # the same report: no second mail
        assert "Sent 3 e-mail(s)" in runner.invoke(args=["send-mail"]).output

        to_alice = smtp_inbox.to("admin@example.org")
        assert len(to_alice) == 2
        assert len(smtp_inbox.to("root@example.org")) == 1
        assert smtp_inbox.to("gone@example.org") == []
        mail = to_alice[1]
        assert mail["Subject"] == "Signalé sur Meute\u00a0: Spam <b>course</b>"
        text = mail.get_body(("plain",)).get_content()
        assert "Spam, really" in text
        assert f"https://meute.test/events/{spam.id}" in text
        assert "https://meute.test/admin/reports" in text
        html = mail.get_body(("html",)).get_content()
        assert "Spam &lt;b&gt;course&lt;/b&gt;" in html
        for message in smtp_inbox.messages:
            raw = message.raw.decode()
            addresses = {a for a in ("admin", "root", "anna", "olga", "gone") if f"{a}@" in raw}
            assert addresses <= {message["To"].addresses[0].username}

    def test_a_report_handled_before_the_mail_leaves_is_not_sent(
        self, app, client, runner, people, spam, as_, smtp_inbox
    ):
        as_(people["anna"])
        report(client, spam.id)
        client.post(f"/events/{spam.id}/rsvp", data={"response": "going"})  # a seat mail
        as_(people["admin"])
        act(client, first_open_report(app), "hide")
        runner.invoke(args=["send-mail"])
        # Neither the report nor the hidden gathering's seat: only its removal, to those it
        # concerns (the organiser and Anna, going), with the .ics that cancels it.
        assert sorted(m["To"].addresses[0].username for m in smtp_inbox.messages) == [
            "anna",
            "olga",
        ]
        for message in smtp_inbox.messages:
            assert message["Subject"] == "Retirée par les modérateurs\u00a0: Spam <b>course</b>"
            text = message.get_body(("plain",)).get_content()
            assert "Les modérateurs de Meute ont retiré cette rencontre" in text
            (event,) = calendar_of(message).walk("VEVENT")
            assert str(event["STATUS"]) == "CANCELLED" and int(event["SEQUENCE"]) == 1


def test_hiding_a_hidden_gathering_again_in_another_report_only_closes_it(
    app, client, people, spam, as_
):
    as_(people["anna"])
    report(client, spam.id)
    as_(people["admin"])
    first = first_open_report(app)
    act(client, first, "hide")
    assert act(client, first, "hide").status_code == 303
    assert len(audit(app)) == 1
    with app.app_context():
        assert db.session.get(Gathering, spam.id).sequence == 1


class TestWithCsrf:
    """With CSRF protection on, as in production: no token, no report and no action."""

    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "WTF_CSRF_ENABLED": True}

    def test_a_report_needs_the_forms_token(self, app, client, people, spam):
        from tests.test_csrf import assert_refused, csrf_token

        token = csrf_token(client, "/auth/login")
        client.post(
            "/auth/login",
            data={"email": people["anna"].email, "password": PASSWORD, "csrf_token": token},
        )
        assert_refused(report(client, spam.id))
        assert reports(app) == []
        token = csrf_token(client, f"/events/{spam.id}/report")
        sent = client.post(
            f"/events/{spam.id}/report", data={"reason": "Spam!", "csrf_token": token}
        )
        assert sent.status_code == 303
        assert len(reports(app)) == 1

    def test_an_action_needs_the_pages_token(self, app, client, people, spam):
        from tests.test_csrf import assert_refused, csrf_token

        with app.app_context():
            db.session.add(Report(reporter_id=people["anna"].id, gathering_id=spam.id, reason="x"))
            db.session.commit()
        token = csrf_token(client, "/auth/login")
        client.post(
            "/auth/login",
            data={"email": people["admin"].email, "password": PASSWORD, "csrf_token": token},
        )
        report_id = first_open_report(app)
        assert_refused(act(client, report_id, "hide"))
        assert status_of(app, spam.id) == Status.SCHEDULED and audit(app) == []
        token = csrf_token(client, "/admin/reports")
        done = client.post(f"/admin/reports/{report_id}/hide", data={"csrf_token": token})
        assert done.status_code == 303
        assert status_of(app, spam.id) == Status.HIDDEN
