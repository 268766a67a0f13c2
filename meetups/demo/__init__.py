"""Demo data: a few French cities, venues with fixed coordinates, people, packs and upcoming
gatherings (some of them in packs, one a monthly series)."""

from datetime import date, datetime, time, timedelta

from sqlalchemy import func

from meetups.accounts import services as accounts
from meetups.accounts.models import User
from meetups.dates import local_to_utc, utcnow
from meetups.demo import reports
from meetups.extensions import db
from meetups.gatherings import recurring
from meetups.gatherings import series as rules
from meetups.gatherings import services as gatherings
from meetups.gatherings.models import Gathering, Response
from meetups.packs.models import JoinPolicy, Membership, MemberStatus, Pack, Role
from meetups.packs.services import slugify
from meetups.places import gazetteer
from meetups.places.models import GeocodeStatus
from meetups.places.services import city_for, venue_for

PASSWORD = "demo-password"  # noqa: S105 - published on purpose: demo accounts only

# Trades as French freelancers write them: the English pages show the English names.
PEOPLE = [
    ("camille@example.org", "Camille Durand", "Rédactrice web", "Lyon"),
    ("hugo@example.org", "Hugo Martin", "Correcteur", "Lyon"),
    ("ines@example.org", "Inès Bernard", "Consultante SEO", "Paris"),
    ("theo@example.org", "Théo Petit", "Intégrateur web", "Bordeaux"),
    ("lea@example.org", "Léa Robert", "Community manager", "Nantes"),
    ("malik@example.org", "Malik Haddad", "Développeur", "Lille"),
    ("sarah@example.org", "Sarah Lefèvre", "Graphiste", "Saint-Étienne"),
    ("yanis@example.org", "Yanis Moreau", "Traducteur", "Lyon"),
]

# What the demo people say of themselves: they all opted in to suggestions.
PROFILES = {
    "camille@example.org": (
        "Articles de blog et pages de vente, pour les artisans et les indépendants.",
        "Une correctrice ou un correcteur pour relire mes textes avant livraison.",
        ["https://www.malt.fr/profile/camille-demo", "https://example.org/camille"],
    ),
    "hugo@example.org": (
        "Relecture et correction de textes web, sous 48 heures.",
        "Des rédacteurs web qui veulent livrer des textes sans coquilles.",
        ["https://www.linkedin.com/in/hugo-demo"],
    ),
    "ines@example.org": (
        "Audits SEO et stratégie de contenu.",
        "Un intégrateur pour corriger ce que mes audits trouvent.",
        [],
    ),
}

# (city, venue, address, latitude, longitude)
VENUES = [
    ("Lyon", "Café des Freelances", "12 rue de la République, 69002 Lyon", 45.7625, 4.8357),
    ("Lyon", "La Cordée Perrache", "3 rue Dugas-Montbel, 69002 Lyon", 45.7496, 4.8262),
    ("Paris", "Le Comptoir Général", "80 quai de Jemmapes, 75010 Paris", 48.8716, 2.3648),
    ("Bordeaux", "Darwin Écosystème", "87 quai des Queyries, 33100 Bordeaux", 44.8495, -0.5574),
    ("Nantes", "Le Solilab", "8 rue Saint-Domingue, 44200 Nantes", 47.2042, -1.5623),
    ("Lille", "Euratechnologies", "165 avenue de Bretagne, 59000 Lille", 50.6335, 3.0206),
    ("Saint-Étienne", "Le Mixeur", "3 rue Javelin Pagnon, 42000 Saint-Étienne", 45.4481, 4.3873),
]

