"""The RSVP rules played in memory: the rows services.respond() would leave, without a database.

The rules themselves are meetups.gatherings.seating's, which the services call too; what is
here is the bookkeeping. A test replays the same answers through the services and compares.
"""

from dataclasses import dataclass
from datetime import datetime

from meetups.gatherings import seating
from meetups.gatherings.models import Response

Move = tuple[datetime, int, str]  # (when, user id, response); moves come sorted by time


@dataclass
class Answer:
    """One RSVP row as the services leave it, before it has a gathering id."""

    user_id: int
    response: str
    responded_at: datetime
    is_waitlisted: bool = False
    promoted_at: datetime | None = None
    sequence: int = 0
    updated_at: datetime | None = None


def answers_for(
    organiser: int, moves: list[Move], capacity: int | None, opened: datetime
) -> list[Answer]:
    """The RSVP rows the services leave after these moves, in insertion (id) order."""
    answers = [Answer(organiser, Response.GOING, opened)]  # as propose() makes it
    mine: dict[int, Answer] = {}
    for move in moves:
        _respond(answers, mine, capacity, move)
    return answers


def _respond(
    answers: list[Answer], mine: dict[int, Answer], capacity: int | None, move: Move
) -> None:
    """services.respond() then promote_waitlisted(), in memory."""
    at, user, response = move
    answer = mine.get(user)
    if answer is not None and answer.response == response:
        return
    had_seat = answer is not None and _holds_seat(answer)
    waits = seating.waits(response, capacity, _taken(answers))
    if answer is None:
        answer = mine[user] = Answer(user, response, at)
        answers.append(answer)
    else:
        answer.sequence += 1
    answer.response, answer.responded_at, answer.updated_at = response, at, at
    answer.promoted_at, answer.is_waitlisted = None, waits
    if had_seat:
        _promote(answers, capacity, at)


def _promote(answers: list[Answer], capacity: int | None, at: datetime) -> None:
    """services.promote_waitlisted(), in memory: free seats to the earliest in line."""
    # The index in answers stands for the row id: rows are inserted in this order.
    waiting = [(a.responded_at, i) for i, a in enumerate(answers) if a.is_waitlisted]
    free = seating.to_promote(capacity, _taken(answers), len(waiting))
    for promoted in [answers[i] for i in seating.first_in_line(waiting, free)]:
        promoted.is_waitlisted, promoted.promoted_at, promoted.updated_at = False, at, at
        promoted.sequence += 1


def _holds_seat(answer: Answer) -> bool:
    """Whether this answer holds a seat, by seating's rule."""
    return seating.holds_seat(answer.response, answer.is_waitlisted)


def _taken(answers: list[Answer]) -> int:
    """How many seats these answers hold (the organiser's included)."""
    return sum(map(_holds_seat, answers))
