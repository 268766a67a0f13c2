"""A real Meute server for tests: gunicorn, several worker processes, on a free loopback port."""

import contextlib
import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


LIVE_SECRET_KEY = "live-server-test-key"  # tests sign links as the live server does


def free_port() -> int:
    with contextlib.closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serve(database_url: str, instance: Path, workers: int = 4, threads: int = 4, **env):
    """Run gunicorn on database_url until the block ends; yield the base URL."""
    port = free_port()
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith("MEETUPS_")},
        "DATABASE_URL": database_url,
        "MEETUPS_INSTANCE_PATH": str(instance),
        "MEETUPS_SECRET_KEY": LIVE_SECRET_KEY,
        "MEETUPS_RATELIMIT_ENABLED": "false",
        "MEETUPS_GEOCODERS": "offline",
        **env,
    }
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "wsgi:app",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--worker-class",
        "gthread",
        "--graceful-timeout",
        "5",
        "--log-level",
        "warning",
    ]
    log = instance / "gunicorn.log"
    instance.mkdir(parents=True, exist_ok=True)
    with log.open("w") as output:
        process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=output, stderr=output)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(base, process, log)
            yield base
        finally:
            stop(process)


def stop(process: subprocess.Popen) -> None:
    """End a server: politely, then for good if it lingers."""
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def wait_until_up(base: str, process: subprocess.Popen, log: Path, timeout: float = 30) -> None:
    """Wait until the server at base answers /healthz with 200; fail with its log if it stops."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:  # refused, reset or timed out while the workers boot
            time.sleep(0.2)
    raise RuntimeError(f"the server did not answer within {timeout}s:\n{log.read_text()}")


class Visitor:
    """One person's browser: its own cookies, forms posted with the page's CSRF token."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def request(self, path: str, data: dict | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(
            self.base + path, data=body, headers={"Accept-Language": "en"}
        )
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def csrf_token(self, path: str) -> str:
        status, page = self.request(path)
        assert status == 200, page
        return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    def sign_in(self, email: str, password: str) -> None:
        token = self.csrf_token("/auth/login")
        status, page = self.request(
            "/auth/login", {"email": email, "password": password, "csrf_token": token}
        )
        assert status == 200 and "Sign out" in page, page
