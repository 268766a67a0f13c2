"""Pages for browsing, proposing, editing and cancelling gatherings."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from meetups.extensions import db
from meetups.gatherings import queries, services
from meetups.gatherings.forms import GatheringForm
from meetups.gatherings.models import Gathering
from meetups.places import gazetteer
from meetups.places.models import City

bp = Blueprint("gatherings", __name__)

HOME_LIMIT = 30


@bp.get("/")
def index():
    gatherings = queries.upcoming(limit=HOME_LIMIT)
    return render_template(
        "gatherings/index.html",
        gatherings=gatherings,
        going=queries.going_counts([g.id for g in gatherings]),
        cities=queries.cities_with_counts(only_active=True),
    )


@bp.get("/cities")
def cities():
    query = request.args.get("q", "").strip()[:200]
    if query:
        place = gazetteer.lookup(query)
        city = place and db.session.scalar(db.select(City).filter_by(geonameid=place.geonameid))
        if city:
            return redirect(url_for(".city", slug=city.slug))
    return render_template(
        "gatherings/cities.html", cities=queries.cities_with_counts(), query=query
    )


@bp.get("/cities/<slug>")
def city(slug: str):
    city = db.first_or_404(db.select(City).filter_by(slug=slug))
    tag = request.args.get("tag", "").strip() or None
    gatherings = queries.upcoming(city=city, tag=tag)
    return render_template(
        "gatherings/city.html",
        city=city,
        tag=tag,
        gatherings=gatherings,
        going=queries.going_counts([g.id for g in gatherings]),
    )


@bp.route("/events/new", methods=["GET", "POST"])
@login_required
def create():
    form = GatheringForm()
    if request.method == "GET" and current_user.home_city:
        form.city.data = current_user.home_city.name
    if form.validate_on_submit():
        gathering = services.propose(current_user, form.proposal())
        db.session.commit()
        flash(_("Your gathering is proposed. Share it!"), "success")
        return redirect(url_for(".show", gathering_id=gathering.id), 303)
    return render_template("gatherings/form.html", form=form, gathering=None)


@bp.get("/events/<int:gathering_id>")
def show(gathering_id: int):
    gathering = db.get_or_404(Gathering, gathering_id)
    return render_template(
        "gatherings/show.html",
        gathering=gathering,
        going_count=queries.going_counts([gathering.id]).get(gathering.id, 0),
        can_manage=gathering.can_be_managed_by(current_user),
    )


@bp.route("/events/<int:gathering_id>/edit", methods=["GET", "POST"])
@login_required
def edit(gathering_id: int):
    gathering = _managed(gathering_id)
    form = GatheringForm.for_gathering(gathering)
    if form.validate_on_submit():
        # Commit either way: a change calendars do not show (the seats) must still be saved.
        changed = services.update(gathering, form.proposal())
        db.session.commit()
        if changed:
            flash(_("Your changes are saved; calendars will follow."), "success")
        else:
            flash(_("Your changes are saved."), "success")
        return redirect(url_for(".show", gathering_id=gathering.id), 303)
    return render_template("gatherings/form.html", form=form, gathering=gathering)


@bp.post("/events/<int:gathering_id>/cancel")
@login_required
def cancel(gathering_id: int):
    gathering = _managed(gathering_id)
    if services.cancel(gathering):
        db.session.commit()
        flash(_("The gathering is cancelled. It stays visible, marked cancelled."), "info")
    return redirect(url_for(".show", gathering_id=gathering.id), 303)


@bp.get("/me")
@login_required
def me():
    return render_template("gatherings/me.html", organising=queries.organised_by(current_user))


def _managed(gathering_id: int) -> Gathering:
    """Load a gathering the current user may edit or cancel: 404 if unknown, 403 if not theirs."""
    gathering = db.get_or_404(Gathering, gathering_id)
    if not gathering.can_be_managed_by(current_user):
        abort(403)
    return gathering
