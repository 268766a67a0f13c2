"""Deleting an account (GDPR article 17) in one transaction. Services flush; the caller commits.

What is still to come is settled first: seats go down the waitlist, gatherings are cancelled
or handed to the pack's organiser, series stop or are handed over, packs get an organiser.
Then the account goes; the database anonymises what stays (past answers and gatherings point
at nobody) and takes away what was only theirs (memberships, marks, mails, settings).
"""

from dataclasses import dataclass, field

from sqlalchemy import delete

from meetups.accounts.models import User
from meetups.dates import utcnow
from meetups.extensions import db
from meetups.gatherings import seating, services, signals
from meetups.gatherings.models import Gathering, Rsvp, Series
from meetups.notifications import services as notifications
from meetups.notifications.models import Kind
from meetups.privacy import succession


@dataclass
class Deleted:
    """What a deletion did, for tests and logs: ids only."""

    cancelled: list[int] = field(default_factory=list)
    handed_over: dict[int, int] = field(default_factory=dict)  # gathering id -> new organiser
    promoted: list[int] = field(default_factory=list)  # who got a seat this person held
    new_pack_organisers: list[int] = field(default_factory=list)


def delete_account(user: User) -> Deleted:
    """Delete this account and settle what it leaves behind; report what people must be told."""
    done = Deleted()
    services.write_lock()  # SQLite: the whole deletion holds the write lock, like an RSVP
    # The account first, as a suspension takes it: then its series, then its gatherings. FOR NO
    # KEY UPDATE: another's answer that moves this person up (an outbox row naming them takes a
    # key-share lock) must not wait for it while this deletion waits for that gathering.
    locking = {"key_share": True}
    user = db.session.get(User, user.id, with_for_update=locking, populate_existing=True)
    if user is None:  # deleted meanwhile (another tab): nothing left to do
        return done
    series = _lock_series(user)
    ahead = [services.locked(gid) for gid in _ahead_ids(user)]  # gatherings, in id order
    for pack in succession.lock_packs(user):
        heir = succession.succeed(pack, user)
        if heir is not None:
            done.new_pack_organisers.append(heir.user_id)
    for one in series:
        succession.hand_series(one, user)
    for gathering in ahead:
        if gathering is not None:
            _settle(gathering, user, done)
    db.session.execute(
        delete(Rsvp)
        .where(Rsvp.user_id == user.id, Rsvp.gathering_id.in_([g.id for g in ahead if g]))
        .execution_options(synchronize_session="fetch")
    )
    succession.release_venues(user)
    db.session.delete(user)
    db.session.flush()
    return done


def _lock_series(user: User) -> list[Series]:
    """Their series, locked before the gatherings (the order an edit of occurrences takes)."""
    query = db.select(Series).filter_by(organiser_id=user.id).order_by(Series.id).with_for_update()
    return list(db.session.scalars(query))


def _ahead_ids(user: User) -> list[int]:
    """The gatherings not over that this person organises or answered, by id (the lock order)."""
    answered = db.select(Rsvp.gathering_id).where(Rsvp.user_id == user.id)
    query = (
        db.select(Gathering.id)
        .where(
            Gathering.ends_at > utcnow(),
            (Gathering.organiser_id == user.id) | Gathering.id.in_(answered),
        )
        .order_by(Gathering.id)
    )
    return list(db.session.scalars(query))


def _settle(gathering: Gathering, user: User, done: Deleted) -> None:
    """One gathering still to come: handed over or cancelled if theirs, their seat freed."""
    if gathering.is_hidden:  # removed by moderators: it stays so, with nobody's name
        return
    if gathering.organiser_id == user.id:
        heir = succession.organiser_after(gathering.pack_id, user)
        if heir is None or gathering.is_cancelled:
            if services.cancel(gathering):
                done.cancelled.append(gathering.id)
                signals.report(signals.cancelled, gathering=gathering, by=user)
            return
        _hand_over(gathering, user, heir, done)
    _free_seat(gathering, user, done)


def _hand_over(gathering: Gathering, user: User, heir_id: int, done: Deleted) -> None:
    """The gathering goes to the pack's organiser, who is told; they hold a seat, as organisers do."""
    gathering.organiser_id = heir_id
    theirs = db.session.scalar(
        db.select(Rsvp).filter_by(gathering_id=gathering.id, user_id=heir_id)
    )
    if theirs is None or not seating.holds_seat(theirs.response, theirs.is_waitlisted):
        # The leaving organiser's seat becomes theirs: nobody else's place changes.
        if theirs is not None:
            db.session.delete(theirs)
            db.session.flush()
        mine = db.session.scalar(
            db.select(Rsvp).filter_by(gathering_id=gathering.id, user_id=user.id)
        )
        if mine is not None:  # an organiser holds a seat; a row made by hand may not
            mine.user_id, mine.updated_at = heir_id, utcnow()
            mine.sequence += 1
            mine.history = [services.first_answer(mine.updated_at)]  # theirs from now on
    db.session.flush()
    done.handed_over[gathering.id] = heir_id
    key = f"{Kind.HANDED_OVER}:{gathering.id}:{{user}}:{gathering.sequence}"
    notifications.queue(Kind.HANDED_OVER, [heir_id], key, gathering.id)


def _free_seat(gathering: Gathering, user: User, done: Deleted) -> None:
    """Their answer becomes "no" by the RSVP rules: a seat they held goes down the line."""
    if gathering.is_cancelled or gathering.is_past():
        return
    try:
        outcome = services.respond(gathering, user, "no")
    except services.RsvpRefused:  # no answer of theirs to free (or theirs to organise)
        return
    done.promoted.extend(outcome.promoted)
    signals.report(signals.answered, gathering=gathering, user=user, outcome=outcome)
