"""Packs: creating, joining and leaving, what organisers do, and who may do what."""

import pytest
import sqlalchemy as sa

from meetups.extensions import db
from meetups.packs.models import Membership, Pack
from tests.conftest import text_of

EN = {"Accept-Language": "en"}
FR = {"Accept-Language": "fr"}


@pytest.fixture
def client(app):
    """A test client that asks for English pages, so text assertions do not depend on catalogues."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def pack_form(**overrides) -> dict:
    data = {
        "name": "Rédacteurs web de Lyon",
        "city": "Lyon",
        "description": "On relit nos textes.\nhttps://example.org",
        "join_policy": "open",
        "join_question": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def make_pack(client, login, create_user):
    """make_pack(organiser=None, **fields): create a pack through the form; its slug."""

    def make(organiser=None, **overrides):
        organiser = organiser or create_user()
        login(organiser)
        response = client.post("/packs/new", data=pack_form(**overrides))
        assert response.status_code == 303, response.text
        client.post("/auth/logout")
        return response.headers["Location"].rsplit("/", 1)[-1]

    return make


def memberships(app, slug) -> dict[str, tuple[str, str]]:
    """{display name: (role, status)} of a pack."""
    with app.app_context():
        rows = db.session.scalars(
            sa.select(Membership).join(Membership.pack).where(Pack.slug == slug)
        )
        return {m.user.display_name: (m.role, m.status) for m in rows}


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


# Creating and editing ---------------------------------------------------------------------


def test_creating_a_pack_makes_its_creator_the_organiser(app, client, login, create_user):
    camille = create_user(display_name="Camille D.")
    login(camille)
    response = client.post("/packs/new", data=pack_form())
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/packs/redacteurs-web-de-lyon")
    assert memberships(app, "redacteurs-web-de-lyon") == {"Camille D.": ("organiser", "active")}
    page = client.get("/packs/redacteurs-web-de-lyon")
    text = text_of(page.text)
    assert "Rédacteurs web de Lyon" in text and "Camille D." in text and "1 member" in text
    assert "You are an organiser of this pack." in text
    assert page.headers["Cache-Control"] == "private"
    assert 'href="https://example.org"' in page.text  # the paragraphs filter


def test_the_form_needs_signing_in(client):
    response = client.get("/packs/new")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_errors_show_beside_their_fields_and_nothing_is_stored(app, client, login, create_user):
    login(create_user())
    data = pack_form(name="ab", city="Nowhereville", join_policy="closed", join_question="?" * 201)
    response = client.post("/packs/new", data=data)
    assert response.status_code == 200
    text = text_of(response.text)
    assert "Between 3 and 80 characters." in text
    assert "We don't know a city called “Nowhereville”" in text
    assert "At most 200 characters." in text
    assert "Choose who may join." in text and "Not a valid choice" not in text
    assert 'id="name-error"' in response.text and 'value="ab"' in response.text
    assert count(app, Pack) == 0 and count(app, Membership) == 0


def test_same_names_get_distinct_stable_slugs(app, client, login, create_user, make_pack):
    assert make_pack() == "redacteurs-web-de-lyon"
    assert make_pack() == "redacteurs-web-de-lyon-2"
    assert make_pack(name="Rédacteurs  web de LYON!") == "redacteurs-web-de-lyon-3"
    assert make_pack(name="★★★") == "pack"
    organiser = create_user()
    slug = make_pack(organiser, name="Correcteurs")
    login(organiser)
    response = client.post(f"/packs/{slug}/edit", data=pack_form(name="Correctrices de Lyon"))
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/{slug}")
    assert "Correctrices de Lyon" in client.get(f"/packs/{slug}").text


def test_editing_bumps_updated_at_and_keeps_the_form_filled(
    app, client, login, create_user, make_pack
):
    organiser = create_user()
    slug = make_pack(organiser, join_question="Votre métier ?")
    with app.app_context():
        before = db.session.scalar(sa.select(Pack.updated_at).filter_by(slug=slug))
    login(organiser)
    form = client.get(f"/packs/{slug}/edit")
    assert form.status_code == 200 and 'value="Votre métier ?"' in form.text
    assert 'value="Lyon"' in form.text
    client.post(
        f"/packs/{slug}/edit", data=pack_form(description="Nouveau", join_policy="approval")
    )
    with app.app_context():
        pack = db.session.scalar(sa.select(Pack).filter_by(slug=slug))
        assert pack.updated_at > before and pack.join_policy == "approval"


# Joining and leaving -----------------------------------------------------------------------


def test_joining_an_open_pack_is_immediate(app, client, login, create_user, make_pack):
    slug = make_pack()
    anonymous = text_of(client.get(f"/packs/{slug}").text)
    assert "Sign in to join" in anonymous
    login(create_user(display_name="Lou"))
    response = client.post(f"/packs/{slug}/join")
    assert response.status_code == 303
    assert memberships(app, slug)["Lou"] == ("member", "active")
    page = text_of(client.get(f"/packs/{slug}").text)
    assert "Welcome to the pack!" in page and "2 members" in page
    again = client.post(f"/packs/{slug}/join", follow_redirects=True)
    assert "You are already in this pack" in text_of(again.text)
    assert count(app, Membership) == 2


def test_approval_needs_an_answer_then_an_organiser(app, client, login, create_user, make_pack):
    organiser = create_user(display_name="Orga")
    slug = make_pack(organiser, join_policy="approval", join_question="Que rédigez-vous ?")
    lou = create_user(display_name="Lou", trade="SEO consultant")
    login(lou)
    page = client.get(f"/packs/{slug}").text
    assert "Que rédigez-vous ?" in page and 'name="answer"' in page
    empty = client.post(f"/packs/{slug}/join", data={"answer": "  "})
    assert empty.status_code == 200 and "Answer the question to ask to join." in empty.text
    assert "Lou" not in memberships(app, slug)
    too_long = client.post(f"/packs/{slug}/join", data={"answer": "x" * 1001})
    assert "At most 1,000 characters." in too_long.text and "x" * 1001 in too_long.text
    client.post(f"/packs/{slug}/join", data={"answer": "Des fiches produit"})
    assert memberships(app, slug)["Lou"] == ("member", "pending")
    page = text_of(client.get(f"/packs/{slug}").text)
    assert "Your request is waiting for an organiser." in page and "1 member" in page
    assert client.get(f"/packs/{slug}/members").status_code == 403  # not a member yet
    client.post("/auth/logout")
    login(organiser)
    assert "1 request waiting for your answer" in text_of(client.get(f"/packs/{slug}").text)
    members = text_of(client.get(f"/packs/{slug}/members").text)
    assert "Des fiches produit" in members and "Lou" in members
    lou_id = lou.id
    assert client.post(f"/packs/{slug}/members/{lou_id}/approve").status_code == 303
    assert memberships(app, slug)["Lou"] == ("member", "active")
    with app.app_context():
        assert db.session.scalar(sa.select(Membership.joined_at).filter_by(user_id=lou_id))


def test_a_declined_request_is_removed(app, client, login, create_user, make_pack):
    organiser = create_user()
    slug = make_pack(organiser, join_policy="approval")
    lou = create_user(display_name="Lou")
    login(lou)
    client.post(f"/packs/{slug}/join")
    assert memberships(app, slug)["Lou"] == ("member", "pending")
    client.post("/auth/logout")
    login(organiser)
    response = client.post(f"/packs/{slug}/members/{lou.id}/decline", follow_redirects=True)
    assert "The request of Lou is declined." in text_of(response.text)
    assert "Lou" not in memberships(app, slug)


def test_a_pending_request_can_be_withdrawn(app, client, login, create_user, make_pack):
    slug = make_pack(join_policy="approval")
    login(create_user(display_name="Lou"))
    client.post(f"/packs/{slug}/join")
    assert "Withdraw my request" in client.get(f"/packs/{slug}").text
    client.post(f"/packs/{slug}/leave")
    assert "Lou" not in memberships(app, slug)


def test_the_last_organiser_can_neither_leave_nor_be_removed(
    app, client, login, create_user, make_pack
):
    organiser = create_user(display_name="Orga")
    slug = make_pack(organiser)
    login(organiser)
    response = client.post(f"/packs/{slug}/leave", follow_redirects=True)
    assert "make another member organiser before you leave" in text_of(response.text)
    assert memberships(app, slug) == {"Orga": ("organiser", "active")}
    removed = client.post(f"/packs/{slug}/members/{organiser.id}/remove", follow_redirects=True)
    assert "The last organiser cannot be removed" in text_of(removed.text)
    assert memberships(app, slug) == {"Orga": ("organiser", "active")}


def test_make_organiser_then_leave(app, client, login, create_user, make_pack):
    organiser = create_user(display_name="Orga")
    slug = make_pack(organiser)
    lou = create_user(display_name="Lou")
    login(lou)
    client.post(f"/packs/{slug}/join")
    client.post("/auth/logout")
    login(organiser)
    client.post(f"/packs/{slug}/members/{lou.id}/make-organiser")
    assert memberships(app, slug)["Lou"] == ("organiser", "active")
    client.post(f"/packs/{slug}/leave")
    assert memberships(app, slug) == {"Lou": ("organiser", "active")}


def test_an_organiser_removes_a_member(app, client, login, create_user, make_pack):
    organiser = create_user()
    slug = make_pack(organiser)
    lou = create_user(display_name="Lou")
    login(lou)
    client.post(f"/packs/{slug}/join")
    client.post("/auth/logout")
    login(organiser)
    client.post(f"/packs/{slug}/members/{lou.id}/remove")
    assert "Lou" not in memberships(app, slug)


def test_leaving_keeps_rsvps(app, client, login, create_user, make_pack, create_gathering):
    from meetups.gatherings.models import Gathering, Rsvp

    organiser = create_user()
    slug = make_pack(organiser)
    gathering = create_gathering(organiser=organiser)
    with app.app_context():
        pack_id = db.session.scalar(sa.select(Pack.id).filter_by(slug=slug))
        db.session.get(Gathering, gathering.id).pack_id = pack_id
        db.session.commit()
    lou = create_user(display_name="Lou")
    login(lou)
    client.post(f"/packs/{slug}/join")
    client.post(f"/events/{gathering.id}/rsvp", data={"response": "going"})
    page = text_of(client.get(f"/packs/{slug}").text)
    assert gathering.title in page
    client.post(f"/packs/{slug}/leave")
    assert "Lou" not in memberships(app, slug)
    with app.app_context():
        assert db.session.scalar(sa.select(Rsvp.response).filter_by(user_id=lou.id)) == "going"


# Who may do what ---------------------------------------------------------------------------


def test_non_organisers_get_403(app, client, login, create_user, make_pack):
    organiser = create_user()
    slug = make_pack(organiser)
    lou, sam = create_user(display_name="Lou"), create_user(display_name="Sam")
    login(sam)
    assert client.get(f"/packs/{slug}/members").status_code == 403
    assert client.get(f"/packs/{slug}/edit").status_code == 403
    client.post("/auth/logout")
    login(lou)
    client.post(f"/packs/{slug}/join")
    assert client.get(f"/packs/{slug}/members").status_code == 200
    assert client.get(f"/packs/{slug}/edit").status_code == 403
    assert client.post(f"/packs/{slug}/edit", data=pack_form(name="Pris")).status_code == 403
    for action in ("approve", "decline", "remove", "make-organiser"):
        assert client.post(f"/packs/{slug}/members/{organiser.id}/{action}").status_code == 403
    assert memberships(app, slug)[organiser.display_name] == ("organiser", "active")
    client.post("/auth/logout")
    assert client.get(f"/packs/{slug}/members").status_code == 302  # to sign in
    assert client.post(f"/packs/{slug}/join").status_code == 302


def test_unknown_things_are_404(client, login, create_user, make_pack):
    organiser = create_user()
    slug = make_pack(organiser)
    assert client.get("/packs/no-such-pack").status_code == 404
    assert client.get("/packs?city=no-such-city").status_code == 404
    login(organiser)
    assert client.post(f"/packs/{slug}/members/{organiser.id}/promote").status_code == 404
    assert client.post(f"/packs/{slug}/members/999999/remove").status_code == 404
    assert client.post(f"/packs/{slug}/members/{10**30}/remove").status_code == 404
    assert client.post("/packs/no-such-pack/leave").status_code == 404


def test_names_descriptions_and_answers_are_escaped(app, client, login, create_user, make_pack):
    organiser = create_user()
    xss = "<script>alert(1)</script>"
    slug = make_pack(
        organiser, name=f"Pack {xss}", description=xss, join_policy="approval", join_question=xss
    )
    login(create_user())
    client.post(f"/packs/{slug}/join", data={"answer": xss})
    client.post("/auth/logout")
    login(organiser)
    for path in (f"/packs/{slug}", f"/packs/{slug}/members", "/packs", "/cities/lyon"):
        page = client.get(path).text
        assert xss not in page, path
        assert "&lt;script&gt;" in page, path


def test_no_email_on_pack_pages(client, login, create_user, make_pack):
    organiser = create_user(email="secret-orga@example.org")
    slug = make_pack(organiser)
    login(create_user(email="secret-lou@example.org"))
    client.post(f"/packs/{slug}/join")
    for path in (f"/packs/{slug}", f"/packs/{slug}/members", "/packs"):
        assert "@example.org" not in client.get(path).text, path


# Listings ----------------------------------------------------------------------------------


def test_listing_by_city_with_counts(app, client, login, create_user, make_pack):
    lyon = make_pack(name="Lyon SEO", join_policy="approval")
    make_pack(name="Plumes parisiennes", city="Paris")
    login(create_user())
    client.post(f"/packs/{lyon}/join")  # pending: not counted
    everything = text_of(client.get("/packs").text)
    assert "Lyon SEO" in everything and "Plumes parisiennes" in everything
    assert "1 member · 0 upcoming gatherings" in everything
    only_lyon = text_of(client.get("/packs?city=lyon").text)
    assert "Lyon SEO" in only_lyon and "Plumes parisiennes" not in only_lyon


def test_empty_listing_offers_to_create_one(client):
    page = client.get("/packs")
    assert page.status_code == 200
    assert "No pack yet." in text_of(page.text) and 'href="/packs/new"' in page.text


def test_city_page_and_profile_list_packs(
    app, client, login, create_user, make_pack, create_gathering
):
    create_gathering()  # Lyon exists with a gathering
    lou = create_user(display_name="Lou")
    slug = make_pack(lou, name="Lyon SEO")
    make_pack(name="Pending pack", join_policy="approval")
    city = client.get("/cities/lyon").text
    assert "Packs in Lyon" in text_of(city) and f'href="/packs/{slug}"' in city
    login(lou)
    client.post("/packs/pending-pack/join")
    profile = text_of(client.get(f"/people/{lou.id}").text)
    assert "Lyon SEO" in profile and "Pending pack" not in profile


def test_pages_in_french(client, login, create_user, make_pack):
    slug = make_pack(join_policy="approval", join_question="Votre métier ?")
    login(create_user())
    assert "Créer une meute" in client.get("/packs", headers=FR).text
    page = text_of(client.get(f"/packs/{slug}", headers=FR).text)
    assert "Demander à rejoindre" in page
    client.post(f"/packs/{slug}/join", data={"answer": "Rédactrice"}, headers=FR)
    page = text_of(client.get(f"/packs/{slug}", headers=FR).text)
    assert "Votre demande attend la réponse d’un organisateur." in page


def test_members_see_no_hidden_names_organisers_do(app, client, login, create_user, make_pack):
    from meetups.accounts.models import User

    organiser = create_user(display_name="Orga")
    slug = make_pack(organiser)
    shy, lou = create_user(display_name="Discrète"), create_user(display_name="Lou")
    with app.app_context():
        db.session.get(User, shy.id).visibility = "hidden"
        db.session.commit()
    for person in (shy, lou):
        client.post("/auth/logout")
        login(person)
        client.post(f"/packs/{slug}/join")
    # (the flashes of the joins above, never shown, are on this page too: read what follows)
    as_member = text_of(client.get(f"/packs/{slug}/members").text).split("Back to the pack")[1]
    assert "Lou" in as_member and "Orga" in as_member and "Discrète" not in as_member
    assert "3 members" in as_member and "And 1 person who keeps their name private." in as_member
    client.post("/auth/logout")
    login(organiser)
    as_organiser = text_of(client.get(f"/packs/{slug}/members").text)
    assert "Discrète" in as_organiser and "(hidden)" in as_organiser


def test_listing_queries_do_not_grow_with_packs(client, make_pack, count_queries, held_minute):
    make_pack(name="Lyon SEO")
    few, _page = count_queries("/packs")
    for n in range(4):
        make_pack(name=f"Plumes {n}", city="Paris" if n % 2 else "Lyon")
    many, page = count_queries("/packs")
    assert few == many, (few, many)
    assert "Plumes 3" in page.text


def test_city_page_reads_its_packs_in_three_queries(
    make_pack, create_gathering, count_queries, held_minute
):
    create_gathering()
    without, _page = count_queries("/cities/lyon")
    make_pack(name="Lyon SEO")
    one, _page = count_queries("/cities/lyon")
    for n in range(3):
        make_pack(name=f"Plumes {n}")
    many, page = count_queries("/cities/lyon")
    assert one == many == without + 2, (without, one, many)
    assert "Plumes 2" in page.text


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Rédacteurs web de Lyon", "redacteurs-web-de-lyon"),
        ("Œuvre & Co — l’été", "oeuvre-co-l-ete"),
        ("東京", "pack"),
        ("a" * 79 + " bc", "a" * 79),  # cut at 80, no hyphen left hanging
    ],
)
def test_slugs_are_lower_case_ascii_and_hyphens(name, slug):
    from meetups.packs.services import slugify

    assert slugify(name) == slug
