"""Who is coming to a gathering: seat holders, the waitlist, the trade mix, and matching trades."""

from collections import Counter
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.orm import joinedload

from meetups.extensions import db
from meetups.gatherings.models import Gathering, Response, Rsvp

# Plural forms of the suggested trades; other trades are free text, shown in the same shape
# as typed ("1 rédactrice web", "2 luthier"): a count before a name, never two formats.
TRADE_PLURALS = {
    "web writer": lambda n: ngettext("%(num)d web writer", "%(num)d web writers", n),
    "proofreader": lambda n: ngettext("%(num)d proofreader", "%(num)d proofreaders", n),
    "SEO consultant": lambda n: ngettext("%(num)d SEO consultant", "%(num)d SEO consultants", n),
    "integrator": lambda n: ngettext("%(num)d integrator", "%(num)d integrators", n),
    "developer": lambda n: ngettext("%(num)d developer", "%(num)d developers", n),
    "community manager": lambda n: ngettext(
        "%(num)d community manager", "%(num)d community managers", n
    ),
    "designer": lambda n: ngettext("%(num)d designer", "%(num)d designers", n),
    "translator": lambda n: ngettext("%(num)d translator", "%(num)d translators", n),
    "photographer": lambda n: ngettext("%(num)d photographer", "%(num)d photographers", n),
    "illustrator": lambda n: ngettext("%(num)d illustrator", "%(num)d illustrators", n),
    "search-marketing consultant": lambda n: ngettext(
        "%(num)d search-marketing consultant", "%(num)d search-marketing consultants", n
    ),
    "UX designer": lambda n: ngettext("%(num)d UX designer", "%(num)d UX designers", n),
    "copywriter": lambda n: ngettext("%(num)d copywriter", "%(num)d copywriters", n),
    "video editor": lambda n: ngettext("%(num)d video editor", "%(num)d video editors", n),
    "accountant": lambda n: ngettext("%(num)d accountant", "%(num)d accountants", n),
}

# Trades whose work completes each other's: who a freelancer would want to meet.
COMPLEMENTS = {
    "web writer": ("proofreader", "translator", "SEO consultant", "designer"),
    "proofreader": ("web writer", "copywriter", "translator"),
    "copywriter": ("proofreader", "designer", "community manager"),
    "translator": ("proofreader", "web writer"),
    "SEO consultant": ("integrator", "web writer", "developer"),
    "search-marketing consultant": ("community manager", "SEO consultant"),
    "integrator": ("SEO consultant", "designer", "UX designer"),
    "developer": ("designer", "UX designer", "integrator"),
    "designer": ("developer", "integrator", "web writer", "photographer"),
    "UX designer": ("developer", "integrator"),
    "community manager": ("search-marketing consultant", "photographer", "video editor"),
    "photographer": ("community manager", "designer", "video editor"),
    "video editor": ("community manager", "photographer"),
    "illustrator": ("designer", "web writer"),
    "accountant": (),
}


def canonical_trade(trade: str | None) -> str | None:
    """The suggested trade this text names, in English or in the page's language, or None."""
    text = " ".join((trade or "").split()).casefold()
    for key in TRADE_PLURALS:
        if text in (key.casefold(), _(key).casefold()):
            return key
    return None


def trade_label(trade: str | None) -> str:
    """A trade as the page's language names it: a suggested trade is translated, others as typed."""
    key = canonical_trade(trade)
    return _(key) if key else (trade or "")


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
        return [r for r in rsvps if not r.user.is_unlisted or r.user_id == viewer.id]

    def trade_mix(self) -> str:
        """ "3 web writers, 1 proofreader": the trades of the people going, most common first."""
        counts = Counter(" ".join(r.user.trade.split()) for r in self.going if r.user.trade.strip())
        merged: Counter = Counter()
        for trade, n in counts.items():
            merged[canonical_trade(trade) or trade] += n
        parts = [
            TRADE_PLURALS[t](n) if t in TRADE_PLURALS else f"{n} {t}"
            for t, n in sorted(merged.items(), key=lambda item: (-item[1], item[0].casefold()))
        ]
        return ", ".join(parts)

    def complements(self, trade: str | None) -> str | None:
        """A sentence naming the people going whose trades complete this one, or None."""
        wanted = COMPLEMENTS.get(canonical_trade(trade) or "", ())
        matches = Counter(
            key for r in self.going if (key := canonical_trade(r.user.trade)) in wanted
        )
        if not matches:
            return None
        listing = ", ".join(TRADE_PLURALS[key](n) for key, n in matches.most_common())
        return ngettext(
            "Someone whose trade completes yours is going: %(list)s.",
            "People whose trades complete yours are going: %(list)s.",
            sum(matches.values()),
            list=listing,
        )


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
