"""A city's trade map: members per trade (counts, never names) and the missing trades."""

import itertools
import re
from html import unescape

import pytest

from meetups.extensions import db
from tests.conftest import PASSWORD, text_of
from tests.test_i18n import _assert_in_language

FR = {"Accept-Language": "fr"}
EN = {"Accept-Language": "en"}
NANTES = "/cities/nantes/trades"


@pytest.fixture
def resident(app):
    """resident(trade, city="Nantes", visibility=..., display_name=...): someone living there."""
    from meetups.accounts import services
    from meetups.places import gazetteer
    from meetups.places.services import city_for

    counter = itertools.count(1)

    def make(trade="", city="Nantes", visibility="members", display_name=None):
        n = next(counter)
        with app.app_context():
            user = services.register(
                f"resident{n}@example.org",
                PASSWORD,
                display_name or f"Resident {n}",
                trade,
                city_for(gazetteer.lookup(city)),
            )
            user.visibility = visibility
            db.session.commit()
            return user.id

    return make


def counts(response) -> dict[str, int]:
    """The trade table as {label: count}, in its order."""
    rows = re.findall(
        r'<th scope="row">(.*?)</th><td class="trade-count">(\d+)</td>', response.text
    )
    return {unescape(label): int(n) for label, n in rows}


def missing(response) -> list[str]:
    return re.findall(r'class="missing-trade" data-trade="([^"]+)"', response.text)


def set_trade(app, user_id, trade):
    from meetups.accounts import services
    from meetups.accounts.models import User

    with app.app_context():
        services.set_trade(db.session.get(User, user_id), trade)
        db.session.commit()


# Counts ---------------------------------------------------------------------------------------


def test_members_are_counted_per_trade_whatever_the_language_or_form(client, resident):
    for trade in ("web writer", "rédactrice web", "Rédacteur web freelance", "correctrice"):
        resident(trade)
    for trade in ("Potier", "Potier", "potiér", ""):
        resident(trade)
    resident("web writer", city="Lyon")  # elsewhere: not counted

    french = client.get(NANTES, headers=FR)
    assert french.status_code == 200
    assert counts(french) == {"Potier": 3, "rédacteurs web": 3, "correcteur": 1}
    page = text_of(french.text)
    assert "8 membres habitent ici. Parmi eux, 1 n’a pas indiqué de métier." in page

    english = client.get(NANTES, headers=EN)
    assert counts(english) == {"Potier": 3, "web writers": 3, "proofreader": 1}
    assert "8 members live here. Of them, 1 has not given a trade." in text_of(english.text)


def test_hidden_people_count_but_nobody_is_named(client, resident, create_user, login):
    resident("correcteur", visibility="hidden", display_name="Zéphyrine Cachée")
    resident("correcteur", visibility="public", display_name="Publius Visible")
    resident("graphiste", visibility="members", display_name="Membre Discret")
    for signed_in in (False, True):
        if signed_in:
            login(create_user(display_name="Someone Else"))
        response = client.get(NANTES)
        assert counts(response) == {"correcteurs": 2, "graphiste": 1}
        for secret in ("Zéphyrine", "Publius", "Discret", "resident", "@example.org"):
            assert secret not in response.text
        assert "/people/" not in response.text


def test_typed_markup_is_shown_as_text(client, resident):
    resident('<script>alert("x")</script> & <b>co</b>')
    response = client.get(NANTES)
    assert "<script>alert" not in response.text
    assert "<b>co</b>" not in response.text
    assert counts(response) == {'<script>alert("x")</script> & <b>co</b>': 1}


# Missing trades ---------------------------------------------------------------------------------


def test_missing_trades_complete_those_present(client, resident):
    resident("web writer")
    response = client.get(NANTES, headers=EN)
    # The seeded pairs of redacteur-web, in the vocabulary's order.
    assert missing(response) == ["correcteur", "seo", "traducteur", "webdesigner"]
    page = text_of(response.text)
    assert "No proofreader in Nantes yet. Complements: web writer." in page
    assert "Propose a gathering for proofreaders" in page


