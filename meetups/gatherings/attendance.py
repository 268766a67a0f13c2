"""Who is coming to a gathering: seat holders, the waitlist, the trade mix, and suggestions."""

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.orm import joinedload

from meetups.accounts import trades
from meetups.extensions import db
from meetups.gatherings.models import Gathering, Response, Rsvp


@dataclass
class Attendance:
    going: list[Rsvp] = field(default_factory=list)  # seat holders, in answer order
    waitlist: list[Rsvp] = field(default_factory=list)  # in line order
    maybe: list[Rsvp] = field(default_factory=list)

    def mine(self, user_id: int | None) -> Rsvp | None:
        return next(
            (r for r in self.going + self.waitlist + self.maybe if r.user_id == user_id), None
        )

    def place_in_line(self, user_id: int | None) -> int | None:
        """1 for the first person waiting, None when not waiting."""
        return next((i for i, r in enumerate(self.waitlist, 1) if r.user_id == user_id), None)

    @staticmethod
    def shown(rsvps: list[Rsvp], viewer, can_manage: bool) -> list[Rsvp]:
        """The people whose names this viewer may see: all for the organiser, listed ones
        (and themselves) for members, nobody for anonymous visitors."""
        if can_manage:
            return list(rsvps)
        if not viewer.is_authenticated:
            return []
        # A deleted account's past answer (no person) is shown as a former member's.
        return [
            r for r in rsvps if r.user is None or not r.user.is_hidden or r.user_id == viewer.id
        ]

    def trade_mix(self, language: str) -> list[trades.Mix]:
        """The trades of the people going with their counts, most common first (hidden
        people count too: a count names nobody)."""
        people = (r.user for r in self.going if r.user is not None)  # a former member: no trade
        return trades.mix(((p.trade_slug, p.trade) for p in people), language)

    def answered(self, user_id: int | None) -> bool:
        """Whether this person answered going (seat or waitlist) or maybe."""
        return self.mine(user_id) is not None

    def suggested(self, viewer, pairs: Callable[[], trades.Pairs]) -> list[trades.Suggestion]:
        """People going to suggest to this viewer, who must have answered and opted in (the
        pairs are read only then); the rules are trades.suggestions'."""
        if not viewer.is_authenticated or not viewer.wants_suggestions:
            return []
        if not self.answered(viewer.id):
            return []
        people = [r.user for r in self.going if r.user is not None]
        return trades.suggestions(viewer, people, pairs())


def attendance(gathering: Gathering) -> Attendance:
    """Everyone who answered going or maybe, with their profiles, in one query."""
    query = (
        db.select(Rsvp)
        .where(Rsvp.gathering_id == gathering.id, Rsvp.response != Response.NO)
        .options(joinedload(Rsvp.user))
        .order_by(Rsvp.responded_at, Rsvp.id)
    )
    result = Attendance()
    for rsvp in db.session.scalars(query):
        if rsvp.response == Response.MAYBE:
            result.maybe.append(rsvp)
        elif rsvp.is_waitlisted:
            result.waitlist.append(rsvp)
        else:
            result.going.append(rsvp)
    return result
