"""Sign up, sign in, sign out, password reset, and one's own profile."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import refresh
from flask_login import current_user, login_required, login_user, logout_user

from meetups import i18n
from meetups.accounts import services, trades
from meetups.accounts.forms import (
    TAKEN,
    LoginForm,
    NewPasswordForm,
    ProfileForm,
    RegisterForm,
    ResetForm,
)
from meetups.accounts.signals import reset_asked
from meetups.extensions import db, limiter
from meetups.places import gazetteer
from meetups.places.services import city_for
from meetups.security import safe_next

auth_bp = Blueprint("auth", __name__, url_prefix="/auth")
profile_bp = Blueprint("profile", __name__, url_prefix="/me")
profile_bp.add_app_template_filter(trades.shown, "trade")
profile_bp.add_app_template_global(trades.page_label, "trade_name")


def _after_login():
    return redirect(safe_next(request.args.get("next")) or url_for("gatherings.index"))


@auth_bp.route("/register", methods=["GET", "POST"])
@limiter.limit("10 per minute; 50 per hour", methods=["POST"])
def register():
    if current_user.is_authenticated:
        return _after_login()
    form = RegisterForm()
    if form.validate_on_submit():
        home_city = city_for(form.city.place) if form.city.place else None
        try:
            user = services.register(
                form.email.data,
                form.password.data,
                form.display_name.data,
                form.trade.data or "",
                home_city,
            )
        except services.EmailTaken:  # signed up a moment ago, after the form's own check
            form.email.errors.append(TAKEN)
        else:
            db.session.commit()
            # Greeted first: signing in may save an answer given before, and say so next.
            flash(_("Welcome to Meute, %(name)s!", name=user.display_name), "success")
            login_user(user)
            return _after_login()
    return render_template(
        "auth/register.html", form=form, trade_suggestions=trades.suggested_names()
    )


@auth_bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10 per minute; 100 per hour", methods=["POST"])
def login():
    if current_user.is_authenticated:
        return _after_login()
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None and user.is_suspended:  # said only to whoever knows the password
            form.password.errors.append(SUSPENDED)
        elif user is not None:
            flash(_("Signed in. Hello, %(name)s!", name=user.display_name), "success")
            login_user(user)
            return _after_login()
        else:
            form.password.errors.append(_("This e-mail and password do not match an account."))
    return render_template("auth/login.html", form=form)


SUSPENDED = _l("This account is suspended by the moderators: it can no longer sign in.")
RESET_SENT = _l(
    "If an account uses this address, an e-mail with a link is on its way. "
    "The link works for one hour."
)


def _address_asked() -> str:
    """The address a reset is asked for: one mailbox is not flooded from many addresses."""
    return "reset:" + services.normalise_email(request.form.get("email", ""))[:254]


@auth_bp.route("/reset", methods=["GET", "POST"])
@limiter.limit("5 per minute; 30 per hour", methods=["POST"])
@limiter.limit("3 per 15 minutes", methods=["POST"], key_func=_address_asked)
def reset():
    form = ResetForm()
    if form.validate_on_submit():
        user = services.account_for_reset(form.email.data)
        if user is not None:  # the mail goes out later (send-mail): no telling answer time
            reset_asked.send(current_app._get_current_object(), user=user)
        db.session.commit()
        flash(RESET_SENT, "info")  # the same whether an account uses the address or not
        return redirect(url_for(".reset"), 303)
    return render_template("auth/reset.html", form=form)


@auth_bp.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit("10 per minute; 100 per hour", methods=["POST"])
def reset_with_token(token: str):
    user = services.user_for_reset(token)
    if user is None:  # unknown, altered, expired or used: one answer for all
        return render_template("auth/reset_password.html", form=None), 404
    if user.is_suspended:  # a reset link is no way back in
        flash(SUSPENDED, "error")
        return render_template("auth/reset_password.html", form=None), 403
    form = NewPasswordForm()
    if form.validate_on_submit():
        services.change_password(user, form.password.data)
        db.session.commit()
        login_user(user)
        flash(_("Your password is changed; your other sessions are signed out."), "success")
        return redirect(url_for("gatherings.index"), 303)
    return render_template("auth/reset_password.html", form=form)


@auth_bp.post("/logout")
@login_required
def logout():
    services.end_sessions(current_user)
    db.session.commit()
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("gatherings.index"))


@profile_bp.route("/profile", methods=["GET", "POST"])
@login_required
@limiter.limit("30 per minute; 300 per hour", methods=["POST"])  # it checks a password
def edit():
    form = ProfileForm(current_user)
    if current_user.home_city:
        form.city.current = gazetteer.by_geonameid(current_user.home_city.geonameid)
        if request.method == "GET":
            form.city.data = current_user.home_city.name
    if form.validate_on_submit():
        language_before = current_user.language
        services.update_profile(current_user, _profile_of(form))
        if form.new_password.data:
            services.change_password(current_user, form.new_password.data)
        db.session.commit()
        response = redirect(url_for(".edit"), 303)
        if current_user.language or language_before:  # chosen, or the choice given up
            i18n.remember(response, current_user.language)
            refresh()  # the messages below in the language just chosen
        if form.new_password.data:
            login_user(current_user._get_current_object())  # this session stays signed in
            flash(_("Your password is changed; your other sessions are signed out."), "success")
        flash(_("Your profile is saved."), "success")
        return response
    return render_template(
        "auth/profile.html", form=form, trade_suggestions=trades.suggested_names()
    )


def _profile_of(form: ProfileForm) -> services.Profile:
    return services.Profile(
        display_name=form.display_name.data,
        trade=form.trade.data,
        home_city=city_for(form.city.place) if form.city.place else None,
        visibility=form.visibility.data,
        wants_suggestions=form.suggestions.data,
        offers=form.offers.data or "",
        looking_for=form.looking_for.data or "",
        links=form.links.data,
        language=form.language.data or None,
    )


@profile_bp.post("/feed/rotate")
@login_required
def rotate_feed():
    services.rotate_feed_token(current_user)
    db.session.commit()
    flash(
        _("Your feed has a new address. Subscribe again with it; the old one no longer works."),
        "success",
    )
    return redirect(url_for("gatherings.me"), 303)
