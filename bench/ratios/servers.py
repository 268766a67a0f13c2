"""Meute and the trivial app under one gunicorn command line, and plain HTTP to them."""

import contextlib
import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from bench.common import ROOT
from tests.live_server import free_port, stop, wait_until_up

MEUTE = "wsgi:app"
TRIVIAL = "bench.ratios.trivial:app"
# Headers gunicorn writes itself, on both sides: not part of what the trivial app replays.
SERVER_HEADERS = {"date", "server", "connection", "keep-alive", "transfer-encoding"}


@dataclass(frozen=True)
class Shape:
    """The gunicorn settings both sides share."""

    workers: int
    threads: int


@dataclass
class Server:
    """A running gunicorn: its base URL and its master process."""

    base: str
    process: subprocess.Popen


@dataclass(frozen=True)
class Answer:
    """One HTTP response, read whole."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)


def command(app: str, port: int, shape: Shape) -> list[str]:
    """The one gunicorn command line, whichever app it serves (as tests/live_server.py runs it)."""
    return [
        *(sys.executable, "-m", "gunicorn", app, "--bind", f"127.0.0.1:{port}"),
        *("--workers", str(shape.workers), "--threads", str(shape.threads)),
        *("--worker-class", "gthread", "--graceful-timeout", "5", "--log-level", "warning"),
    ]


def meute_env(database_url: str, instance: Path) -> dict:
    """Meute's settings: this database, rate limits and CSRF off, the offline geocoder."""
    return {
        "DATABASE_URL": database_url,
        "MEETUPS_INSTANCE_PATH": str(instance),
        "MEETUPS_SECRET_KEY": "bench-secret-key",
        "MEETUPS_RATELIMIT_ENABLED": "false",
        "MEETUPS_WTF_CSRF_ENABLED": "false",
        "MEETUPS_GEOCODERS": "offline",
    }


def trivial_env(answers: dict[str, Answer], folder: Path) -> dict:
    """Hand the trivial app the responses it replays: a body file and its headers, by status."""
    replay = {}
    for name, answer in answers.items():
        body = folder / f"{name}.body"
        body.write_bytes(answer.body)
        kept = [[k, v] for k, v in answer.headers if k.lower() not in SERVER_HEADERS]
        replay[name] = {"status": answer.status, "headers": kept, "body": str(body)}
    (folder / "replay.json").write_text(json.dumps(replay))
    return {"BENCH_REPLAY": str(folder / "replay.json")}


@contextlib.contextmanager
def serve(app: str, shape: Shape, env_for) -> Iterator[Server]:
    """Run gunicorn on `app` until the block ends; env_for(folder) gives its environment."""
    folder = Path(tempfile.mkdtemp(prefix="meute-bench-server-"))
    port = free_port()
    outside = {k: v for k, v in os.environ.items() if not k.startswith("MEETUPS_")}
    log = (folder / "gunicorn.log").open("w")
    process = subprocess.Popen(  # noqa: S603 - this interpreter, our own arguments
        command(app, port, shape),
        cwd=ROOT,
        env={**outside, **env_for(folder)},
        stdout=log,
        stderr=log,
    )
    try:
        wait_until_up(f"http://127.0.0.1:{port}", process, folder / "gunicorn.log", timeout=60)
        yield Server(f"http://127.0.0.1:{port}", process)
    finally:
        stop(process)
        log.close()
        shutil.rmtree(folder, ignore_errors=True)


def request(url: str, headers: dict | None = None, form: str | None = None) -> Answer:
    """One GET (or POST of a urlencoded form) on a new connection; redirects not followed."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    try:
        headers = {**(headers or {})}
        if form is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        connection.request("POST" if form is not None else "GET", path, form, headers)
        response = connection.getresponse()
        return Answer(response.status, response.getheaders(), response.read())
    finally:
        connection.close()
