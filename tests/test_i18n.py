"""Translations: a complete, compiled French catalogue; pages in the person's language; local dates."""

import html
import re
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from babel.messages.catalog import TranslationError
from babel.messages.checkers import python_format
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from tests.conftest import PASSWORD, form_data, text_of

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "meetups" / "translations"
# The same keywords as the Makefile's `pybabel extract` (-k _l -k lazy_gettext -k lazy_ngettext:1,2 -k _ln:1,2).
KEYWORDS = {
    **DEFAULT_KEYWORDS,
    "_l": None,
    "lazy_gettext": None,
    "lazy_ngettext": (1, 2),
    "_ln": (1, 2),
}
FR = {"Accept-Language": "fr"}
EN = {"Accept-Language": "en"}
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def _catalog(lang: str, ext: str = "po"):
    path = TRANSLATIONS / lang / "LC_MESSAGES" / f"messages.{ext}"
    with path.open("rb") as f:
        return read_po(f, locale=lang) if ext == "po" else read_mo(f)


def _forms(value) -> tuple[str, ...]:
    """A msgid or msgstr as a tuple of its forms (one, or singular and plurals)."""
    return tuple(value) if isinstance(value, (list, tuple)) else (value,)


def _translated(catalog) -> dict:
    """{msgid: msgstr forms} for the entries translated (not fuzzy, not empty)."""
    return {
        _forms(m.id): _forms(m.string)
        for m in catalog
        if m.id and any(_forms(m.string)) and not m.fuzzy
    }


def _as_compiled(catalog) -> dict:
    """{msgid: msgstr forms} as gettext will answer from the .mo (babel's write_mo rules)."""
    out = {}
    for m in catalog:
        if not m.id or m.fuzzy:
            continue
        ids, strings = _forms(m.id), _forms(m.string)
        if m.pluralizable:  # an empty plural form falls back to the msgid's
            out[ids] = tuple(s or ids[min(i, 1)] for i, s in enumerate(strings))
        elif strings[0]:
            out[ids] = strings
    return out


def _extracted() -> dict:
    """{msgid forms: "file:line"} for every string marked for translation in the sources now."""
    with (TRANSLATIONS / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)
    found = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        found.setdefault(_forms(message), f"{filename}:{lineno}")
    return found


# 1. The catalogues themselves ---------------------------------------------------------------


