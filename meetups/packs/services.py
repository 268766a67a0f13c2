"""Making and editing packs, joining and leaving them, and what organisers do. Services flush;
the caller commits."""

import re
import unicodedata
from dataclasses import dataclass
from secrets import token_hex

from flask_babel import gettext as _
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError

from meetups.accounts.models import User
from meetups.dates import utcnow
from meetups.extensions import db
from meetups.gatherings.services import write_lock
from meetups.packs.models import MAX_NAME, JoinPolicy, Membership, MemberStatus, Pack, Role
from meetups.places import gazetteer
from meetups.places.services import city_for

SLUG_ATTEMPTS = 5  # two packs of one name made at once: the loser takes the next number


@dataclass(frozen=True)
class PackData:
    """What a person asked for, validated: the form's data in the shape services need."""

    name: str
    place: gazetteer.Place
    description: str
    join_policy: str
    join_question: str | None


class Refused(Exception):
    """A change the rules refuse; the message says why, in words for the person."""


def slugify(name: str) -> str:
    """ "Rédacteurs web de Lyon" -> "redacteurs-web-de-lyon": lower-case ASCII and hyphens."""
    folded = unicodedata.normalize("NFKD", gazetteer.normalise(name))
    ascii_only = folded.encode("ascii", "ignore").decode()
    return "-".join(re.findall(r"[a-z0-9]+", ascii_only))[:MAX_NAME].strip("-") or "pack"


def create(creator: User, data: PackData) -> Pack:
    """Make a pack with a slug of its own; its creator is its first organiser."""
    base = slugify(data.name)
    for attempt in range(SLUG_ATTEMPTS):
        now = utcnow()
        # Past a few collisions (a crowd creating one name at once), a random ending settles it.
        slug = _free_slug(base) if attempt < SLUG_ATTEMPTS - 1 else f"{base}-{token_hex(3)}"
        pack = Pack(slug=slug, created_at=now, updated_at=now)
        _apply(pack, data)
        organiser = Membership(
            pack=pack, user=creator, role=Role.ORGANISER, joined_at=now, requested_at=now
        )
        try:
            with db.session.begin_nested():  # another pack took this slug meanwhile: retry
                db.session.add_all([pack, organiser])
            return pack
        except IntegrityError:
            continue
    raise RuntimeError(f"no free slug for {base!r}")


def _free_slug(base: str) -> str:
    """The base slug, or base-2, base-3... the first that no pack has."""
    pattern = re.compile(rf"{re.escape(base)}(?:-(\d+))?")
    taken = db.session.scalars(db.select(Pack.slug).where(Pack.slug.like(f"{base}%")))
    numbers = {int(m.group(1) or 1) for s in taken if (m := pattern.fullmatch(s))}
    if 1 not in numbers:
        return base
    return f"{base}-{max(numbers) + 1}"


def update(pack: Pack, data: PackData) -> None:
    """Apply an edit; the slug stays."""
    _apply(pack, data)
    pack.updated_at = utcnow()
    db.session.flush()


def _apply(pack: Pack, data: PackData) -> None:
    pack.name = data.name
    pack.city = city_for(data.place)
    pack.description = data.description
    pack.join_policy = data.join_policy
    pack.join_question = data.join_question


def lock(slug: str) -> Pack | None:
    """Load a pack to change who belongs to it, holding its lock until the commit."""
    write_lock()
    return db.session.scalar(db.select(Pack).filter_by(slug=slug).with_for_update())


def join(pack: Pack, user: User, answer: str | None) -> Membership | None:
    """Join an open pack at once, or ask to join one with approval; None if already in it."""
    now = utcnow()
    is_open = pack.join_policy == JoinPolicy.OPEN
    # By ids: a refused insert must leave no trace in pack.memberships.
    membership = Membership(
        pack_id=pack.id,
        user_id=user.id,
        role=Role.MEMBER,
        status=MemberStatus.ACTIVE if is_open else MemberStatus.PENDING,
        answer=(answer or None) if pack.join_question else None,
        requested_at=now,
        joined_at=now if is_open else None,
    )
    try:
        with db.session.begin_nested():  # a double click: the unique constraint lets one in
            db.session.add(membership)
    except IntegrityError:
        return None
    return membership


def leave(pack: Pack, membership: Membership) -> None:
    """Leave a pack (under lock()); the last organiser must hand over first. RSVPs stay."""
    if membership.is_organiser and organiser_count(pack) <= 1:
        raise Refused(
            _("You are the last organiser: make another member organiser before you leave.")
        )
    db.session.delete(membership)
    db.session.flush()


def approve(membership: Membership) -> None:
    """A pending request becomes a membership."""
    if membership.status != MemberStatus.PENDING:
        raise Refused(_("This person is already a member."))
    membership.status = MemberStatus.ACTIVE
    membership.joined_at = utcnow()
    db.session.flush()


def decline(membership: Membership) -> None:
    """A pending request is removed."""
    if membership.status != MemberStatus.PENDING:
        raise Refused(_("This person is already a member."))
    db.session.delete(membership)
    db.session.flush()


def remove(pack: Pack, membership: Membership) -> None:
    """Take a member out of the pack (under lock()); never its last organiser."""
    if membership.status != MemberStatus.ACTIVE:
        raise Refused(_("This person is not a member yet."))
    if membership.is_organiser and organiser_count(pack) <= 1:
        raise Refused(_("The last organiser cannot be removed: make someone else organiser first."))
    db.session.delete(membership)
    db.session.flush()


def make_organiser(membership: Membership) -> None:
    """An active member becomes an organiser."""
    if membership.status != MemberStatus.ACTIVE:
        raise Refused(_("This person is not a member yet."))
    membership.role = Role.ORGANISER
    db.session.flush()


def organiser_count(pack: Pack) -> int:
    """Active organisers of this pack, counted in the database."""
    query = db.select(func.count()).where(
        Membership.pack_id == pack.id,
        Membership.role == Role.ORGANISER,
        Membership.status == MemberStatus.ACTIVE,
    )
    return db.session.scalar(query)