def test_a_missing_trade_names_every_trade_it_completes(client, resident):
    resident("web writer")
    resident("translator")
    page = text_of(client.get(NANTES, headers=EN).text)
    assert "No proofreader in Nantes yet. Complements: web writer and translator." in page
    french = text_of(client.get(NANTES, headers=FR).text)  # text_of reads a no-break space as one
    assert "Nantes n’a encore aucun correcteur. Complète : rédacteur web et traducteur." in french
    assert "Proposer une rencontre pour les correcteurs" in french


@pytest.mark.parametrize(("lang", "headers"), [("fr", FR), ("en", EN)])
def test_the_page_speaks_one_language(client, resident, lang, headers):
    for trade in ("web writer", "seo", "Potier", ""):
        resident(trade)
    response = client.get(NANTES, headers=headers)
    assert missing(response) and counts(response)
    _assert_in_language(response, lang, NANTES)


def test_french_wording_reads_right_for_every_trade(client, resident):
    resident("seo")  # completes a community manager, an integrator, web writer, SEA
    page = text_of(client.get(NANTES, headers=FR).text)
    assert "Nantes : les métiers" in page
    assert "Nantes n’a encore aucun community manager." in page
    assert "Nantes n’a encore aucun intégrateur web." in page
    assert "Nantes n’a encore aucun consultant SEA." in page
    assert "Proposer une rencontre pour les intégrateurs web" in page


def test_french_never_writes_a_le_before_a_city_name(client, resident):
    resident("web writer", city="Le Havre")
    page = text_of(client.get("/cities/le-havre/trades", headers=FR).text)
    assert "Le Havre : les métiers" in page
    assert "Le Havre n’a encore aucun correcteur." in page
    assert "à Le Havre" not in page and "de Le Havre" not in page


def test_a_missing_trade_disappears_once_someone_with_it_lives_there(app, client, resident):
    resident("web writer")
    proofreader = resident("correctrice", city="Lyon")
    assert "correcteur" in missing(client.get(NANTES))
    with app.app_context():  # moves to Nantes: the very next request shows it
        from meetups.accounts.models import User
        from meetups.places.models import City

        user = db.session.get(User, proofreader)
        user.home_city = db.session.scalar(db.select(City).filter_by(slug="nantes"))
        db.session.commit()
    response = client.get(NANTES)
    assert "correcteur" not in missing(response)
    assert counts(response) == {"correcteur": 1, "rédacteur web": 1}
    assert response.headers["Cache-Control"] == "no-cache"


def test_a_changed_trade_shows_at_once(app, client, resident):
    person = resident("web writer")
    assert missing(client.get(NANTES)) == ["correcteur", "seo", "traducteur", "webdesigner"]
    set_trade(app, person, "comptable")
    response = client.get(NANTES)
    assert counts(response) == {"comptable": 1}
    assert missing(response) == ["assistant-administratif", "juriste"]


def test_nothing_missing_says_so(client, resident):
    resident("Potier")  # free text completes nothing
    response = client.get(NANTES, headers=EN)
    assert missing(response) == []
    assert "Nothing is missing" in text_of(response.text)
    resident("comptable")
    resident("juriste")
    resident("assistant administratif")
    assert 'id="nothing-missing"' in client.get(NANTES).text


# Proposing a gathering about a missing trade --------------------------------------------------


def propose_link(response, slug: str) -> str:
    item = re.search(rf'data-trade="{slug}">(.*?)</li>', response.text, flags=re.S).group(1)
    return unescape(re.search(r'href="(/events/new\?[^"]+)"', item).group(1))


def field_value(page: str, name: str) -> str | None:
    tag = re.search(rf'<(?:input|textarea)[^>]*\bname="{name}"[^>]*>', page)
    value = tag and re.search(r'\bvalue="([^"]*)"', tag.group(0))
    return unescape(value.group(1)) if value else None


