"""Occurrences of a series: every rule, daylight-saving changes, fifth weekdays, until, horizon."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from meetups.gatherings.series import (
    FREQUENCIES,
    Rule,
    describe,
    horizon,
    last_weekday,
    nth_weekday,
    occurrences,
)

TWO_HOURS = timedelta(hours=2)
FAR_PAST = datetime(2000, 1, 1, tzinfo=UTC)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def rule(frequency, start, zone="Europe/Paris", until=None, duration=TWO_HOURS) -> Rule:
    return Rule.from_first(frequency, start, duration, zone, until)


def days(rule: Rule, before: datetime) -> list[date]:
    return [o.day for o in occurrences(rule, FAR_PAST, before)]


def test_first_thursday_in_lyon_keeps_19_00_across_the_spring_change():
    apero = rule("monthly", datetime(2027, 2, 4, 19, 0))
    found = occurrences(apero, FAR_PAST, utc(2027, 5, 1))
    assert [o.day for o in found] == [date(2027, 2, 4), date(2027, 3, 4), date(2027, 4, 1)]
    assert [o.starts_at for o in found] == [
        utc(2027, 2, 4, 18),
        utc(2027, 3, 4, 18),  # winter time, UTC+1
        utc(2027, 4, 1, 17),  # summer time, UTC+2
    ]
    assert [o.ends_at - o.starts_at for o in found] == [TWO_HOURS] * 3
    assert not any(o.moved for o in found)


def test_weekly_and_biweekly():
    start = datetime(2027, 1, 5, 19, 0)  # a Tuesday
    assert days(rule("weekly", start), utc(2027, 1, 27)) == [
        date(2027, 1, 5),
        date(2027, 1, 12),
        date(2027, 1, 19),
        date(2027, 1, 26),
    ]
    assert days(rule("biweekly", start), utc(2027, 2, 3)) == [
        date(2027, 1, 5),
        date(2027, 1, 19),
        date(2027, 2, 2),
    ]


def test_weekly_across_the_autumn_change_in_paris():
    found = occurrences(rule("weekly", datetime(2027, 10, 24, 19)), FAR_PAST, utc(2027, 11, 1))
    # The clocks go back on the last Sunday of October (31st): 17:00Z, then 18:00Z.
    assert [o.starts_at for o in found] == [utc(2027, 10, 24, 17), utc(2027, 10, 31, 18)]


@pytest.mark.parametrize(
    ("first", "changed", "before", "after"),
    [
        (datetime(2027, 3, 7, 19), date(2027, 3, 14), 0, 23),  # second Sunday of March
        (datetime(2027, 10, 31, 19), date(2027, 11, 7), 23, 0),  # first Sunday of November
    ],
)
def test_weekly_across_the_changes_in_toronto(first, changed, before, after):
    found = occurrences(rule("weekly", first, "America/Toronto"), FAR_PAST, utc(2027, 11, 9))
    on = {o.day: o.starts_at for o in found}
    # 19:00 EST is 00:00Z the next day, 19:00 EDT is 23:00Z.
    assert on[first.date()].hour == before
    assert on[changed].hour == after
    zone = ZoneInfo("America/Toronto")
    assert {o.starts_at.astimezone(zone).time() for o in found} == {time(19)}


def test_a_time_in_the_spring_gap_is_moved_forward_and_flagged():
    found = occurrences(rule("weekly", datetime(2027, 3, 21, 2, 30)), FAR_PAST, utc(2027, 4, 5))
    moved = [o for o in found if o.moved]
    assert [o.day for o in moved] == [date(2027, 3, 28)]  # the last Sunday of March
    local = moved[0].starts_at.astimezone(ZoneInfo("Europe/Paris"))
    assert local.replace(tzinfo=None) == datetime(2027, 3, 28, 3, 30)
    assert [o.starts_at for o in found if not o.moved] == [
        utc(2027, 3, 21, 1, 30),
        utc(2027, 4, 4, 0, 30),
    ]


def test_a_time_that_happens_twice_takes_the_first():
    found = occurrences(
        rule("weekly", datetime(2027, 10, 24, 2, 30)), utc(2027, 10, 30), utc(2027, 11, 1)
    )
    assert [(o.starts_at, o.moved) for o in found] == [(utc(2027, 10, 31, 0, 30), False)]  # CEST


def test_toronto_gap_at_2_30():
    found = occurrences(
        rule("weekly", datetime(2027, 3, 7, 2, 30), "America/Toronto"), FAR_PAST, utc(2027, 3, 22)
    )
    assert [o.moved for o in found] == [False, True, False]
    local = found[1].starts_at.astimezone(ZoneInfo("America/Toronto"))
    assert (local.hour, local.minute) == (3, 30)


def test_fifth_thursday_skips_the_months_without_one():
    found = days(rule("monthly", datetime(2027, 4, 29, 19)), utc(2028, 1, 1))
    assert found == [date(2027, 4, 29), date(2027, 7, 29), date(2027, 9, 30), date(2027, 12, 30)]


def test_last_friday_of_the_month():
    found = days(rule("monthly_last", datetime(2027, 1, 29, 19)), utc(2027, 6, 1))
    assert found == [
        date(2027, 1, 29),
        date(2027, 2, 26),
        date(2027, 3, 26),
        date(2027, 4, 30),  # a fifth Friday: the last one
        date(2027, 5, 28),
    ]


def test_last_weekday_rule_refuses_a_first_date_that_is_not_the_last():
    with pytest.raises(ValueError, match="last"):
        rule("monthly_last", datetime(2027, 1, 22, 19))


@pytest.mark.parametrize(
    "bad",
    [
        {"frequency": "daily"},
        {"duration": timedelta()},
        {"zone": "Mars/Olympus"},
        {"until": date(2027, 1, 1)},
        {"start": datetime(2027, 1, 5, 19, tzinfo=UTC)},
    ],
)
def test_rules_that_cannot_repeat_are_refused(bad):
    given = {"frequency": "weekly", "start": datetime(2027, 1, 5, 19)} | bad
    with pytest.raises(ValueError):
        rule(given.pop("frequency"), given.pop("start"), **given)


def test_until_is_respected_and_included():
    weekly = rule("weekly", datetime(2027, 1, 5, 19), until=date(2027, 1, 19))
    assert days(weekly, utc(2030, 1, 1)) == [date(2027, 1, 5), date(2027, 1, 12), date(2027, 1, 19)]
    assert horizon(weekly, utc(2027, 1, 13)) == occurrences(
        weekly, utc(2027, 1, 13), utc(2030, 1, 1)
    )
    assert horizon(weekly, utc(2027, 1, 20)) == []


def test_occurrences_window_is_half_open():
    weekly = rule("weekly", datetime(2027, 1, 5, 19))
    found = occurrences(weekly, utc(2027, 1, 12, 18), utc(2027, 1, 19, 18))
    assert [o.day for o in found] == [date(2027, 1, 12)]


def test_horizon_holds_sixty_days_of_weekly_occurrences():
    weekly = rule("weekly", datetime(2027, 1, 5, 19))
    now = utc(2027, 2, 1)
    found = horizon(weekly, now)
    assert len(found) == 9  # every Tuesday from 2 February to 30 March
    assert all(now <= o.starts_at < now + timedelta(days=60) for o in found)


def test_horizon_holds_at_least_three_monthly_occurrences():
    monthly = rule("monthly", datetime(2027, 2, 4, 19))
    found = horizon(monthly, utc(2027, 2, 5))
    assert [o.day for o in found] == [date(2027, 3, 4), date(2027, 4, 1), date(2027, 5, 6)]
    fifth = rule("monthly", datetime(2027, 4, 29, 19))  # months apart: still three
    assert len(horizon(fifth, utc(2027, 5, 1))) == 3


@pytest.mark.parametrize(
    ("frequency", "start", "french", "english"),
    [
        (
            "monthly",
            datetime(2027, 2, 4, 19),
            "chaque premier jeudi du mois",
            "every first Thursday of the month",
        ),
        (
            "monthly",
            datetime(2027, 4, 29, 19),
            "chaque cinquième jeudi du mois",
            "every fifth Thursday of the month",
        ),
        (
            "monthly_last",
            datetime(2027, 1, 29, 19),
            "chaque dernier vendredi du mois",
            "every last Friday of the month",
        ),
        ("weekly", datetime(2027, 1, 5, 19), "chaque mardi", "every Tuesday"),
        ("biweekly", datetime(2027, 1, 5, 19), "un mardi sur deux", "every other Tuesday"),
    ],
)
def test_describe_names_the_rhythm(frequency, start, french, english):
    series = rule(frequency, start)
    assert describe(series, "fr") == french
    assert describe(series, "fr_CA") == french
    assert describe(series, "en") == english
    assert describe(series, "de") == english  # a language without words: English


def test_nth_and_last_weekday():
    assert nth_weekday(2027, 2, 3, 1) == date(2027, 2, 4)
    assert nth_weekday(2027, 2, 3, 5) is None
    assert last_weekday(2027, 2, 3) == date(2027, 2, 25)


ZONES = st.sampled_from(
    # Lord Howe moves by half an hour; Havana and Santiago skip or repeat midnight.
    [
        "Europe/Paris",
        "America/Toronto",
        "Australia/Lord_Howe",
        "America/Havana",
        "America/Santiago",
        "UTC",
    ]
)
FIRSTS = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31)).map(
    lambda moment: moment.replace(second=0, microsecond=0)
)


def a_rule(frequency, first, zone) -> Rule:
    if frequency == "monthly_last":  # the first date must itself be a last weekday
        day = last_weekday(first.year, first.month, first.weekday())
        first = datetime.combine(day, first.time())
    return rule(frequency, first, zone)


@given(st.sampled_from(FREQUENCIES), FIRSTS, ZONES, st.integers(0, 400))
def test_properties(frequency, first, zone, offset_days):
    series = a_rule(frequency, first, zone)
    after = datetime.combine(series.first, time(), UTC) + timedelta(days=offset_days - 2)
    found = occurrences(series, after, after + timedelta(days=400))
    starts = [o.starts_at for o in found]
    assert starts == sorted(set(starts))  # strictly increasing, so no duplicates
    assert len({o.day for o in found}) == len(found)
    for o in found:
        local = o.starts_at.astimezone(ZoneInfo(zone))
        assert local.date() == o.day or o.moved
        assert o.day.weekday() == series.weekday
        assert (local.time() == series.start_time) != o.moved
        assert o.ends_at - o.starts_at == series.duration


@given(st.sampled_from(FREQUENCIES), FIRSTS, ZONES, st.integers(-30, 3000))
def test_horizon_properties(frequency, first, zone, offset_days):
    series = a_rule(frequency, first, zone)
    now = datetime.combine(series.first, time(), UTC) + timedelta(days=offset_days)
    found = horizon(series, now)
    assert len(found) >= 3
    sixty = occurrences(series, now, now + timedelta(days=60))
    assert found[: len(sixty)] == sixty
    assert found == occurrences(series, now, found[-1].starts_at + timedelta(seconds=1))


@given(st.sampled_from(FREQUENCIES), FIRSTS, ZONES, st.integers(0, 200))
def test_until_properties(frequency, first, zone, until_days):
    series = a_rule(frequency, first, zone)
    until = series.first + timedelta(days=until_days)
    ending = Rule(frequency, series.start_time, series.duration, zone, series.first, until)
    everything = occurrences(series, FAR_PAST, utc(2037, 1, 1))
    assert occurrences(ending, FAR_PAST, utc(2037, 1, 1)) == [
        o for o in everything if o.day <= until
    ]
