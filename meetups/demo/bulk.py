"""Demo data in bulk, for benchmarks: N gatherings over many cities, written with Core inserts.

Each city with gatherings has about one pack for 40 of them, with members from the city; about
30% of its gatherings belong to one of its packs, proposed by one of that pack's members.

The rows are the ones the services would have written, worked out in memory (rsvps.py plays
the RSVP rules; a cancellation raises the gathering's sequence) and inserted in chunks, with
one password hash for everyone: 100,000 gatherings take a minute or two, not hours.
"""

import math
import random
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import Table, insert, text
from werkzeug.security import generate_password_hash

from meetups.accounts import trades
from meetups.accounts.models import User, new_feed_token, new_session_token
from meetups.dates import AmbiguousTimeError, NonexistentTimeError, local_to_utc, utcnow
from meetups.demo import DESCRIPTION, PASSWORD
from meetups.demo.rsvps import Answer, Move, answers_for
from meetups.extensions import db
from meetups.gatherings.models import Gathering, Response, Rsvp, Status, Tag, gathering_tags
from meetups.packs.models import JoinPolicy, Membership, MemberStatus, Pack, Role
from meetups.packs.services import slugify
from meetups.places import gazetteer
from meetups.places.models import City, GeocodeStatus, Venue

SEED = 2026
CHUNK = 5_000  # gatherings per batch of inserts: bounded memory, one progress line each
FRENCH_CITIES = 120
# Francophone cities elsewhere, so that time zones other than Europe/Paris show up.
ABROAD = ("Montréal", "Nouméa", "Dakar", "Bruxelles", "Genève", "Casablanca", "Saint-Denis, RE")
ABROAD += ("Fort-de-France", "Québec", "Papeete", "Luxembourg", "Tunis", "Cayenne", "Abidjan")

FIRST = "Camille Hugo Inès Théo Léa Malik Sarah Yanis Chloé Lucas Manon Nathan Emma Louis Jade"
FIRST += " Gabriel Louise Arthur Alice Jules Lina Adam Rose Noah Zoé Sacha Nour Mathis Anna Amine"
LAST = "Durand Martin Bernard Petit Robert Haddad Lefèvre Moreau Dubois Laurent Simon Michel"
LAST += " Garcia Roux Fournier Girard Bonnet Mercier Diallo Nguyen Benali Rousseau Blanc Guérin"
OTHER_TRADES = ("luthier", "coach", "architecte d'intérieur", "")
FORMATS = ("Apéro freelance", "Petit-déjeuner", "Déjeuner", "Atelier", "Coworking ouvert")
FORMATS += ("Table ronde", "Afterwork", "Café-discussion", "Soirée", "Masterclass")
TOPICS = ("tarifs et devis", "SEO et rédaction", "prospection", "portfolio", "facturation")
TOPICS += ("réseaux sociaux", "intégration web", "traduction", "design", "no-code", "URSSAF")
TOPICS += ("négociation", "IA générative", "accessibilité", "photo produit")
TAGS = ("apéro", "réseau", "rédaction", "correction", "seo", "intégration", "tarifs", "dev")
TAGS += ("réseaux sociaux", "design", "portfolio", "traduction", "prospection", "compta")
TAGS += ("juridique", "ia", "accessibilité", "photo", "vidéo", "ux", "coworking", "débutants")
VENUE_KINDS = ("Café", "Coworking", "Tiers-lieu", "Bar", "Médiathèque", "Brasserie", "Atelier")
VENUE_NAMES = ("des Freelances", "du Port", "la Cordée", "le Comptoir", "des Halles", "du Marché")
STREETS = ("rue de la République", "avenue Jean-Jaurès", "place du Marché", "rue Victor-Hugo")
STREETS += ("quai des Arts", "boulevard Gambetta", "rue Pasteur", "rue de la Gare")
HOURS = tuple(time(h, m) for h, m in ((8, 30), (9, 0), (12, 0), (12, 30), (18, 0), (18, 30)))
HOURS += (time(19), time(19, 30), time(20))
CAPACITIES = (None, None, 3, 4, 6, 8, 10, 12, 15, 20, 25, 30, 40, 60)
DAYS_BACK, DAYS_AHEAD = 28, 365
ANSWERS = (Response.GOING, Response.MAYBE, Response.NO)
ANSWER_WEIGHTS = (65, 20, 15)
GATHERINGS_PER_PACK = 40  # a city gets a pack for about this many gatherings
PACK_SHARE = 0.3  # of a city's gatherings, this share belongs to one of its packs
PACK_KINDS = ("Rédacteurs web", "Freelances tech", "Créatifs", "Indés du numérique")
PACK_KINDS += ("Consultants SEO", "Traducteurs", "Graphistes et illustrateurs", "Photographes")
PACK_QUESTION = "Quel est votre métier, et que cherchez-vous dans la meute ?"
ANSWER = "Rencontrer d’autres indépendants et me passer des clients."


