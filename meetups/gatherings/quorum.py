"""The quorum rules, pure: how many more are needed, when it is decided, what status follows.

A gathering with `min_going` is tentative until that many people hold a seat (the organiser
included; maybe and waitlisted answers do not count). Reaching it confirms the gathering for
good: someone leaving afterwards does not make it tentative again.
"""

from datetime import datetime, timedelta

from meetups.gatherings.models import Status

# By default a quorum is decided this long before the start: time to tell people either way.
DECIDE_BEFORE = timedelta(hours=48)


def needs(min_going: int | None, going: int) -> int:
    """How many more people must be going for the quorum; 0 when reached or when there is none."""
    return max((min_going or 0) - going, 0)


def is_reached(min_going: int | None, going: int) -> bool:
    """Whether enough people are going (always, without a quorum)."""
    return needs(min_going, going) == 0


def default_decide_at(starts_at: datetime, now: datetime) -> datetime:
    """48 hours before the start; when that has passed, halfway between now and the start."""
    decide_at = starts_at - DECIDE_BEFORE
    return decide_at if decide_at > now else now + (starts_at - now) / 2


def status_after_edit(status: str, had_quorum: bool, min_going: int | None, going: int) -> str:
    """The status once an edit set the quorum: a confirmed gathering stays confirmed."""
    if status == Status.CANCELLED:
        return status
    # Scheduled with a quorum before: it was confirmed; a new number does not undo that.
    if status == Status.SCHEDULED and had_quorum:
        return status
    return Status.SCHEDULED if is_reached(min_going, going) else Status.TENTATIVE


def progress(min_going: int | None, going: int) -> int:
    """How far the progress bar goes: the people going, at most the quorum."""
    return min(going, min_going or 0)
