"""Placing a venue by hand: whose gatherings a correction moves, and the versions calendars see.

An admin places the venue itself, for every gathering there. An organiser places their own
gatherings only: the venue becomes theirs when nobody else meets there, else they get a copy
of it (same city, name and address) and their gatherings move onto it.
"""

from sqlalchemy import update as sa_update

from meetups.accounts.models import User
from meetups.dates import utcnow
from meetups.extensions import db
from meetups.gatherings.models import Gathering
from meetups.gatherings.services import write_lock
from meetups.places.models import Venue
from meetups.places.services import copy_venue, own_venue, place_venue


def correct_location(gathering: Gathering, point: tuple[float, float], by: User) -> bool:
    """Place a venue by hand: every gathering there if by an admin (True), else the organiser's."""
    write_lock()  # SQLite: who meets there is read in the transaction that moves the venue
    if not by.is_admin:
        _place_own(gathering, point)
        return False
    venue_moved(gathering.venue_id, point)  # first: it locks the gatherings before the venue
    place_venue(gathering.venue, *point)
    return True


def venue_moved(venue_id: int, point: tuple[float, float] | None = None) -> None:
    """A venue is about to move (to point): calendars must show the new GEO of what is there."""
    here = Gathering.venue_id == venue_id
    _lock_gatherings(here, Gathering.ends_at > utcnow())
    _new_versions(here, point)


def _place_own(gathering: Gathering, point: tuple[float, float]) -> None:
    """Put the organiser's gatherings at this name and address on a venue of their own, placed."""
    venue, organiser_id = gathering.venue, gathering.organiser_id
    own = own_venue(venue, organiser_id)
    _lock_gatherings(_theirs(organiser_id, venue, own))
    own = own or _made_own(venue, organiser_id)
    _new_versions(_theirs(organiser_id, venue, own), point)
    if own.id != venue.id:
        _move_gatherings(organiser_id, venue, own)
    place_venue(own, *point)


def _made_own(venue: Venue, organiser_id: int) -> Venue:
    """The venue itself becomes theirs if nobody else meets there; else they get a copy."""
    # FOR UPDATE holds off anyone about to meet there (venue_for's FOR SHARE) while we look.
    db.session.refresh(venue, with_for_update=True)
    if venue.owner_id not in (None, organiser_id) or _others_meet_at(venue, organiser_id):
        return copy_venue(venue, organiser_id)
    venue.owner_id = organiser_id
    return venue


def _others_meet_at(venue: Venue, organiser_id: int) -> bool:
    """Someone else has a gathering at this venue, past, cancelled or to come."""
    others = db.select(Gathering.id).where(
        Gathering.venue_id == venue.id, Gathering.organiser_id != organiser_id
    )
    return db.session.scalar(others.exists().select())


def _move_gatherings(organiser_id: int, venue: Venue, own: Venue) -> None:
    """Their gatherings at the venue go to their own placement of it (locked already)."""
    db.session.execute(
        sa_update(Gathering)
        .where(Gathering.venue_id == venue.id, Gathering.organiser_id == organiser_id)
        .values(venue_id=own.id)
        .execution_options(synchronize_session="fetch")
    )


def _theirs(organiser_id: int, venue: Venue, own: Venue | None):
    """Their gatherings at this venue or at their own placement of it."""
    venue_ids = {venue.id} | ({own.id} if own else set())
    return (Gathering.organiser_id == organiser_id) & Gathering.venue_id.in_(venue_ids)


def _lock_gatherings(*where) -> None:
    # Before the venue is written, so locks come in one order: these gatherings, then their
    # venue, as an RSVP or an edit locks its gathering first (the reverse deadlocked).
    # By id, so two moves of one venue queue; NO KEY UPDATE is what the UPDATE takes anyway.
    db.session.execute(
        db.select(Gathering.id).where(*where).order_by(Gathering.id).with_for_update(key_share=True)
    )


def _new_versions(where, point: tuple[float, float] | None) -> None:
    """Upcoming gatherings (of where) whose GEO is about to change get a new SEQUENCE."""
    now = utcnow()
    moving = db.select(Gathering.id).join(Gathering.venue).where(where, Gathering.ends_at > now)
    if point is not None:  # else unknown yet: count it as a change
        latitude, longitude = point
        moving = moving.where(
            Venue.latitude.is_distinct_from(latitude) | Venue.longitude.is_distinct_from(longitude)
        )
    # One UPDATE, so an edit saved at the same moment cannot lose this raise of SEQUENCE.
    db.session.execute(
        sa_update(Gathering)
        .where(Gathering.id.in_(moving))
        .values(sequence=Gathering.sequence + 1, updated_at=now)
        .execution_options(synchronize_session="fetch")
    )
