"""Writes that don't meet: on PostgreSQL, an RSVP held open on one gathering holds up nothing else.

An RSVP transaction is opened in a thread of its own, as the view opens it (services.lock, then
services.respond, flushed) and kept open, while other people act through the test client. Every
connection has a lock_timeout: a write that queues where it should not fails fast (a 500 from
LockNotAvailable) instead of hanging, and no test measures time. The interleaving tests replay
the RSVP-vs-pin-correction order that once deadlocked: there a wait is fine, and the lock_timeout
is longer than PostgreSQL's deadlock_timeout (1 s) so that a deadlock shows as DeadlockDetected.
"""

import threading
import time
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from meetups.accounts.models import User
from meetups.extensions import db
from meetups.gatherings import placing, services
from meetups.gatherings.models import Gathering, Response, Rsvp
from meetups.places.geocoding import cache_key
from meetups.places.models import GeocodeResult, GeocodeStatus, Venue
from meetups.places.services import city_for, venue_for
from tests.conftest import PASSWORD, form_data, proposal_from

pytestmark = pytest.mark.postgres

WAIT = 30  # seconds; a thread that takes this long is stuck, and the test says so
PLACED = (45.7601, 4.8361)  # where an organiser pins a venue in Lyon
GEOCODED = (45.76051, 4.83598)  # where the geocoder's cache puts a pending venue


@pytest.fixture
def lock_timeout() -> str:
    """How long a statement may wait for a lock; a test replaying a wait asks for longer."""
    return "1s"


@pytest.fixture
def app_config(app_config, postgres_url, lock_timeout):
    """The conftest settings, on PostgreSQL only, with lock_timeout on every connection."""
    if postgres_url is None:
        pytest.skip("TEST_DATABASE_URL is not set: row locks are PostgreSQL's")
    options = {"options": f"-c lock_timeout={lock_timeout}"}
    return {
        **app_config,
        "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": options, "pool_pre_ping": True},
    }


class Transaction(threading.Thread):
    """steps(self) in an app context of its own: its own session, connection and transaction."""

    def __init__(self, app: Flask, steps: Callable[["Transaction"], None]):
        super().__init__(daemon=True)
        self.app, self.steps = app, steps
        self.holding = threading.Event()  # set by the steps once their locks are taken
        self.release = threading.Event()  # set by the test when the steps may commit
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with self.app.app_context():
                self.steps(self)
        except BaseException as error:
            self.error = error
        finally:
            self.holding.set()  # a failed thread must not leave the test waiting for it

    def wait_holding(self) -> None:
        assert self.holding.wait(WAIT), "the transaction never took its locks"
        if self.error is not None:
            raise self.error

    def finish(self) -> None:
        self.release.set()
        self.join(WAIT)
        assert not self.is_alive(), "the transaction never finished"
        if self.error is not None:
            raise self.error


def open_rsvp(gathering_id: int, user_id: int) -> None:
    """Begin an RSVP "going" as the view does: the gathering's lock, then the answer, flushed."""
    gathering = services.lock(gathering_id)
    services.respond(gathering, db.session.get(User, user_id), Response.GOING)


def rsvp_once_someone_waits(gathering_id: int, user_id: int) -> Callable[[Transaction], None]:
    """An RSVP that locks its gathering, then writes its answer only once another write waits."""

    def steps(tx: Transaction) -> None:
        gathering = services.lock(gathering_id)
        tx.holding.set()
        wait_for_someone_blocked_by_me()
        # The order that deadlocked: the waiting write had already updated the row every write
        # updated (content_versions), and this answer's flush then waited for that row.
        services.respond(gathering, db.session.get(User, user_id), Response.GOING)
        db.session.commit()

    return steps


def wait_for_someone_blocked_by_me() -> None:
    """Return once another connection waits for a lock this session's transaction holds."""
    me = db.session.scalar(sa.text("SELECT pg_backend_pid()"))
    blocked = sa.text("SELECT count(*) FROM pg_locks WHERE :me = ANY(pg_blocking_pids(pid))")
    deadline = time.monotonic() + WAIT
    with db.engine.connect() as watcher:
        while time.monotonic() < deadline:
            if watcher.scalar(blocked, {"me": me}):
                return
            watcher.rollback()  # a fresh look each time
            time.sleep(0.01)
    raise AssertionError("nobody ever waited for this transaction's locks")


def signed_in(app: Flask, user: User) -> FlaskClient:
    """A browser of its own, signed in through the login form."""
    client = app.test_client()
    response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.text
    return client


