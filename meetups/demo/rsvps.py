"""The RSVP rules played in memory: the rows services.respond() would leave, without a database.

A test replays the same answers through the services and compares, so keep the two in step.
"""

from dataclasses import dataclass
from datetime import datetime

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
    waits = response == Response.GOING and not _free_seats(answers, capacity)
    if answer is None:
        answer = mine[user] = Answer(user, response, at)
        answers.append(answer)
    else:
        answer.sequence += 1
    answer.response, answer.responded_at, answer.updated_at = response, at, at
    answer.promoted_at, answer.is_waitlisted = None, waits
    if had_seat:
        # The earliest in line by (responded_at, id), as promote_waitlisted() orders them.
        waiting = sorted((a.responded_at, i) for i, a in enumerate(answers) if a.is_waitlisted)
        for promoted in [answers[i] for _at, i in waiting[: _free_seats(answers, capacity)]]:
            promoted.is_waitlisted, promoted.promoted_at, promoted.updated_at = False, at, at
            promoted.sequence += 1


def _holds_seat(answer: Answer) -> bool:
    return answer.response == Response.GOING and not answer.is_waitlisted


def _free_seats(answers: list[Answer], capacity: int | None) -> int:
    if capacity is None:
        return len(answers) + 1  # more than anyone could take
    return capacity - sum(map(_holds_seat, answers))
