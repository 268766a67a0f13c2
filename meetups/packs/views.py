"""Pages of packs: the list, a pack's page, joining and leaving, its members and its settings."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from meetups.extensions import db, limiter
from meetups.gatherings.queries import going_counts, upcoming
from meetups.gatherings.signals import report
from meetups.packs import queries, services
from meetups.packs.forms import JoinForm, PackForm
from meetups.packs.models import MemberStatus, Pack, Role
from meetups.packs.signals import join_asked
from meetups.places.models import City

bp = Blueprint("packs", __name__, url_prefix="/packs")

# Packs per address: a person sets up one or two packs in a sitting, no more.
CREATE_LIMIT = "5 per minute; 20 per hour"
UPCOMING_LIMIT = 20
ACTIONS = 'approve,decline,remove,"make-organiser"'


@bp.app_template_global("packs_in")
def packs_in(city_id: int) -> list[queries.ListedPack]:
    """A city's packs with their counts, for its page (gatherings know nothing of packs)."""
    return queries.listed(city_id)


@bp.get("")
def index():
    city = None
    if slug := request.args.get("city", "").strip():
        city = db.first_or_404(db.select(City).filter_by(slug=slug[:120]))
    rows = queries.listed(city.id if city else None)
    return render_template("packs/index.html", rows=rows, city=city)


@bp.route("/new", methods=["GET", "POST"])
@limiter.limit(CREATE_LIMIT, methods=["POST"])
@login_required
def create():
    form = PackForm()
    if request.method == "GET" and current_user.home_city:
        form.city.data = current_user.home_city.name
    if form.validate_on_submit():
        pack = services.create(current_user, form.pack_data())
        db.session.commit()
        flash(_("Your pack is created. Invite people to join!"), "success")
        return redirect(url_for(".show", slug=pack.slug), 303)
    return render_template("packs/form.html", form=form, pack=None)


@bp.get("/<slug>")
def show(slug: str):
    return _page(_pack_or_404(slug), JoinForm())


def _page(pack: Pack, join_form: JoinForm):
    """A pack's page, with the join form as given (errors and what was typed, if any)."""
    gatherings = upcoming(pack_id=pack.id, limit=UPCOMING_LIMIT)
    user_id = current_user.id if current_user.is_authenticated else None
    mine = queries.membership(pack.id, user_id)
    page = render_template(
        "packs/show.html",
        pack=pack,
        mine=mine,
        waiting=queries.pending_count(pack.id) if mine and mine.is_organiser else 0,
        organisers=queries.members(pack.id, role=Role.ORGANISER),
        member_count=queries.member_counts([pack.id]).get(pack.id, 0),
        gatherings=gatherings,
        going=going_counts([g.id for g in gatherings]),
        join_form=join_form,
    )
    return page, {"Cache-Control": "private"} if user_id else {}


@bp.post("/<slug>/join")
@login_required
def join(slug: str):
    pack = _pack_or_404(slug)
    form = JoinForm()
    form.question = pack.join_question
    if queries.membership(pack.id, current_user.id) is None:
        if not form.validate():
            return _page(pack, form)
        membership = services.join(pack, current_user, form.answer.data)
        if membership is not None and membership.status == MemberStatus.PENDING:
            report(join_asked, pack=pack, membership=membership)
        db.session.commit()
        if membership is not None:
            flash(_joined_message(membership.status), "success")
            return redirect(url_for(".show", slug=pack.slug), 303)
    flash(_("You are already in this pack, or your request is waiting."), "info")
    return redirect(url_for(".show", slug=pack.slug), 303)


@bp.post("/<slug>/leave")
@login_required
def leave(slug: str):
    pack = services.lock(slug) or abort(404)
    mine = queries.membership(pack.id, current_user.id)
    if mine is None:
        db.session.rollback()
        flash(_("You are not in this pack."), "info")
        return redirect(url_for(".show", slug=slug), 303)
    try:
        services.leave(pack, mine)
    except services.Refused as refusal:
        db.session.rollback()
        flash(str(refusal), "error")
    else:
        db.session.commit()
        flash(_("You left the pack. Your answers to its gatherings stay as they were."), "info")
    return redirect(url_for(".show", slug=slug), 303)


@bp.get("/<slug>/members")
@login_required
def members(slug: str):
    pack = _pack_or_404(slug)
    mine = queries.membership(pack.id, current_user.id)
    if mine is None or not mine.is_active:
        abort(403)
    pending = queries.members(pack.id, MemberStatus.PENDING) if mine.is_organiser else []
    everyone = queries.members(pack.id)
    # As on a gathering: organisers see every name; members, those who did not opt out.
    shown = [m for m in everyone if mine.is_organiser or _named(m, current_user.id)]
    page = render_template(
        "packs/members.html",
        pack=pack,
        mine=mine,
        members=shown,
        member_count=len(everyone),
        pending=pending,
    )
    return page, {"Cache-Control": "private"}


@bp.post(f"/<slug>/members/<id:person_id>/<any({ACTIONS}):action>")
@login_required
def member_action(slug: str, person_id: int, action: str):
    pack = services.lock(slug) or abort(404)  # organisers are counted under the pack's lock
    mine = queries.membership(pack.id, current_user.id)
    if mine is None or not mine.is_organiser:
        abort(403)
    target = queries.membership(pack.id, person_id) or abort(404)
    name = target.user.display_name
    try:
        message = _act(pack, target, action, name)
    except services.Refused as refusal:
        db.session.rollback()
        flash(str(refusal), "error")
    else:
        db.session.commit()
        flash(message, "success")
    return redirect(url_for(".members", slug=slug), 303)


def _act(pack: Pack, target, action: str, name: str) -> str:
    """Do one organiser's action; the message that says it was done."""
    if action == "approve":
        services.approve(target)
        return _("%(name)s is now a member.", name=name)
    if action == "decline":
        services.decline(target)
        return _("The request of %(name)s is declined.", name=name)
    if action == "remove":
        services.remove(pack, target)
        return _("%(name)s is no longer in the pack.", name=name)
    services.make_organiser(target)
    return _("%(name)s is now an organiser.", name=name)


@bp.route("/<slug>/edit", methods=["GET", "POST"])
@login_required
def edit(slug: str):
    pack = _pack_or_404(slug)
    mine = queries.membership(pack.id, current_user.id)
    if mine is None or not mine.is_organiser:
        abort(403)
    form = PackForm.for_pack(pack)
    if form.validate_on_submit():
        services.update(pack, form.pack_data())
        db.session.commit()
        flash(_("The pack is saved."), "success")
        return redirect(url_for(".show", slug=pack.slug), 303)
    return render_template("packs/form.html", form=form, pack=pack), {"Cache-Control": "private"}


def _named(membership, viewer_id: int) -> bool:
    """Whether members see this one's name: organisers, themselves, or not hidden."""
    user = membership.user
    return membership.is_organiser or user.id == viewer_id or not user.is_hidden


def _pack_or_404(slug: str) -> Pack:
    return db.first_or_404(db.select(Pack).filter_by(slug=slug))


def _joined_message(status: str) -> str:
    if status == MemberStatus.ACTIVE:
        return _("Welcome to the pack!")
    return _("Your request is sent. An organiser will answer it.")