def post_location(client: FlaskClient, gathering_id: int, point: tuple[float, float]):
    latitude, longitude = point
    return client.post(
        f"/events/{gathering_id}/location",
        data={"latitude": str(latitude), "longitude": str(longitude)},
    )


def failures(caplog) -> list[str]:
    """What the 500 handler logged, so that a failed assertion says which lock went wrong."""
    return [
        f"{type(r.exc_info[1]).__name__}: {str(r.exc_info[1]).splitlines()[0]}"
        for r in caplog.records
        if r.exc_info
    ]


def rsvp_of(app: Flask, gathering_id: int, user_id: int) -> tuple[str, bool] | None:
    """A person's committed answer and whether they wait for a seat, read in a fresh session."""
    with app.app_context():
        rsvp = db.session.scalar(
            db.select(Rsvp).filter_by(gathering_id=gathering_id, user_id=user_id)
        )
        return rsvp and (rsvp.response, rsvp.is_waitlisted)


def venue_and_sequence(app: Flask, gathering_id: int) -> tuple[str, tuple, int]:
    """A gathering's venue (status, point) and SEQUENCE as committed, read in a fresh session."""
    with app.app_context():
        gathering = db.session.get(Gathering, gathering_id)
        venue = gathering.venue
        return venue.geocode_status, (venue.latitude, venue.longitude), gathering.sequence


def test_an_open_rsvp_holds_up_no_other_write(app, create_user, create_gathering, caplog):
    # Three gatherings at three venues; an RSVP to the first stays open while people act.
    g1 = create_gathering(venue_name="La Cordée", venue_address="3 rue Paul Chenavard, Lyon")
    g2 = create_gathering(venue_name="Le Bureau", venue_address="8 quai Saint-Vincent, Lyon")
    organiser3 = create_user()
    g3 = create_gathering(
        organiser=organiser3, venue_name="L'Atelier", venue_address="5 place Sathonay, Lyon"
    )
    holder, guest, proposer = create_user(), create_user(), create_user()
    guest_browser = signed_in(app, guest)
    organiser_browser = signed_in(app, organiser3)
    proposer_browser = signed_in(app, proposer)

    def hold_an_rsvp(tx: Transaction) -> None:
        open_rsvp(g1.id, holder.id)
        tx.holding.set()
        tx.release.wait(WAIT)
        db.session.commit()

    held = Transaction(app, hold_an_rsvp)
    held.start()
    try:
        held.wait_holding()
        answered = {
            "rsvp on another gathering": guest_browser.post(
                f"/events/{g2.id}/rsvp", data={"response": "going"}
            ).status_code,
            "pin correction at a third venue": post_location(
                organiser_browser, g3.id, PLACED
            ).status_code,
            "proposal": proposer_browser.post(
                "/events/new", data=form_data(title="Déjeuner des traducteurs")
            ).status_code,
        }
    finally:
        held.finish()

    assert answered == dict.fromkeys(answered, 303), failures(caplog)
    assert rsvp_of(app, g2.id, guest.id) == (Response.GOING, False)
    assert venue_and_sequence(app, g3.id) == (GeocodeStatus.MANUAL, PLACED, 1)
    with app.app_context():
        proposed = db.session.scalar(
            db.select(Gathering).filter_by(title="Déjeuner des traducteurs")
        )
        assert proposed is not None and proposed.organiser_id == proposer.id
    # And the transaction that was held open committed as well.
    assert rsvp_of(app, g1.id, holder.id) == (Response.GOING, False)
    assert failures(caplog) == []


@pytest.mark.parametrize("lock_timeout", ["10s"])
def test_a_pin_correction_waits_for_an_rsvp_instead_of_deadlocking(
    app, create_user, create_gathering, caplog
):
    # The order that deadlocked: an RSVP locks G; the pin correction of G's venue starts and
    # must wait for G; only then does the RSVP write its answer and commit. Both must commit.
    organiser = create_user()
    gathering = create_gathering(organiser=organiser)
    guest = create_user()
    organiser_browser = signed_in(app, organiser)

    rsvp = Transaction(app, rsvp_once_someone_waits(gathering.id, guest.id))
    rsvp.start()
    try:
        rsvp.wait_holding()
        status = post_location(organiser_browser, gathering.id, PLACED).status_code
    finally:
        rsvp.finish()

    assert status == 303, failures(caplog)
    assert rsvp_of(app, gathering.id, guest.id) == (Response.GOING, False)
    assert venue_and_sequence(app, gathering.id) == (GeocodeStatus.MANUAL, PLACED, 1)


