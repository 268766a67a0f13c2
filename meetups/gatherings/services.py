"""Proposing, editing and cancelling gatherings. Services flush; the caller commits."""

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import Integer, bindparam, func, text
from sqlalchemy import insert as sa_insert
from sqlalchemy import update as sa_update
from sqlalchemy.exc import IntegrityError

from meetups.accounts.models import User
from meetups.database import inserted_or_found
from meetups.dates import UTCDateTime, utcnow
from meetups.extensions import db
from meetups.gatherings import quorum, seating
from meetups.gatherings.models import AnswerChange, Gathering, Response, Rsvp, Status, Tag
from meetups.gatherings.queries import proposed_with
from meetups.places import gazetteer
from meetups.places.services import city_for, venue_for


@dataclass(frozen=True)
class Proposal:
    """What a person asked for, validated: the form's data in the shape services need."""

    title: str
    description: str
    place: gazetteer.Place
    venue_name: str
    venue_address: str
    starts_at: datetime
    ends_at: datetime
    capacity: int | None
    tags: tuple[str, ...]
    pack_id: int | None = None  # checked by the form: only the pack's active members may
    min_going: int | None = None  # a quorum: tentative until this many are going
    decide_at: datetime | None = None  # when tick decides it; None: quorum's default


class AlreadyProposed(Exception):
    """This organiser already proposed a gathering with this form's key: that one stands."""

    def __init__(self, gathering_id: int):
        super().__init__(gathering_id)
        self.gathering_id = gathering_id


def propose(organiser: User, proposal: Proposal, key: str | None = None) -> Gathering:
    """Create a gathering, its organiser going; AlreadyProposed if this key already made one."""
    # The same form sent again once the first has been answered: found without writing.
    if (twin := proposed_with(organiser.id, key)) is not None:
        raise AlreadyProposed(twin.id)
    now = utcnow()
    gathering = Gathering(organiser=organiser, idempotency_key=key, created_at=now, updated_at=now)
    _apply(gathering, proposal, organiser.id)
    # The organiser alone is going, short of any quorum (at least 2).
    gathering.status = (
        Status.SCHEDULED if quorum.is_reached(proposal.min_going, 1) else Status.TENTATIVE
    )
    rsvp = Rsvp(gathering=gathering, user=organiser, response=Response.GOING, responded_at=now)
    rsvp.history = [first_answer(now)]
    try:
        with db.session.begin_nested():  # sent twice at once: the database lets one in
            db.session.add_all([gathering, rsvp])
    except IntegrityError:
        if (twin := proposed_with(organiser.id, key)) is None:
            raise
        raise AlreadyProposed(twin.id) from None
    return gathering


@dataclass(frozen=True)
class Edit:
    """What an edit did: whether calendars show a change, which of the things people are told
    about changed (with what they were), and who got one of the extra seats."""

    changed: bool
    noticed: tuple[str, ...] = ()  # of NOTICED, in that order
    before: dict = field(default_factory=dict)  # each noticed thing as it was, as text
    promoted: tuple[int, ...] = ()


# What people who answered are told of when it changes (a description or a tag is not).
NOTICED = ("title", "time", "venue", "status")


def update(gathering: Gathering, proposal: Proposal) -> Edit:
    """Apply an edit (under lock()); a change calendars would show raises the sequence.

    Extra seats go to the waitlist at once, in order.
    """
    before, seen = _fingerprint(gathering), _noticeable(gathering)
    had_quorum = gathering.min_going is not None
    _apply(gathering, proposal, gathering.organiser_id)
    db.session.flush()
    db.session.expire(gathering, ["pack"])  # set by id above: loaded again when next read
    promoted = promote_waitlisted(gathering)
    # After the promotions: seats they gave count towards the quorum.
    going = seats_taken(gathering)
    gathering.status = quorum.status_after_edit(
        gathering.status, had_quorum, gathering.min_going, going
    )
    changed = _fingerprint(gathering) != before
    if changed:
        gathering.sequence += 1
        gathering.updated_at = utcnow()
    now = _noticeable(gathering)
    noticed = tuple(name for name in NOTICED if now[name] != seen[name])
    return Edit(changed, noticed, {name: seen[name] for name in noticed}, tuple(promoted))


