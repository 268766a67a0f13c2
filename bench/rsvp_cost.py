"""What one RSVP costs: CPU (app and PostgreSQL), SQL statements, and 60 people pressing at once.

    python -m bench.rsvp_cost --postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres
    python -m bench.rsvp_cost                    # SQLite (no database CPU figure)
    python -m bench.rsvp_cost --postgres URL --csrf on --profile 40   # cProfile (CPU time)
    python -m bench.rsvp_cost --postgres URL --csrf on --pyinstrument # pip install pyinstrument
    python -m bench.rsvp_cost --postgres URL --rounds 0 --race 6 --workers 4 --threads 1

In-process part: PEOPLE signed-in test clients, each from its own address, toggle going / no on
one gathering of CAPACITY seats (seats free up, the waitlist fills, people are moved up), with
CSRF off and on and rate limits on, as in production. App CPU is this process's CPU time around
each POST (the test client's own work included); PostgreSQL CPU is the run time of the backends
serving the bench database (/proc/<pid>/task/*/schedstat), so the server must run on this
machine. Each POST is followed, outside the measure, by the GET a browser makes after the
redirect (it shows the flash). Medians resist the other jobs of a shared machine better than
means; run the code before and after a change one after the other and compare.

Race part: gunicorn (--workers x --threads, behind a "proxy": each person has their own
X-Forwarded-For address) on the same database; every person presses at the same moment, then
again with the other answer; latency of each request as the client sees it, and the server's
CPU (workers and PostgreSQL) per RSVP during the rounds. The ideal is everyone's CPU spread
over the cores: p95 / (people x CPU / cores). The clients run on the same machine, and other
jobs may too, so a second ratio counts the clients' CPU and only the cores left to us.
"""

import argparse
import cProfile
import http.cookiejar
import os
import pstats
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import sqlalchemy as sa

if __package__ in (None, ""):  # run as a file: python bench/rsvp_cost.py
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench import common
from meetups import create_app
from meetups.extensions import db

PASSWORD = "correct horse battery"  # noqa: S105 - the bench's own throwaway accounts


def main() -> None:
    """Fill a scratch database with people and one gathering, then measure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", metavar="URL", help="a PostgreSQL server on this machine")
    parser.add_argument("--people", type=int, default=60)
    parser.add_argument("--capacity", type=int, default=20)
    parser.add_argument(
        "--rounds", type=int, default=5, help="in-process: answers per person (0: none)"
    )
    parser.add_argument("--csrf", choices=("off", "on", "both"), default="both")
    parser.add_argument("--profile", type=int, metavar="N", help="print cProfile's top N")
    parser.add_argument(
        "--pyinstrument", action="store_true", help="print pyinstrument's tree (pip install it)"
    )
    parser.add_argument("--race", type=int, default=0, metavar="ROUNDS", help="rounds at once")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    with common.scratch_database(args.postgres) as url:
        setup(url, args.people, args.capacity)
        for csrf in {"off": (False,), "on": (True,), "both": (False, True)}[args.csrf]:
            if not args.rounds:
                break
            in_process(url, args.people, args.rounds, csrf, args.profile, args.pyinstrument)
        if args.race:
            race(url, args.people, args.race, args.workers, args.threads)


def bench_app(url: str, csrf: bool):
    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "bench-secret-key",
            "WTF_CSRF_ENABLED": csrf,
            "RATELIMIT_ENABLED": True,  # as in production
            "GEOCODERS": "offline",
        }
    )


def setup(url: str, people: int, capacity: int) -> None:
    """The schema, an organiser's gathering of `capacity` seats and `people` accounts."""
    from meetups.accounts import services as accounts
    from meetups.accounts.models import User
    from tests.conftest import proposal_from

    app = bench_app(url, csrf=False)
    with app.app_context():
        db.create_all()
        organiser = accounts.register("organiser@example.org", PASSWORD, "Organiser", "seo")
        for n in range(people):  # one scrypt hash for all: hashing is not what is measured
            db.session.add(
                User(
                    email=f"person{n}@example.org",
                    password_hash=organiser.password_hash,
                    display_name=f"Person {n}",
                    trade="web writer",
                )
            )
        db.session.flush()
        from meetups.gatherings import services

        services.propose(organiser, proposal_from(capacity=str(capacity)))
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            db.session.execute(sa.text("ANALYZE"))
            db.session.commit()
        db.engine.dispose()


