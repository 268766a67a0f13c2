"""Everything Meute stores about one person, as a dict ready for JSON (GDPR articles 15, 20).

Pure reading: no secret (password hash, session, feed or reset token) and no one else's
e-mail address is ever put in it; other people appear by the name pages show them with.
"""

from datetime import datetime

from sqlalchemy.orm import joinedload, selectinload

from meetups.accounts.models import User
from meetups.dates import utc_to_local
from meetups.extensions import db
from meetups.gatherings import contacts
from meetups.gatherings.models import Encounter, Gathering, Rsvp, Series
from meetups.moderation.models import Report
from meetups.notifications import preferences
from meetups.notifications.models import Mail
from meetups.packs.models import Membership
from meetups.urls import absolute_url

FORMAT = 1  # raised when the shape of the export changes


def build(user: User, now: datetime) -> dict:
    """The whole export of this person's data, as of `now`."""
    return {
        "format": FORMAT,
        "exported_at": _at(now),
        "account": _account(user),
        "profile": _profile(user),
        "rsvps": _rsvps(user),
        "organising": [_gathering(g) for g in _organised(user)],
        "series": [_series(s) for s in _series_of(user)],
        "packs": [_membership(m) for m in _memberships(user)],
        "notification_settings": _settings(user),
        "contacts": [_contact(c) for c in contacts.of(user.id)],
        "met_marks": [_mark(e) for e in _marks(user)],
        "reports": [_report(r) for r in _reports(user)],
        "mails": [_mail(m) for m in _mails(user)],
    }