def _noticeable(gathering: Gathering) -> dict[str, str]:
    """The things people are told about when they change, as text a mail can quote."""
    venue = gathering.venue
    return {
        "title": gathering.title,
        "time": f"{gathering.starts_at.isoformat()}/{gathering.ends_at.isoformat()}",
        "venue": f"{venue.name}, {venue.address}" if venue else "",
        "status": gathering.status,
    }


def cancel(gathering: Gathering, message: str | None = None) -> bool:
    """Mark a gathering cancelled (it stays visible), with an optional message; False if it was."""
    if gathering.is_cancelled:
        return False
    now = utcnow()
    gathering.status = Status.CANCELLED
    gathering.cancelled_at = now
    gathering.cancel_message = message or None
    gathering.sequence += 1
    gathering.updated_at = now
    db.session.flush()
    return True


def hide(gathering: Gathering) -> bool:
    """Remove a gathering from every list, feed and the API (under lock()), as moderators do;
    False if it was hidden already."""
    if gathering.is_hidden:
        return False
    gathering.status = Status.HIDDEN
    gathering.sequence += 1
    gathering.updated_at = utcnow()
    db.session.flush()
    return True


class NotReinstated(Exception):
    """A reinstatement the rules refuse; the message says why, in words for the person."""


def reinstate(gathering: Gathering) -> list[int]:
    """Schedule a cancelled gathering again (under lock()); return who got a free seat (user ids)."""
    if not gathering.is_cancelled:
        raise NotReinstated(_("This gathering is not cancelled: nothing to reinstate."))
    if gathering.has_started():
        raise NotReinstated(
            _("This gathering has already started: it can no longer be reinstated.")
        )
    short = not quorum.is_reached(gathering.min_going, seats_taken(gathering))
    if short and gathering.decide_at is not None and gathering.decide_at <= utcnow():
        raise NotReinstated(
            _(
                "Its decision time has passed short of its minimum: change the decision time "
                "or the minimum first (edit it), then reinstate it."
            )
        )
    gathering.status = Status.TENTATIVE if short else Status.SCHEDULED
    gathering.cancelled_at = gathering.cancel_message = None
    gathering.sequence += 1
    gathering.updated_at = utcnow()
    db.session.flush()
    # Answers were kept as they stood; a seat added while it was cancelled goes down the line.
    promoted = promote_waitlisted(gathering)
    if short and quorum.is_reached(gathering.min_going, seats_taken(gathering)):
        gathering.status = Status.SCHEDULED  # the seats just given make the quorum
    return promoted


def _apply(gathering: Gathering, proposal: Proposal, organiser_id: int) -> None:
    city = city_for(proposal.place)
    gathering.title = proposal.title
    gathering.description = proposal.description
    gathering.city = city
    # The organiser's, even when an admin edits: their own placement of the venue, if any.
    gathering.venue = venue_for(
        city, proposal.venue_name, proposal.venue_address, owner_id=organiser_id
    )
    gathering.starts_at = proposal.starts_at
    gathering.ends_at = proposal.ends_at
    gathering.capacity = proposal.capacity
    # New tags are inserted in one order everywhere, so two proposals cannot deadlock on them.
    gathering.tags = [tag_for(name) for name in sorted(proposal.tags)]
    gathering.pack_id = proposal.pack_id
    gathering.min_going = proposal.min_going
    gathering.decide_at = None
    if proposal.min_going is not None:
        gathering.decide_at = proposal.decide_at or quorum.default_decide_at(
            proposal.starts_at, utcnow()
        )


def _fingerprint(gathering: Gathering) -> tuple:
    # Everything a calendar shows of the event; capacity is not in it. The pack is: the
    # gathering enters one pack's feed and leaves another's.
    return (
        gathering.title,
        gathering.description,
        gathering.venue.id if gathering.venue else None,
        gathering.starts_at,
        gathering.ends_at,
        gathering.status,
        tuple(sorted(tag.name for tag in gathering.tags)),
        gathering.pack_id,
    )


def tag_for(name: str) -> Tag:
    """Return the tag with this name, creating it if new."""
    query = db.select(Tag).filter_by(name=name)
    return db.session.scalar(query) or inserted_or_found(Tag(name=name), query)


