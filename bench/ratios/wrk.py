"""The load generator: wrk (Debian package `wrk`), run for a fixed time, its figures read back."""

import re
import shutil
import subprocess
from dataclasses import dataclass

from bench.ratios.report import progress

MISSING = "wrk is not installed: `apt-get install wrk` (Debian, Ubuntu) or see github.com/wg/wrk"
TIMEOUT_S = 30  # wrk's default (2 s) would drop slow answers from the count instead of waiting


@dataclass(frozen=True)
class Load:
    """How wrk loads a server: its threads, open connections and the seconds of each run."""

    threads: int
    connections: int
    seconds: int


@dataclass(frozen=True)
class Result:
    """What one wrk run counted."""

    requests: int
    seconds: float
    errors: int  # socket errors, timeouts and answers with a status of 400 or more

    @property
    def rate(self) -> float:
        return self.requests / self.seconds


def missing() -> str | None:
    """Why wrk cannot run, or None when it can."""
    return None if shutil.which("wrk") else MISSING


def run(url: str, load: Load, headers: dict | None = None, seconds: int | None = None) -> Result:
    """Load the URL for load.seconds (or `seconds`) and return what wrk counted."""
    duration = seconds or load.seconds
    command = ["wrk", "-t", str(load.threads), "-c", str(load.connections), "-d", f"{duration}s"]
    command += ["--timeout", f"{TIMEOUT_S}s"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run(  # noqa: S603 - wrk found on PATH, our own arguments
        [*command, url], capture_output=True, text=True, check=True, timeout=duration + 60
    ).stdout
    return parse(output)


def parse(output: str) -> Result:
    """Read the request count, the time and the errors from wrk's report."""
    done = re.search(r"(\d+) requests in ([\d.]+)(ms|s|m)", output)
    if done is None:
        raise RuntimeError(f"unexpected wrk output:\n{output}")
    seconds = float(done[2]) * {"ms": 0.001, "s": 1, "m": 60}[done[3]]
    socket = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    status = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = sum(map(int, socket.groups())) if socket else 0
    return Result(int(done[1]), seconds, errors + (int(status[1]) if status else 0))


def alternate(sides: dict[str, str], load: Load, rounds: int, headers=None) -> dict[str, Result]:
    """Load each side in turn, swapping the order every round; each side's counts summed."""
    totals = {name: Result(0, 0.0, 0) for name in sides}
    order = list(sides)
    for number in range(rounds):
        for name in order:
            progress(f"  wrk {load.seconds} s on {name} (round {number + 1} of {rounds}) …")
            got = run(sides[name], load, headers)
            old = totals[name]
            totals[name] = Result(
                old.requests + got.requests, old.seconds + got.seconds, old.errors + got.errors
            )
        order.reverse()
    return totals