@dataclass
class World:
    """What every gathering draws from: cities, their residents and venues, tags."""

    rng: random.Random
    now: datetime
    places: list[gazetteer.Place]
    city_ids: list[int]
    residents: list[list[int]]  # user ids by city index
    everyone: list[int]
    venues: list[list[int]]  # venue ids by city index
    tag_ids: list[int]
    packs: list[list[tuple[int, list[int]]]]  # by city index: (pack id, active member ids)


def load(
    gatherings: int,
    seed: int = SEED,
    now: datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict:
    """Add N gatherings with their cities, venues, people and RSVPs; the caller commits."""
    rng = random.Random(seed)  # noqa: S311 - demo data, repeatable on purpose
    now = now or utcnow()
    places = cities_for(gatherings)
    weights = [_weight(p) for p in places]
    city_ids = _insert(City.__table__, [_city_row(p) for p in places])
    plan = rng.choices(range(len(places)), weights, k=gatherings)
    people = _people(rng, now, city_ids, weights, min(max(20, gatherings // 10), 20_000))
    everyone = _insert(User.__table__, people)
    residents: list[list[int]] = [[] for _ in places]
    index_of = {city_id: i for i, city_id in enumerate(city_ids)}
    for user_id, row in zip(everyone, people, strict=True):
        residents[index_of[row["home_city_id"]]].append(user_id)
    venues = _venues(rng, now, places, city_ids, Counter(plan))
    tag_ids = _insert(Tag.__table__, [{"name": name} for name in TAGS])
    packs = _packs(rng, now, places, city_ids, residents, Counter(plan))
    world = World(rng, now, places, city_ids, residents, everyone, venues, tag_ids, packs)
    answers = 0
    for start in range(0, gatherings, CHUNK):
        answers += _chunk(world, plan[start : start + CHUNK])
        if progress:
            progress(min(start + CHUNK, gatherings), gatherings)
    _refresh_statistics()
    return {
        "users": len(everyone),
        "cities": len(places),
        "venues": sum(map(len, venues)),
        "gatherings": gatherings,
        "packs": sum(map(len, packs)),
        "rsvps": answers,
        "login": people[0]["email"],
        "password": PASSWORD,
    }


def cities_for(gatherings: int) -> list[gazetteer.Place]:
    """The largest French cities, and a few abroad; more of them for more gatherings."""
    # Arrondissements ("Lyon 09") are GeoNames entries, not cities people type.
    french = [p for p in gazetteer.largest("FR", 2 * FRENCH_CITIES) if not p.name[-1].isdigit()]
    french = french[:FRENCH_CITIES]
    wanted = min(len(french) + len(ABROAD), max(8, gatherings // 100))
    abroad = [gazetteer.lookup(name) for name in ABROAD[: max(2, wanted // 8)]]
    return french[: wanted - len(abroad)] + [p for p in abroad if p is not None]


def _weight(place: gazetteer.Place) -> float:
    """Bigger cities hold more gatherings, though not in proportion; cities abroad fewer."""
    return math.sqrt(min(place.population, 2_500_000)) / (1 if place.country == "FR" else 3)


def _chunk(world: World, cities: list[int]) -> int:
    """Insert one batch of gatherings with their tags and RSVPs; return the RSVPs made."""
    made = [_gathering(world, city) for city in cities]
    ids = _insert(Gathering.__table__, [row for row, _tags, _answers in made])
    links, rsvps = [], []
    for gathering_id, (_row, tags, answers) in zip(ids, made, strict=True):
        links += [{"gathering_id": gathering_id, "tag_id": tag} for tag in tags]
        rsvps += [{**vars(a), "gathering_id": gathering_id} for a in answers]
    _insert(gathering_tags, links, returning=False)
    _insert(Rsvp.__table__, rsvps, returning=False)
    return len(rsvps)


def _gathering(world: World, city: int) -> tuple[dict, list[int], list[Answer]]:
    """One gathering's row, tag ids and answers, drawn at random."""
    rng, now, place = world.rng, world.now, world.places[city]
    starts = _start(rng, now, place.timezone)
    ends = starts + timedelta(minutes=rng.choice((90, 120, 150, 180)))
    created = min(now, starts) - timedelta(seconds=rng.uniform(3600, 60 * 86400))
    cancelled = created + (min(now, ends) - created) * rng.random() if rng.random() < 0.05 else None
    pack_id, organiser = None, rng.choice(world.residents[city] or world.everyone)
    if world.packs[city] and rng.random() < PACK_SHARE:  # proposed by one of its members
        pack_id, members = rng.choice(world.packs[city])
        organiser = rng.choice(members)
    capacity = rng.choice(CAPACITIES)
    topic = rng.choice(TOPICS)
    row = {
        "uid": f"{uuid.UUID(int=rng.getrandbits(128), version=4)}@meute",
        "sequence": 1 if cancelled else 0,
        "title": f"{rng.choice(FORMATS)} : {topic}",
        "description": f"{place.name}, thème du jour : {topic}.\n\n{DESCRIPTION}",
        "city_id": world.city_ids[city],
        "venue_id": rng.choice(world.venues[city]),
        "organiser_id": organiser,
        "pack_id": pack_id,
        "starts_at": starts,
        "ends_at": ends,
        "capacity": capacity,
        "status": Status.CANCELLED if cancelled else Status.SCHEDULED,
        "created_at": created,
        "updated_at": cancelled or created,
    }
    tags = rng.sample(world.tag_ids, rng.choice((0, 1, 1, 2, 2, 3)))
    closed = min(now, starts, cancelled or starts)
    moves = _moves(rng, _respondents(world, city, organiser), created, closed)
    return row, tags, answers_for(organiser, moves, capacity, created)


def _start(rng: random.Random, now: datetime, timezone: str) -> datetime:
    """A start between four weeks ago and a year ahead, at a usual local hour."""
    day = now.date() + timedelta(days=rng.randint(-DAYS_BACK, DAYS_AHEAD))
    wall = datetime.combine(day, rng.choice(HOURS))
    try:
        return local_to_utc(wall, timezone)
    except (NonexistentTimeError, AmbiguousTimeError):  # a DST change at that hour somewhere
        return local_to_utc(wall + timedelta(hours=2), timezone)


def _respondents(world: World, city: int, organiser: int) -> list[int]:
    """People who answer, mostly from the city; never the organiser."""
    rng = world.rng
    wanted = min(int(rng.expovariate(1 / 6)), 80, len(world.everyone) - 1)
    pool = world.residents[city]
    if len(pool) <= wanted + 1:
        pool = world.everyone
    return [u for u in rng.sample(pool, wanted + 1) if u != organiser][:wanted]


def _moves(rng: random.Random, others: list[int], opened: datetime, closed: datetime) -> list[Move]:
    """The answers of these people between opened and closed, in time order."""
    moves: list[Move] = []
    for user in others if closed > opened else ():
        at = opened + (closed - opened) * rng.random()
        moves.append((at, user, rng.choices(ANSWERS, ANSWER_WEIGHTS)[0]))
        if rng.random() < 0.1:  # a change of mind later on
            moves.append((at + (closed - at) * rng.random(), user, rng.choice(ANSWERS)))
    return sorted(moves)


def _packs(rng, now, places, city_ids, residents, gatherings: Counter) -> list[list]:
    """Packs in the cities with gatherings (one for ~40), each with an organiser and members
    from the city, a few requests pending; by city index: (pack id, active member ids)."""
    rows, members, cities, slugs = [], [], [], set()
    for i, place in enumerate(places):
        people = residents[i]
        wanted = (gatherings[i] + GATHERINGS_PER_PACK // 2) // GATHERINGS_PER_PACK
        for _ in range(wanted if len(people) >= 3 else 0):
            name = f"{rng.choice(PACK_KINDS)} de {place.name}"
            slug, n = slugify(name), 1
            while slug in slugs:  # as the pages do: "-2" for a second pack of that name
                n += 1
                slug = f"{slugify(name)}-{n}"
            slugs.add(slug)
            approval = rng.random() < 0.3
            # After its people joined the site (100 days ago or more), before its gatherings.
            created = now - timedelta(days=92 + 2 * rng.random())
            rows.append(
                {
                    "slug": slug,
                    "name": name,
                    "city_id": city_ids[i],
                    "description": f"Les indépendants de {place.name} qui se retrouvent.",
                    "join_policy": JoinPolicy.APPROVAL if approval else JoinPolicy.OPEN,
                    "join_question": PACK_QUESTION if approval else None,
                    "created_at": created,
                    "updated_at": created,
                }
            )
            members.append(rng.sample(people, rng.randint(3, min(len(people), 25))))
            cities.append(i)
    ids = _insert(Pack.__table__, rows)
    by_city: list[list[tuple[int, list[int]]]] = [[] for _ in places]
    links = []
    for pack_id, pack, people, city in zip(ids, rows, members, cities, strict=True):
        active = []
        for n, user_id in enumerate(people):
            pending = n > 0 and pack["join_policy"] == JoinPolicy.APPROVAL and rng.random() < 0.15
            asked = now - timedelta(days=rng.uniform(0, 5)) if pending else pack["created_at"]
            links.append(
                {
                    "pack_id": pack_id,
                    "user_id": user_id,
                    "role": Role.ORGANISER if n == 0 else Role.MEMBER,  # the first is its creator
                    "status": MemberStatus.PENDING if pending else MemberStatus.ACTIVE,
                    "answer": ANSWER if n > 0 and pack["join_question"] else None,
                    "requested_at": asked,
                    "joined_at": None if pending else asked + timedelta(hours=rng.uniform(0, 48)),
                }
            )
            if not pending:
                active.append(user_id)
        by_city[city].append((pack_id, active))
    _insert(Membership.__table__, links, returning=False)
    return by_city


def _city_row(place: gazetteer.Place) -> dict:
    fields = ("geonameid", "slug", "name", "country", "latitude", "longitude", "timezone")
    return {name: getattr(place, name) for name in fields}


def _people(rng, now, city_ids, weights, count: int) -> list[dict]:
    """Members living in the cities (more in bigger ones), all with the demo password."""
    password_hash = generate_password_hash(PASSWORD, method="scrypt")  # once: scrypt is slow
    first, last = FIRST.split(), LAST.split()
    rows = []
    for n, city_id in enumerate(rng.choices(city_ids, weights, k=count), 1):
        name = f"{rng.choice(first)} {rng.choice(last)}"
        trade = rng.choice(trades.VOCABULARY) if rng.random() < 0.9 else None
        rows.append(
            {
                "email": f"{gazetteer.normalise(name).replace(' ', '.')}.{n}@example.org",
                "password_hash": password_hash,
                "display_name": name,
                # Written as people write it: either language, either gender.
                "trade": rng.choice(trade.fr + trade.en) if trade else rng.choice(OTHER_TRADES),
                "trade_slug": trade.slug if trade else None,
                "home_city_id": city_id,
                "is_admin": False,
                "visibility": "hidden" if rng.random() < 0.05 else "members",
                "wants_suggestions": rng.random() < 0.5,
                "session_token": new_session_token(),
                "feed_token": new_feed_token(),
                "created_at": now - timedelta(days=100 + 600 * rng.random()),
            }
        )
    return rows


def _venues(rng, now, places, city_ids, gatherings: Counter) -> list[list[int]]:
    """Venues near the centre of each city with gatherings, placed by hand; one for ~25 gatherings."""
    rows, per_city = [], []
    for i, place in enumerate(places):
        count = min(150, max(1, gatherings[i] // 25)) if gatherings[i] else 0
        per_city.append(count)
        stretch = 1 / max(math.cos(math.radians(place.latitude)), 0.1)
        for n in range(1, count + 1):
            rows.append(
                {
                    "city_id": city_ids[i],
                    "name": f"{rng.choice(VENUE_KINDS)} {rng.choice(VENUE_NAMES)}",
                    "address": f"{n} {rng.choice(STREETS)}, {place.name}",
                    "latitude": round(place.latitude + rng.gauss(0, 0.02), 6),
                    "longitude": round(place.longitude + rng.gauss(0, 0.02) * stretch, 6),
                    "geocode_status": GeocodeStatus.MANUAL,
                    "geocoded_by": "demo",
                    "geocode_precision": None,
                    "created_at": now - timedelta(days=100),
                }
            )
    ids = iter(_insert(Venue.__table__, rows))
    return [[next(ids) for _ in range(count)] for count in per_city]


def _insert(table: Table, rows: list[dict], returning: bool = True) -> list[int]:
    """Insert rows, many to a statement; return their ids, in order, unless told not to."""
    if not rows:
        return []
    if not returning:  # executemany: on psycopg, pipelined and twice as fast as RETURNING
        db.session.execute(insert(table), rows)
        return []
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return list(db.session.scalars(statement, rows))


def _refresh_statistics() -> None:
    """Let PostgreSQL plan with the new table sizes now, as its docs advise after a bulk load,
    rather than when autovacuum comes round (or never, where it is off)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("ANALYZE"))
