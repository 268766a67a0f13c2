"""What a profile page reads: the gatherings a person holds a seat at."""

from sqlalchemy.orm import joinedload

from meetups.dates import utcnow
from meetups.extensions import db
from meetups.gatherings.models import Gathering, Response, Rsvp, Status
from meetups.gatherings.queries import not_over

UPCOMING_LIMIT = 20


def going_to(person_id: int, limit: int = UPCOMING_LIMIT) -> list[Gathering]:
    """The upcoming, not cancelled gatherings this person holds a seat at, soonest first."""
    query = (
        db.select(Gathering)
        .join(Rsvp, Rsvp.gathering_id == Gathering.id)
        .where(
            Rsvp.user_id == person_id,
            Rsvp.response == Response.GOING,
            Rsvp.is_waitlisted.is_(False),
            Gathering.status == Status.SCHEDULED,
            *not_over(utcnow()),
        )
        .options(joinedload(Gathering.city))
        .order_by(Gathering.starts_at, Gathering.id)
        .limit(limit)
    )
    return list(db.session.scalars(query))