def signed_in(app, people: int):
    """One test client per person, signed in, with the gathering's id and their CSRF tokens."""
    clients, tokens = [], []
    for n in range(people):
        client = app.test_client()
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        client.environ_base["REMOTE_ADDR"] = address(n)  # each person from their own address
        form = {"email": f"person{n}@example.org", "password": PASSWORD}
        if app.config["WTF_CSRF_ENABLED"]:
            form["csrf_token"] = csrf_token(client.get("/auth/login").text)
        assert client.post("/auth/login", data=form).status_code == 302
        page = client.get("/events/1")
        tokens.append(csrf_token(page.text) if app.config["WTF_CSRF_ENABLED"] else None)
        clients.append(client)
    return clients, tokens


def address(n: int) -> str:
    return f"10.0.{n // 250}.{n % 250 + 1}"


def csrf_token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def in_process(
    url: str, people: int, rounds: int, csrf: bool, profile: int | None, sampled: bool
) -> None:
    """Each person answers going / no in turn, `rounds` times; print CPU and statements."""
    app = bench_app(url, csrf)
    clients, tokens = signed_in(app, people)
    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def record(*args) -> None:
        statements.append(args[2])

    sa.event.listen(engine, "before_cursor_execute", record)
    database = DatabaseCpu(url)
    profiler = cProfile.Profile(time.process_time) if profile else None  # CPU, not waits
    if sampled:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0002, async_mode="disabled")
    app_ns: list[int] = []
    db_ns: list[int] = []
    per_request: list[int] = []
    for turn in range(rounds + 1):  # the first round warms up and is not counted
        answer = "going" if turn % 2 == 0 else "no"
        for client, token in zip(clients, tokens, strict=True):
            data = {"response": answer, **({"csrf_token": token} if token else {})}
            statements.clear()
            db_before, app_before = database.snapshot(), time.process_time_ns()
            if profiler and turn:
                (profiler.start if sampled else profiler.enable)()
            reply = client.post("/events/1/rsvp", data=data)
            if profiler and turn:
                (profiler.stop if sampled else profiler.disable)()
            app_after, db_after = time.process_time_ns(), database.snapshot()
            assert reply.status_code == 303, reply.text
            if turn:
                app_ns.append(app_after - app_before)
                db_ns.append(spent(db_before, db_after))
                per_request.append(len(statements))
            client.get("/events/1")  # what the browser does next; not measured
    sa.event.remove(engine, "before_cursor_execute", record)
    requests = len(app_ns)
    app_ms, db_ms = statistics.mean(app_ns) / 1e6, statistics.mean(db_ns) / 1e6
    # The median resists the other jobs of a shared machine better than the mean.
    app_p50, db_p50 = statistics.median(app_ns) / 1e6, statistics.median(db_ns) / 1e6
    label = "on" if csrf else "off"
    database_part = " + database {:.2f}" if database.available else " (database not measured)"
    print(
        f"\n{common.engine_name(url)}, CSRF {label}: {requests} RSVPs by {people} people; "
        f"CPU per RSVP, mean {app_ms + db_ms:.2f} ms: app {app_ms:.2f}"
        + database_part.format(db_ms)
        + f"; median {app_p50 + db_p50:.2f} ms: app {app_p50:.2f}"
        + database_part.format(db_p50)
        + f"\n  SQL statements per RSVP: mean {statistics.mean(per_request):.2f}, "
        f"min {min(per_request)}, max {max(per_request)}"
    )
    for answer in ("going", "no"):
        print(f"  the statements of one answer {answer!r}, from the opposite one:")
        for statement in statements_of_one(app, clients[0], tokens[0], answer):
            print("   ", " ".join(statement.split())[:120])
    if sampled:
        print(f"\n  pyinstrument (wall time, all {requests} RSVPs):")
        print(profiler.output_text(show_all=os.environ.get("PYINSTRUMENT_ALL") == "1"))
    elif profiler:
        stats = pstats.Stats(profiler).strip_dirs()
        for key in ("tottime", "cumulative"):
            print(f"\n  cProfile, top {profile} by {key} (all {requests} RSVPs):")
            stats.sort_stats(key).print_stats(profile)
    database.close()
    with app.app_context():
        db.engine.dispose()


