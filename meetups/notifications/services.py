"""What happened, turned into queued e-mails: one outbox row per person, written in the
transaction of the change it reports (the caller commits both, or neither)."""

import time
from collections.abc import Iterable
from datetime import datetime

from flask import Flask, has_request_context
from flask_babel import get_locale
from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite

from meetups import i18n
from meetups.accounts import signals as account_signals
from meetups.accounts.models import User
from meetups.dates import utcnow
from meetups.extensions import db
from meetups.gatherings import signals
from meetups.gatherings.models import Gathering, Response, Rsvp, Status
from meetups.moderation import signals as moderation_signals
from meetups.notifications import reports
from meetups.notifications.audience import audience
from meetups.notifications.models import Kind, Mail, Rhythm, Settings
from meetups.packs import signals as pack_signals
from meetups.packs.models import Membership, MemberStatus, Pack, Role


def queue(
    kind: str,
    user_ids: Iterable[int],
    key: str,
    gathering_id: int | None = None,
    data: dict | None = None,
    language: str | None = None,
    due_at: datetime | None = None,
) -> int:
    """Queue one mail of this kind per person; `key` ({user} filled in) makes a notice queued
    twice one row. Returns how many rows were new."""
    rows = [
        {
            "key": key.format(user=user_id),
            "kind": kind,
            "user_id": user_id,
            "gathering_id": gathering_id,
            "data": data or {},
            "language": language,
            **({"due_at": due_at} if due_at else {}),
        }
        for user_id in dict.fromkeys(user_ids)
    ]
    return insert(rows)


def insert(rows: list[dict]) -> int:
    """Write these outbox rows, skipping any whose key is there already; how many were new."""
    if not rows:
        return 0
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    table = Mail.__table__
    statement = (
        dialect.insert(table).on_conflict_do_nothing(index_elements=["key"]).returning(table.c.id)
    )
    # RETURNING counts on every driver (psycopg gives no rowcount for a batch of rows).
    return len(db.session.execute(statement, rows).all())


def _language_of_request() -> str | None:
    """The page's language, for a mail to the person who made the request; else theirs."""
    return str(get_locale()) if has_request_context() else None


def _moment() -> int:
    # Keys of notices that can recur (a second promotion): unique per change, in microseconds.
    return time.time_ns() // 1000


def answered(_app, gathering: Gathering, user: User, outcome) -> None:
    """An answer: its own confirmation or place in line, and the seat it freed to the next."""
    if not outcome.changed:
        return
    if outcome.response == Response.GOING:
        kind = Kind.WAITLISTED if outcome.is_waitlisted else Kind.SEAT
        data = {"place": outcome.place_in_line} if outcome.is_waitlisted else {}
        key = f"{kind}:{gathering.id}:{{user}}:{_moment()}"
        queue(kind, [user.id], key, gathering.id, data, _language_of_request())
    seats_given(gathering, outcome.promoted)
    if outcome.confirmed:  # the one whose answer did it has their seat mail already
        confirmed(_app, gathering, by=user)


def seats_given(gathering: Gathering, user_ids: Iterable[int]) -> None:
    """A freed seat went to each of these people: each gets it with the .ics."""
    key = f"{Kind.PROMOTED}:{gathering.id}:{{user}}:{_moment()}"
    queue(Kind.PROMOTED, user_ids, key, gathering.id)


def edited(_app, gathering: Gathering, edit, by: User) -> None:
    """An edit: those who answered hear of a new title, time or venue; extra seats are given."""
    seats_given(gathering, edit.promoted)
    if edit.noticed:
        data = {"noticed": list(edit.noticed), "before": edit.before}
        _tell_everyone(Kind.CHANGED, gathering, data, by)


def confirmed(_app, gathering: Gathering, by: User | None = None) -> None:
    """Its quorum reached: everyone who answered is told it takes place, with the .ics."""
    data = {"noticed": ["status"], "before": {"status": Status.TENTATIVE}}
    _tell_everyone(Kind.CHANGED, gathering, data, by)


