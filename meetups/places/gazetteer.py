"""Offline city gazetteer: resolve what people type in a city field to a GeoNames city."""

import difflib
import functools
import gzip
import math
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

DATA_DIR = Path(__file__).with_name("data")
CITIES_FILE = DATA_DIR / "cities.tsv.gz"  # written by build_gazetteer.py, see ATTRIBUTION.md
COUNTRIES_FILE = DATA_DIR / "countries.tsv"

_MAX_INPUT = 200  # no city name is longer; bounds the work done on pasted garbage
# Latin letters that NFKD does not split into a base letter and an accent.
_LETTERS = str.maketrans(
    {"ł": "l", "ø": "o", "đ": "d", "ð": "d", "ħ": "h", "ı": "i", "æ": "ae", "œ": "oe", "þ": "th"}
)
_ABBREVIATIONS = {"st": "saint", "ste": "sainte"}
# Suggestions: names at least this close (difflib's ratio), a bigger place winning a near tie
# (ten times the people weighs like 0.02 of ratio); no city name is longer than 60 characters.
_CLOSE = 0.75
_SIZE_WEIGHT = 0.02
_MAX_SUGGEST_INPUT = 60


@dataclass(frozen=True, slots=True)
class Place:
    geonameid: int
    slug: str  # stable ASCII, e.g. "saint-etienne"; unique across the data set
    name: str  # GeoNames primary name, e.g. "Saint-Étienne", "Montréal", "Brussels"
    country: str  # ISO 3166 alpha-2, upper case
    latitude: float
    longitude: float
    timezone: str  # IANA, e.g. "Europe/Paris"
    population: int


@dataclass(frozen=True, slots=True)
class _Gazetteer:
    by_geonameid: dict[int, Place]
    by_slug: dict[str, Place]
    names: dict[str, tuple[Place, ...]]  # normalised primary name -> places, most populous first
    aliases: dict[str, tuple[Place, ...]]  # normalised alternate name -> places, likewise
    countries: dict[str, str]  # normalised country code or name -> ISO code


def normalise(text: str) -> str:
    """Fold a name for matching: accents stripped, case-folded, punctuation as single spaces."""
    kept = []
    for char in unicodedata.normalize("NFKD", text).casefold():
        category = unicodedata.category(char)
        if category == "Mn":  # accents, once NFKD has split them off their letter
            continue
        kept.append(char if category[0] in "LNM" else " ")
    words = "".join(kept).translate(_LETTERS).split()
    return " ".join(_ABBREVIATIONS.get(word, word) for word in words)


@functools.cache
def _load() -> _Gazetteer:
    lines = gzip.decompress(CITIES_FILE.read_bytes()).decode("utf-8").splitlines()
    by_geonameid, by_slug, names, aliases = {}, {}, {}, {}
    # The build script writes cities most populous first, so every tuple below is in that order.
    # Tuples, not lists: most keys name one city, and 150,000 lists would cost ~8 MB more.
    for line in lines[1:]:  # after the header
        gid, slug, name, country, lat, lon, tz, population, keys, alts = line.split("\t")
        country, tz = sys.intern(country), sys.intern(tz)  # a few hundred distinct values
        place = Place(int(gid), slug, name, country, float(lat), float(lon), tz, int(population))
        by_geonameid[place.geonameid] = place
        by_slug[slug] = place
        for key in keys.split("|"):
            names[key] = (*names.get(key, ()), place)
        if alts:
            for key in alts.split("|"):
                aliases[key] = (*aliases.get(key, ()), place)
    countries = {}
    for line in COUNTRIES_FILE.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            code, keys = line.split("\t")
            countries.update(dict.fromkeys(keys.split("|"), code))
    return _Gazetteer(by_geonameid, by_slug, names, aliases, countries)


def _best(gazetteer: _Gazetteer, key: str, country: str | None) -> Place | None:
    # Any primary-name match beats any alternate-name match; each is most populous first.
    candidates = gazetteer.names.get(key, ()) + gazetteer.aliases.get(key, ())
    return next((p for p in candidates if country is None or p.country == country), None)


