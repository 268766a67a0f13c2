"""Who takes over what a leaving person held: their packs, their pack gatherings, their venues.

Services flush; the caller commits.
"""

from sqlalchemy import update as sa_update

from meetups.accounts.models import User
from meetups.dates import utcnow
from meetups.extensions import db
from meetups.gatherings.models import Gathering, Series
from meetups.packs.models import Membership, MemberStatus, Pack, Role
from meetups.places.models import Venue


def lock_packs(user: User) -> list[Pack]:
    """The packs this person is an active organiser of, locked (after their gatherings)."""
    query = (
        db.select(Pack)
        .join(Membership, Membership.pack_id == Pack.id)
        .where(
            Membership.user_id == user.id,
            Membership.role == Role.ORGANISER,
            Membership.status == MemberStatus.ACTIVE,
        )
        .order_by(Pack.id)
        .with_for_update(of=Pack)
    )
    return list(db.session.scalars(query))


def _active(pack_id: int, leaving_id: int):
    """The active members of a pack other than the leaving person, longest-standing first;
    a suspended account takes nothing over (it cannot sign in to run it)."""
    return (
        db.select(Membership)
        .join(User, User.id == Membership.user_id)
        .where(
            Membership.pack_id == pack_id,
            Membership.status == MemberStatus.ACTIVE,
            Membership.user_id != leaving_id,
            User.suspended_at.is_(None),
        )
        .order_by(Membership.joined_at, Membership.id)
    )


def succeed(pack: Pack, leaving: User) -> Membership | None:
    """A pack losing its last organiser gets its longest-standing active member as one.

    Returns the new organiser's membership, or None when another organiser stays or when
    nobody is left (the pack keeps its past, with no organiser).
    """
    others = db.session.scalars(_active(pack.id, leaving.id)).all()
    if any(m.role == Role.ORGANISER for m in others) or not others:
        return None
    heir = others[0]
    heir.role = Role.ORGANISER
    db.session.flush()
    return heir


def organiser_after(pack_id: int | None, leaving: User) -> int | None:
    """The pack organiser a leaving organiser's gathering goes to (the longest-standing one)."""
    if pack_id is None:
        return None
    query = _active(pack_id, leaving.id).where(Membership.role == Role.ORGANISER).limit(1)
    heir = db.session.scalar(query)
    return heir.user_id if heir else None


def hand_series(series: Series, leaving: User) -> int | None:
    """A series goes to its pack's organiser, or stops (nothing more made); the new organiser."""
    heir = organiser_after(series.pack_id, leaving)
    series.organiser_id = heir
    if heir is None and series.stopped_at is None:
        series.stopped_at = utcnow()
    return heir


def release_venues(user: User) -> None:
    """This person's own placements become shared, or merge into the shared one of that place."""
    owned = db.session.scalars(db.select(Venue).filter_by(owner_id=user.id).order_by(Venue.id))
    for venue in owned.all():
        shared = db.session.scalar(
            db.select(Venue).filter_by(
                city_id=venue.city_id, name=venue.name, address=venue.address, owner_id=None
            )
        )
        if shared is None:
            venue.owner_id = None
            continue
        for model in (Gathering, Series):
            db.session.execute(
                sa_update(model)
                .where(model.venue_id == venue.id)
                .values(venue_id=shared.id)
                .execution_options(synchronize_session="fetch")
            )
        db.session.delete(venue)
    db.session.flush()