def test_french_catalogue_is_fully_translated():
    catalog = _catalog("fr")
    assert catalog.num_plurals == 2
    assert catalog.plural_expr == "(n > 1)", "French: 0 and 1 are singular"
    assert not catalog.fuzzy
    problems = []
    for m in catalog:
        if not m.id:
            continue
        if m.fuzzy:
            problems.append(f"fuzzy: {m.id!r}")
        strings = _forms(m.string)
        if m.pluralizable and len(strings) != catalog.num_plurals:
            problems.append(f"wrong number of plural forms: {m.id!r}")
        if not all(s.strip() for s in strings):
            problems.append(f"untranslated: {m.id!r}")
        else:
            try:
                python_format(catalog, m)
            except TranslationError as error:
                problems.append(f"placeholders differ in {m.id!r}: {error}")
        if not m.pluralizable:  # a plural form may leave %(num)d out; others keep every name
            for name in set(PLACEHOLDER.findall(m.id)) - set(PLACEHOLDER.findall(strings[0])):
                problems.append(f"{name} missing from the translation of {m.id!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_compiled_catalogue_matches_its_po_file(lang):
    po, mo = _as_compiled(_catalog(lang)), _as_compiled(_catalog(lang, "mo"))
    stale = {k for k in po.keys() | mo.keys() if po.get(k) != mo.get(k)}
    assert not stale, (
        f"{lang}/LC_MESSAGES/messages.mo is out of date; run `make translations` "
        f"(pybabel compile -d meetups/translations). Differs: {sorted(stale)[:5]}"
    )


def test_english_catalogue_follows_the_same_template():
    fr, en = _catalog("fr"), _catalog("en")
    assert {_forms(m.id) for m in en if m.id} == {_forms(m.id) for m in fr if m.id}
    assert en.num_plurals == 2


# 2. The catalogue covers the code -----------------------------------------------------------


def test_every_string_in_the_code_is_translated_into_french():
    translated = _translated(_catalog("fr"))
    by_singular = {msgid[0]: msgid for msgid in translated}
    extracted = _extracted()
    assert len(extracted) > 50, "extraction found almost nothing: check babel.cfg"
    missing = []
    for msgid, where in sorted(extracted.items(), key=lambda item: item[1]):
        if msgid not in translated:
            hint = " (plural form changed)" if msgid[0] in by_singular else ""
            missing.append(f"{where}: {msgid!r}{hint}")
    assert not missing, (
        "Strings without a French translation; run `make translations`, translate them in "
        "meetups/translations/fr/LC_MESSAGES/messages.po, then `make translations` again:\n"
        + "\n".join(missing)
    )


# 3. Pages in French and in English ----------------------------------------------------------


def _pattern(text: str) -> re.Pattern:
    """A message as it would show on a page: placeholders filled in, whitespace collapsed."""
    out = []
    for piece in re.split(r"(%\(\w+\)[sd])", text):
        if PLACEHOLDER.fullmatch(piece):
            out.append(r"\d+" if piece.endswith("d") else r".+?")
        else:
            out.append(r"\s+".join(re.escape(word) for word in re.split(r"\s+", piece)))
    head = r"(?<!\w)" if re.match(r"\w|%", text) else ""
    tail = r"(?!\w)" if re.search(r"\w$", text) else ""
    return re.compile(head + "".join(out) + tail)


def _leaks(catalog_side: str) -> list[tuple[str, re.Pattern]]:
    """Text of the other language that must not show: msgids (English) or msgstrs (French)."""
    out = []
    for msgid, strings in _translated(_catalog("fr")).items():
        for source, french in zip(msgid, strings, strict=False):
            text = source if catalog_side == "en" else french
            # "%(field)s: %(error)s" has no words of its own: it cannot show a language.
            wordless = not re.search(r"[^\W\d_]", PLACEHOLDER.sub("", text))
            if source != french and len(text) > 12 and not wordless:
                out.append((text, _pattern(text)))
    return out


def _page_text(response) -> str:
    """What a person reads or hears: text between tags, and labels, placeholders, titles."""
    page = response.text
    attributes = re.findall(r'\b(?:aria-label|placeholder|title|alt|content)="([^"]*)"', page)
    text = re.sub(r"<[^>]+>", " ", page)
    return " ".join(html.unescape(" ".join([text, *attributes])).split())


def _assert_in_language(response, lang: str, path: str) -> None:
    assert f'<html lang="{lang}">' in response.text, path
    page = _page_text(response)
    leaked = [
        text for text, pattern in _leaks("en" if lang == "fr" else "fr") if pattern.search(page)
    ]
    assert not leaked, f"{path} in {lang} shows text of the other language: {leaked}"


@pytest.fixture
def site(client, create_user, create_gathering, get_gathering):
    """An organiser (signed in by _pages), their gathering, someone else's, and one to cancel."""
    me = create_user(display_name="Camille D.", trade="proofreader")
    mine = create_gathering(organiser=me, capacity="3")
    theirs = create_gathering(title="Café SEO", tags="seo", capacity="")
    gone = create_gathering(organiser=me, title="Apéro annulé")
    return {
        "me": me,
        "mine": mine.id,
        "theirs": theirs.id,
        "gone": gone.id,
        "slug": get_gathering(mine.id).city.slug,
    }


def _pages(client, site, headers):
    """Every page a person sees, anonymous then signed in: [(path, response)]."""
    slug = site["slug"]
    got = []

    def get(path, status=200):
        response = client.get(path, headers=headers)
        assert response.status_code == status, (path, response.status_code)
        got.append((path, response))

    get("/")
    get("/cities")
    get("/cities?q=Nowhereville")
    get(f"/cities/{slug}")
    get(f"/cities/{slug}?tag=seo")
    get(f"/cities/{slug}?tag=no-such-tag")
    get(f"/cities/{slug}/trades")
    get(f"/events/{site['theirs']}")
    get("/packs")
    get("/auth/login")
    get("/auth/register")
    get("/no/such/page", 404)
    get("/events/999999", 404)
    bad_register = client.post(
        "/auth/register",
        data={
            "email": "not-an-email",
            "display_name": "X",
            "password": "short",
            "city": "Nowhereville",
        },
        headers=headers,
    )
    got.append(("POST /auth/register (errors)", bad_register))
    bad_login = client.post(
        "/auth/login", data={"email": "nobody@example.org", "password": "x"}, headers=headers
    )
    got.append(("POST /auth/login (errors)", bad_login))

    # Sign in and cancel as a browser in this language would: the flashes follow it.
    signed_in = client.post(
        "/auth/login", data={"email": site["me"].email, "password": PASSWORD}, headers=headers
    )
    assert signed_in.status_code == 302
    client.post(f"/events/{site['gone']}/cancel", headers=headers)
    get("/")  # with the "signed in" flash
    get(f"/cities/{slug}")
    get("/events/new")
    get(f"/events/{site['mine']}")
    get(f"/events/{site['gone']}")
    get(f"/events/{site['mine']}/edit")
    get(f"/events/{site['theirs']}/edit", 403)
    get("/me")
    get("/me/profile")
    bad_proposal = client.post(
        "/events/new",
        headers=headers,
        data=form_data(
            title="x",
            city="Nowhereville",
            venue_name="V" * 201,
            venue_address="",
            starts_at="next thursday",
            ends_at="",
            capacity="abc",
            tags=", ".join(f"tag{i}" for i in range(11)),
        ),
    )
    assert bad_proposal.status_code == 200
    got.append(("POST /events/new (errors)", bad_proposal))
    pack = {"name": "Plumes", "city": "Lyon", "join_policy": "approval", "join_question": "?"}
    made = client.post("/packs/new", headers=headers, data=pack)
    assert made.status_code == 303
    get("/packs")
    get("/packs/new")
    get("/packs/plumes")
    get("/packs/plumes/members")
    get("/packs/plumes/edit")
    get(f"/cities/{slug}")
    bad_pack = client.post("/packs/new", headers=headers, data={**pack, "name": "x", "city": ""})
    got.append(("POST /packs/new (errors)", bad_pack))
    past = form_data(start=datetime(2020, 3, 5, 19, 0))
    past["ends_at"] = "2020-03-05T18:00"
    late = client.post("/events/new", headers=headers, data=past)
    got.append(("POST /events/new (past, ends first)", late))
    return got


def test_french_pages_show_no_english(client, site):
    pages = _pages(client, site, FR)
    for path, response in pages:
        _assert_in_language(response, "fr", path)
    texts = {path: _page_text(response) for path, response in pages}
    assert "Mes rencontres" in texts["/me"]
    assert "Proposer une rencontre" in texts["/"]
    assert "La meute est partie ailleurs" in texts["/no/such/page"]
    assert "Vous n’avez pas l’autorisation" in texts[f"/events/{site['theirs']}/edit"]
    assert "Saisissez une adresse e-mail valide" in texts["POST /auth/register (errors)"]
    errors = texts["POST /events/new (errors)"]
    assert "Merci de corriger les champs signalés" in errors
    assert "Nous ne connaissons pas de ville appelée « Nowhereville »" in errors
    assert "Saisissez un nombre entier" in errors
    # Our own message for a length, not WTForms' ("Le champ ne peut pas contenir plus de...").
    assert "Lieu : 200 caractères au plus." in errors
    assert "Le champ ne peut pas" not in errors
    assert "Annulée" in texts[f"/events/{site['gone']}"]


def test_english_pages_show_english(client, site):
    pages = _pages(client, site, EN)
    for path, response in pages:
        _assert_in_language(response, "en", path)
    texts = {path: _page_text(response) for path, response in pages}
    assert "Upcoming gatherings" in texts["/"]
    assert "My gatherings" in texts["/me"]
    assert "Enter a valid e-mail address" in texts["POST /auth/register (errors)"]
    assert "Venue: At most 200 characters." in texts["POST /events/new (errors)"]
    assert "Field cannot be longer" not in texts["POST /events/new (errors)"]


def test_french_is_the_default_and_english_is_understood(client):
    assert '<html lang="fr">' in client.get("/").text
    assert '<html lang="fr">' in client.get("/", headers={"Accept-Language": "de"}).text
    assert '<html lang="en">' in client.get("/", headers={"Accept-Language": "en-GB,en;q=0.8"}).text
    canadian = {"Accept-Language": "fr-CA,fr;q=0.9,en-US;q=0.8,en;q=0.7"}
    assert '<html lang="fr">' in client.get("/", headers=canadian).text


JOURNEY_MESSAGES = [
    "No gatherings planned yet. Be the first: it takes a minute.",
    "That method is not allowed here.",
    "Welcome to Meute, %(name)s!",
    "Your gathering is proposed. Share it!",
    "Your changes are saved; calendars will follow.",
    "Your changes are saved.",
    "The gathering is cancelled. It stays visible, marked cancelled.",
    "You are signed out.",
    "An account already uses this e-mail address. Sign in instead?",
]


@pytest.mark.parametrize(("lang", "headers"), [("fr", FR), ("en", EN)])
def test_journey_flashes_and_empty_states_in_one_language(client, lang, headers):
    """Empty site, sign-up, proposing, editing, cancelling, signing out: all in one language."""
    seen = []

    def visit(method, path, **data):
        response = client.open(path, method=method, data=data or None, headers=headers)
        label = f"{method} {path}"
        if response.status_code in (302, 303):  # the flash shows on the next page
            label += " -> " + response.headers["Location"]
            response = client.get(response.headers["Location"], headers=headers)
        seen.append((label, response))
        return response

    visit("GET", "/")
    visit("GET", "/cities")
    visit("GET", "/auth/logout")  # 405, as an error page
    visit(
        "POST",
        "/auth/register",
        email="new@example.org",
        display_name="Dominique",
        password="correct horse battery",
        trade="proofreader",
        city="Lyon",
    )
    visit("POST", "/events/new", **form_data())
    gathering_path = urlsplit(seen[-1][0].split(" -> ")[1]).path
    assert re.fullmatch(r"/events/\d+", gathering_path), seen[-1][0]
    visit("POST", f"{gathering_path}/edit", **form_data(title="Apéro freelance, le retour"))
    visit(
        "POST",
        f"{gathering_path}/edit",
        **form_data(title="Apéro freelance, le retour", capacity="20"),
    )
    visit("POST", f"{gathering_path}/cancel")
    visit("GET", "/me")
    visit("POST", "/auth/logout")
    visit(
        "POST",
        "/auth/register",
        email="new@example.org",
        display_name="Someone Else",
        password="another long password",
    )
    for path, response in seen:
        _assert_in_language(response, lang, path)
    assert len(seen) == 11
    everything = " ".join(_page_text(response) for _path, response in seen)
    french = _translated(_catalog("fr"))
    for msgid in JOURNEY_MESSAGES:
        text = msgid if lang == "en" else french[(msgid,)][0]
        assert _pattern(text).search(everything), f"{text!r} not shown"


def test_sign_in_prompt_is_in_french(client):
    redirected = client.get("/events/new", headers=FR)
    assert redirected.status_code == 302
    page = client.get(redirected.headers["Location"], headers=FR)
    assert "Please log in to access this page" not in page.text


# 4. Choosing a language ---------------------------------------------------------------------


def test_language_choice_beats_accept_language(client):
    response = client.post("/lang/en", data={"next": "/cities"}, headers=FR)
    assert response.status_code in (302, 303)
    assert urlsplit(response.headers["Location"]).path == "/cities"
    page = client.get("/cities", headers=FR)
    assert '<html lang="en">' in page.text
    assert "Cities" in text_of(page.text)

    client.post("/lang/fr", data={"next": "/cities"}, headers=EN)
    assert '<html lang="fr">' in client.get("/cities", headers=EN).text


def test_language_choice_outlives_the_browser_session(app, client):
    client.post("/lang/en", data={"next": "/"}, headers=FR)
    cookie = client.get_cookie("lang")
    assert cookie is not None and cookie.value == "en"
    assert cookie.expires is not None  # kept when the browser closes, unlike the session

    # The browser restarts: the session cookie is gone, the language cookie stays.
    restarted = app.test_client()
    restarted.set_cookie("lang", cookie.value)
    assert '<html lang="en">' in restarted.get("/cities", headers=FR).text
    # A choice made later replaces the old one.
    restarted.post("/lang/fr", data={"next": "/"}, headers=EN)
    assert '<html lang="fr">' in restarted.get("/cities", headers=EN).text


def test_language_cookie_with_a_bad_value_is_ignored(app):
    browser = app.test_client()
    browser.set_cookie("lang", "<script>")
    page = browser.get("/cities", headers=EN)
    assert page.status_code == 200
    assert '<html lang="en">' in page.text


def test_unknown_language_changes_nothing(client):
    client.post("/lang/xx", data={"next": "/cities"}, headers=FR)
    assert '<html lang="fr">' in client.get("/cities", headers=FR).text
    assert '<html lang="en">' in client.get("/cities", headers=EN).text

    client.post("/lang/en", data={"next": "/"}, headers=FR)
    client.post("/lang/de", data={"next": "/"}, headers=FR)
    assert '<html lang="en">' in client.get("/", headers=FR).text


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example", "/\\evil.example", "http:evil.example"]
)
def test_language_switch_does_not_redirect_off_site(client, target):
    response = client.post("/lang/en", data={"next": target}, headers=FR)
    assert response.status_code in (302, 303)
    location = urlsplit(response.headers["Location"])
    assert location.netloc in ("", "localhost"), response.headers["Location"]
    assert "evil" not in response.headers["Location"]


