"""A small instance full of one person's traces, for the export and deletion tests.

Zéphyrine Quenouille organises past and future gatherings (standalone, in a pack, recurring),
answers going, maybe, waitlisted and in the past, is the last organiser of one pack, a member
of another and waiting to join a third, said whom she met (one contact), filed and received
reports, and has mails queued. Everyone acts through the pages, as in a browser; only reports
(their form is another part of the issue) and the past (time) are written directly.
"""

from dataclasses import dataclass, field

from flask import Flask
from flask.testing import FlaskClient

from meetups.accounts import services as accounts
from meetups.accounts.models import User
from meetups.extensions import db
from meetups.moderation.models import Report
from tests.conftest import PASSWORD, form_data, future_local
from tests.test_rsvp import browser, move_to_past

NAME, EMAIL = "Zéphyrine Quenouille", "zephyrine.q@example.org"
TRADE, LINK = "Quenouilleuse de textes", "https://quenouille.example/zephyrine"
# What must leave with her: her name, address, trade and link, in any case.
TRACES = ("zéphyrine", "zephyrine", "quenouille")


@dataclass
class Member:
    id: int
    email: str
    name: str
    client: FlaskClient


@dataclass
class World:
    app: Flask
    zoe: Member
    others: dict[str, Member] = field(default_factory=dict)
    gatherings: dict[str, int] = field(default_factory=dict)
    packs: tuple[str, ...] = ("plumes-de-lyon", "correcteurs-de-lyon", "club-ferme")


def member(app, email, name, trade="web writer", lang="en", **profile) -> Member:
    with app.app_context():
        user = accounts.register(email, PASSWORD, name, trade)
        user.language = lang  # pages and mails in it
        for key, value in profile.items():
            setattr(user, key, value)
        db.session.commit()
        user_id = user.id
    client = browser(app, lang)
    reply = client.post("/auth/login", data={"email": email, "password": PASSWORD})
    assert reply.status_code == 302, reply.text
    return Member(user_id, email, name, client)


def proposes(someone: Member, **fields) -> int:
    reply = someone.client.post("/events/new", data=form_data(**fields))
    assert reply.status_code in (302, 303), reply.text
    return int(reply.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def answers(someone: Member, gathering_id: int, response: str) -> None:
    reply = someone.client.post(f"/events/{gathering_id}/rsvp", data={"response": response})
    assert reply.status_code == 303, reply.text


def new_pack(someone: Member, name: str, policy="open", question="") -> None:
    data = {"name": name, "city": "Lyon", "join_policy": policy, "join_question": question}
    reply = someone.client.post("/packs/new", data=data)
    assert reply.status_code in (302, 303), reply.text


def joins(someone: Member, slug: str, answer: str = "") -> None:
    reply = someone.client.post(f"/packs/{slug}/join", data={"answer": answer})
    assert reply.status_code in (302, 303), reply.text


def met(someone: Member, gathering_id: int, other: Member) -> None:
    reply = someone.client.post(f"/events/{gathering_id}/met/{other.id}", data={"met": "yes"})
    assert reply.status_code == 303, reply.text


def build(app: Flask) -> World:
    """The world described above; every id kept for the crawl."""
    zoe = member(
        app, EMAIL, NAME, TRADE, lang="fr", links=[LINK], visibility="public",
        offers="Des textes filés main", wants_suggestions=True,
    )  # fmt: skip
    world = World(app, zoe)
    o = world.others
    o["alice"] = member(app, "alice@example.org", "Alice Admin", "proofreader", is_admin=True)
    o["bob"] = member(app, "bob@example.org", "Bob Brun", "seo", visibility="public")
    o["carole"] = member(app, "carole@example.org", "Carole Cyan", "graphic designer", "fr")
    o["denis"] = member(app, "denis@example.org", "Denis Doré", "developer")
    o["emma"] = member(app, "emma@example.org", "Emma Émeraude", "translator")
    g = world.gatherings
    # Her packs: the last organiser of one, a member of another, waiting for a third.
    new_pack(zoe, "Plumes de Lyon")
    joins(o["bob"], "plumes-de-lyon")
    joins(o["carole"], "plumes-de-lyon")
    new_pack(o["alice"], "Correcteurs de Lyon")
    joins(zoe, "correcteurs-de-lyon")
    new_pack(o["denis"], "Club fermé", policy="approval", question="Pourquoi ?")
    joins(zoe, "club-ferme", answer="Pour filer des textes")
    # Her gatherings: standalone (full, a waitlist), in her pack, recurring, past.
    g["hers"] = proposes(zoe, title="Atelier fil rouge", capacity="2", start=future_local(5))
    answers(o["bob"], g["hers"], "going")
    answers(o["carole"], g["hers"], "going")  # waitlisted
    answers(o["emma"], g["hers"], "maybe")
    g["pack"] = proposes(zoe, title="Plumes du jeudi", pack="plumes-de-lyon", capacity="3")
    answers(o["carole"], g["pack"], "going")
    g["weekly"] = proposes(zoe, title="Café hebdo", repeat="weekly", start=future_local(2))
    g["past_hers"] = proposes(zoe, title="Souvenir d’atelier", start=future_local(1))
    answers(o["denis"], g["past_hers"], "going")
    # Her answers to others' gatherings: a seat (with someone waiting), maybe, waitlisted, past.
    g["alices"] = proposes(o["alice"], title="Relecture croisée", capacity="2")
    answers(zoe, g["alices"], "going")
    answers(o["emma"], g["alices"], "going")  # waitlisted: moves up when she leaves
    answers(o["denis"], g["alices"], "going")  # waitlisted second
    g["denis"] = proposes(o["denis"], title="Code et café", pack="")
    answers(zoe, g["denis"], "maybe")
    g["bobs"] = proposes(o["bob"], title="SEO du soir", capacity="1")
    answers(zoe, g["bobs"], "going")  # waitlisted
    g["past_alices"] = proposes(o["alice"], title="Apéro passé", start=future_local(1))
    answers(zoe, g["past_alices"], "going")
    answers(o["bob"], g["past_alices"], "going")
    for key in ("past_hers", "past_alices"):
        move_to_past(app, g[key])
    # Whom she met, and who met her: a contact with Alice, a mark alone with Bob.
    met(zoe, g["past_alices"], o["alice"])
    met(o["alice"], g["past_alices"], zoe)
    met(zoe, g["past_alices"], o["bob"])
    met(o["bob"], g["past_alices"], o["alice"])
    _reports(app, world)
    # A reset asked: a mail to her, queued.
    browser(app).post("/auth/reset", data={"email": EMAIL})
    return world


def _reports(app: Flask, world: World) -> None:
    """She reports a gathering and a profile; Alice reports hers."""
    o = world.others
    with app.app_context():
        db.session.add_all(
            [
                Report(reporter_id=world.zoe.id, gathering_id=world.gatherings["bobs"], reason="Du spam"),
                Report(reporter_id=world.zoe.id, person_id=o["denis"].id, reason="Un faux profil"),
                Report(reporter_id=o["alice"].id, person_id=world.zoe.id, reason="Vérifier ce profil"),
                Report(reporter_id=o["bob"].id, gathering_id=world.gatherings["hers"], reason="Doublon"),
            ]
        )  # fmt: skip
        db.session.commit()


def user_ids(app: Flask) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(db.select(User.id).order_by(User.id)))