# (days from today, local hour, venue index, organiser index, title, tags, capacity)
GATHERINGS = [
    (3, 19, 0, 0, "Apéro freelance", ("apéro", "réseau"), 20),
    (6, 9, 1, 1, "Petit-déjeuner rédaction et correction", ("rédaction", "correction"), 8),
    (10, 19, 2, 2, "SEO et intégration : qui fait quoi ?", ("seo", "intégration"), 15),
    (13, 18, 3, 3, "Tarifs 2027 : on en parle", ("tarifs",), None),
    (17, 12, 4, 4, "Déjeuner des community managers", ("réseaux sociaux",), 6),
    (20, 19, 5, 5, "Freelances tech du Nord", ("dev", "réseau"), 30),
    (24, 18, 6, 6, "Coworking ouvert et atelier portfolio", ("design", "portfolio"), 12),
    (31, 19, 0, 7, "Traducteurs et rédacteurs : apéro croisé", ("traduction", "rédaction"), 3),
]

# (name, city, policy, join question, description, organiser, [(member, status, answer)])
PACKS = [
    (
        "Rédacteurs web de Lyon",
        "Lyon",
        JoinPolicy.OPEN,
        None,
        "Rédacteurs, correcteurs et traducteurs lyonnais : on se relit, on se passe des clients.",
        0,
        [(1, MemberStatus.ACTIVE, None), (7, MemberStatus.ACTIVE, None)],
    ),
    (
        "Tech Lille",
        "Lille",
        JoinPolicy.APPROVAL,
        "Sur quoi travaillez-vous en ce moment ?",
        "Développeurs et intégrateurs indépendants de la métropole lilloise.",
        5,
        [(3, MemberStatus.PENDING, "Des thèmes WordPress sur mesure pour des artisans.")],
    ),
    (
        "SEO et contenus à Paris",
        "Paris",
        JoinPolicy.OPEN,
        None,
        "Consultants SEO, rédacteurs et intégrateurs qui répondent ensemble aux gros appels d’offres.",
        2,
        [(0, MemberStatus.ACTIVE, None), (3, MemberStatus.ACTIVE, None)],
    ),
]
# Gathering index (in GATHERINGS) -> pack index (in PACKS): its organiser is a member.
GATHERING_PACKS = {0: 0, 1: 0, 2: 2, 5: 1, 7: 0}

# A monthly series, from the first Thursday of next month at 19:00:
# (venue index, organiser index, title, tags, capacity).
SERIES = (1, 1, "Apéro freelance du premier jeudi", ("apéro", "réseau"), 25)
THURSDAY = 3

# A breakfast that happens only if 5 come (a quorum), with 2 going so far:
# (days from today, local hour, venue index, organiser index, title, tags, capacity, min_going).
QUORUM = (9, 8, 1, 7, "Petit-déjeuner des nouveaux freelances", ("accueil",), 10, 5)

DESCRIPTION = (
    "On se retrouve pour parler clients, tarifs et outils, et se présenter les uns aux autres.\n\n"
    "Venez comme vous êtes, avec vos cartes de visite. Plus d'infos : https://example.org/meute"
)


def is_empty() -> bool:
    """True when the database has no account yet."""
    return not db.session.scalar(db.select(func.count()).select_from(User))


def load(today: datetime | None = None) -> dict:
    """Add the demo people, venues, packs and gatherings; the caller commits."""
    users = [_person(*row) for row in PEOPLE]
    venues = []
    for city_name, name, address, lat, lon in VENUES:
        venue = venue_for(city_for(_place(city_name)), name, address)
        venue.latitude, venue.longitude = lat, lon
        venue.geocode_status, venue.geocoded_by = GeocodeStatus.MANUAL, "demo"
        venues.append(venue)
    packs = [_pack(users, *row) for row in PACKS]
    start_day = (today or utcnow()).date()
    for n, (days, hour, v, o, title, tags, capacity) in enumerate(GATHERINGS):
        wall = datetime.combine(start_day + timedelta(days=days), time(hour))
        pack_id = packs[GATHERING_PACKS[n]].id if n in GATHERING_PACKS else None
        proposal = _proposal(venues, v, wall, title, tags, capacity, pack_id=pack_id)
        gathering = gatherings.propose(users[o], proposal)
        for friend in (users[o + 1 :] + users[:o])[:3]:  # the third waits when seats run out
            gatherings.respond(gathering, friend, Response.GOING)
    _series(users, venues, start_day)
    _quorum(users, venues, start_day)
    db.session.flush()
    reports.load(PASSWORD)
    return {
        "users": len(users),
        "cities": len({row[0] for row in VENUES}),
        "gatherings": db.session.scalar(db.select(func.count()).select_from(Gathering)),
        "packs": len(packs),
        "login": PEOPLE[0][0],
        "admin": reports.ADMIN[0],
        "password": PASSWORD,
    }


