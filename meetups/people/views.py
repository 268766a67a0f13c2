"""A member's profile page, as its visibility allows."""

from flask import Blueprint, abort, render_template
from flask_login import current_user

from meetups.accounts import links
from meetups.accounts.models import User, Visibility
from meetups.extensions import db
from meetups.packs.queries import of_person
from meetups.people import queries

bp = Blueprint("people", __name__)
bp.add_app_template_filter(links.label, "link_label")


@bp.get("/people/<id:person_id>")
def show(person_id: int):
    person = db.session.get(User, person_id)
    if person is None or not person.profile_visible_to(current_user):
        abort(404)
    if person.is_suspended and not getattr(current_user, "is_admin", False):
        abort(404)
    page = render_template(
        "people/show.html",
        person=person,
        going=queries.going_to(person.id),
        packs=of_person(person.id),
        is_me=current_user.is_authenticated and current_user.id == person.id,
    )
    # Only what anyone may see can be kept by a shared cache.
    shared = person.visibility == Visibility.PUBLIC and not current_user.is_authenticated
    return page, {} if shared else {"Cache-Control": "private"}
