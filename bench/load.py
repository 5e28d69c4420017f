"""The production server under load: gunicorn with 4 workers on PostgreSQL, loopback only.

    python -m bench.load [--db postgresql|sqlite|both] [--users 100] [--seconds 60]
                         [--ceiling-seconds 20] [--workers 4] [--threads 1]
                         [--smoke] [--now MOMENT]

Loads the Oslo demo council into a new database (PostgreSQL unless ``--db`` says
otherwise; the embedded SQLite can be measured the same way), makes API tokens for the
members and the secretariat through the token service, starts ``politirad serve`` and
drives it with locust: first the trivial health endpoint (the ceiling: what this server
answers when a request does almost nothing), then the mix for the given time: the public
calendar, members reading cases, the secretariat opening cases and firing transitions.

The mix's users are client programs (a calendar service, the members' and the
secretariat's systems), each pausing 0.1–0.5 s between tasks; the ceiling's users do not
pause. A pause caps what a user can ask whatever the server does, so the report prints
that cap (the mix's requests per second if every answer took no time) beside what was
served: 100 users pausing 0.3 s on average, 1.2 requests a task (the public and the
members ask one, the secretariat three: open, propose, withdraw) ask at most ~400 req/s.
Prints requests per second, p50/p95/p99 and errors of both, the mix's requests per second
as a ratio of the ceiling's, and the goals.

The demo is built as of ``--now`` (default the machine's clock); the server keeps the
machine's clock. ``--smoke`` runs 2 workers and 10 users (one of them the secretariat),
2 s of ceiling and 2 s of mix, to show in a few seconds that the benchmark still runs; its
figures mean little.

Needs locust (the ``bench`` and ``test`` extras) and, for PostgreSQL, ``TEST_POSTGRES_URL``.
"""

from __future__ import annotations

import csv
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from bench.common import arguments, kinds, migrated, parse
from engine.actors import Actor
from engine.db import make_engine, session_factory
from engine.demo import load_demo
from engine.models import Case, Person
from engine.models.enums import Access
from engine.services.tokens import create_token

HERE = Path(__file__).parent
BIN = Path(sys.executable).parent
GOALS = {"errors": 0, "p99_ms": 300, "share_of_ceiling": 0.25}
SMOKE = {"users": 10, "seconds": 2, "ceiling_seconds": 2, "workers": 2}
THINK = (0.1, 0.5)
"""Seconds a mix user pauses between tasks, at least and at most."""
REQUESTS_PER_TASK = (4 * 1 + 5 * 1 + 1 * 3) / (4 + 5 + 1)
"""The users' weights in the locustfile (public 4, member 5, secretariat 1) and their
requests per task (the secretariat's task is three requests)."""


def prepare(url: str, folder: Path, now: datetime | None) -> Path:
    """The demo council as of ``now``, a read token per member and a write token for the
    secretariat."""
    engine = make_engine(url)
    with session_factory(engine, write=True)() as session:
        demo = load_demo(session, now=now)
        system = Actor.system()
        members = [
            p
            for p in demo.people
            if any(m.role in ("member", "leader", "deputy") for m in p.memberships)
        ]
        secretariat = session.scalars(select(Person).where(Person.login == "sekretariat")).one()
        setup = {
            "council": demo.council.slug,
            "member_tokens": [
                create_token(session, actor=system, person=p, name="load", scope="read").secret
                for p in members
            ],
            "secretariat_token": create_token(
                session, actor=system, person=secretariat, name="load", scope="write"
            ).secret,
            "cases": [
                c.number
                for c in session.scalars(
                    select(Case).where(
                        Case.council_id == demo.council.id, Case.access != Access.RESTRICTED
                    )
                )
            ],
        }
        session.commit()
    engine.dispose()
    path = folder / "setup.json"
    path.write_text(json.dumps(setup))
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, server: subprocess.Popen, log: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(
                f"the server stopped: exit {server.returncode}\n{log.read_text()[-3000:]}"
            )
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"{url} did not answer in {seconds:.0f} s\n{log.read_text()[-3000:]}")


def public_calendar(base: str, council: str) -> str:
    """The public meeting calendar: the iCalendar feed where the records pages serve it,
    else the API's meeting list as the public sees it."""
    feed = f"/public/{council}/calendar.ics"
    try:
        with urllib.request.urlopen(base + feed, timeout=5) as response:
            if response.status == 200:
                return feed
    except OSError:
        pass
    return f"/api/v1/councils/{council}/meetings"


def server_cpu_seconds(pid: int) -> float | None:
    """CPU seconds (user + system) of the server and its workers so far; None off Linux.

    The figure a busy shared machine does not distort: wall-clock rates depend on what
    else runs, the CPU spent per request much less."""
    try:
        parents = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                parents[int(entry.name)] = (int(fields[1]), int(fields[11]) + int(fields[12]))
    except OSError:
        return None
    family, ticks = {pid}, 0
    for child, (parent, _) in parents.items():
        if parent == pid:
            family.add(child)
    for member in family:
        ticks += parents.get(member, (0, 0))[1]
    return ticks / os.sysconf("SC_CLK_TCK")


