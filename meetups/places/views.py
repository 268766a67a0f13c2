"""Static files that come from packages rather than from our repository: Leaflet."""

from flask import Blueprint, send_from_directory
from xstatic.pkg import leaflet

vendor_bp = Blueprint("vendor", __name__, url_prefix="/vendor")


@vendor_bp.get("/leaflet/<path:filename>")
def leaflet_file(filename: str):
    """Serve Leaflet's files from the xstatic-leaflet package, cached for a day."""
    return send_from_directory(leaflet.BASE_DIR, filename, max_age=86400)
