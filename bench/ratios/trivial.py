"""The trivial WSGI app the ratios divide by: it replays responses Meute gave, doing nothing else.

BENCH_REPLAY names a JSON file (written by servers.trivial_env) holding, for "200" and "304",
the status, the headers and a file with the body. A request whose If-None-Match is the 200's
ETag gets the 304, any other the 200; /healthz answers "ok" so that gunicorn can be awaited.
"""

import json
import os
from functools import cache
from pathlib import Path

STATUS_LINES = {200: "200 OK", 304: "304 Not Modified"}
HEALTHY = (b"ok", [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", "2")])


@cache
def replay() -> dict[str, tuple[str, list[tuple[str, str]], bytes]]:
    """The responses to replay, read once per worker: status line, headers, body."""
    saved = json.loads(Path(os.environ["BENCH_REPLAY"]).read_text())
    return {
        name: (
            STATUS_LINES[answer["status"]],
            [(k, v) for k, v in answer["headers"]],
            Path(answer["body"]).read_bytes(),
        )
        for name, answer in saved.items()
    }


@cache
def etag() -> str | None:
    """The ETag header of the 200, as clients send it back."""
    return next((v for k, v in replay()["200"][1] if k.lower() == "etag"), None)


def app(environ, start_response):
    """Answer with the saved 304 when the ETag matches, else with the saved 200."""
    if environ.get("PATH_INFO") == "/healthz":
        start_response("200 OK", HEALTHY[1])
        return [HEALTHY[0]]
    matches = etag() is not None and environ.get("HTTP_IF_NONE_MATCH") == etag()
    status, headers, body = replay()["304" if matches and "304" in replay() else "200"]
    start_response(status, headers)
    return [body]
