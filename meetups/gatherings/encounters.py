"""Saying whom one met at a gathering, and the contacts page where mutual marks meet."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import StringField
from wtforms.validators import AnyOf

from meetups.extensions import db, limiter
from meetups.forms import SiteForm
from meetups.gatherings import contacts, services
from meetups.gatherings.models import Gathering
from meetups.gatherings.queries import shown_or_410

bp = Blueprint("encounters", __name__)
# Marks per address: a whole table said goodbye to in a minute, not a crawl through the ids.
MET_LIMIT = "60 per minute"


class MetForm(SiteForm):
    """The "I met them" button (met=yes, or nothing) and its undo (met=no)."""

    class Meta:
        csrf = False  # CSRFProtect checked the token of every POST before any view ran

    met = StringField(
        _l("Did you meet them?"),
        validators=[AnyOf(("", "yes", "no"), message=_l("Answer “yes” or “no”."))],
        default="",
    )


@bp.post("/events/<id:gathering_id>/met/<id:person_id>")
@limiter.limit(MET_LIMIT)
@login_required
def met(gathering_id: int, person_id: int):
    form = MetForm()
    if not form.validate():
        abort(400, description=" ".join(map(str, form.met.errors)))
    # SQLite: the write lock before the reads, or a tab's insert after another tab's commit
    # finds its snapshot stale and fails at once instead of waiting.
    services.write_lock()
    gathering = shown_or_410(db.session.get(Gathering, gathering_id))
    back = redirect(url_for("gatherings.show", gathering_id=gathering.id, _anchor="met"), 303)
    # Taking back one's own mark needs nothing else: it is the viewer's own, and shows nobody.
    undo = form.met.data == "no"
    if undo and contacts.unmark(gathering.id, current_user.id, person_id):
        db.session.commit()
        flash(_("Undone: you no longer say you met them."), "success")
        return back
    if current_user.id not in contacts.went(gathering, (current_user.id,)):
        abort(403)
    if not contacts.open_for_marks(gathering):
        flash(_not_open_message(gathering), "error")
        return back
    person = contacts.markable(gathering, current_user, person_id) or abort(404)
    if undo:
        flash(_("Undone: you no longer say you met them."), "success")
        return back
    contacts.mark(gathering, current_user, person)
    db.session.commit()
    flash(
        _(
            "Noted: you met %(name)s. If they say they met you too, each of you will find "
            "the other on your contacts page.",
            name=person.display_name,
        ),
        "success",
    )
    return back


@bp.get("/me/contacts")
@login_required
def mine():
    page = render_template("gatherings/contacts.html", contacts=contacts.of(current_user.id))
    # Whom this person met: for their browser only, and not kept in a shared or back cache.
    return page, {"Cache-Control": "private, no-store"}


def _not_open_message(gathering: Gathering) -> str:
    if gathering.is_cancelled:
        return _("This gathering is cancelled: there is no one to say you met.")
    return _("You can say whom you met once the gathering has started.")
