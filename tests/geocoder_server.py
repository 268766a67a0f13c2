"""A local stand-in for BAN and Nominatim: their JSON, as geopy requests and reads it, over real HTTP.

BAN (GeoCodeJSON) answers at /ban/search, Nominatim at /nominatim/search. Each service has known
addresses (a text the query must contain -> coordinates) and a mode: ok, empty, 500, 503, 429,
hang (no answer until stopped), malformed (valid JSON of the wrong shape, status 200) or
not-json (an HTML page with status 200). Every request is recorded.
"""

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

SERVICES = ("ban", "nominatim")
MODES = ("ok", "empty", "500", "503", "429", "hang", "malformed", "not-json")
LICENCE = "Data © OpenStreetMap contributors, ODbL 1.0. http://osm.org/copyright"


@dataclass(frozen=True)
class Answer:
    latitude: float
    longitude: float
    kind: str  # BAN properties.type, or Nominatim addresstype (house, road, city, amenity)
    label: str


@dataclass(frozen=True)
class Seen:
    service: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    at: float  # time.monotonic() when it arrived


class GeocoderServer:
    """Both services on one threaded HTTP server on 127.0.0.1, on a free port."""

    def __init__(self) -> None:
        self.answers: dict[str, dict[str, Answer]] = {service: {} for service in SERVICES}
        self.modes = dict.fromkeys(SERVICES, "ok")
        self.requests: list[Seen] = []
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        self._httpd.block_on_close = False
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "GeocoderServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()  # wakes hanging handlers
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def answer(
        self, service: str, text: str, latitude: float, longitude: float, kind=None, label=None
    ):
        """Answer queries containing `text` (case-insensitive) with these coordinates."""
        kind = kind or {"ban": "housenumber", "nominatim": "house"}[service]
        self.answers[service][text.casefold()] = Answer(latitude, longitude, kind, label or text)

    def set_mode(self, mode: str, *services: str) -> None:
        """Switch these services (both when none is named) to a mode."""
        assert mode in MODES, mode
        for service in services or SERVICES:
            self.modes[service] = mode

    def count(self, service: str) -> int:
        with self._lock:
            return sum(seen.service == service for seen in self.requests)

    def seen(self, service: str) -> list[Seen]:
        with self._lock:
            return [seen for seen in self.requests if seen.service == service]

    def record(self, seen: Seen) -> None:
        with self._lock:
            self.requests.append(seen)

    def find(self, service: str, query: str) -> Answer | None:
        query = query.casefold()
        return next((a for text, a in self.answers[service].items() if text in query), None)


def ban_body(server: GeocoderServer, query: dict[str, str]) -> dict:
    """GeoCodeJSON, as the French address API answers /search."""
    answer = server.find("ban", query.get("q", ""))
    features = [] if answer is None else [_ban_feature(answer)]
    return {
        "type": "FeatureCollection",
        "version": "draft",
        "features": features[: int(query.get("limit", 5))],
        "attribution": "BAN",
        "licence": "ETALAB-2.0",
        "query": query.get("q", ""),
        "filters": {},
        "limit": int(query.get("limit", 5)),
    }


def _ban_feature(answer: Answer) -> dict:
    number, _, street = answer.label.partition(" ")
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [answer.longitude, answer.latitude]},
        "properties": {
            "label": answer.label,
            "score": 0.9731,
            "housenumber": number if answer.kind == "housenumber" else None,
            "id": "69382_5890_00020",
            "name": answer.label,
            "postcode": "69002",
            "citycode": "69382",
            "x": 842316.53,
            "y": 6519207.39,
            "city": "Lyon",
            "district": "Lyon 2e Arrondissement",
            "context": "69, Rhône, Auvergne-Rhône-Alpes",
            "type": answer.kind,
            "importance": 0.7526,
            "street": street,
        },
    }


def nominatim_body(server: GeocoderServer, query: dict[str, str]) -> list:
    """Nominatim's format=json: a list of places with lat and lon as strings."""
    answer = server.find("nominatim", query.get("q", ""))
    if answer is None:
        return []
    category = {
        "house": ("place", "house", "place"),
        "road": ("highway", "residential", "road"),
        "city": ("boundary", "administrative", "city"),
        "amenity": ("amenity", "cafe", "amenity"),
    }[answer.kind]
    place = {
        "place_id": 123456,
        "licence": LICENCE,
        "osm_type": "node",
        "osm_id": 987654,
        "lat": str(answer.latitude),
        "lon": str(answer.longitude),
        "class": category[0],
        "type": category[1],
        "place_rank": 30,
        "importance": 0.30001,
        "addresstype": category[2],
        "name": "",
        "display_name": answer.label,
        "boundingbox": [str(answer.latitude - 0.001), str(answer.latitude + 0.001),
                        str(answer.longitude - 0.001), str(answer.longitude + 0.001)],
    }  # fmt: skip
    return [place][: int(query.get("limit", 10))]


MALFORMED = {  # valid JSON, served with a 200, that geopy's parsers choke on
    "ban": {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}}]},
    "nominatim": [{"display_name": "Somewhere", "lat": "not a number", "lon": "1.0"}],
}
EMPTY = {"ban": {"type": "FeatureCollection", "version": "draft", "features": []}, "nominatim": []}
BODIES = {"ban": ban_body, "nominatim": nominatim_body}


def _handler_for(server: GeocoderServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            service = url.path.removesuffix("/search").strip("/")
            if service not in SERVICES or not url.path.endswith("/search"):
                return self._send(404, {"error": "not found"})
            query = dict(parse_qsl(url.query))
            server.record(Seen(service, url.path, query, dict(self.headers), time.monotonic()))
            self._respond(service, server.modes[service], query)

        def _respond(self, service: str, mode: str, query: dict[str, str]) -> None:
            if mode == "hang":
                server.stopping.wait(30)  # far past any budget; stop() ends it
                return None
            if mode in ("500", "503", "429"):
                return self._send(int(mode), {"error": f"mode {mode}"})
            if mode == "malformed":
                return self._send(200, MALFORMED[service])
            if mode == "not-json":
                return self._send(200, "<html><body>Bad gateway</body></html>", "text/html")
            if mode == "empty":
                return self._send(200, EMPTY[service])
            return self._send(200, BODIES[service](server, query))

        def _send(self, status: int, body, content_type="application/json") -> None:
            data = (body if isinstance(body, str) else json.dumps(body)).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", f"{content_type}; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up waiting
                pass

        def log_message(self, format, *args) -> None:
            pass  # keep test output clean

    return Handler