def _at(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _account(user: User) -> dict:
    return {
        "id": user.id,
        "email": user.email,
        "display_name": user.display_name,
        "language": user.language,
        "created_at": _at(user.created_at),
        "is_admin": user.is_admin,
        "suspended_at": _at(user.suspended_at),
    }


def _profile(user: User) -> dict:
    city = user.home_city
    return {
        "trade": user.trade,
        "trade_slug": user.trade_slug,
        "city": {"slug": city.slug, "name": city.name} if city else None,
        "offers": user.offers,
        "looking_for": user.looking_for,
        "links": list(user.links or []),
        "visibility": user.visibility,
        "suggestions": user.wants_suggestions,
    }


def _gathering(gathering: Gathering) -> dict:
    """A gathering as the export names it: where and when, in its own time zone."""
    zone = gathering.city.timezone
    return {
        "id": gathering.id,
        "title": gathering.title,
        "url": absolute_url("gatherings.show", gathering_id=gathering.id),
        "starts_at": utc_to_local(gathering.starts_at, zone).isoformat(),
        "ends_at": utc_to_local(gathering.ends_at, zone).isoformat(),
        "timezone": zone,
        "city": gathering.city.name,
        "status": gathering.status,
        "pack": gathering.pack.slug if gathering.pack else None,
        "series": gathering.series_id,
    }


def _rsvps(user: User) -> list[dict]:
    query = (
        db.select(Rsvp)
        .join(Rsvp.gathering)
        .where(Rsvp.user_id == user.id)
        .options(joinedload(Rsvp.gathering).joinedload(Gathering.city), selectinload(Rsvp.history))
        .order_by(Gathering.starts_at, Gathering.id)
    )
    return [_rsvp(rsvp) for rsvp in db.session.scalars(query)]


def _rsvp(rsvp: Rsvp) -> dict:
    return {
        "gathering": _gathering(rsvp.gathering),
        "response": rsvp.response,
        "is_waitlisted": rsvp.is_waitlisted,
        "place_in_line": _place_in_line(rsvp) if rsvp.is_waitlisted else None,
        "responded_at": _at(rsvp.responded_at),
        "promoted_at": _at(rsvp.promoted_at),
        "updated_at": _at(rsvp.updated_at),
        "changes": rsvp.sequence,  # how many times this answer or its seat changed
        "history": [
            {"response": step.response, "is_waitlisted": step.is_waitlisted, "at": _at(step.at)}
            for step in rsvp.history
        ],
    }


def _place_in_line(rsvp: Rsvp) -> int:
    ahead = db.select(db.func.count()).where(
        Rsvp.gathering_id == rsvp.gathering_id,
        Rsvp.is_waitlisted.is_(True),
        db.tuple_(Rsvp.responded_at, Rsvp.id) < db.tuple_(rsvp.responded_at, rsvp.id),
    )
    return db.session.scalar(ahead) + 1


def _organised(user: User) -> list[Gathering]:
    query = (
        db.select(Gathering)
        .where(Gathering.organiser_id == user.id)
        .options(joinedload(Gathering.city))
        .order_by(Gathering.starts_at, Gathering.id)
    )
    return list(db.session.scalars(query))


def _series_of(user: User) -> list[Series]:
    return list(db.session.scalars(db.select(Series).filter_by(organiser_id=user.id)))


def _series(series: Series) -> dict:
    return {
        "id": series.id,
        "title": series.title,
        "frequency": series.frequency,
        "start_time": series.start_time.isoformat(),
        "duration_minutes": series.duration_minutes,
        "timezone": series.zone,
        "first_day": series.first_day.isoformat(),
        "until": series.until.isoformat() if series.until else None,
        "created_at": _at(series.created_at),
        "stopped_at": _at(series.stopped_at),
    }


def _memberships(user: User) -> list[Membership]:
    query = (
        db.select(Membership)
        .filter_by(user_id=user.id)
        .options(joinedload(Membership.pack))
        .order_by(Membership.requested_at, Membership.id)
    )
    return list(db.session.scalars(query))


def _membership(membership: Membership) -> dict:
    pack = membership.pack
    return {
        "slug": pack.slug,
        "name": pack.name,
        "url": absolute_url("packs.show", slug=pack.slug),
        "role": membership.role,
        "status": membership.status,
        "join_answer": membership.answer,
        "requested_at": _at(membership.requested_at),
        "joined_at": _at(membership.joined_at),
    }


def _settings(user: User) -> dict:
    settings = preferences.of(user.id)
    return {name: getattr(settings, name) for name in preferences.CHOICES}


def _contact(contact: contacts.Contact) -> dict:
    """A contact as /me/contacts shows them: name, links, where both met; never an address."""
    return {
        "display_name": contact.person.display_name,
        "links": contact.links,
        "met_at": [{"id": g.id, "title": g.title} for g in contact.gatherings],
    }


def _marks(user: User) -> list[Encounter]:
    query = db.select(Encounter).filter_by(user_id=user.id).order_by(Encounter.created_at)
    return list(db.session.scalars(query))


def _mark(encounter: Encounter) -> dict:
    person = db.session.get(User, encounter.met_id)
    return {
        "gathering": encounter.gathering_id,
        "person": person.display_name,
        "at": _at(encounter.created_at),
    }


def _reports(user: User) -> list[Report]:
    query = db.select(Report).filter_by(reporter_id=user.id).order_by(Report.created_at)
    return list(db.session.scalars(query))


def _report(report: Report) -> dict:
    if report.gathering is not None:
        target = {"gathering": report.gathering_id, "title": report.gathering.title}
    else:
        target = {"person": report.person_id, "display_name": report.person.display_name}
    return {
        "target": target,
        "reason": report.reason,
        "created_at": _at(report.created_at),
        "resolved_at": _at(report.resolved_at),
        "outcome": report.outcome,
    }


def _mails(user: User) -> list[Mail]:
    query = db.select(Mail).filter_by(user_id=user.id).order_by(Mail.created_at, Mail.id)
    return list(db.session.scalars(query))


def _mail(mail: Mail) -> dict:
    return {
        "kind": mail.kind,
        "gathering": mail.gathering_id,
        "queued_at": _at(mail.created_at),
        "sent_at": _at(mail.sent_at),
        "failed_at": _at(mail.failed_at),
    }
