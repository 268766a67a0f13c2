"""Who met whom at a gathering: one's own marks, and the contacts two marks each way make."""

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from sqlalchemy import delete
from sqlalchemy.orm import aliased, joinedload

from meetups.accounts.models import User
from meetups.database import inserted_or_found
from meetups.dates import utcnow
from meetups.extensions import db
from meetups.gatherings.attendance import Attendance
from meetups.gatherings.models import Encounter, Gathering, Response, Rsvp


def open_for_marks(gathering: Gathering) -> bool:
    """People say whom they met once a gathering has started, unless it was cancelled."""
    return gathering.has_started() and not gathering.is_cancelled


def went(gathering: Gathering, user_ids: tuple[int, ...]) -> set[int]:
    """Which of these people went: a seat held (going, not waitlisted), the organiser always."""
    query = db.select(Rsvp.user_id).where(
        Rsvp.gathering_id == gathering.id,
        Rsvp.user_id.in_(user_ids),
        Rsvp.response == Response.GOING,
        Rsvp.is_waitlisted.is_(False),
    )
    found = set(db.session.scalars(query))
    return found | ({gathering.organiser_id} & set(user_ids))


def markable(gathering: Gathering, viewer, person_id: int) -> User | None:
    """The person this viewer may say they met here: someone else who went, whose name the
    viewer may see on the page (hidden people only for those who manage it); else None."""
    if person_id == viewer.id or person_id not in went(gathering, (person_id,)):
        return None
    person = db.session.get(User, person_id)
    if person is None or (person.is_hidden and not gathering.can_be_managed_by(viewer)):
        return None
    return person


def mark(gathering: Gathering, user: User, person: User) -> None:
    """Record that this user met the person here; once only, even sent twice at once."""
    row = Encounter(
        gathering_id=gathering.id, user_id=user.id, met_id=person.id, created_at=utcnow()
    )
    inserted_or_found(row, _own_mark(gathering.id, user.id, person.id))


def unmark(gathering_id: int, user_id: int, person_id: int) -> bool:
    """Take back one's own mark (the other person's stays theirs); whether there was one."""
    query = delete(Encounter).where(
        Encounter.gathering_id == gathering_id,
        Encounter.user_id == user_id,
        Encounter.met_id == person_id,
    )
    return db.session.execute(query).rowcount > 0


def has_marked(gathering_id: int, user_id: int, person_id: int) -> bool:
    """Whether this user said they met the person at this gathering."""
    return db.session.scalar(_own_mark(gathering_id, user_id, person_id)) is not None


def _own_mark(gathering_id: int, user_id: int, person_id: int):
    return db.select(Encounter).filter_by(
        gathering_id=gathering_id, user_id=user_id, met_id=person_id
    )


def _answer_back():
    """The encounter that answers another: the same gathering, the two people swapped."""
    back = aliased(Encounter)
    return back, (
        (back.gathering_id == Encounter.gathering_id)
        & (back.user_id == Encounter.met_id)
        & (back.met_id == Encounter.user_id)
    )


def own_marks(gathering_id: int, user_id: int) -> dict[int, bool]:
    """{person id: whether they marked this user back} for this user's marks here, in one query."""
    back, answers = _answer_back()
    query = (
        db.select(Encounter.met_id, back.user_id)
        .outerjoin(back, answers)
        .where(Encounter.gathering_id == gathering_id, Encounter.user_id == user_id)
    )
    return {met_id: answered is not None for met_id, answered in db.session.execute(query)}


@dataclass
class Met:
    """One person on a viewer's "who did you meet" list, as that viewer stands with them."""

    person: User
    marked: bool  # the viewer said they met them
    mutual: bool  # and they said so too: a contact


def on_page(gathering: Gathering, who: Attendance, viewer) -> list[Met] | None:
    """The people this viewer may say they met here, or None when they may not say it."""
    if not viewer.is_authenticated or not open_for_marks(gathering):
        return None
    if not any(r.user_id == viewer.id for r in who.going) and viewer.id != gathering.organiser_id:
        return None
    marks = own_marks(gathering.id, viewer.id)
    shown = who.shown(who.going, viewer, gathering.can_be_managed_by(viewer))
    return [
        Met(r.user, r.user_id in marks, marks.get(r.user_id, False))
        for r in shown
        if r.user_id != viewer.id and r.user is not None  # nobody to meet in a former member
    ]


@dataclass
class Contact:
    """Someone who said they met this person, and whom this person said they met."""

    person: User
    gatherings: list[Gathering] = field(default_factory=list)  # where: newest first

    @property
    def links(self) -> list[str]:
        """The profile links that are web addresses (nothing else becomes a link)."""
        return [link for link in self.person.links or [] if _is_web_address(link)]


def _is_web_address(link) -> bool:
    if not isinstance(link, str):
        return False
    try:
        return urlsplit(link.strip()).scheme.lower() in ("http", "https")
    except ValueError:  # "http://[not-an-address": not a link we can show
        return False


def of(user_id: int) -> list[Contact]:
    """This person's contacts, by name, with the gatherings where both said they met: one query."""
    back, answers = _answer_back()
    query = (
        db.select(User, Gathering)
        .select_from(Encounter)
        .join(back, answers)
        .join(User, User.id == Encounter.met_id)
        .join(Gathering, Gathering.id == Encounter.gathering_id)
        .where(Encounter.user_id == user_id)  # a gathering hidden since: the two still met
        .options(joinedload(Gathering.city))
        .order_by(User.display_name, User.id, Gathering.starts_at.desc(), Gathering.id)
    )
    found: dict[int, Contact] = {}
    for person, gathering in db.session.execute(query):
        found.setdefault(person.id, Contact(person)).gatherings.append(gathering)
    return list(found.values())
