"""Site-wide endpoints that belong to no feature: the health check."""

from flask import Blueprint
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from meetups.extensions import db

site_bp = Blueprint("site", __name__)


@site_bp.get("/healthz")
def healthz():
    """Answer 200 "ok" when the database answers, 503 otherwise."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return "database unavailable\n", 503, {"Content-Type": "text/plain; charset=utf-8"}
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8"}
