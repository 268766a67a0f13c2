"""Your data: the export, deleting your account, and the privacy page."""

import json

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from meetups.dates import utcnow
from meetups.extensions import db, limiter
from meetups.privacy import deletion, export
from meetups.privacy.forms import DeleteAccountForm

bp = Blueprint("privacy", __name__)


@bp.get("/privacy")
def page():
    return render_template("privacy/page.html")


@bp.get("/me/export.json")
@login_required
def export_json():
    now = utcnow()
    body = json.dumps(export.build(current_user, now), ensure_ascii=False, indent=2)
    headers = {
        "Content-Disposition": f'attachment; filename="meute-{now:%Y-%m-%d}.json"',
        "Cache-Control": "no-store",
    }
    return Response(body, mimetype="application/json", headers=headers)


@bp.route("/me/delete", methods=["GET", "POST"])
@login_required
@limiter.limit("10 per minute; 100 per hour", methods=["POST"])  # it checks a password
def delete():
    form = DeleteAccountForm(current_user)
    if form.validate_on_submit():
        deletion.delete_account(current_user._get_current_object())
        db.session.commit()
        logout_user()
        flash(_("Your account was deleted."), "info")
        return redirect(url_for("gatherings.index"), 303)
    return render_template("privacy/delete.html", form=form)
