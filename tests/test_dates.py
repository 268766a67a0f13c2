"""Wall-clock time <-> UTC across DST changes, and the UTC column on the real database."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import StatementError

from meetups.dates import (
    AmbiguousTimeError,
    NonexistentTimeError,
    UTCDateTime,
    local_to_utc,
    utc_to_local,
)
from meetups.extensions import db

PARIS = "Europe/Paris"
MONTREAL = "America/Toronto"


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "wall", "expected"),
    [
        # Paris, winter (UTC+1) and summer (UTC+2).
        (PARIS, datetime(2027, 1, 14, 19, 0), utc(2027, 1, 14, 18, 0)),
        (PARIS, datetime(2027, 7, 1, 19, 0), utc(2027, 7, 1, 17, 0)),
        # Around the spring gap, 28 March 2027.
        (PARIS, datetime(2027, 3, 28, 1, 59), utc(2027, 3, 28, 0, 59)),
        (PARIS, datetime(2027, 3, 28, 3, 0), utc(2027, 3, 28, 1, 0)),
        # Around the autumn overlap, 31 October 2027.
        (PARIS, datetime(2027, 10, 31, 1, 59), utc(2027, 10, 30, 23, 59)),
        (PARIS, datetime(2027, 10, 31, 3, 0), utc(2027, 10, 31, 2, 0)),
        # Montréal: summer (UTC-4), winter (UTC-5), and either side of both changes.
        (MONTREAL, datetime(2027, 7, 1, 19, 0), utc(2027, 7, 1, 23, 0)),
        (MONTREAL, datetime(2027, 1, 14, 19, 0), utc(2027, 1, 15, 0, 0)),
        (MONTREAL, datetime(2027, 3, 14, 1, 59), utc(2027, 3, 14, 6, 59)),
        (MONTREAL, datetime(2027, 3, 14, 3, 0), utc(2027, 3, 14, 7, 0)),
        (MONTREAL, datetime(2027, 11, 7, 0, 59), utc(2027, 11, 7, 4, 59)),
        (MONTREAL, datetime(2027, 11, 7, 2, 0), utc(2027, 11, 7, 7, 0)),
    ],
)
def test_local_to_utc_converts_existing_times(zone, wall, expected):
    result = local_to_utc(wall, zone)
    assert result == expected
    assert result.utcoffset() == timedelta(0)
    # And back: the same wall-clock time in the same zone.
    assert utc_to_local(result, zone).replace(tzinfo=None) == wall


@pytest.mark.parametrize(
    ("zone", "wall"),
    [
        (PARIS, datetime(2027, 3, 28, 2, 0)),
        (PARIS, datetime(2027, 3, 28, 2, 30)),
        (PARIS, datetime(2027, 3, 28, 2, 59)),
        (MONTREAL, datetime(2027, 3, 14, 2, 30)),
    ],
)
def test_times_in_the_spring_gap_do_not_exist(zone, wall):
    with pytest.raises(NonexistentTimeError):
        local_to_utc(wall, zone)


@pytest.mark.parametrize(
    ("zone", "wall"),
    [
        (PARIS, datetime(2027, 10, 31, 2, 0)),
        (PARIS, datetime(2027, 10, 31, 2, 30)),
        (PARIS, datetime(2027, 10, 31, 2, 59)),
        (MONTREAL, datetime(2027, 11, 7, 1, 30)),
    ],
)
def test_times_in_the_autumn_overlap_are_ambiguous(zone, wall):
    with pytest.raises(AmbiguousTimeError):
        local_to_utc(wall, zone)


def test_dst_errors_are_value_errors():
    # Callers that only know ValueError (form fields) still catch them.
    assert issubclass(NonexistentTimeError, ValueError)
    assert issubclass(AmbiguousTimeError, ValueError)


@pytest.mark.parametrize(
    ("moment", "zone", "wall", "offset"),
    [
        (utc(2027, 1, 14, 18, 0), PARIS, datetime(2027, 1, 14, 19, 0), timedelta(hours=1)),
        (utc(2027, 7, 1, 17, 0), PARIS, datetime(2027, 7, 1, 19, 0), timedelta(hours=2)),
        # Both readings of the repeated hour on 31 October 2027, an hour apart in UTC.
        (utc(2027, 10, 31, 0, 30), PARIS, datetime(2027, 10, 31, 2, 30), timedelta(hours=2)),
        (utc(2027, 10, 31, 1, 30), PARIS, datetime(2027, 10, 31, 2, 30), timedelta(hours=1)),
        (utc(2027, 7, 1, 23, 0), MONTREAL, datetime(2027, 7, 1, 19, 0), timedelta(hours=-4)),
        (utc(2027, 1, 15, 0, 0), MONTREAL, datetime(2027, 1, 14, 19, 0), timedelta(hours=-5)),
    ],
)
def test_utc_to_local(moment, zone, wall, offset):
    local = utc_to_local(moment, zone)
    assert local.replace(tzinfo=None) == wall
    assert local.utcoffset() == offset
    # The same instant, shown elsewhere. (Compared in UTC: Python deems any inter-zone
    # comparison involving the repeated hour unequal, by design, PEP 495.)
    assert local.astimezone(UTC) == moment


# The column type, on whichever engine the suite runs against.

probe_metadata = sa.MetaData()
probe = sa.Table(
    "utc_probe",
    probe_metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", UTCDateTime, nullable=True),
)


@pytest.fixture
def probe_table(app):
    with app.app_context():
        probe_metadata.create_all(db.engine)
    yield probe
    with app.app_context():
        db.session.remove()
        probe_metadata.drop_all(db.engine)


def test_utc_column_round_trips_aware_utc(app, probe_table):
    paris_evening = datetime(2027, 7, 1, 19, 0, tzinfo=timezone(timedelta(hours=2)))
    values = {
        1: utc(2027, 1, 14, 18, 0, 30, 123456),
        2: paris_evening,
        3: None,
    }
    with app.app_context():
        db.session.execute(sa.insert(probe_table), [{"id": k, "at": v} for k, v in values.items()])
        db.session.commit()
    with app.app_context():
        rows = dict(db.session.execute(sa.select(probe_table.c.id, probe_table.c.at)).all())
    assert rows[1] == values[1]
    assert rows[1].tzinfo is not None and rows[1].utcoffset() == timedelta(0)
    # Stored as the same instant, read back in UTC.
    assert rows[2] == utc(2027, 7, 1, 17, 0)
    assert rows[2].utcoffset() == timedelta(0)
    assert rows[3] is None


def test_utc_column_compares_instants_not_wall_clocks(app, probe_table):
    # 18:30 in Paris in summer is 16:30 UTC: earlier than 17:00 UTC, though "18:30" > "17:00".
    early = datetime(2027, 7, 1, 18, 30, tzinfo=timezone(timedelta(hours=2)))
    with app.app_context():
        db.session.execute(
            sa.insert(probe_table),
            [{"id": 1, "at": early}, {"id": 2, "at": utc(2027, 7, 1, 17, 30)}],
        )
        db.session.commit()
        later = db.session.scalars(
            sa.select(probe_table.c.id).where(probe_table.c.at > utc(2027, 7, 1, 17, 0))
        ).all()
        ordered = db.session.scalars(sa.select(probe_table.c.id).order_by(probe_table.c.at)).all()
    assert later == [2]
    assert ordered == [1, 2]


def test_utc_column_refuses_naive_datetimes(app, probe_table):
    with app.app_context():
        with pytest.raises(StatementError) as caught:
            db.session.execute(
                sa.insert(probe_table), [{"id": 1, "at": datetime(2027, 1, 14, 19, 0)}]
            )
        assert isinstance(caught.value.orig, ValueError)
        assert "naive" in str(caught.value.orig)
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(probe_table)) == 0
