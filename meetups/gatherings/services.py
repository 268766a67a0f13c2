"""Proposing, editing and cancelling gatherings. Services flush; the caller commits."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from meetups.accounts.models import User
from meetups.dates import utcnow
from meetups.extensions import db
from meetups.gatherings.models import Gathering, Response, Rsvp, Status, Tag
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


def propose(organiser: User, proposal: Proposal) -> Gathering:
    """Create a gathering; its organiser is going and holds a seat from the start."""
    now = utcnow()
    gathering = Gathering(organiser=organiser, created_at=now, updated_at=now)
    _apply(gathering, proposal)
    db.session.add(gathering)
    db.session.add(
        Rsvp(gathering=gathering, user=organiser, response=Response.GOING, responded_at=now)
    )
    db.session.flush()
    return gathering


def update(gathering: Gathering, proposal: Proposal) -> bool:
    """Apply an edit; a change anyone would notice in their calendar raises the sequence."""
    before = _fingerprint(gathering)
    _apply(gathering, proposal)
    changed = _fingerprint(gathering) != before
    if changed:
        gathering.sequence += 1
        gathering.updated_at = utcnow()
    db.session.flush()
    return changed


def cancel(gathering: Gathering) -> bool:
    """Mark a gathering cancelled (it stays visible); False when it already was."""
    if gathering.is_cancelled:
        return False
    gathering.status = Status.CANCELLED
    gathering.sequence += 1
    gathering.updated_at = utcnow()
    db.session.flush()
    return True


def _apply(gathering: Gathering, proposal: Proposal) -> None:
    city = city_for(proposal.place)
    gathering.title = proposal.title
    gathering.description = proposal.description
    gathering.city = city
    gathering.venue = venue_for(city, proposal.venue_name, proposal.venue_address)
    gathering.starts_at = proposal.starts_at
    gathering.ends_at = proposal.ends_at
    gathering.capacity = proposal.capacity
    gathering.tags = [tag_for(name) for name in proposal.tags]


def _fingerprint(gathering: Gathering) -> tuple:
    # Everything a calendar shows of the event; capacity is not in it.
    return (
        gathering.title,
        gathering.description,
        gathering.venue.id if gathering.venue else None,
        gathering.starts_at,
        gathering.ends_at,
        gathering.status,
        tuple(sorted(tag.name for tag in gathering.tags)),
    )


def tag_for(name: str) -> Tag:
    """Return the tag with this name, creating it if new."""
    query = db.select(Tag).filter_by(name=name)
    tag = db.session.scalar(query)
    if tag is None:
        tag = Tag(name=name)
        try:
            with db.session.begin_nested():
                db.session.add(tag)
        except IntegrityError:
            tag = db.session.scalar(query)
    return tag
