"""Pages for browsing, proposing, editing, cancelling and reinstating gatherings."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, user_logged_in
from markupsafe import Markup

from meetups.accounts import trades
from meetups.dates import utc_to_local
from meetups.extensions import db, limiter
from meetups.gatherings import (
    contacts,
    pending,
    placing,
    queries,
    recurring,
    services,
    sharing,
    signals,
)
from meetups.gatherings.attendance import attendance
from meetups.gatherings.counts import city_counts
from meetups.gatherings.forms import (
    NEARBY_CHOICES_KM,
    CancelForm,
    CityFilterForm,
    GatheringForm,
    ProposalForm,
    RsvpForm,
    packs_of,
)
from meetups.gatherings.models import Gathering, Response, Rsvp
from meetups.gatherings.repeating import FOLLOWING
from meetups.places import gazetteer, geocoding
from meetups.places.forms import LocationForm
from meetups.places.models import City
from meetups.security import sign_in_first

bp = Blueprint("gatherings", __name__)

HOME_LIMIT = 30
HOME_AROUND_KM = 25  # a signed-in person's home page opens on their city and this far around
CITY_PAGE_SIZE = 50  # a city page lists this many gatherings, then links to the next ones
NEARBY_LIMIT = 50  # the soonest gatherings in nearby cities (50 km around Paris is a lot)
SEARCH_SUGGESTIONS = 5  # known names close to one the search does not know
# RSVPs per address: room for a coworking space answering the same invitation at once.
RSVP_LIMIT = "60 per minute"
# Proposals per address: a person sets up a season of gatherings in a sitting, no more.
PROPOSE_LIMIT = "10 per minute; 60 per hour"


@bp.get("/")
def index():
    home = current_user.home_city if current_user.is_authenticated else None
    around = queries.around(home, HOME_AROUND_KM, HOME_LIMIT) if home else []
    shown = {g.id for g, _km in around}
    gatherings = [g for g in queries.upcoming(limit=HOME_LIMIT) if g.id not in shown]
    page = render_template(
        "gatherings/index.html",
        home=home,
        around=around,
        around_km=HOME_AROUND_KM,
        gatherings=gatherings,
        going=queries.going_counts([g.id for g in gatherings] + list(shown)),
        active_cities=_cities_html("gatherings/_active_cities.html", only_active=True),
    )
    # Opened on the person's own city: for their browser only.
    return page, {"Cache-Control": "private"} if home else {}


@bp.get("/cities")
def cities():
    query = request.args.get("q", "").strip()[:200]
    place = gazetteer.lookup(query) if query else None
    city = place and db.session.scalar(db.select(City).filter_by(geonameid=place.geonameid))
    if city:
        return redirect(url_for(".city", slug=city.slug))
    return render_template(
        "gatherings/cities.html",
        all_cities=_cities_html("gatherings/_all_cities.html"),
        query=query,
        place=place,  # known, without a gathering yet
        suggestions=gazetteer.suggest(query, SEARCH_SUGGESTIONS) if query and not place else [],
    )


@bp.get("/cities/<slug>")
def city(slug: str):
    city = db.first_or_404(db.select(City).filter_by(slug=slug))
    filters = CityFilterForm(request.args)
    if not filters.validate():
        abort(400, description=next(iter(filters.errors.values()))[-1])
    tag, within, page = filters.tag.data or None, filters.within.data, filters.page.data or 1
    # One more than a page says whether a next page exists.
    gatherings = queries.upcoming(
        city=city, tag=tag, limit=CITY_PAGE_SIZE + 1, offset=(page - 1) * CITY_PAGE_SIZE
    )
    has_next = len(gatherings) > CITY_PAGE_SIZE
    gatherings = gatherings[:CITY_PAGE_SIZE]
    near = []
    if within:
        near = queries.nearby(
            city.latitude,
            city.longitude,
            within,
            tag=tag,
            exclude_city=city,
            limit=NEARBY_LIMIT + 1,
        )
    nearby_truncated, near = len(near) > NEARBY_LIMIT, near[:NEARBY_LIMIT]
    return render_template(
        "gatherings/city.html",
        city=city,
        tag=tag,
        within=within,
        within_choices=NEARBY_CHOICES_KM,
        gatherings=gatherings,
        page=page,
        has_next=has_next,
        nearby=near,
        nearby_truncated=nearby_truncated,
        going=queries.going_counts([g.id for g in gatherings] + [g.id for g, _km in near]),
    )


@bp.route("/events/new", methods=["GET", "POST"])
@limiter.limit(PROPOSE_LIMIT, methods=["POST"])
@login_required
def create():
    form = ProposalForm()
    form.home_country = _home_country()
    form.offer_packs(packs_of(current_user.id))
    if request.method == "GET":
        if current_user.home_city:
            form.city.data = current_user.home_city.name
        form.prefill(request.args)
    if form.validate_on_submit():
        try:
            gathering, moved = _propose(form)
        except services.AlreadyProposed as already:  # a double click, a retried request
            db.session.rollback()
            flash(_("This gathering was already proposed: here it is."), "info")
            return redirect(url_for(".show", gathering_id=already.gathering_id), 303)
        signals.report(signals.proposed, gathering=gathering)
        db.session.commit()
        _locate(gathering.venue)
        flash(_("Your gathering is proposed. Share it!"), "success")
        for occurrence in moved:
            flash(_moved_message(occurrence, form.starts_at.data, gathering.city.timezone), "info")
        return redirect(url_for(".show", gathering_id=gathering.id), 303)
    return render_template("gatherings/form.html", form=form, gathering=None)


def _propose(form: ProposalForm):
    """The gathering proposed, or the first of its series, and the occurrences a DST gap moved."""
    proposal, key = form.proposal(), form.idempotency_key.data
    if not form.repeats:
        return services.propose(current_user, proposal, key=key), []
    until = form.repeat_until_date()
    return recurring.start(current_user, proposal, form.repeat.data, until, key=key)


def _moved_message(occurrence, wall, zone: str) -> str:
    moved, asked = (
        utc_to_local(occurrence.starts_at, zone).strftime("%H:%M"),
        wall.strftime("%H:%M"),
    )
    return _(
        "The %(day)s occurrence starts at %(moved)s: %(time)s does not exist that day.",
        day=format_date(occurrence.day, "d MMMM"),
        moved=moved,
        time=asked,
    )


@bp.get("/events/<id:gathering_id>/duplicate")
@login_required
def duplicate(gathering_id: int):
    gathering = queries.shown_or_410(db.session.get(Gathering, gathering_id))
    form = ProposalForm()
    form.offer_packs(packs_of(current_user.id))
    form.copy(gathering)
    return render_template(
        "gatherings/form.html",
        form=form,
        gathering=None,
        copied=gathering,
        action=url_for(".create"),
    )


@bp.get("/events/<id:gathering_id>")
def show(gathering_id: int):
    gathering = queries.shown_or_410(db.session.get(Gathering, gathering_id))
    who = attendance(gathering)
    viewer_id = current_user.id if current_user.is_authenticated else None
    mine = who.mine(viewer_id)
    if mine is None and viewer_id is not None:
        # A "no" is not part of the attendance, but the page still says what I answered.
        mine = db.session.scalar(
            db.select(Rsvp).filter_by(gathering_id=gathering.id, user_id=viewer_id)
        )
    # Told from the data for a while, not "once" by clearing it: a GET writes nothing.
    closed = gathering.is_cancelled or gathering.is_past()
    promoted = bool(mine and mine.promoted_lately() and not closed)
    return render_template(
        "gatherings/show.html",
        gathering=gathering,
        who=who,
        mine=mine,
        suggested=[] if gathering.is_cancelled else who.suggested(current_user, trades.pairs),
        promoted=promoted,
        met=contacts.on_page(gathering, who, current_user),
        rsvp_form=RsvpForm(),
        can_manage=gathering.can_be_managed_by(current_user),
        rhythm=recurring.on_page(gathering, get_locale()),
        json_ld=sharing.event_json_ld(gathering),
        share_summary=sharing.summary(gathering),
    )


@bp.post("/events/<id:gathering_id>/rsvp")
@limiter.limit(RSVP_LIMIT)
def rsvp(gathering_id: int):
    # Everything that needs no lock happens before it: others wait for the gathering while
    # one answer holds it, so only the reads and writes of the seats happen under it.
    form = RsvpForm()
    if not current_user.is_authenticated:
        return _keep_for_after_sign_in(gathering_id, form)
    if not form.validate():
        # Errors may be lazy strings (the edge rule's is): joined as text.
        abort(400, description=" ".join(map(str, form.response.errors)))
    gathering = queries.shown_or_410(services.lock(gathering_id))
    try:
        outcome = services.respond(gathering, current_user, form.response.data)
    except services.RsvpRefused as refusal:
        db.session.rollback()
        flash(str(refusal), "error")
    else:
        signals.report(signals.answered, gathering=gathering, user=current_user, outcome=outcome)
        db.session.commit()
        if outcome.changed:
            flash(_rsvp_message(outcome), "success")
    return redirect(url_for(".show", gathering_id=gathering_id), 303)


def _keep_for_after_sign_in(gathering_id: int, form: RsvpForm):
    """Signed out: keep a valid answer for after sign-in (CSRF was checked as for any POST)."""
    if not form.validate():
        return current_app.login_manager.unauthorized()
    pending.keep(gathering_id, form.response.data)
    flash(_pending_message(form.response.data), "info")
    return sign_in_first()


@bp.record_once
def _answer_kept_on_sign_in(state) -> None:
    user_logged_in.connect(answer_kept, state.app)


def answer_kept(app, user, **_extra) -> None:
    """Save the RSVP button pressed before signing in, by the rules of POST /events/<id>/rsvp."""
    # Sign-in (or sign-up) is the entry point here, so this commits its own answer. The
    # rate limit counted the button's POST already; its CSRF token was checked then too.
    kept = pending.take()
    if kept is None:
        return
    gathering = services.lock(kept[0])
    if gathering is None or gathering.is_hidden:  # deleted or removed since
        db.session.rollback()
        return
    try:
        outcome = services.respond(gathering, user, kept[1])
    except services.RsvpRefused as refusal:
        db.session.rollback()
        flash(str(refusal), "error")
        return
    signals.report(signals.answered, gathering=gathering, user=user, outcome=outcome)
    db.session.commit()
    flash(_("Your answer to “%(title)s” is saved.", title=gathering.title), "success")
    flash(_rsvp_message(outcome), "success")


@bp.get("/events/<id:gathering_id>/rsvp")
def rsvp_page(gathering_id: int):
    """Where sign-in returns after an RSVP button was pressed while signed out."""
    return redirect(url_for(".show", gathering_id=gathering_id), 303)


@bp.route("/events/<id:gathering_id>/edit", methods=["GET", "POST"])
@login_required
def edit(gathering_id: int):
    gathering = _managed(gathering_id, lock=request.method == "POST")
    form = _scoped(
        gathering,
        GatheringForm.for_gathering(gathering, seats_taken=services.seats_taken(gathering)),
    )
    form.home_country = _home_country()
    if form.validate_on_submit():
        # Commit either way: a change calendars do not show (the seats) must still be saved.
        edits = _edit(gathering, form)
        for edited, edit in edits:
            signals.report(signals.edited, gathering=edited, edit=edit, by=current_user)
        db.session.commit()
        _locate(gathering.venue)
        if any(edit.changed for _edited, edit in edits):
            flash(_("Your changes are saved; calendars will follow."), "success")
        else:
            flash(_("Your changes are saved."), "success")
        return redirect(url_for(".show", gathering_id=gathering.id), 303)
    return render_template("gatherings/form.html", form=form, gathering=gathering)


def _scoped(gathering: Gathering, form):
    """The form, without its `scope` unless the gathering is an occurrence of a series (a
    gathering that stands alone has nothing to scope: a posted scope is ignored)."""
    if gathering.series_id is None:
        del form.scope
    return form


def _edit(gathering: Gathering, form: GatheringForm) -> list:
    """Apply the form to this gathering, or to this occurrence and the following ones."""
    if gathering.series_id is not None and form.scope.data == FOLLOWING:
        return recurring.update_following(gathering, form.proposal())
    return [(gathering, recurring.update_this(gathering, form.proposal()))]


@bp.route("/events/<id:gathering_id>/location", methods=["GET", "POST"])
@login_required
def place(gathering_id: int):
    gathering = _managed(gathering_id)
    venue = gathering.venue
    form = LocationForm(obj=venue, city=gathering.city)
    if form.validate_on_submit():
        point = (form.latitude.data, form.longitude.data)
        for_everyone = placing.correct_location(gathering, point, current_user)
        db.session.commit()
        flash(_placed_message(for_everyone), "success")
        return redirect(url_for(".show", gathering_id=gathering.id), 303)
    return render_template("gatherings/location.html", form=form, gathering=gathering)


@bp.route("/events/<id:gathering_id>/cancel", methods=["GET", "POST"])
@login_required
def cancel(gathering_id: int):
    # Locked to write: SEQUENCE rises from what is committed.
    gathering = _managed(gathering_id, lock=request.method == "POST")
    if gathering.is_cancelled:
        return redirect(url_for(".show", gathering_id=gathering.id), 303)
    form = _scoped(gathering, CancelForm())
    if form.validate_on_submit():  # scripts post no message: it is optional
        for cancelled in _cancel(gathering, form):
            signals.report(signals.cancelled, gathering=cancelled, by=current_user)
        db.session.commit()
        flash(_("The gathering is cancelled. It stays visible, marked cancelled."), "info")
        return redirect(url_for(".show", gathering_id=gathering.id), 303)
    who = attendance(gathering)
    answered = who.going + who.waitlist + who.maybe
    told = sum(rsvp.user_id != gathering.organiser_id for rsvp in answered)
    return render_template("gatherings/cancel.html", form=form, gathering=gathering, told=told)


def _cancel(gathering: Gathering, form: CancelForm) -> list[Gathering]:
    """Cancel this gathering, or this occurrence and the following ones: those cancelled."""
    if gathering.series_id is not None and form.scope.data == FOLLOWING:
        return recurring.cancel_following(gathering, form.message.data)
    return [gathering] if services.cancel(gathering, form.message.data) else []


@bp.post("/events/<id:gathering_id>/reinstate")
@login_required
def reinstate(gathering_id: int):
    gathering = _managed(gathering_id, lock=True)
    try:
        promoted = services.reinstate(gathering)
    except services.NotReinstated as refusal:
        db.session.rollback()
        flash(str(refusal), "error")
    else:
        signals.report(signals.reinstated, gathering=gathering, promoted=promoted, by=current_user)
        db.session.commit()
        flash(_("The gathering is on again; calendars will follow."), "success")
    return redirect(url_for(".show", gathering_id=gathering.id), 303)


@bp.get("/me")
@login_required
def me():
    return render_template("gatherings/me.html", mine=queries.my_gatherings(current_user))


def _cities_html(template: str, only_active: bool = False) -> Markup:
    """A list of cities with their counts, rendered once per version of the counts, language
    and mount point (its links) rather than on every request. (Kept a minute at most: a
    deploy's new template shows within the minute, in Redis too.)"""
    counts = city_counts()
    made = counts.kept(
        f"{template}:{get_locale()}:{request.script_root}",
        lambda: render_template(template, cities=counts.listed(only_active)).encode(),
    )
    return Markup(made.decode())  # noqa: S704 - our own template rendered it, escaping included


def _home_country() -> str | None:
    """The signed-in person's home country: proposing elsewhere asks for a confirmation."""
    home = current_user.home_city
    return home.country.upper() if home else None


def _rsvp_message(outcome: services.RsvpOutcome) -> str:
    if outcome.confirmed:
        return _("You are going, and that makes enough people: it is confirmed!")
    if outcome.response == Response.GOING and outcome.is_waitlisted:
        return _(
            "It is full: you are on the waitlist, number %(place)d in line. "
            "You will get the first seat that frees up.",
            place=outcome.place_in_line,
        )
    return {
        Response.GOING: _("You are going. See you there!"),
        Response.MAYBE: _("Marked as maybe. Maybe doesn't hold a seat."),
        Response.NO: _("Noted: you are not going."),
    }[outcome.response]


def _pending_message(response: str) -> str:
    return {
        Response.GOING: _("Sign in or create an account, and your “Going” will be saved."),
        Response.MAYBE: _("Sign in or create an account, and your “Maybe” will be saved."),
        Response.NO: _("Sign in or create an account, and your “Can’t go” will be saved."),
    }[response]


def _placed_message(for_everyone: bool) -> str:
    if for_everyone:
        return _(
            "The venue is placed where you said, for every gathering there. "
            "It will not be moved again."
        )
    return _(
        "The venue is placed where you said, for your gatherings there. It will not be moved again."
    )


def _locate(venue) -> None:
    """Geocode the venue of a proposal already committed; nothing here may turn it into an error."""
    try:
        # Located within the request that saved it: the version calendars saw has not changed
        # (the edit itself, if any, raised SEQUENCE); geocode-pending raises it for later finds.
        if geocoding.locate(venue):
            db.session.commit()
    except Exception:  # the proposal is saved; geocode-pending locates the venue later
        db.session.rollback()
        current_app.logger.exception("Geocoding a saved venue failed")


def _managed(gathering_id: int, lock: bool = False) -> Gathering:
    """Load a gathering the current user may edit or cancel: 404 if unknown, 403 if not theirs."""
    gathering = recurring.lock(gathering_id) if lock else db.session.get(Gathering, gathering_id)
    queries.shown_or_410(gathering)
    if not gathering.can_be_managed_by(current_user):
        abort(403)
    return gathering