# RSVPs -----------------------------------------------------------------------------------
#
# Seats are counted with a query while holding a lock on the gathering, never from a stored
# counter. Without the lock, check-then-insert oversells under load (measured elsewhere on
# this stack: a 10-seat event sold 16 seats on PostgreSQL, 40 on SQLite). PostgreSQL takes a
# row lock (SELECT ... FOR UPDATE), which queues RSVPs to the same gathering only. SQLite has
# no row locks and SQLAlchemy renders no FOR UPDATE there, so the transaction starts with
# BEGIN IMMEDIATE: it takes the database's write lock before reading the count, and other
# writers wait (busy timeout) instead of reading a count that is about to change; a plain
# read-then-write transaction would fail with "database is locked" or oversell.


class RsvpRefused(Exception):
    """An RSVP that the rules refuse; the message says why, in words for the person."""


@dataclass(frozen=True)
class RsvpOutcome:
    response: str
    is_waitlisted: bool
    changed: bool
    place_in_line: int | None = None  # 1 for the first person waiting, when this one waits
    promoted: tuple[int, ...] = ()  # who got the seat this answer freed (user ids)
    confirmed: bool = False  # this answer brought the quorum: the gathering is on


def lock(gathering_id: int) -> Gathering | None:
    """Load a gathering for a change to its seats, holding its lock until the commit."""
    write_lock()
    return locked(gathering_id)


def locked(gathering_id: int) -> Gathering | None:
    """Load a gathering holding its row lock, once write_lock() was taken (for several rows)."""
    return db.session.scalars(_LOCK, {"id": gathering_id}).one_or_none()


def write_lock() -> None:
    """On SQLite, which has no row locks, take the database's write lock before reading."""
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(text("BEGIN IMMEDIATE"))


def seats_taken(gathering: Gathering) -> int:
    """How many people hold a seat (organiser included); waitlisted people hold none."""
    query = db.select(func.count()).where(
        Rsvp.gathering_id == gathering.id,
        Rsvp.response == Response.GOING,
        Rsvp.is_waitlisted.is_(False),
    )
    return db.session.scalar(query)


def respond(gathering: Gathering, user: User, response: str) -> RsvpOutcome:
    """Record someone's answer under the lock taken by lock(): a seat, the waitlist, or none."""
    _check_open(gathering, user)
    # Read before this answer changes anything (a query would flush it half-made).
    rsvp, taken, waiting = _answer_and_seats(gathering, user)
    if rsvp is not None and rsvp.response == response:
        return RsvpOutcome(response, rsvp.is_waitlisted, changed=False)
    had_seat = rsvp is not None and seating.holds_seat(rsvp.response, rsvp.is_waitlisted)
    waits = seating.waits(response, gathering.capacity, taken)
    if rsvp is None:
        rsvp = Rsvp(gathering_id=gathering.id, user_id=user.id, sequence=0)
        db.session.add(rsvp)
    else:
        rsvp.sequence += 1
    rsvp.response = response
    # After the lock, so the waitlist follows the order in which answers were served.
    rsvp.responded_at = rsvp.updated_at = utcnow()
    rsvp.promoted_at = None
    rsvp.is_waitlisted = waits
    db.session.flush()
    remember([(rsvp.id, response, waits)], rsvp.responded_at)
    promoted = promote_waitlisted(gathering, taken=taken - 1) if had_seat else []
    # A newcomer to the line is behind everyone already in it.
    place = waiting + 1 if waits else None
    seated = response == Response.GOING and not waits
    confirmed = seated and quorum.is_reached(gathering.min_going, taken + 1) and confirm(gathering)
    return RsvpOutcome(response, waits, True, place, tuple(promoted), confirmed=bool(confirmed))


def first_answer(at: datetime) -> AnswerChange:
    """The story of an organiser's answer starts with "going", a seat held."""
    return AnswerChange(response=Response.GOING, is_waitlisted=False, at=at)