@pytest.mark.parametrize(("headers", "tag"), [(FR, "correcteur"), (EN, "proofreader")])
def test_the_propose_link_prefills_the_form(client, resident, create_user, login, headers, tag):
    resident("web writer")
    link = propose_link(client.get(NANTES, headers=headers), "correcteur")
    assert link.startswith("/events/new?")
    login(create_user())
    form = client.get(link, headers=headers)
    assert form.status_code == 200
    assert field_value(form.text, "city") == "Nantes"
    assert field_value(form.text, "tags") == tag


def test_signing_in_first_keeps_what_the_link_suggests(client, resident, create_user):
    resident("web writer")
    person = create_user()
    link = propose_link(client.get(NANTES, headers=EN), "correcteur")
    to_sign_in = client.get(link)
    assert to_sign_in.status_code == 302
    signed_in = client.post(
        to_sign_in.headers["Location"], data={"email": person.email, "password": PASSWORD}
    )
    form = client.get(signed_in.headers["Location"])
    assert field_value(form.text, "city") == "Nantes"
    assert field_value(form.text, "tags") == "proofreader"


def test_the_form_takes_title_city_and_tags_from_the_address(client, create_user, login):
    login(create_user())
    page = client.get("/events/new?title=Apéro%20correcteurs&city=Rennes&tags=seo,%20correcteur")
    assert field_value(page.text, "title") == "Apéro correcteurs"
    assert field_value(page.text, "city") == "Rennes"
    assert field_value(page.text, "tags") == "seo, correcteur"
    long = client.get(
        "/events/new?title=" + "t" * 500 + "&city=" + "c" * 500 + "&tags=" + "x" * 900
    )
    assert long.status_code == 200
    assert field_value(long.text, "title") == "t" * 140
    assert field_value(long.text, "city") == "c" * 200
    assert field_value(long.text, "tags") == "x" * 400
    markup = client.get('/events/new?title="><script>x</script>')
    assert "<script>x</script>" not in markup.text
    assert field_value(markup.text, "title") == '"><script>x</script>'


def test_the_address_beats_the_home_city_only_when_given(client, app, resident, login):
    from meetups.accounts.models import User

    with app.app_context():
        person = db.session.get(User, resident("web writer"))
        db.session.expunge(person)
    login(person.email)
    assert field_value(client.get("/events/new").text, "city") == "Nantes"
    assert field_value(client.get("/events/new?city=Lyon").text, "city") == "Lyon"
    assert field_value(client.get("/events/new?city=%20").text, "city") == "Nantes"


# Empty states, errors, links --------------------------------------------------------------------


def test_a_city_where_nobody_lives_yet(client, create_gathering, create_user, login):
    create_gathering(city="Lyon")  # the city exists; the organiser lives nowhere
    response = client.get("/cities/lyon/trades", headers=FR)
    assert response.status_code == 200
    assert "Aucun membre n’a encore Lyon pour ville." in text_of(response.text)
    assert 'href="/auth/register"' in response.text
    assert counts(response) == {} and missing(response) == []
    login(create_user())
    assert 'href="/me/profile"' in client.get("/cities/lyon/trades").text


@pytest.mark.parametrize(
    "path",
    ["/cities/atlantis/trades", "/cities/%C3%A9%20x/trades", "/cities/" + "x" * 300 + "/trades"],
)
def test_an_unknown_city_is_a_404(client, path):
    assert client.get(path).status_code == 404


def test_the_city_page_links_to_its_trades(client, create_gathering):
    create_gathering(city="Lyon")
    page = client.get("/cities/lyon", headers=EN).text
    assert '<a id="trade-map-link" href="/cities/lyon/trades">Trades in Lyon</a>' in page
    assert "Lyon\u00a0: les métiers" in client.get("/cities/lyon", headers=FR).text


def test_queries_do_not_grow_with_members(count_queries, resident):
    for trade in ("web writer", "Potier"):
        resident(trade)
    count_queries(NANTES)  # warm-up
    few, _ = count_queries(NANTES)
    for n in range(30):
        resident(["correcteur", "seo", "Céramiste", f"Métier {n % 4}", ""][n % 5])
    many, response = count_queries(NANTES)
    assert sum(counts(response).values()) == 26
    assert few == many, f"{few} queries with 2 members, {many} with 32"