def cancelled(_app, gathering: Gathering, by: User | None) -> None:
    """Called off: everyone who answered is told, with the cancelled .ics (by None: tick did,
    and the organiser is told too)."""
    _tell_everyone(Kind.CANCELLED, gathering, {}, by)


def removed(_app, gatherings, by: User) -> None:
    """Hidden by moderators: the people who answered one still to come are told (the organiser
    too), with the .ics that takes it out of their calendar."""
    now = utcnow()
    for gathering in gatherings:
        if not gathering.is_past(now):
            _tell_everyone(Kind.REMOVED, gathering, {}, by)


def reinstated(_app, gathering: Gathering, promoted: list[int], by: User) -> None:
    """On again: everyone who answered is told, and seats added meanwhile are given."""
    seats_given(gathering, promoted)
    _tell_everyone(Kind.CHANGED, gathering, {"noticed": ["status"], "before": {}}, by)


def _tell_everyone(kind: str, gathering: Gathering, data: dict, by: User | None) -> None:
    """One mail to each person going, maybe or waiting, except whoever made the change."""
    query = select(Rsvp.user_id).where(
        Rsvp.gathering_id == gathering.id,
        Rsvp.response.in_((Response.GOING, Response.MAYBE)),
        Rsvp.user_id != (by.id if by is not None else -1),
    )
    key = f"{kind}:{gathering.id}:{gathering.sequence}:{{user}}"
    queue(kind, db.session.scalars(query), key, gathering.id, data)


def proposed(_app, gathering: Gathering) -> None:
    """A new gathering: its pack's members and the city's people who want each one at once."""
    key = f"{Kind.NEW_GATHERING}:{gathering.id}:{{user}}"
    queue(Kind.NEW_GATHERING, _want_news(gathering, Rhythm.INSTANT), key, gathering.id)


def _want_news(gathering: Gathering, rhythm: str) -> list[int]:
    """Who hears of this gathering at this rhythm: its pack's active members, its city's people."""
    heard = audience(rhythm, Gathering.id == gathering.id).subquery()
    return list(db.session.scalars(select(heard.c.user_id).order_by(heard.c.user_id)))


def join_asked(_app, pack: Pack, membership: Membership) -> None:
    """A request to join: each organiser who wants to hear of them gets one mail."""
    wants = func.coalesce(Settings.join_requests, True)
    organisers = (
        select(Membership.user_id)
        .outerjoin(Settings, Settings.user_id == Membership.user_id)
        .where(
            Membership.pack_id == pack.id,
            Membership.role == Role.ORGANISER,
            Membership.status == MemberStatus.ACTIVE,
            wants.is_(True),
        )
    )
    key = f"{Kind.JOIN_REQUEST}:{pack.id}:{membership.user_id}:{{user}}:{_moment()}"
    data = {"pack": pack.id, "person": membership.user_id}
    queue(Kind.JOIN_REQUEST, db.session.scalars(organisers), key, data=data)


def reset_asked(_app, user: User) -> None:
    """A password reset: the link goes to the account's address (at most one per 5 minutes),
    in the language of the page it was asked from, else the account's."""
    key = f"{Kind.RESET}:{{user}}:{int(time.time()) // 300}"
    language = i18n.asked_locale() if has_request_context() else None
    queue(Kind.RESET, [user.id], key, language=language)


def init_app(app: Flask) -> None:
    """Listen to what the features report on this app."""
    signals.answered.connect(answered, app)
    signals.edited.connect(edited, app)
    signals.cancelled.connect(cancelled, app)
    signals.confirmed.connect(confirmed, app)
    signals.reinstated.connect(reinstated, app)
    signals.proposed.connect(proposed, app)
    pack_signals.join_asked.connect(join_asked, app)
    account_signals.reset_asked.connect(reset_asked, app)
    moderation_signals.reported.connect(reports.reported, app)
    moderation_signals.removed.connect(removed, app)
    reports.init_app(app)