def remember(changes: list[tuple[int, str, bool]], at: datetime) -> None:
    """Write what answers became, (rsvp id, response, waitlisted), into their history."""
    if changes:
        rows = [
            {"rsvp_id": rsvp_id, "response": response, "is_waitlisted": waits, "at": at}
            for rsvp_id, response, waits in changes
        ]
        db.session.execute(_REMEMBER, rows)


def confirm(gathering: Gathering) -> bool:
    """Confirm a tentative gathering (under lock()): calendars get a new version; False if not tentative."""
    if not gathering.is_tentative:
        return False
    gathering.status = Status.SCHEDULED
    gathering.sequence += 1
    gathering.updated_at = utcnow()
    db.session.flush()
    return True


def _answer_and_seats(gathering: Gathering, user: User) -> tuple[Rsvp | None, int, int]:
    """This person's RSVP (or None), the seats taken and the people waiting, in one query."""
    params = {"gid": gathering.id, "uid": user.id}
    rsvp, taken, waiting = db.session.execute(_MINE_AND_SEATS, params).one()
    return rsvp, taken, waiting


def promote_waitlisted(gathering: Gathering, taken: int | None = None) -> list[int]:
    """Give every free seat to the earliest waitlisted people; return who got one (user ids).

    taken: the seats held now, when the caller knows it (under the lock); else counted.
    """
    # Counted only when there is a limit: with none, the seats taken change nothing.
    if taken is None and gathering.capacity is not None:
        taken = seats_taken(gathering)
    free = seating.to_promote(gathering.capacity, taken or 0, waiting=_EVERYONE)
    if free == 0:
        return []
    params = {"gid": gathering.id, "free": free, "now": utcnow()}
    moved = db.session.execute(_PROMOTE, params).all()
    remember([(rsvp_id, Response.GOING, False) for rsvp_id, _user in moved], params["now"])
    return [user_id for _rsvp, user_id in moved]


# The RSVP statements are built once, with parameters: building them took SQLAlchemy
# longer than running them took PostgreSQL.
_LOCK = (
    db.select(Gathering)
    .where(Gathering.id == bindparam("id"))
    .with_for_update()
    .execution_options(populate_existing=True)
)
_going = Rsvp.response == Response.GOING
_seats = (
    db.select(
        func.count().filter(_going & Rsvp.is_waitlisted.is_(False)).label("taken"),
        func.count().filter(_going & Rsvp.is_waitlisted.is_(True)).label("waiting"),
    )
    .where(Rsvp.gathering_id == bindparam("gid"))
    .subquery()
)
_MINE_AND_SEATS = (
    db.select(Rsvp, _seats.c.taken, _seats.c.waiting)
    .select_from(_seats)
    .outerjoin(
        Rsvp,
        (Rsvp.gathering_id == bindparam("gid")) & (Rsvp.user_id == bindparam("uid")),
    )
)
# The LIMIT needs a number: as many as could ever wait, so it is seating's rule that limits.
_EVERYONE = 2**31 - 1
_first_in_line = (
    db.select(Rsvp.id)
    .where(Rsvp.gathering_id == bindparam("gid"), Rsvp.is_waitlisted.is_(True))
    .order_by(Rsvp.responded_at, Rsvp.id)
    .limit(bindparam("free", type_=Integer))
)
_now = bindparam("now", type_=UTCDateTime)
# The table's own INSERT (no ORM bulk machinery): the history costs an answer one statement.
_REMEMBER = sa_insert(AnswerChange.__table__)
# One statement: the waiting rows are neither loaded nor flushed one by one.
_PROMOTE = (
    sa_update(Rsvp)
    .where(Rsvp.id.in_(_first_in_line.scalar_subquery()))
    .values(is_waitlisted=False, promoted_at=_now, updated_at=_now, sequence=Rsvp.sequence + 1)
    .returning(Rsvp.id, Rsvp.user_id)  # ids: loading whole RSVPs costs more than this
    .execution_options(synchronize_session="fetch")
)


def _check_open(gathering: Gathering, user: User) -> None:
    """Raise RsvpRefused when seating's rules refuse this person's answer."""
    is_organiser = gathering.organiser_id == user.id
    why = seating.refusal(gathering.is_cancelled, gathering.is_past(), is_organiser)
    if why is not None:
        raise RsvpRefused(why)