@pytest.mark.parametrize("lock_timeout", ["10s"])
def test_geocode_pending_waits_for_an_rsvp_instead_of_deadlocking(
    app, runner, create_user, create_gathering
):
    # The same order from the command line: geocode-pending locates a venue (from the cache,
    # no network) while an RSVP holds a gathering there.
    gathering = create_gathering()  # proposed through the service: its venue is pending
    guest = create_user()
    with app.app_context():
        venue = db.session.get(Gathering, gathering.id).venue
        assert venue.geocode_status == GeocodeStatus.PENDING
        db.session.add(
            GeocodeResult(
                query_key=cache_key(venue.city, venue.address),
                provider="ban",
                latitude=GEOCODED[0],
                longitude=GEOCODED[1],
                precision="housenumber",
            )
        )
        db.session.commit()

    rsvp = Transaction(app, rsvp_once_someone_waits(gathering.id, guest.id))
    rsvp.start()
    try:
        rsvp.wait_holding()
        result = runner.invoke(args=["geocode-pending"])
    finally:
        rsvp.finish()

    assert result.exit_code == 0, (result.output, repr(result.exception))
    assert result.output.splitlines()[-1] == "Located 1 of 1 venues."
    assert rsvp_of(app, gathering.id, guest.id) == (Response.GOING, False)
    assert venue_and_sequence(app, gathering.id) == (GeocodeStatus.LOCATED, GEOCODED, 1)
    with app.app_context():
        assert db.session.scalar(db.select(Venue.geocoded_by)) == "ban"


# A venue made someone's own while someone else comes to meet there: the two queue, and the
# newcomer never ends up on the other's venue (its pin would be theirs to move).


def venue_of_titled(app: Flask, title: str) -> dict:
    """The venue of the gathering with this title, as committed: id, owner, point."""
    with app.app_context():
        venue = db.session.scalar(db.select(Gathering).filter_by(title=title)).venue
        return {"id": venue.id, "owner": venue.owner_id, "point": (venue.latitude, venue.longitude)}


@pytest.mark.parametrize("lock_timeout", ["10s"])
def test_a_proposal_choosing_the_venue_holds_off_making_it_someones_own(
    app, create_user, create_gathering, caplog
):
    # The member alone meets there so far; the newcomer's proposal has picked the venue.
    member, newcomer = create_user(), create_user()
    theirs = create_gathering(organiser=member)

    def propose_once_someone_waits(tx: Transaction) -> None:
        proposal = proposal_from(title="Arrivée")
        venue_for(city_for(proposal.place), proposal.venue_name, proposal.venue_address)
        tx.holding.set()
        wait_for_someone_blocked_by_me()
        services.propose(db.session.get(User, newcomer.id), proposal)
        db.session.commit()

    proposing = Transaction(app, propose_once_someone_waits)
    proposing.start()
    try:
        proposing.wait_holding()
        status = post_location(signed_in(app, member), theirs.id, PLACED).status_code
    finally:
        proposing.finish()

    assert status == 303, failures(caplog)
    # The newcomer's gathering was there first: the member gets a copy; the shared one stays.
    assert venue_and_sequence(app, theirs.id) == (GeocodeStatus.MANUAL, PLACED, 1)
    own, shared = venue_of_titled(app, "Apéro freelance"), venue_of_titled(app, "Arrivée")
    assert own["owner"] == member.id and own["id"] != shared["id"]
    assert shared == {**shared, "owner": None, "point": (None, None)}


@pytest.mark.parametrize("lock_timeout", ["10s"])
def test_a_proposal_passes_over_a_venue_being_made_someones_own(
    app, create_user, create_gathering, caplog
):
    member, newcomer = create_user(), create_user()
    theirs = create_gathering(organiser=member)

    def correct_once_someone_waits(tx: Transaction) -> None:
        gathering, user = db.session.get(Gathering, theirs.id), db.session.get(User, member.id)
        placing.correct_location(gathering, PLACED, user)
        tx.holding.set()
        wait_for_someone_blocked_by_me()
        db.session.commit()

    correcting = Transaction(app, correct_once_someone_waits)
    correcting.start()
    try:
        correcting.wait_holding()
        proposed = signed_in(app, newcomer).post("/events/new", data=form_data(title="Arrivée"))
    finally:
        correcting.finish()

    assert proposed.status_code == 303, failures(caplog)
    # The venue became the member's: the newcomer's proposal makes a new shared one.
    own, shared = venue_of_titled(app, "Apéro freelance"), venue_of_titled(app, "Arrivée")
    assert own == {**own, "owner": member.id, "point": PLACED}
    assert shared["owner"] is None and shared["id"] != own["id"]