def _next_of(page: str) -> str:
    """The language switch's `next`, as the browser posts it."""
    match = re.search(r'<input type="hidden" name="next" value="([^"]*)">', page)
    assert match, "no language switch"
    return html.unescape(match.group(1))


@pytest.mark.parametrize(
    "path", ["/cities?q=Saint-%C3%89tienne&x=a%26b", "/cities/montr%C3%A9al", "/cities/a%3Fb%25"]
)
def test_language_switch_comes_back_to_the_same_address(client, path):
    back = _next_of(client.get(path, headers=FR).text)
    response = client.post("/lang/en", data={"next": back}, headers=FR)
    location = urlsplit(response.headers["Location"])
    assert (location.path + (f"?{location.query}" if location.query else "")) == path


@pytest.mark.parametrize(
    ("path", "raw_query", "status"),
    [
        ("/cities/%00", None, 404),
        ("/events/a%08b", None, 404),
        ("/cities/lyon%7F", None, 404),
        ("/cities", "q=a%01b", 400),
        ("/cities", "q=a\x01b\x00", 400),  # a client that does not encode
    ],
)
def test_a_refused_address_is_not_written_into_its_page(client, path, raw_query, status):
    overrides = {"QUERY_STRING": raw_query} if raw_query else {}
    response = client.get(path, environ_overrides=overrides)
    assert response.status_code == status
    assert not re.search(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", response.data)


# 5. Dates and plurals -----------------------------------------------------------------------


def test_dates_follow_the_locale(client, create_gathering):
    gathering = create_gathering(start=datetime(2027, 1, 14, 19, 0), city="Lyon")
    path = f"/events/{gathering.id}"

    french = text_of(client.get(path, headers=FR).text)
    assert "jeudi 14 janvier 2027" in french
    assert "19:00" in french
    assert "21:00" in french
    assert "Europe/Paris (UTC+01:00)" in french

    english = text_of(client.get(path, headers=EN).text)
    # US or British English, whichever meetups.i18n formats with; CLDR puts a narrow
    # no-break space before PM, which text_of() turns into a space.
    assert re.search(r"Thursday, (January 14, 2027|14 January 2027)", english), english
    assert re.search(r"7:00\s?PM|19:00", english), english
    assert "jeudi" not in english


def _seats_left(client, gathering_id, headers) -> str:
    page = client.get(f"/events/{gathering_id}", headers=headers).text
    match = re.search(r'id="seats-left"[^>]*>(.*?)</', page, re.S)
    assert match, page
    return " ".join(html.unescape(match.group(1)).split())


@pytest.mark.parametrize(
    ("capacity", "french", "english"),
    [
        ("3", "2 places restantes", "2 seats left"),
        ("2", "1 place restante", "1 seat left"),
        ("1", "0", "0"),  # full: the digit for scripts, the word beside it
    ],
)
def test_seats_left_plurals(client, create_gathering, capacity, french, english):
    gathering = create_gathering(capacity=capacity)  # the organiser holds one seat
    assert _seats_left(client, gathering.id, FR) == french
    assert _seats_left(client, gathering.id, EN) == english
    full = capacity == "1"
    assert (">Complet<" in client.get(f"/events/{gathering.id}", headers=FR).text) == full
    assert (">Full<" in client.get(f"/events/{gathering.id}", headers=EN).text) == full


def test_no_limit_on_seats_has_no_digit(client, create_gathering):
    gathering = create_gathering(capacity="")
    seats = _seats_left(client, gathering.id, FR)
    assert seats == "Places illimitées"
    assert not re.search(r"\d", seats)
