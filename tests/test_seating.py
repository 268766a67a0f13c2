"""The RSVP rules of meetups.gatherings.seating, pure: no database, no request (but for words)."""

from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from meetups.demo.rsvps import answers_for
from meetups.gatherings import seating
from meetups.gatherings.models import Response

capacities = st.none() | st.integers(min_value=1, max_value=50)
counts = st.integers(min_value=0, max_value=60)
responses = st.sampled_from(Response.ALL)


@pytest.mark.parametrize(
    ("capacity", "taken", "left"),
    [(None, 0, None), (None, 99, None), (3, 0, 3), (3, 2, 1), (3, 3, 0), (3, 5, 0)],
)
def test_seats_left(capacity, taken, left):
    assert seating.seats_left(capacity, taken) == left


@given(capacities, counts)
def test_seats_left_is_never_more_than_the_capacity_nor_below_zero(capacity, taken):
    left = seating.seats_left(capacity, taken)
    assert (left is None) == (capacity is None)
    if capacity is not None:
        assert 0 <= left <= capacity
        assert left == capacity - taken or (left == 0 and taken >= capacity)


@given(capacities, counts)
def test_a_seat_is_free_while_some_are_left(capacity, taken):
    assert seating.is_free(capacity, taken) == (capacity is None or taken < capacity)


@given(responses, capacities, counts)
def test_only_going_waits_and_only_when_full(response, capacity, taken):
    expected = response == Response.GOING and not seating.is_free(capacity, taken)
    assert seating.waits(response, capacity, taken) == expected


def test_a_full_gathering_puts_going_on_the_waitlist_but_not_maybe():
    assert seating.waits(Response.GOING, 2, 2)
    assert not seating.waits(Response.GOING, 2, 1)
    assert not seating.waits(Response.GOING, None, 1000)
    assert not seating.waits(Response.MAYBE, 2, 2)
    assert not seating.waits(Response.NO, 2, 2)


@pytest.mark.parametrize(
    ("response", "is_waitlisted", "holds"),
    [("going", False, True), ("going", True, False), ("maybe", False, False), ("no", False, False)],
)
def test_who_holds_a_seat(response, is_waitlisted, holds):
    assert seating.holds_seat(response, is_waitlisted) == holds


@given(capacities, counts, counts)
def test_promotion_fills_exactly_the_free_seats(capacity, taken, waiting):
    promoted = seating.to_promote(capacity, taken, waiting)
    assert 0 <= promoted <= waiting
    if capacity is None:
        assert promoted == waiting  # no limit: everyone waiting gets a seat
    else:
        assert taken + promoted <= max(capacity, taken)  # never more seats than capacity
    # Nobody is left waiting while a seat is free.
    assert promoted == waiting or not seating.is_free(capacity, taken + promoted)


def test_promotion_examples():
    assert seating.to_promote(5, 3, 10) == 2
    assert seating.to_promote(5, 3, 1) == 1
    assert seating.to_promote(5, 5, 4) == 0
    assert seating.to_promote(5, 7, 4) == 0  # over capacity (lowered after): nobody
    assert seating.to_promote(None, 3, 4) == 4


T0 = datetime(2026, 5, 1, 18, 0)


def test_the_line_goes_by_answer_time_then_id():
    waiting = [(T0 + timedelta(seconds=2), 1), (T0, 9), (T0, 4), (T0 + timedelta(seconds=1), 2)]
    assert seating.first_in_line(waiting, 3) == [4, 9, 2]
    assert seating.first_in_line(waiting, 0) == []
    assert seating.first_in_line(waiting, 10) == [4, 9, 2, 1]


@given(st.lists(st.tuples(st.integers(0, 5), st.integers(1, 1000)), unique_by=lambda w: w[1]))
def test_the_first_in_line_are_a_prefix_of_the_line(pairs):
    waiting = [(T0 + timedelta(seconds=s), row_id) for s, row_id in pairs]
    line = seating.first_in_line(waiting, len(waiting))
    assert sorted(line) == sorted(row_id for _s, row_id in pairs)
    for count in range(len(waiting) + 1):
        assert seating.first_in_line(waiting, count) == line[:count]


@pytest.mark.parametrize(
    ("closed", "message"),
    [
        ((True, True, True), "This gathering is cancelled: answers are closed."),
        ((False, True, True), "This gathering is over: answers are closed."),
        (
            (False, False, True),
            "You organise this gathering, so you are going. To call it off, cancel it.",
        ),
        ((False, False, False), None),
    ],
)
def test_refusal_says_the_first_reason(app, closed, message):
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert seating.refusal(*closed) == message


def test_refusals_keep_their_translations(app):
    """The msgids are the ones the catalogues translate: moved, not reworded."""
    with app.test_request_context("/", headers={"Accept-Language": "fr"}):
        words = [seating.refusal(*closed) for closed in [(1, 0, 0), (0, 1, 0), (0, 0, 1)]]
    english = [
        "This gathering is cancelled: answers are closed.",
        "This gathering is over: answers are closed.",
        "You organise this gathering, so you are going. To call it off, cancel it.",
    ]
    assert all(words) and all(w != e for w, e in zip(words, english, strict=True))


# The in-memory replay (meetups.demo.rsvps) runs on these rules: whatever the answers, the
# rows it leaves keep the promises the rules make.
moves_strategy = st.lists(st.tuples(st.integers(1, 8), responses), max_size=40)


@given(capacities, moves_strategy)
def test_replayed_answers_never_oversell_nor_leave_a_seat_while_someone_waits(capacity, picks):
    moves = [(T0 + timedelta(seconds=n), user, answer) for n, (user, answer) in enumerate(picks, 1)]
    answers = answers_for(0, moves, capacity, T0)
    taken = sum(seating.holds_seat(a.response, a.is_waitlisted) for a in answers)
    waiting = [a for a in answers if a.is_waitlisted]
    assert capacity is None or taken <= capacity
    assert not waiting or not seating.is_free(capacity, taken)
    assert all(a.response == Response.GOING for a in waiting)
