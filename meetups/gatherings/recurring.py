"""Series of gatherings: starting one, making its occurrences, editing and stopping them.

Occurrences are ordinary gatherings, made ahead (series.horizon) and never made twice: the
database holds one per series and local date, and an insert that meets its twin is skipped.
Services flush; the caller commits.
"""

from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import NamedTuple

from sqlalchemy.exc import IntegrityError

from meetups.accounts.models import User
from meetups.dates import utc_to_local, utcnow
from meetups.extensions import db
from meetups.gatherings import series as rules
from meetups.gatherings import services
from meetups.gatherings.models import Gathering, Response, Rsvp, Series, Status

NEXT_SHOWN = 3  # a gathering's page links to this many next occurrences


class Made(int):
    """How many occurrences a tick made, and of how many series (for its line of output)."""

    series: int = 0


class Rhythm(NamedTuple):
    """What a gathering's page says of its series: the rhythm in words, the next occurrences."""

    words: str
    upcoming: list[Gathering]


def rule_of(series: Series) -> rules.Rule:
    """The series' rule, as gatherings.series computes with it."""
    duration = timedelta(minutes=series.duration_minutes)
    return rules.Rule(
        series.frequency,
        series.start_time,
        duration,
        series.zone,
        series.first_day,
        series.until,
    )


def start(
    organiser: User, proposal: services.Proposal, frequency: str, until: date | None, key=None
):
    """Propose the first occurrence and its series, and make the horizon's occurrences.

    Returns the first gathering and the occurrences made whose time a DST gap moved.
    Raises services.AlreadyProposed as propose() does (the same form sent twice).
    """
    first = services.propose(organiser, proposal, key)
    zone = first.city.timezone
    local_start = utc_to_local(proposal.starts_at, zone).replace(tzinfo=None)
    rule = rules.Rule.from_first(
        frequency, local_start, proposal.ends_at - proposal.starts_at, zone, until
    )
    series = Series(organiser_id=organiser.id, created_at=first.created_at)
    _set_rule(series, rule)
    _set_template(series, first)
    db.session.add(series)
    first.series, first.series_day = series, rule.first
    db.session.flush()
    made = make_occurrences(series, rules.horizon(rule, utcnow()))
    return first, [o for o in made if o.moved]


