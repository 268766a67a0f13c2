"""Trades: what people type, names in each language, and which trades complete each other (the
vocabulary itself is data in meetups.accounts.vocabulary). The rules are pure: no session, no clock,
no request; the few reads of the complementary pairs (data in the database, changed with
`flask trade-pairs`) are at the end.
"""

import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from flask_babel import get_locale

from meetups.accounts.vocabulary import VOCABULARY
from meetups.extensions import db

BY_SLUG = {trade.slug: trade for trade in VOCABULARY}
MAX_TRADE_LENGTH = 80  # what a person may type as their trade

# Words people add to a trade that do not change it ("Rédactrice web freelance").
_NOISE = {"freelance", "free-lance", "indépendant", "indépendante", "independent", "indep"}


def _key(text: str) -> str:
    """Text as compared: case, accents, hyphens, spacing and filler words do not count."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    words = plain.replace("-", " ").replace("·", " ").replace(".", " ").split()
    return " ".join(word for word in words if word not in _NOISE)


def _index() -> dict[str, str]:
    found = {}
    for trade in VOCABULARY:
        for name in (trade.slug, *trade.en, *trade.fr, *trade.aliases):
            found.setdefault(_key(name), trade.slug)
    return found


_INDEX = _index()


def canonical(text: str | None) -> str | None:
    """The slug of the trade this text names (in French or English, any case, a slug too), or
    None: anything else stays free text, shown as typed."""
    return _INDEX.get(_key(text or "")) if text else None


def tidy(text: str | None) -> str:
    """A typed trade with its spacing tidied, as it is kept and shown."""
    return " ".join((text or "").split())


def person_label(slug: str | None, typed: str, language: str) -> str:
    """A person's trade on a page: the form of this language they wrote ("Correctrice" reads
    "correctrice"), else the trade's name in this language; free text as typed."""
    trade = BY_SLUG.get(slug or "")
    if trade is None:
        return tidy(typed)
    written = [form for form in trade.forms(language) if _key(form) == _key(typed)]
    return written[0] if written else trade.label(language)


def label(slug: str, language: str, count: int = 1) -> str:
    """A trade's name in this language; a slug outside the vocabulary as it is."""
    trade = BY_SLUG.get(slug)
    return trade.label(language, count) if trade else slug


# Complementary pairs, as the rules take them: each pair a frozenset of two slugs.
Pairs = frozenset[frozenset[str]]


def complements(slug: str | None, pairs: Pairs) -> list[str]:
    """The slugs of the trades that complete this one, in vocabulary order."""
    if not slug:
        return []
    return [t.slug for t in VOCABULARY if t.slug != slug and frozenset((slug, t.slug)) in pairs]


@dataclass(frozen=True)
class Mix:
    """One trade among people: its slug (None for free text), how many, and its words."""

    slug: str | None
    count: int
    typed: str  # free text as the first person wrote it; "" for the vocabulary

    def label(self, language: str) -> str:
        return label(self.slug, language, self.count) if self.slug else self.typed


def mix(people: Iterable[tuple[str | None, str]], language: str) -> list[Mix]:
    """The trades of these people ((slug, typed) each) with their counts, most common first,
    then by name in this language; free texts that differ only in case or accents count
    together; no trade, not counted."""
    return tally(((slug, typed, 1) for slug, typed in people), language)


def tally(rows: Iterable[tuple[str | None, str, int]], language: str) -> list[Mix]:
    """mix() of people already counted: (slug, typed, how many) each, as a GROUP BY gives them."""
    counts: Counter = Counter()
    first_typed: dict[str, str] = {}
    for slug, typed, number in rows:
        key = slug or (_key(typed) and "~" + _key(typed))
        if not key:
            continue
        counts[key] += number
        first_typed.setdefault(key, tidy(typed))
    found = [
        Mix(None if key.startswith("~") else key, n, first_typed[key] if key[0] == "~" else "")
        for key, n in counts.items()
    ]
    return sorted(found, key=lambda row: (-row.count, _key(row.label(language))))


def missing(present: Iterable[str], pairs: Pairs) -> list[str]:
    """The trades that complete one present here and that nobody here has, in vocabulary order."""
    here = set(present)
    wanted = {other for slug in here for other in complements(slug, pairs)}
    return [t.slug for t in VOCABULARY if t.slug in wanted - here]


@dataclass(frozen=True)
class Suggestion:
    person: object  # whoever was passed in, untouched
    slug: str  # their trade
    because: str  # the viewer's trade it completes


SUGGESTED_AT_MOST = 3


def suggestions(viewer, candidates: Sequence, pairs: Pairs, limit: int = SUGGESTED_AT_MOST):
    """Up to `limit` of the candidates (in their order) to suggest to the viewer: both opted
    in, neither hidden, and the candidate's trade completes the viewer's. Anyone passed in
    has `id`, `trade_slug`, `wants_suggestions` and `visibility`; the caller passes only the
    people going, and a viewer who answered."""
    if not _suggestible(viewer) or not viewer.trade_slug:
        return []
    wanted = set(complements(viewer.trade_slug, pairs))
    found = [
        Suggestion(person, person.trade_slug, viewer.trade_slug)
        for person in candidates
        if person.id != viewer.id and _suggestible(person) and person.trade_slug in wanted
    ]
    return found[:limit]


def _suggestible(person) -> bool:
    return bool(person.wants_suggestions) and person.visibility != "hidden"


# Reads of the pairs (the database holds them: admins change them without a release).


def pairs() -> Pairs:
    """Every complementary pair, in one query."""
    from meetups.accounts.models import TradePair

    rows = db.session.execute(db.select(TradePair.first, TradePair.second))
    return frozenset(frozenset(row) for row in rows)


def ordered(a: str, b: str) -> tuple[str, str]:
    """A pair as it is stored: the smaller slug first (one row per pair, either way round)."""
    return (a, b) if a < b else (b, a)


# For pages: in the language of the request.


def shown(user) -> str:
    """A person's trade as the page's language names it (free text as typed); a template filter."""
    return person_label(user.trade_slug, user.trade, get_locale().language)


def page_label(slug: str, count: int = 1) -> str:
    """A trade's name in the page's language."""
    return label(slug, get_locale().language, count)


def suggested_names() -> list[str]:
    """The vocabulary's names in the page's language, offered as a trade field's suggestions."""
    return sorted((trade.label(get_locale().language) for trade in VOCABULARY), key=_key)
