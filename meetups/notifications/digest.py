"""The weekly digest: once per ISO week, the new gatherings of one's packs and city in one
mail, for those who chose "a weekly digest"."""

from collections import defaultdict
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import select

from meetups.extensions import db
from meetups.gatherings.models import Gathering, Status
from meetups.notifications import mail
from meetups.notifications.audience import audience
from meetups.notifications.models import Kind, Mail, Rhythm
from meetups.notifications.services import queue
from meetups.urls import absolute_url


def queue_digests(now: datetime) -> int:
    """Queue this ISO week's digest (from Monday, UTC) to each person who chose one and has
    news: gatherings created in the last 7 days, upcoming, in their packs or city."""
    year, week, _day = now.isocalendar()
    key = f"{Kind.DIGEST}:{{user}}:{year}-W{week:02d}"
    news = _news(now)
    return sum(
        queue(Kind.DIGEST, [user_id], key, data={"gatherings": ids})
        for user_id, ids in news.items()
    )


def _news(now: datetime) -> dict[int, list[int]]:
    """{person: ids of their new gatherings, soonest first}, for those who want a digest."""
    fresh = (
        Gathering.created_at >= now - timedelta(days=7),
        Gathering.starts_at > now,
        Gathering.status.in_(Status.LIVE),
    )
    both = audience(Rhythm.WEEKLY, *fresh).subquery()
    rows = db.session.execute(
        select(both.c.user_id, both.c.gathering_id)
        .join(Gathering, Gathering.id == both.c.gathering_id)
        .order_by(both.c.user_id, Gathering.starts_at, Gathering.id)
    )
    news = defaultdict(list)
    for user_id, gathering_id in rows:
        news[user_id].append(gathering_id)
    return news


def describe(count: int) -> str:
    return f"Queued {count} weekly digest(s)."


def context(digest: Mail) -> dict:
    """What the digest's templates show: its gatherings still on, each with its local time."""
    ids = (digest.data or {}).get("gatherings") or []
    gatherings = db.session.scalars(
        select(Gathering)
        .where(Gathering.id.in_(ids), Gathering.status.in_(Status.LIVE))
        .order_by(Gathering.starts_at, Gathering.id)
    ).all()
    if not gatherings:
        raise mail.Gone(digest.key)  # all called off since: nothing left to tell
    return {"gatherings": [_item(gathering) for gathering in gatherings]}


def _item(gathering: Gathering) -> dict:
    return {
        "title": gathering.title,
        "starts_at": gathering.starts_at,
        "zone": gathering.city.timezone,
        "city": gathering.city.name,
        "pack": gathering.pack.name if gathering.pack is not None else None,
        "url": absolute_url("gatherings.show", gathering_id=gathering.id),
    }


def init_app(_app: Flask) -> None:
    """Let the mail renderer build digests."""
    mail.register_extra(Kind.DIGEST, context)
