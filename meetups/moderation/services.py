"""Reports, and what admins do about them: hide a gathering, suspend an account, or dismiss.
Services flush; the caller commits."""

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import or_, update

from meetups.accounts.models import User, new_session_token
from meetups.database import inserted_or_found
from meetups.dates import utcnow
from meetups.extensions import db
from meetups.gatherings import recurring, services
from meetups.gatherings.models import Gathering, Series, Status
from meetups.moderation.models import Action, AuditLine, Report


@dataclass(frozen=True)
class Target:
    """What a report is about: a gathering, or a person's profile."""

    gathering: Gathering | None = None
    person: User | None = None

    def where(self):
        """The reports on this target, as a clause."""
        if self.gathering is not None:
            return Report.gathering_id == self.gathering.id
        return Report.person_id == self.person.id


class Refused(Exception):
    """What the rules refuse (one's own gathering, hiding a person...); the message says why."""


class AlreadyHandled(Exception):
    """Another admin (or another tab) acted on this report first."""


def report(reporter: User, target: Target, reason: str) -> Report:
    """Record a report, or change the reason of the reporter's open report on the same target."""
    check_not_own(reporter, target)
    ids = {
        "gathering_id": target.gathering.id if target.gathering else None,
        "person_id": target.person.id if target.person else None,
    }
    mine = db.select(Report).where(
        Report.reporter_id == reporter.id, target.where(), Report.resolved_at.is_(None)
    )
    found = db.session.scalar(mine)
    if found is None:
        new = Report(reporter_id=reporter.id, reason=reason, created_at=utcnow(), **ids)
        # The partial unique index holds one open report per person and target.
        found = inserted_or_found(new, mine)
    found.reason = reason
    db.session.flush()
    return found


def check_not_own(reporter: User, target: Target) -> None:
    """Refused: nobody reports their own gathering or profile."""
    if target.person is not None and target.person.id == reporter.id:
        raise Refused(_("You cannot report your own profile."))
    if target.gathering is not None and target.gathering.organiser_id == reporter.id:
        raise Refused(_("You cannot report your own gathering."))


@dataclass(frozen=True)
class Done:
    """What an action did: the reports it closed, the gatherings it hid, whom it suspended."""

    action: str
    closed: int
    hidden: tuple[Gathering, ...] = ()
    suspended: User | None = None


def act(report: Report, action: str, actor: User) -> Done:
    """Apply an admin's action to a report's target, close every open report on it and write
    one audit line; Refused when it does not apply, AlreadyHandled when it was closed."""
    if not report.is_open:
        raise AlreadyHandled(report.id)
    target = Target(report.gathering, report.person)
    person = _suspended_person(target, actor) if action == Action.SUSPEND else None
    if action == Action.HIDE and target.gathering is None:
        raise Refused(_("Only a gathering can be hidden: suspend the account, or dismiss."))
    if action == Action.HIDE:
        hidden = hide(target.gathering.id)  # locks as edits do
    else:
        services.write_lock()  # SQLite: the database's write lock before anything is read again
        hidden = suspend(person) if action == Action.SUSPEND else []
    closed = _close(report, target, action, person, [g.id for g in hidden])
    _log(actor, action, target, person or target.person, closed)
    return Done(action, closed, tuple(hidden), person)


def _log(actor: User, action: str, target: Target, person: User | None, closed: int) -> None:
    """The audit line of an action: ids only (a deleted account leaves a NULL)."""
    line = AuditLine(
        actor_id=actor.id,
        action=action,
        gathering_id=target.gathering.id if target.gathering else None,
        person_id=person.id if person else None,
        reports_closed=closed,
        created_at=utcnow(),
    )
    db.session.add(line)
    db.session.flush()


def _suspended_person(target: Target, actor: User) -> User:
    """Whom a suspension on this target suspends: the person, or the gathering's organiser."""
    person = target.person if target.person is not None else target.gathering.organiser
    if person is None:
        raise Refused(_("The organiser’s account is gone: hide the gathering instead."))
    if person.id == actor.id:
        raise Refused(_("You cannot suspend your own account."))
    return person


def _close(
    report: Report, target: Target, action: str, person: User | None, hidden: list[int]
) -> int:
    """Close every open report on the target and on what the action hid (later occurrences;
    a suspension: the person and all their gatherings too); AlreadyHandled if this report
    was closed meanwhile."""
    about = [target.where(), Report.gathering_id.in_(hidden)]
    if person is not None:
        theirs = db.select(Gathering.id).where(Gathering.organiser_id == person.id)
        about += [Report.person_id == person.id, Report.gathering_id.in_(theirs)]
    statement = (
        update(Report)
        .where(Report.resolved_at.is_(None), or_(*about))
        .values(resolved_at=utcnow(), outcome=action)
        .returning(Report.id)
        .execution_options(synchronize_session=False)
    )
    closed = list(db.session.scalars(statement))
    if report.id not in closed:
        raise AlreadyHandled(report.id)
    db.session.expire_all()
    return len(closed)


def hide(gathering_id: int) -> list[Gathering]:
    """Hide a gathering, and when it is an occurrence, every later one, its series stopped
    (nothing more is made of it); the gatherings hidden."""
    gathering = recurring.lock(gathering_id)
    if gathering.series_id is not None:
        return recurring.hide_following(gathering)
    return [gathering] if services.hide(gathering) else []


def suspend(person: User) -> list[Gathering]:
    """Suspend an account (after write_lock()): every session of it ends, its series stop and
    every gathering it organises is hidden; the gatherings hidden."""
    person = db.session.get(User, person.id, with_for_update=True, populate_existing=True)
    now = utcnow()
    person.suspended_at = person.suspended_at or now
    person.session_token = new_session_token()
    # Locks in the edits' order: series first, then gatherings.
    series = db.select(Series).where(Series.organiser_id == person.id, Series.stopped_at.is_(None))
    for running in db.session.scalars(series.order_by(Series.id).with_for_update()):
        running.stopped_at = now
    theirs = (
        db.select(Gathering)
        .where(Gathering.organiser_id == person.id, Gathering.status.in_(Status.SHOWN))
        .order_by(Gathering.id)
        .with_for_update()
    )
    return [g for g in db.session.scalars(theirs).all() if services.hide(g)]