def _set_rule(series: Series, rule: rules.Rule) -> None:
    series.frequency, series.zone = rule.frequency, rule.zone
    series.start_time, series.first_day, series.until = rule.start_time, rule.first, rule.until
    series.duration_minutes = int(rule.duration.total_seconds() // 60)


def _set_template(series: Series, gathering: Gathering) -> None:
    """What later occurrences are made from: this gathering's title, place, seats, tags, pack."""
    series.title, series.description = gathering.title, gathering.description
    series.city_id, series.venue_id = gathering.city_id, gathering.venue_id
    series.capacity, series.pack_id = gathering.capacity, gathering.pack_id
    series.tags = [tag.name for tag in gathering.tags]


def make_occurrences(series: Series, wanted: list[rules.Occurrence]) -> list[rules.Occurrence]:
    """Make the occurrences of these dates that do not exist yet; return those made."""
    existing = set(
        db.session.scalars(db.select(Gathering.series_day).filter_by(series_id=series.id))
    )
    tags = [services.tag_for(name) for name in sorted(series.tags)]
    return [o for o in wanted if o.day not in existing and _insert(series, o, tags)]


def _insert(series: Series, occurrence: rules.Occurrence, tags) -> bool:
    """Insert one occurrence, its organiser going; False when another process made it first."""
    gathering = Gathering(
        series_id=series.id,
        series_day=occurrence.day,
        organiser_id=series.organiser_id,
        title=series.title,
        description=series.description,
        city_id=series.city_id,
        venue_id=series.venue_id,
        pack_id=series.pack_id,
        capacity=series.capacity,
        starts_at=occurrence.starts_at,
        ends_at=occurrence.ends_at,
        tags=list(tags),
    )
    gathering.created_at = gathering.updated_at = utcnow()
    rsvp = Rsvp(
        gathering=gathering,
        user_id=series.organiser_id,
        response=Response.GOING,
        responded_at=gathering.created_at,
        history=[services.first_answer(gathering.created_at)],
    )
    try:
        with db.session.begin_nested():
            db.session.add_all([gathering, rsvp])
    except IntegrityError:  # unique (series_id, series_day): it exists now
        return False
    return True


def keep_horizons(now: datetime) -> Made:
    """Make the missing occurrences of every running series up to its horizon (tick's step)."""
    services.write_lock()  # SQLite: one tick writes at a time; PostgreSQL: the unique key
    # Nothing more is made for an organiser who is gone or suspended.
    running = (
        db.select(Series.id)
        .join(User, User.id == Series.organiser_id)
        .where(Series.stopped_at.is_(None), User.suspended_at.is_(None))
        .order_by(Series.id)
    )
    made, touched = 0, 0
    for series_id in db.session.scalars(running).all():
        series = _lock_series(series_id)
        if series.stopped_at is not None:  # stopped since it was listed
            continue
        count = len(make_occurrences(series, rules.horizon(rule_of(series), now)))
        made, touched = made + count, touched + bool(count)
    result = Made(made)
    result.series = touched
    return result


def describe_made(made: Made) -> str:
    """tick's line for this step."""
    return f"Made {int(made)} occurrence(s) of {getattr(made, 'series', 0)} series."


def lock(gathering_id: int) -> Gathering | None:
    """services.lock(), its series locked first when it has one: an edit of the following
    occurrences locks the series then them, so every edit takes its locks in that order."""
    series_id = db.session.scalar(db.select(Gathering.series_id).filter_by(id=gathering_id))
    if series_id is None:
        return services.lock(gathering_id)
    services.write_lock()
    _lock_series(series_id)
    return services.locked(gathering_id)


def _lock_series(series_id: int) -> Series:
    """Load a series to change it or its occurrences, holding its lock until the commit."""
    return db.session.get(Series, series_id, with_for_update=True, populate_existing=True)


def _later(gathering: Gathering, detached: bool = False, statuses=Status.LIVE) -> list[Gathering]:
    """The occurrences after this one (scheduled, unless other statuses are asked), locked, in
    order; detached ones if asked."""
    query = (
        db.select(Gathering)
        .where(
            Gathering.series_id == gathering.series_id,
            Gathering.series_day > gathering.series_day,
            Gathering.status.in_(statuses),
        )
        .order_by(Gathering.series_day)
        .with_for_update()
    )
    if not detached:
        query = query.where(Gathering.detached.is_(False))
    return list(db.session.scalars(query))


def update_this(gathering: Gathering, proposal: services.Proposal) -> services.Edit:
    """Edit one gathering (under lock()); an occurrence then stands apart from its series."""
    capacity = gathering.capacity
    edit = services.update(gathering, proposal)
    if gathering.series_id is not None and (edit.changed or gathering.capacity != capacity):
        gathering.detached = True
    return edit


def update_following(gathering: Gathering, proposal: services.Proposal) -> list:
    """Edit this occurrence (under lock()), the later ones not edited alone, and the template.

    Each keeps its date and takes the new time of day; returns (gathering, Edit) pairs.
    """
    series = _lock_series(gathering.series_id)
    edits = [(gathering, services.update(gathering, proposal))]
    zone = gathering.city.timezone
    rule = replace(
        rule_of(series),
        start_time=utc_to_local(gathering.starts_at, zone).time(),
        duration=gathering.ends_at - gathering.starts_at,
        zone=zone,
    )
    _set_rule(series, rule)
    _set_template(series, gathering)
    for later in _later(gathering):
        edits.append((later, services.update(later, _moved_to(proposal, rule, later))))
    return edits


def _moved_to(proposal: services.Proposal, rule: rules.Rule, later: Gathering):
    """The proposal for a later occurrence: its own date; never fewer seats than people in them."""
    occurrence = rules.at(rule, later.series_day)
    capacity = proposal.capacity
    if capacity is not None:
        capacity = max(capacity, services.seats_taken(later))
    # A quorum is decided by each occurrence's own default, before its own start.
    return replace(
        proposal,
        starts_at=occurrence.starts_at,
        ends_at=occurrence.ends_at,
        capacity=capacity,
        decide_at=None,
    )


def cancel_following(gathering: Gathering, message: str | None) -> list[Gathering]:
    """Cancel this occurrence (under lock()) and every later one, and stop the series."""
    series = _lock_series(gathering.series_id)
    series.stopped_at = utcnow()
    later = _later(gathering, detached=True)
    return [g for g in (gathering, *later) if services.cancel(g, message)]


def hide_following(gathering: Gathering) -> list[Gathering]:
    """Hide this occurrence (under lock()) and every later one shown, and stop the series."""
    series = _lock_series(gathering.series_id)
    series.stopped_at = series.stopped_at or utcnow()
    later = _later(gathering, detached=True, statuses=Status.SHOWN)
    return [g for g in (gathering, *later) if services.hide(g)]


def on_page(gathering: Gathering, locale) -> Rhythm | None:
    """The rhythm of this gathering's series and its next scheduled occurrences, if in one."""
    series = gathering.series
    if series is None:
        return None
    rule = rule_of(series)
    # This occurrence's own time: one edited alone, or before a change of the following ones,
    # keeps it while the rule has moved on.
    own = utc_to_local(gathering.starts_at, series.zone)
    words = f"{rules.describe(rule, locale)}, {own:%H:%M}"
    query = (
        db.select(Gathering)
        .where(
            Gathering.series_id == series.id,
            Gathering.starts_at > gathering.starts_at,
            Gathering.status.in_(Status.LIVE),
        )
        .order_by(Gathering.starts_at)
        .limit(NEXT_SHOWN)
    )
    return Rhythm(words, list(db.session.scalars(query)))
