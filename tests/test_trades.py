"""The trade rules, as pure functions: what people type, names in each language, the trade mix,
missing trades and whom to suggest. No app, no session, no clock."""

from dataclasses import dataclass

import pytest

from meetups.accounts import trades

PAIRS = frozenset(
    frozenset(pair)
    for pair in [
        ("redacteur-web", "correcteur"),
        ("redacteur-web", "seo"),
        ("seo", "integrateur"),
        ("seo", "community-manager"),
        ("correcteur", "traducteur"),
    ]
)


@pytest.mark.parametrize(
    ("typed", "slug"),
    [
        ("Rédactrice web", "redacteur-web"),
        ("redacteur", "redacteur-web"),
        ("  RÉDACTEUR   WEB ", "redacteur-web"),
        ("web writer", "redacteur-web"),
        ("Rédactrice web freelance", "redacteur-web"),
        ("redacteur-web", "redacteur-web"),  # a slug, as a script posts it
        ("SEO consultant", "seo"),
        ("consultante SEO", "seo"),
        ("seo", "seo"),
        ("Correctrice", "correcteur"),
        ("relectrice", "correcteur"),
        ("proofreader", "correcteur"),
        ("Intégratrice web", "integrateur"),
        ("front-end integrator", "integrateur"),
        ("Développeuse", "developpeur"),
        ("Photographe", "photographe"),
        ("community manager", "community-manager"),
        ("conceptrice-rédactrice", "concepteur-redacteur"),
        ("copywriter", "concepteur-redacteur"),
    ],
)
def test_what_people_type_finds_their_trade(typed, slug):
    assert trades.canonical(typed) == slug


@pytest.mark.parametrize("typed", ["luthier", "coach", "", "   ", None, "web", "designer"])
def test_anything_else_stays_free_text(typed):
    assert trades.canonical(typed) is None


def test_the_vocabulary_has_twenty_trades_each_name_finding_its_own():
    assert len(trades.VOCABULARY) >= 20
    assert len(trades.BY_SLUG) == len(trades.VOCABULARY)  # slugs are unique
    for trade in trades.VOCABULARY:
        for name in (trade.slug, *trade.en, *trade.fr, *trade.aliases):
            assert trades.canonical(name) == trade.slug, (name, trade.slug)


@pytest.mark.parametrize(
    ("slug", "language", "count", "label"),
    [
        ("redacteur-web", "en", 1, "web writer"),
        ("redacteur-web", "en", 2, "web writers"),
        ("redacteur-web", "en", 0, "web writers"),
        ("redacteur-web", "fr", 1, "rédacteur web"),
        ("redacteur-web", "fr", 0, "rédacteur web"),  # French: zero is singular
        ("redacteur-web", "fr", 3, "rédacteurs web"),
        ("seo", "fr", 2, "consultants SEO"),
        ("luthier", "fr", 2, "luthier"),  # not a slug: as it is
    ],
)
def test_names_in_each_language_with_their_plurals(slug, language, count, label):
    assert trades.label(slug, language, count) == label


def test_a_person_is_shown_as_they_wrote_their_trade_when_it_is_in_the_page_language():
    assert trades.person_label("correcteur", "Correctrice", "fr") == "correctrice"
    assert trades.person_label("correcteur", "correctrice freelance", "fr") == "correctrice"
    assert trades.person_label("correcteur", "Correctrice", "en") == "proofreader"
    assert trades.person_label("seo", "seo", "fr") == "consultant SEO"
    assert trades.person_label("seo", "SEO consultant", "en") == "SEO consultant"
    assert trades.person_label(None, "  luthier   d'art ", "en") == "luthier d'art"


def test_the_mix_counts_each_trade_once_most_common_first_then_by_name():
    people = [
        ("redacteur-web", "Rédactrice web"),
        ("redacteur-web", "web writer"),
        (None, "Luthier"),
        (None, "luthier"),
        ("correcteur", "proofreader"),
        (None, ""),  # no trade: not counted
        ("seo", "SEO"),
    ]
    mix = trades.mix(people, "en")
    assert [(row.count, row.label("en")) for row in mix] == [
        (2, "Luthier"),  # free text: as the first person wrote it
        (2, "web writers"),
        (1, "proofreader"),
        (1, "SEO consultant"),
    ]
    assert [row.label("fr") for row in trades.mix(people, "fr")] == [
        "Luthier",
        "rédacteurs web",
        "consultant SEO",
        "correcteur",
    ]
    assert trades.mix([], "fr") == []


def test_complements_go_both_ways_and_missing_ones_are_those_nobody_has():
    assert trades.complements("redacteur-web", PAIRS) == ["correcteur", "seo"]
    assert trades.complements("correcteur", PAIRS) == ["redacteur-web", "traducteur"]
    assert trades.complements("photographe", PAIRS) == []
    assert trades.complements(None, PAIRS) == []
    assert trades.missing(["redacteur-web", "seo"], PAIRS) == [
        "correcteur",
        "integrateur",
        "community-manager",
    ]
    assert trades.missing([], PAIRS) == []


@dataclass
class Person:
    id: int
    trade_slug: str | None
    wants_suggestions: bool = True
    visibility: str = "members"


def names(found) -> list[int]:
    return [suggestion.person.id for suggestion in found]


WRITER = Person(1, "redacteur-web")


def test_suggests_people_whose_trade_completes_mine_with_the_reason():
    going = [WRITER, Person(2, "correcteur"), Person(3, "photographe"), Person(4, "seo")]
    found = trades.suggestions(WRITER, going, PAIRS)
    assert names(found) == [2, 4]  # not the photographer, not myself
    assert (found[0].slug, found[0].because) == ("correcteur", "redacteur-web")


def test_nobody_who_did_not_opt_in_or_is_hidden_is_suggested():
    going = [
        Person(2, "correcteur", wants_suggestions=False),
        Person(3, "correcteur", visibility="hidden"),
        Person(4, "correcteur", visibility="public"),
    ]
    assert names(trades.suggestions(WRITER, going, PAIRS)) == [4]


def test_a_viewer_who_did_not_opt_in_or_is_hidden_or_has_no_known_trade_gets_none():
    going = [Person(2, "correcteur")]
    for viewer in (
        Person(1, "redacteur-web", wants_suggestions=False),
        Person(1, "redacteur-web", visibility="hidden"),
        Person(1, None),
    ):
        assert trades.suggestions(viewer, going, PAIRS) == []


def test_at_most_three_in_the_order_given():
    going = [Person(n, "correcteur") for n in range(10, 20)]
    assert names(trades.suggestions(WRITER, going, PAIRS)) == [10, 11, 12]
    assert names(trades.suggestions(WRITER, going, PAIRS, limit=1)) == [10]
