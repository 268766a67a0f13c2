"""Who hears of new gatherings, written once for the mail at once and the weekly digest."""

from sqlalchemy import Select, func, select, union

from meetups.accounts.models import User
from meetups.gatherings.models import Gathering
from meetups.notifications.models import Settings
from meetups.packs.models import Membership, MemberStatus


def audience(rhythm: str, *which) -> Select:
    """(user_id, gathering_id) of the gatherings matching `which` and of the people who hear of
    them at this rhythm: the active members of the gathering's pack (pack news), the people
    whose home city it is (city news); never its organiser. One row per pair."""
    pack_news = func.coalesce(Settings.pack_news, Settings.PACK_NEWS)
    in_packs = (
        select(Membership.user_id.label("user_id"), Gathering.id.label("gathering_id"))
        .join(Gathering, Gathering.pack_id == Membership.pack_id)
        .outerjoin(Settings, Settings.user_id == Membership.user_id)
        .where(Membership.status == MemberStatus.ACTIVE, pack_news == rhythm, *which)
        .where(Gathering.organiser_id != Membership.user_id)
    )
    city_news = func.coalesce(Settings.city_news, Settings.CITY_NEWS)
    in_city = (
        select(User.id.label("user_id"), Gathering.id.label("gathering_id"))
        .join(Gathering, Gathering.city_id == User.home_city_id)
        .outerjoin(Settings, Settings.user_id == User.id)
        .where(city_news == rhythm, Gathering.organiser_id != User.id, *which)
    )
    return union(in_packs, in_city)
