""" "Still coming?": the page a reminder links to, with its two buttons."""

from flask import Blueprint, abort

bp = Blueprint("reminders", __name__)


@bp.route("/r/<token>", methods=["GET", "POST"])
def answer(token: str):
    abort(404)  # being built: the reminder page
