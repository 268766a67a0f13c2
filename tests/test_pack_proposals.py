"""Proposing a gathering into a pack: the form's `pack` select, its server-side check, the page."""

import re
from html.parser import HTMLParser

import pytest

from meetups.dates import utcnow
from meetups.extensions import db
from meetups.gatherings.models import Gathering
from meetups.packs.models import JoinPolicy, Membership, MemberStatus, Pack, Role
from meetups.places.services import city_for
from tests.conftest import form_data
from tests.test_gatherings import event_id


@pytest.fixture(autouse=True)
def english(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def me(create_user, login):
    user = create_user(display_name="Camille")
    login(user)
    return user


@pytest.fixture
def create_pack(app):
    """create_pack(name, members={user: (role, status)}) -> the pack's id."""
    from meetups.places import gazetteer

    def make(name, members=(), city="Lyon"):
        slug = gazetteer.normalise(name).replace(" ", "-")
        with app.app_context():
            pack = Pack(slug=slug, name=name, city=city_for(gazetteer.lookup(city)))
            pack.join_policy = JoinPolicy.OPEN
            db.session.add(pack)
            for user, status in members:
                db.session.add(
                    Membership(
                        pack=pack,
                        user_id=user.id,
                        role=Role.MEMBER,
                        status=status,
                        joined_at=utcnow() if status == MemberStatus.ACTIVE else None,
                    )
                )
            db.session.commit()
            return pack.id

    return make


class Select(HTMLParser):
    """The options of the select named `pack`, and which one is selected."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.found, self.inside, self.options, self.selected = False, False, [], None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "select" and attrs.get("name") == "pack":
            self.found = self.inside = True
        elif tag == "option" and self.inside:
            self.options.append(attrs.get("value"))
            if "selected" in attrs:
                self.selected = attrs.get("value")

    def handle_endtag(self, tag):
        if tag == "select":
            self.inside = False


def pack_of(app, gathering_id):
    with app.app_context():
        return db.session.get(Gathering, gathering_id).pack_id


def gathering_count(app):
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(Gathering))


def test_the_select_offers_only_my_active_packs(client, me, create_user, create_pack):
    other = create_user()
    create_pack("Rédacteurs web de Lyon", [(me, MemberStatus.ACTIVE)])
    create_pack("Tech Lille", [(me, MemberStatus.PENDING)], city="Lille")
    create_pack("SEO Paris", [(other, MemberStatus.ACTIVE)], city="Paris")
    create_pack("Atelier", [(me, MemberStatus.ACTIVE)])
    select = Select(client.get("/events/new").text)
    assert select.options == ["", "atelier", "redacteurs-web-de-lyon"]  # by name, "No pack" first
    assert select.selected in (None, "")
    assert "No pack" in client.get("/events/new").text


def test_no_pack_no_select(client, me, create_user, create_pack):
    create_pack("Tech Lille", [(me, MemberStatus.PENDING)], city="Lille")
    assert not Select(client.get("/events/new").text).found


def test_proposing_into_my_pack(app, client, me, create_pack):
    pack_id = create_pack("Rédacteurs web de Lyon", [(me, MemberStatus.ACTIVE)])
    gathering_id = event_id(
        client.post("/events/new", data=form_data(pack="redacteurs-web-de-lyon"))
    )
    assert pack_of(app, gathering_id) == pack_id
    page = client.get(f"/events/{gathering_id}").text
    assert re.search(
        r'In the pack <a href="/packs/redacteurs-web-de-lyon">Rédacteurs web de Lyon</a>', page
    )
    # Without a pack: no pack, and no line.
    gathering_id = event_id(client.post("/events/new", data=form_data(pack="")))
    assert pack_of(app, gathering_id) is None
    assert "In the pack" not in client.get(f"/events/{gathering_id}").text


@pytest.mark.parametrize("status", [MemberStatus.PENDING, None])
def test_a_pack_i_am_not_active_in_is_refused(app, client, me, create_user, create_pack, status):
    create_pack("Atelier", [(me, MemberStatus.ACTIVE)])
    members = [(me, status)] if status else [(create_user(), MemberStatus.ACTIVE)]
    create_pack("Tech Lille", members, city="Lille")
    response = client.post("/events/new", data=form_data(pack="tech-lille"))
    assert response.status_code == 200
    assert re.search(
        r'<p class="error" id="pack-error">Only the pack’s active members may propose',
        response.text,
    )
    assert gathering_count(app) == 0


def test_a_posted_slug_without_any_pack_is_refused_beside_the_field(app, client, me):
    response = client.post("/events/new", data=form_data(pack="anything"))
    assert response.status_code == 200
    assert 'id="pack-error"' in response.text
    assert Select(response.text).found  # shown with its error, so it can be cleared
    assert gathering_count(app) == 0


def test_prefill_from_the_pack_page_link(client, me, create_user, create_pack):
    create_pack("Atelier", [(me, MemberStatus.ACTIVE)])
    create_pack("Tech Lille", [(create_user(), MemberStatus.ACTIVE)], city="Lille")
    assert Select(client.get("/events/new?pack=atelier").text).selected == "atelier"
    # A pack I am not in is not chosen for me.
    assert Select(client.get("/events/new?pack=tech-lille").text).selected in (None, "")


def edit(client, gathering_id, **fields):
    data = form_data(**fields)
    return client.post(f"/events/{gathering_id}/edit", data=data)


def test_edit_keeps_and_changes_the_pack(app, client, me, create_pack):
    first = create_pack("Atelier", [(me, MemberStatus.ACTIVE)])
    second = create_pack("Rédaction", [(me, MemberStatus.ACTIVE)])
    gathering_id = event_id(client.post("/events/new", data=form_data(pack="atelier")))
    assert Select(client.get(f"/events/{gathering_id}/edit").text).selected == "atelier"
    with app.app_context():
        sequence = db.session.get(Gathering, gathering_id).sequence
    # A script that leaves the field out keeps the pack; nothing changed, nothing raised.
    data = form_data()
    assert event_id(client.post(f"/events/{gathering_id}/edit", data=data)) == gathering_id
    assert pack_of(app, gathering_id) == first
    event_id(edit(client, gathering_id, pack="redaction"))
    assert pack_of(app, gathering_id) == second
    with app.app_context():
        # Its place in a pack's calendar changed: feeds see a new version.
        assert db.session.get(Gathering, gathering_id).sequence == sequence + 1
    event_id(edit(client, gathering_id, pack=""))
    assert pack_of(app, gathering_id) is None


def test_an_organiser_who_left_keeps_the_pack_but_cannot_choose_another(
    app, client, me, create_user, create_pack
):
    kept = create_pack("Atelier", [(me, MemberStatus.ACTIVE)])
    create_pack("Tech Lille", [(create_user(), MemberStatus.ACTIVE)], city="Lille")
    gathering_id = event_id(client.post("/events/new", data=form_data(pack="atelier")))
    with app.app_context():
        db.session.execute(db.delete(Membership).where(Membership.pack_id == kept))
        db.session.commit()
    select = Select(client.get(f"/events/{gathering_id}/edit").text)
    assert (select.options, select.selected) == (["", "atelier"], "atelier")
    event_id(edit(client, gathering_id, pack="atelier", title="Still in the pack"))
    assert pack_of(app, gathering_id) == kept
    response = edit(client, gathering_id, pack="tech-lille")
    assert 'id="pack-error"' in response.text
    assert pack_of(app, gathering_id) == kept
    # Leaving the pack for good is allowed; the old pack is then no longer offered.
    event_id(edit(client, gathering_id, pack=""))
    assert not Select(client.get(f"/events/{gathering_id}/edit").text).found


def test_the_pack_line_in_french(app, client, me, create_pack):
    create_pack("Atelier", [(me, MemberStatus.ACTIVE)])
    gathering_id = event_id(client.post("/events/new", data=form_data(pack="atelier")))
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"
    assert "Dans la meute" in client.get(f"/events/{gathering_id}").text


def test_an_admin_edits_with_the_organisers_packs(app, client, create_user, login, create_pack):
    organiser, admin = create_user(), create_user(is_admin=True)
    create_pack("Atelier", [(organiser, MemberStatus.ACTIVE)])
    create_pack("Tech Lille", [(admin, MemberStatus.ACTIVE)], city="Lille")
    login(organiser)
    gathering_id = event_id(client.post("/events/new", data=form_data(pack="")))
    client.post("/auth/logout", data={})
    login(admin)
    assert Select(client.get(f"/events/{gathering_id}/edit").text).options == ["", "atelier"]
    assert 'id="pack-error"' in edit(client, gathering_id, pack="tech-lille").text
    event_id(edit(client, gathering_id, pack="atelier"))
    assert pack_of(app, gathering_id) is not None


def test_the_form_in_french(client, me, create_pack):
    create_pack("Atelier", [(me, MemberStatus.ACTIVE)])
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"
    page = client.get("/events/new").text
    assert ">Meute</label>" in page and ">Aucune meute</option>" in page