def statements_of_one(app, client, token, answer: str) -> list[str]:
    """The statements of one more RSVP, changing the answer to `answer`."""
    with app.app_context():
        engine = db.engine
    seen: list[str] = []

    def record(*args) -> None:
        seen.append(args[2])

    opposite = "no" if answer == "going" else "going"
    for response in (opposite, answer):
        seen.clear()
        sa.event.listen(engine, "before_cursor_execute", record)
        data = {"response": response, **({"csrf_token": token} if token else {})}
        client.post("/events/1/rsvp", data=data)
        sa.event.remove(engine, "before_cursor_execute", record)
        client.get("/events/1")
    return seen


class DatabaseCpu:
    """Run time (ns) of the PostgreSQL backends serving this database (not other databases on
    the server, nor this monitor's own connection); always 0 on SQLite."""

    def __init__(self, url: str) -> None:
        self.available = common.engine_name(url) == "PostgreSQL"
        if self.available:
            # Autocommit: pg_stat_activity is read afresh each time, not once per transaction.
            self.engine = sa.create_engine(
                url, poolclass=sa.pool.NullPool, isolation_level="AUTOCOMMIT"
            )
            self.conn = self.engine.connect()

    def snapshot(self) -> dict[int, int]:
        if not self.available:
            return {}
        pids = self.conn.scalars(
            sa.text(
                "SELECT pid FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
        return {pid: _run_ns(Path(f"/proc/{pid}")) for pid in pids}

    def close(self) -> None:
        if self.available:
            self.conn.close()
            self.engine.dispose()


def spent(before: dict[int, int], after: dict[int, int]) -> int:
    """CPU ns between two snapshots; a process that started in between counts from 0."""
    return sum(ns - before.get(pid, 0) for pid, ns in after.items())


def _run_ns(process: Path) -> int:
    """CPU time of every thread of a process, from the scheduler's own count (ns)."""
    total = 0
    try:
        for task in (process / "task").iterdir():
            total += int((task / "schedstat").read_text().split()[0])
    except OSError:  # the process or thread ended meanwhile
        pass
    return total


class Visitor:
    """A browser of one's own (cookies), over real HTTP; redirects are not followed."""

    def __init__(self, base: str, address: str) -> None:
        self.base = base
        self.address = address  # behind one trusted proxy: each person from their own address
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect()
        )

    def request(self, path: str, data: dict | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(  # noqa: S310 - our own http:// server
            self.base + path,
            data=body,
            headers={"Accept-Language": "en", "X-Forwarded-For": self.address},
        )
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *_args, **_kwargs):
        return None


def race(url: str, people: int, rounds: int, workers: int, threads: int) -> None:
    """Everyone presses at once, `rounds` times (going, then no, ...); print latencies and CPU."""
    from tests.live_server import serve

    instance = Path(tempfile.mkdtemp(prefix="meute-bench-race-"))
    settings = {"MEETUPS_RATELIMIT_ENABLED": "true", "MEETUPS_PROXY_FIX": "1"}
    with serve(url, instance, workers=workers, threads=threads, **settings) as base:
        visitors = [Visitor(base, address(n)) for n in range(people)]
        tokens = []
        for n, visitor in enumerate(visitors):
            token = csrf_token(visitor.request("/auth/login")[1])
            form = {"email": f"person{n}@example.org", "password": PASSWORD, "csrf_token": token}
            assert visitor.request("/auth/login", form)[0] == 302
            tokens.append(csrf_token(visitor.request("/events/1")[1]))
        server = _server_pids(base)
        database = DatabaseCpu(url)
        latencies: list[float] = []
        cpu_ns = client_ns = machine_ns = wall_ns = 0
        for turn in range(rounds + 1):  # the first round warms up
            answer = "going" if turn % 2 == 0 else "no"
            start = threading.Barrier(people + 1)
            took = [0.0] * people

            def press(i: int, answer: str = answer, start=start, took=took) -> None:
                start.wait()
                began = time.perf_counter()
                data = {"response": answer, "csrf_token": tokens[i]}
                status, _page = visitors[i].request("/events/1/rsvp", data)
                took[i] = time.perf_counter() - began
                assert status == 303, status

            pressers = [threading.Thread(target=press, args=(i,)) for i in range(people)]
            for presser in pressers:
                presser.start()
            app_before, db_before = _cpu(server), database.snapshot()
            client_before, machine_before = time.process_time_ns(), _machine_busy_ns()
            began = time.perf_counter_ns()
            start.wait()
            for presser in pressers:
                presser.join()
            wall = time.perf_counter_ns() - began
            client_after, machine_after = time.process_time_ns(), _machine_busy_ns()
            app_after, db_after = _cpu(server), database.snapshot()
            if turn:
                latencies += took
                cpu_ns += spent(app_before, app_after) + spent(db_before, db_after)
                client_ns += client_after - client_before
                machine_ns += machine_after - machine_before
                wall_ns += wall
            time.sleep(0.5)  # let the machine settle between rounds
        database.close()
    shutil.rmtree(instance, ignore_errors=True)
    cpu_ms = cpu_ns / (rounds * people) / 1e6
    p95 = statistics.quantiles(latencies, n=20, method="inclusive")[18] * 1000
    cores = os.cpu_count() or 1
    ideal = people * cpu_ms / cores
    client_ms = client_ns / (rounds * people) / 1e6
    others = max((machine_ns - cpu_ns - client_ns) / (wall_ns * cores), 0)
    # On a shared machine, with the clients on it too: the cores left to us, and our work.
    fair = people * (cpu_ms + client_ms) / (cores * max(1 - others, 0.1))
    print(
        f"\nRace: {people} at once x {rounds} rounds, gunicorn {workers} workers x {threads} "
        f"threads, {cores} cores: latency p50 {statistics.median(latencies) * 1000:.0f} ms, "
        f"p95 {p95:.0f} ms, max {max(latencies) * 1000:.0f} ms; server CPU per RSVP "
        f"{cpu_ms:.2f} ms (workers + PostgreSQL)\n"
        f"  p95 / ({people} x CPU / {cores} cores) = {p95:.0f} / {ideal:.0f} = {p95 / ideal:.2f}\n"
        f"  the {people} clients (this process) used {client_ms:.2f} ms of CPU per RSVP and "
        f"other jobs {others:.0%} of the machine: p95 / ({people} x (server + client CPU) / "
        f"cores left) = {p95:.0f} / {fair:.0f} = {p95 / fair:.2f}"
    )


def _machine_busy_ns() -> int:
    """CPU time all processes spent on this machine so far (/proc/stat, every core)."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, fields[:8])
    ticks = user + nice + system + irq + softirq + steal
    return ticks * 1_000_000_000 // os.sysconf("SC_CLK_TCK")


def _server_pids(base: str) -> list[int]:
    """gunicorn's processes (master and workers) listening on this base URL."""
    bind = base.split("//")[1]
    found = []
    for proc in Path("/proc").iterdir():
        try:
            command = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"gunicorn" in command and bind.encode() in command:
            found.append(int(proc.name))
            found += [int(c) for c in _children(proc)]
    return sorted(set(found))


def _children(proc: Path) -> list[str]:
    try:
        return " ".join(
            (task / "children").read_text() for task in (proc / "task").iterdir()
        ).split()
    except OSError:
        return []


def _cpu(pids: list[int]) -> dict[int, int]:
    return {pid: _run_ns(Path(f"/proc/{pid}")) for pid in pids}


if __name__ == "__main__":
    main()