def lookup(text: str) -> Place | None:
    """Return the city best matching what a person typed (optionally followed by a country)."""
    words = normalise(text[:_MAX_INPUT]).split()
    gazetteer = _load()
    # The whole text as a city name first ("Frankfurt (Oder)"), then "<city> <country>" splits,
    # shortest country part first: "Valence, ES", "Valencia (Espagne)", "London Canada".
    for cut in range(len(words), 0, -1):
        country = None
        if cut < len(words):
            country = gazetteer.countries.get(" ".join(words[cut:]))
            if country is None:
                continue
        place = _best(gazetteer, " ".join(words[:cut]), country)
        if place is not None:
            return place
    return None


def by_slug(slug: str) -> Place | None:
    """Return the city with this slug, or None."""
    return _load().by_slug.get(slug)


def by_geonameid(geonameid: int) -> Place | None:
    """Return the city with this GeoNames id, or None."""
    return _load().by_geonameid.get(geonameid)


def largest(country: str, count: int) -> list[Place]:
    """The country's most populous places, biggest first (demo data, benchmarks)."""
    places = (p for p in _load().by_geonameid.values() if p.country == country.upper())
    return sorted(places, key=lambda p: (-p.population, p.slug))[:count]


def suggest(text: str, limit: int = 5) -> list[Place]:
    """Known cities whose names come close to a misspelt one, closest (then biggest) first."""
    words = normalise(text[:_MAX_INPUT]).split()
    countries = _load().countries
    # The whole text as a misspelt name, else "<misspelt name> <country>": "Lyonn, France".
    for cut in range(len(words), 0, -1):
        country = countries.get(" ".join(words[cut:])) if cut < len(words) else None
        if cut < len(words) and country is None:
            continue
        found = _close(" ".join(words[:cut]), country)
        if found:
            return list(found[:limit])
    return []


@functools.lru_cache(maxsize=1024)  # people type a name a letter at a time, and retype it
def _close(key: str, country: str | None) -> tuple[Place, ...]:
    key = key[:_MAX_SUGGEST_INPUT]
    if len(key) < 3:  # "ly" is close to too much to mean anything
        return ()
    matcher = difflib.SequenceMatcher(autojunk=False)
    matcher.set_seq2(key)
    scored: dict[int, tuple[float, Place]] = {}
    for name in _names_within_reach(len(key)):
        matcher.set_seq1(name)
        if matcher.quick_ratio() < _CLOSE or (ratio := matcher.ratio()) < _CLOSE:
            continue
        for place in _load().names[name]:
            if country is None or place.country == country:
                score = ratio + _SIZE_WEIGHT * math.log10(max(place.population, 1))
                if score > scored.get(place.geonameid, (0.0,))[0]:
                    scored[place.geonameid] = (score, place)
                break  # the biggest of the homonyms stands for them
    ranked = sorted(scored.values(), key=lambda item: (-item[0], item[1].slug))
    return tuple(place for _score, place in ranked)


def _names_within_reach(length: int):
    """Primary names long enough and short enough for difflib's ratio to reach _CLOSE."""
    by_length = _names_by_length()
    for other in range(1, _MAX_SUGGEST_INPUT + 1):
        if 2 * min(length, other) / (length + other) >= _CLOSE:
            yield from by_length.get(other, ())


@functools.cache
def _names_by_length() -> dict[int, tuple[str, ...]]:
    by_length: dict[int, list[str]] = {}
    for name in _load().names:
        by_length.setdefault(len(name), []).append(name)
    return {length: tuple(names) for length, names in by_length.items()}


def named_in_address(address: str) -> Place | None:
    """The city an address ends with ("12 rue X, 69002 Lyon", "…, H2X 1Y4 Montréal, Canada"),
    or None when its last parts name no known city (a street alone names none)."""
    parts = [part for part in address[:_MAX_INPUT].split(",") if part.strip()]
    if len(parts) < 2:
        return None
    country = ""
    if _load().countries.get(normalise(parts[-1])) and len(parts) > 2:
        country = parts.pop()
    # Postcodes and district numbers ("69002", "H2X 1Y4", "2e") are not the city's name.
    name = " ".join(word for word in parts[-1].split() if not any(c.isdigit() for c in word))
    return lookup(f"{name} {country}") if name else None