def run_locust(
    phase: str, base: str, setup: Path, users: int, seconds: int, folder: Path, server: int
) -> dict:
    prefix = folder / phase
    env = {
        **os.environ,
        "LOAD_PHASE": phase,
        "LOAD_SETUP": str(setup),
        "LOAD_THINK": ",".join(str(s) for s in THINK),
    }
    command = [
        str(BIN / "locust"),
        "-f", str(HERE / "load_locustfile.py"),
        "--headless", "--only-summary", "--loglevel", "WARNING",
        "--host", base,
        "--users", str(users), "--spawn-rate", str(users),
        "--run-time", f"{seconds}s", "--stop-timeout", "10",
        "--csv", str(prefix),
    ]  # fmt: skip
    log = folder / f"{phase}.log"
    cpu_before = server_cpu_seconds(server)
    with log.open("w") as output:
        subprocess.run(command, env=env, check=False, stdout=output, stderr=subprocess.STDOUT)
    cpu_after = server_cpu_seconds(server)
    if not Path(f"{prefix}_stats.csv").exists():
        raise SystemExit(f"locust wrote no figures:\n{log.read_text()[-3000:]}")
    with open(f"{prefix}_stats.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    total = next(r for r in rows if r["Name"] == "Aggregated")
    requests = int(total["Request Count"])
    if not requests:
        raise SystemExit(f"the {phase} phase served no request:\n{log.read_text()[-3000:]}")
    cpu = None
    if cpu_before is not None and cpu_after is not None and requests:
        cpu = (cpu_after - cpu_before) / requests * 1000
    return {
        "cpu_ms": cpu,
        "rows": [r for r in rows if r["Name"] != "Aggregated"],
        "rps": float(total["Requests/s"]),
        "requests": int(total["Request Count"]),
        "errors": int(total["Failure Count"]),
        "p50": float(total["50%"]),
        "p95": float(total["95%"]),
        "p99": float(total["99%"]),
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = arguments(__doc__.splitlines()[0], db="postgresql")
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--ceiling-seconds", type=int, default=20)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1, help="threads per worker")
    args = parse(parser, argv, SMOKE)
    for kind in kinds(args.db):
        measure(kind, args)


def measure(kind: str, args) -> None:
    with tempfile.TemporaryDirectory() as scratch, migrated(kind) as url:
        folder = Path(scratch)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server_log = folder / "server.log"
        # The server boots its workers while the demo loads: it needs the schema, not the data.
        with server_log.open("w") as log:
            server = subprocess.Popen(
                [
                    str(BIN / "politirad"), "serve", "--bind", f"127.0.0.1:{port}",
                    "--workers", str(args.workers), "--threads", str(args.threads),
                    "--no-access-log",
                ],
                env={**os.environ, "DATABASE_URL": url, "POLITIRAD_SECRET_KEY": "load-test"},
                stdout=subprocess.DEVNULL,
                stderr=log,
            )  # fmt: skip
        try:
            setup = prepare(url, folder, args.now)
            wait_for(f"{base}/health", server, log=server_log)
            data = json.loads(setup.read_text())
            data["calendar"] = public_calendar(base, data["council"])
            setup.write_text(json.dumps(data))
            ceiling = run_locust(
                "ceiling", base, setup, args.users, args.ceiling_seconds, folder, server.pid
            )
            mix = run_locust("mix", base, setup, args.users, args.seconds, folder, server.pid)
        finally:
            server.terminate()
            server.wait(timeout=30)
    report(kind, args, data, ceiling, mix)


def report(kind: str, args, data: dict, ceiling: dict, mix: dict) -> None:
    database = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}[kind]
    print(
        f"gunicorn {args.workers} workers × {args.threads} threads on {database}, loopback, "
        f"{args.users} users; public calendar: {data['calendar']}"
    )
    cap = args.users / (sum(THINK) / 2) * REQUESTS_PER_TASK
    print(
        f"the mix's users pause {THINK[0]}–{THINK[1]} s between tasks: with answers that "
        f"took no time they would ask {cap:.0f} req/s; the ceiling's users do not pause"
    )
    print(
        f"{'':<22}{'req/s':>9}{'requests':>10}{'errors':>8}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}"
        f"{'workers CPU ms/req':>20}"
    )
    for name, row in (("ceiling (/health)", ceiling), ("mix", mix)):
        cpu = "" if row["cpu_ms"] is None else f"{row['cpu_ms']:.1f}"
        print(
            f"{name:<22}{row['rps']:>9.1f}{row['requests']:>10}{row['errors']:>8}"
            f"{row['p50']:>8.0f}{row['p95']:>8.0f}{row['p99']:>8.0f}{cpu:>20}"
        )
    for row in mix["rows"]:
        print(
            f"  {row['Type']} {row['Name']:<18}{float(row['Requests/s']):>9.1f}"
            f"{int(row['Request Count']):>10}{int(row['Failure Count']):>8}"
            f"{float(row['50%']):>8.0f}{float(row['95%']):>8.0f}{float(row['99%']):>8.0f}"
        )
    share = mix["rps"] / ceiling["rps"] if ceiling["rps"] else 0.0
    checks = (
        ("errors", mix["errors"] + ceiling["errors"] == GOALS["errors"], "0"),
        ("p99", mix["p99"] < GOALS["p99_ms"], f"< {GOALS['p99_ms']} ms"),
        ("mix / ceiling", share >= GOALS["share_of_ceiling"], f"≥ {GOALS['share_of_ceiling']:.0%}"),
    )
    print(
        f"{kind:<10} mix / ceiling  ratio {share:.3f} ({share:.0%}); "
        f"load average of this machine: {os.getloadavg()[0]:.1f}"
    )
    for name, ok, goal in checks:
        print(f"goal {name} {goal}: {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