def _series(users, venues, start_day: date) -> None:
    """The monthly series and its first occurrences, proposed as the form proposes one."""
    v, o, title, tags, capacity = SERIES
    first = first_weekday_of_next_month(start_day, THURSDAY)
    proposal = _proposal(venues, v, datetime.combine(first, time(19)), title, tags, capacity)
    gathering, _moved = recurring.start(users[o], proposal, rules.MONTHLY, None)
    for friend in (users[o + 1 :] + users[:o])[:3]:
        gatherings.respond(gathering, friend, Response.GOING)


def _quorum(users, venues, start_day: date) -> None:
    """The breakfast that needs a quorum, tentative with two people going."""
    days, hour, v, o, title, tags, capacity, min_going = QUORUM
    wall = datetime.combine(start_day + timedelta(days=days), time(hour))
    length = timedelta(hours=1, minutes=30)
    proposal = _proposal(venues, v, wall, title, tags, capacity, length, min_going=min_going)
    gathering = gatherings.propose(users[o], proposal)
    gatherings.respond(gathering, users[0], Response.GOING)


def _proposal(
    venues, v: int, wall: datetime, title: str, tags, capacity, length=None, **extra
) -> gatherings.Proposal:
    """A demo proposal at venue v, starting at this local wall-clock time (2 h 30 by default)."""
    venue = venues[v]
    starts = local_to_utc(wall, venue.city.timezone)
    return gatherings.Proposal(
        title=title,
        description=DESCRIPTION,
        place=_place(VENUES[v][0]),
        venue_name=venue.name,
        venue_address=venue.address,
        starts_at=starts,
        ends_at=starts + (length or timedelta(hours=2, minutes=30)),
        capacity=capacity,
        tags=tags,
        **extra,  # pack_id, min_going
    )


def first_weekday_of_next_month(day: date, weekday: int) -> date:
    """The first such weekday (Monday is 0) of the month after day's."""
    first = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7)


def _pack(users, name, city, policy, question, description, organiser, members) -> Pack:
    """A pack with its organiser first, its members and pending requests; flushed for its id."""
    now = utcnow()
    pack = Pack(slug=slugify(name), name=name, city=city_for(_place(city)))
    pack.description, pack.join_policy, pack.join_question = description, policy, question
    rows = [(organiser, Role.ORGANISER, MemberStatus.ACTIVE, None)]
    rows += [(m, Role.MEMBER, status, answer) for m, status, answer in members]
    for m, role, status, answer in rows:
        joined = now if status == MemberStatus.ACTIVE else None
        pack.memberships.append(
            Membership(user=users[m], role=role, status=status, answer=answer, joined_at=joined)
        )
    db.session.add(pack)
    db.session.flush()
    return pack


def _place(name: str) -> gazetteer.Place:
    place = gazetteer.lookup(name)
    if place is None:  # the gazetteer ships with the code: a miss here is a bug
        raise LookupError(name)
    return place


def _person(email: str, name: str, trade: str, city: str) -> User:
    user = accounts.register(email, PASSWORD, name, trade, city_for(_place(city)))
    user.wants_suggestions = True
    user.offers, user.looking_for, user.links = PROFILES.get(email, ("", "", []))
    return user
