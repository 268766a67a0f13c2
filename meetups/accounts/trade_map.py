"""A city's trade map: its members per trade (counts, never names) and the missing trades."""

from dataclasses import dataclass

from babel.lists import format_list
from flask import Blueprint, render_template
from flask_babel import get_locale
from sqlalchemy import case, func, literal_column

from meetups.accounts import trades
from meetups.accounts.models import User
from meetups.extensions import db
from meetups.places.models import City

bp = Blueprint("trade_map", __name__)


@dataclass(frozen=True)
class Missing:
    """A trade nobody in the city has, and the trades there it completes (slugs)."""

    slug: str
    completes: list[str]


@dataclass(frozen=True)
class TradeMap:
    members: int  # everyone whose home city it is, hidden people and people without a trade too
    mix: list[trades.Mix]
    missing: list[Missing]

    @property
    def without_trade(self) -> int:
        return self.members - sum(row.count for row in self.mix)


def member_counts(city_id: int) -> list[tuple[str | None, str, int]]:
    """(slug, typed, how many) for the people living in this city, in one GROUP BY: the
    vocabulary's trades by slug, free text by its text (most common spelling first)."""
    # A literal, not a parameter: PostgreSQL must see the same expression in GROUP BY.
    typed = case((User.trade_slug.is_(None), User.trade), else_=literal_column("''"))
    number = func.count(User.id)
    query = (
        db.select(User.trade_slug, typed, number)
        .where(User.home_city_id == city_id)
        .group_by(User.trade_slug, typed)
        .order_by(number.desc(), typed)
    )
    return [tuple(row) for row in db.session.execute(query)]


def trade_map(city: City, language: str) -> TradeMap:
    """The members of this city per trade, and the trades completing theirs nobody has there."""
    counted = member_counts(city.id)
    mix = trades.tally(counted, language)
    present = {row.slug for row in mix if row.slug}
    pairs = trades.pairs()
    missing = [
        Missing(slug, [other for other in trades.complements(slug, pairs) if other in present])
        for slug in trades.missing(present, pairs)
    ]
    return TradeMap(sum(n for _slug, _typed, n in counted), mix, missing)


def listed(slugs: list[str], language: str) -> str:
    """Trades named in a sentence of this language: "web writer and SEO consultant"."""
    return format_list([trades.label(slug, language) for slug in slugs], locale=language)


@bp.get("/cities/<slug>/trades")
def show(slug: str):
    city = db.first_or_404(db.select(City).filter_by(slug=slug))
    language = get_locale().language
    page = render_template(
        "trade_map/show.html",
        city=city,
        language=language,
        trade_map=trade_map(city, language),
        listed=lambda slugs: listed(slugs, language),
    )
    # Counts change with any profile: a cache may keep the page but must ask again each time.
    return page, {"Cache-Control": "no-cache"}
