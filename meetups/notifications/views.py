"""What each person receives: /me/notifications, and the one-click unsubscribe of RFC 8058."""

from flask import Blueprint, abort

bp = Blueprint("notifications", __name__)


@bp.route("/me/notifications", methods=["GET", "POST"])
def settings():
    abort(404)  # being built: the settings page


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str):
    abort(404)  # being built: the one-click unsubscribe
