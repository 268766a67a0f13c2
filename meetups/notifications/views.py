"""What each person receives: /me/notifications, and the one-click unsubscribe of RFC 8058."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from meetups.accounts.models import User
from meetups.extensions import csrf, db
from meetups.notifications import preferences, tokens
from meetups.notifications.forms import SettingsForm

bp = Blueprint("notifications", __name__)

TOPICS = {
    "reminders": _l("reminders the day before the gatherings you are going to"),
    "news": _l("e-mails about new gatherings, one by one or in a weekly digest"),
    "join_requests": _l("requests to join the packs you organise"),
}


@bp.route("/me/notifications", methods=["GET", "POST"])
@login_required
def settings():
    form = SettingsForm(obj=preferences.of(current_user.id))
    if form.validate_on_submit():
        preferences.save(current_user.id, **form.choices())
        db.session.commit()
        flash(_("Your e-mail choices are saved."), "success")
        return redirect(url_for(".settings"), 303)
    page = render_template("notifications/settings.html", form=form)
    return page, {"Cache-Control": "private"}


# RFC 8058: a mail client posts here with one click, without a session or a CSRF token.
@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt
def unsubscribe(token: str):
    target = tokens.unsubscribe_target(token)
    if target is None or target[1] not in preferences.TURNED_OFF:
        abort(404)
    user_id, topic = target
    db.get_or_404(User, user_id)  # a deleted account's links lead nowhere
    done = request.method == "POST"
    if done:  # GET changes nothing: link checkers and previews open links
        preferences.save(user_id, **preferences.TURNED_OFF[topic])
        db.session.commit()
    page = render_template("notifications/unsubscribe.html", topic=TOPICS[topic], done=done)
    return page, {"Cache-Control": "no-store"}
