"""Shared reads of packs: listings with their counts (pages and the API), and a person's packs."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlalchemy.orm import joinedload

from meetups.dates import utcnow
from meetups.extensions import db
from meetups.gatherings.models import Gathering, Status
from meetups.gatherings.queries import not_over
from meetups.packs.models import Membership, MemberStatus, Pack


@dataclass(frozen=True)
class ListedPack:
    """A pack with what a listing shows of it: active members, upcoming gatherings."""

    pack: Pack
    member_count: int
    upcoming_count: int


def listed(city_id: int | None = None, now: datetime | None = None) -> list[ListedPack]:
    """Packs (one city's, with city_id) with their counts, by city name then pack name; three
    queries whatever their number."""
    query = db.select(Pack).join(Pack.city).options(joinedload(Pack.city))
    if city_id is not None:
        query = query.where(Pack.city_id == city_id)
    packs = list(db.session.scalars(query.order_by(Pack.city_id, func.lower(Pack.name))))
    ids = [pack.id for pack in packs]
    members, upcoming = member_counts(ids), upcoming_counts(ids, now)
    rows = [ListedPack(p, members.get(p.id, 0), upcoming.get(p.id, 0)) for p in packs]
    return sorted(rows, key=lambda row: (row.pack.city.name, row.pack.name.casefold()))


def member_counts(pack_ids: list[int]) -> dict[int, int]:
    """Active members per pack (pending requests do not count)."""
    if not pack_ids:
        return {}
    query = (
        db.select(Membership.pack_id, func.count())
        .where(Membership.pack_id.in_(pack_ids), Membership.status == MemberStatus.ACTIVE)
        .group_by(Membership.pack_id)
    )
    return dict(db.session.execute(query).all())


def upcoming_counts(pack_ids: list[int], now: datetime | None = None) -> dict[int, int]:
    """Gatherings not yet over and not cancelled, per pack."""
    if not pack_ids:
        return {}
    query = (
        db.select(Gathering.pack_id, func.count())
        .where(
            Gathering.pack_id.in_(pack_ids),
            Gathering.status.in_(Status.LIVE),
            *not_over(now or utcnow()),
        )
        .group_by(Gathering.pack_id)
    )
    return dict(db.session.execute(query).all())


def membership(pack_id: int, user_id: int | None) -> Membership | None:
    """This person's row in this pack (pending or active), or None."""
    if user_id is None:
        return None
    return db.session.scalar(db.select(Membership).filter_by(pack_id=pack_id, user_id=user_id))


def mine(user_id: int) -> list[Pack]:
    """The packs this person is an active member of, by name (the proposal form's choices)."""
    query = (
        db.select(Pack)
        .join(Membership, Membership.pack_id == Pack.id)
        .where(Membership.user_id == user_id, Membership.status == MemberStatus.ACTIVE)
        .order_by(func.lower(Pack.name))
    )
    return list(db.session.scalars(query))


def members(pack_id: int, status: str = MemberStatus.ACTIVE, role: str | None = None):
    """This pack's memberships of one status (and role), with their people, organisers first."""
    query = (
        db.select(Membership)
        .where(Membership.pack_id == pack_id, Membership.status == status)
        .options(joinedload(Membership.user))
    )
    if role is not None:
        query = query.where(Membership.role == role)
    # "organiser" sorts before "member" backwards; then by date.
    order = (Membership.role.desc(), Membership.joined_at, Membership.requested_at, Membership.id)
    return list(db.session.scalars(query.order_by(*order)))


def of_person(user_id: int) -> list[Pack]:
    """The packs a person is an active member of, with their cities (a profile's list)."""
    query = (
        db.select(Pack)
        .join(Membership, Membership.pack_id == Pack.id)
        .where(Membership.user_id == user_id, Membership.status == MemberStatus.ACTIVE)
        .options(joinedload(Pack.city))
        .order_by(func.lower(Pack.name))
    )
    return list(db.session.scalars(query))


def pending_count(pack_id: int) -> int:
    """Requests to join this pack waiting for an organiser."""
    query = db.select(func.count()).where(
        Membership.pack_id == pack_id, Membership.status == MemberStatus.PENDING
    )
    return db.session.scalar(query)
