"""One submit, one gathering: the proposal form's key makes a double click or a retry harmless.

Sent again one after the other, or at the very same moment to a real server (gunicorn, several
processes), the same form makes one gathering and every answer leads to it. Runs on SQLite and,
in the PostgreSQL pass, on PostgreSQL.
"""

import http.cookiejar
import re
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest

from meetups.accounts.models import User
from meetups.extensions import db
from meetups.gatherings import services
from meetups.gatherings.models import Gathering
from tests.conftest import PASSWORD, form_data, proposal_from
from tests.live_server import Visitor, serve
from tests.test_gatherings import FormPage, event_id

KEY = re.compile(r'name="idempotency_key"[^>]*value="([^"]*)"')


@pytest.fixture(autouse=True)
def english(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def organiser(create_user, login):
    user = create_user()
    login(user)
    return user


def key_of(html: str) -> str:
    return KEY.search(html).group(1)


def gatherings(app) -> list[tuple[int, int, str | None]]:
    """(id, organiser id, key) of every gathering, oldest first."""
    with app.app_context():
        columns = (Gathering.id, Gathering.organiser_id, Gathering.idempotency_key)
        return [tuple(row) for row in db.session.execute(db.select(*columns).order_by("id"))]


def test_each_showing_of_the_form_has_a_key_of_its_own(client, organiser, create_gathering):
    keys = [key_of(client.get("/events/new").text) for _ in range(2)]
    assert keys[0] != keys[1]
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{43}", key) for key in keys)
    # Editing is not proposing: its form has no key.
    gathering = create_gathering(organiser=organiser)
    assert "idempotency_key" not in client.get(f"/events/{gathering.id}/edit").text


def test_a_form_shown_again_with_errors_keeps_its_key(app, client, organiser):
    key = key_of(client.get("/events/new").text)
    response = client.post("/events/new", data=form_data(title="x", idempotency_key=key))
    assert response.status_code == 200
    assert FormPage(response.text).fields["idempotency_key"].value == key
    assert gatherings(app) == []


def test_the_same_form_sent_three_times_makes_one_gathering(app, client, organiser):
    sent = form_data(idempotency_key=key_of(client.get("/events/new").text))
    answers = [client.post("/events/new", data=sent) for _ in range(3)]

    assert {answer.status_code for answer in answers} == {303}
    assert len({answer.headers["Location"] for answer in answers}) == 1
    [(gathering_id, organiser_id, key)] = gatherings(app)
    assert (event_id(answers[0]), organiser_id, key) == (
        gathering_id,
        organiser.id,
        sent["idempotency_key"],
    )
    told = client.get(answers[-1].headers["Location"]).text
    assert "This gathering was already proposed: here it is." in told


def test_a_key_belongs_to_its_organiser(app, client, organiser, create_user, login):
    sent = form_data(idempotency_key="the-same-key-for-both")
    mine = event_id(client.post("/events/new", data=sent))
    someone_else = create_user()
    client.post("/auth/logout")
    login(someone_else)
    theirs = event_id(client.post("/events/new", data=sent))

    assert theirs != mine
    assert gatherings(app) == [
        (mine, organiser.id, "the-same-key-for-both"),
        (theirs, someone_else.id, "the-same-key-for-both"),
    ]


@pytest.mark.parametrize(
    "key",
    [None, "", "with spaces", "é" * 10, "x" * 65, "<script>"],
    ids=["none", "empty", "spaces", "not-ascii", "too-long", "markup"],
)
def test_without_a_usable_key_each_post_proposes_as_before(app, client, organiser, key):
    sent = form_data() if key is None else form_data(idempotency_key=key)
    first, second = (event_id(client.post("/events/new", data=sent)) for _ in range(2))
    assert first != second
    assert [key for _id, _organiser, key in gatherings(app)] == [None, None]


def test_a_twin_that_commits_between_lookup_and_insert_is_stopped_by_the_database(
    app, client, organiser, monkeypatch, other_process
):
    """The race itself, in order: a twin request (another process) commits the same key just
    after this request looked for it; the insert then hits the unique index."""
    look_up, twin = services.proposed_with, {}

    def twin_commits_meanwhile(organiser_id: int, key: str | None):
        found = look_up(organiser_id, key)
        if not twin:
            twin["id"] = None  # the twin's own propose() looks the key up too
            with other_process().app_context():
                made = services.propose(db.session.get(User, organiser_id), proposal_from(), key)
                twin["id"] = made.id
                db.session.commit()
        return found

    monkeypatch.setattr(services, "proposed_with", twin_commits_meanwhile)
    answer = client.post("/events/new", data=form_data(idempotency_key="raced-key"))

    assert event_id(answer) == twin["id"]
    assert gatherings(app) == [(twin["id"], organiser.id, "raced-key")]
    assert "already proposed" in client.get(answer.headers["Location"]).text


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the answer itself is what the test reads


class Browser(Visitor):
    """One person's browser (its cookies, its CSRF token) that can also post without following
    the redirect, to read where the answer leads."""

    def __init__(self, base: str):
        super().__init__(base)
        jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        self.direct = urllib.request.build_opener(
            NoRedirect, urllib.request.HTTPCookieProcessor(jar)
        )

    def proposal_form(self) -> dict:
        """A fresh proposal form, filled in, with its CSRF token and its key."""
        status, page = self.request("/events/new")
        assert status == 200, page
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        return form_data(csrf_token=token, idempotency_key=key_of(page))

    def post(self, path: str, data: dict) -> tuple[int, str]:
        """(status, Location) of a POST, its redirect not followed."""
        body = urllib.parse.urlencode(data).encode()
        try:
            with self.direct.open(urllib.request.Request(self.base + path, body), timeout=60):
                raise AssertionError(f"{path} answered without a redirect")
        except urllib.error.HTTPError as answer:
            with answer:
                return answer.code, answer.headers.get("Location", "")


FORMS = 3  # each sent twice at once, all six together
TWICE = 2


def test_one_form_sent_twice_at_once_makes_one_gathering(app, database_url, tmp_path, create_user):
    person = create_user()
    with serve(database_url, tmp_path / "server", workers=2) as base:
        browser = Browser(base)
        browser.sign_in(person.email, PASSWORD)
        sends = [browser.proposal_form() for _ in range(FORMS)] * TWICE
        start = threading.Barrier(len(sends))
        answers: list[tuple[int, str] | None] = [None] * len(sends)

        def send(i: int) -> None:
            start.wait()
            answers[i] = browser.post("/events/new", sends[i])

        threads = [threading.Thread(target=send, args=(i,)) for i in range(len(sends))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

    made = {key: gathering_id for gathering_id, _organiser, key in gatherings(app)}
    assert len(made) == FORMS
    for form, (status, location) in zip(sends, answers, strict=True):
        assert (status, location) == (303, f"/events/{made[form['idempotency_key']]}")
