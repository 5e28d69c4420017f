"""fire() throughput beside a raw driver doing the minimum durable audited transition.

    python -m bench.fire [--db sqlite|postgresql|both] [--hops N] [--memory-fires N]
                         [--smoke] [--now MOMENT]

Each hop through ``fire()`` checks the actor's role, runs the workflow machine,
cancels the old state's deadline, sets the new one, appends a hash-chained audit
event and commits. The raw baseline, in the same database and interleaved in
batches so drift hits both alike, does: SELECT the case; UPDATE state and version;
INSERT the audit row with its sha256; COMMIT.

``--smoke`` runs 100 hops of each and 200 fires for the memory figure, to show in a few
seconds that the benchmark still runs; its figures mean little.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path

import psutil
from sqlalchemy.orm import Session

from bench.common import arguments, as_of, driver_url, kinds, migrated, parse
from engine.actors import Actor, actor_for
from engine.db import make_engine, session_factory, utcnow
from engine.seeding import make_world
from engine.services import fire, load_case, open_case

# The hop workflow lives beside the benchmark; the runtime reads this on first use.
os.environ.setdefault("POLITIRAD_WORKFLOWS", str(Path(__file__).parent / "workflows"))

BATCH = 250
SMOKE = {"hops": 100, "memory_fires": 200}
RAW_SCHEMA = (
    "CREATE TABLE raw_case (id INTEGER PRIMARY KEY, state VARCHAR(60) NOT NULL,"
    " version INTEGER NOT NULL)",
    "CREATE TABLE raw_audit (seq INTEGER PRIMARY KEY, case_id INTEGER NOT NULL"
    " REFERENCES raw_case(id), at VARCHAR(40) NOT NULL, from_state VARCHAR(60),"
    " to_state VARCHAR(60), prev_hash CHAR(64) NOT NULL, hash CHAR(64) NOT NULL)",
    "INSERT INTO raw_case (id, state, version) VALUES (1, 'a', 1)",
)


class OrmHops:
    """Hops through the engine, one transaction each.

    ``request`` opens a session and loads the case for every hop, as a web request
    does; ``worker`` keeps one session and commits each hop, as the scheduler's tick
    does. The session holds loaded objects weakly, so the worker too loads the case
    again on every hop, as a tick loads each due case.
    """

    def __init__(self, url: str):
        self.engine = make_engine(url)
        self.sessions = session_factory(self.engine, write=True)
        with self.sessions() as session:
            world = make_world(session, slug="bench")
            self.actor: Actor = actor_for(world.people["sec"])
            case = open_case(
                session, council=world.council, kind="bench_hop", title="Hopp", actor=self.actor
            )
            session.commit()
            self.case_id = case.id

        self.worker = self.sessions()

    def run(self, hops: int, pattern: str = "request") -> float:
        started = time.perf_counter()
        for _ in range(hops):
            if pattern == "request":
                with self.sessions() as session:
                    self._hop(session)
            else:
                self._hop(self.worker)
        return time.perf_counter() - started

    def _hop(self, session: Session) -> None:
        case = load_case(session, self.case_id)
        fire(session, case, "go" if case.state == "a" else "back", actor=self.actor)
        session.commit()

    def close(self) -> None:
        self.worker.close()
        self.engine.dispose()


class RawHops:
    """The same durable audited transition through the bare driver."""

    def __init__(self, url: str):
        self.sqlite = url.startswith("sqlite")
        target = driver_url(url)
        if self.sqlite:
            self.conn = sqlite3.connect(target, isolation_level=None)
            for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON"):
                self.conn.execute(f"PRAGMA {pragma}")
            self.param = "?"
        else:
            import psycopg

            self.conn = psycopg.connect(target)
            self.param = "%s"
        cursor = self.conn.cursor()
        for statement in RAW_SCHEMA:
            cursor.execute(statement)
        if not self.sqlite:
            self.conn.commit()
        self.seq, self.last_hash = 0, "0" * 64
        p = self.param
        self.select = f"SELECT state, version FROM raw_case WHERE id = {p}"
        self.update = (
            f"UPDATE raw_case SET state = {p}, version = {p} WHERE id = {p} AND version = {p}"
        )
        self.insert = (
            "INSERT INTO raw_audit (seq, case_id, at, from_state, to_state, prev_hash, hash)"
            f" VALUES ({p}, {p}, {p}, {p}, {p}, {p}, {p})"
        )

    def run(self, hops: int) -> float:
        started = time.perf_counter()
        for _ in range(hops):
            cursor = self.conn.cursor()
            if self.sqlite:
                cursor.execute("BEGIN IMMEDIATE")
            state, version = cursor.execute(self.select, (1,)).fetchone()
            new = "b" if state == "a" else "a"
            cursor.execute(self.update, (new, version + 1, 1, version))
            if cursor.rowcount != 1:
                raise RuntimeError("lost the race in a single-threaded benchmark")
            self.seq += 1
            at = utcnow().isoformat()
            payload = json.dumps([self.seq, 1, at, state, new], separators=(",", ":"))
            digest = hashlib.sha256((self.last_hash + payload).encode()).hexdigest()
            cursor.execute(self.insert, (self.seq, 1, at, state, new, self.last_hash, digest))
            if self.sqlite:
                cursor.execute("COMMIT")
            else:
                self.conn.commit()
            self.last_hash = digest
        return time.perf_counter() - started

    def close(self) -> None:
        self.conn.close()


PATTERNS = ("request", "worker")


def throughput(kind: str, hops: int) -> None:
    """Interleave batches of every pattern with the raw baseline so drift hits all alike."""
    batch = max(1, min(BATCH, hops))
    with migrated(kind) as url:
        orm, raw = OrmHops(url), RawHops(url)
        try:
            for pattern in PATTERNS:
                orm.run(batch, pattern)
            raw.run(batch)  # warm everything up before measuring
            times = dict.fromkeys((*PATTERNS, "raw"), 0.0)
            rounds = max(1, hops // batch)
            for _ in range(rounds):
                for pattern in PATTERNS:
                    times[pattern] += orm.run(batch, pattern)
                times["raw"] += raw.run(batch)
        finally:
            orm.close()
            raw.close()
    done = rounds * batch
    raw_rate = done / times["raw"]
    for pattern in PATTERNS:
        rate = done / times[pattern]
        print(
            f"{kind:<10} fire() {pattern:<8}{rate:8.0f} hops/s   raw {raw_rate:8.0f} hops/s   "
            f"ratio {rate / raw_rate:.3f}   ({done} hops each)"
        )


def memory(fires: int) -> None:
    with migrated("sqlite") as url:
        orm = OrmHops(url)
        try:
            orm.run(min(2000, fires), "worker")  # warm up
            gc.collect()
            before = psutil.Process().memory_info().rss
            orm.run(fires, "worker")
            gc.collect()
            after = psutil.Process().memory_info().rss
        finally:
            orm.close()
    growth = (after - before) / before * 100
    print(
        f"memory     RSS before {before / 2**20:.1f} MiB, after {fires} fire() calls "
        f"{after / 2**20:.1f} MiB ({growth:+.1f}%)"
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = arguments(__doc__.splitlines()[0])
    parser.add_argument("--hops", type=int, default=5000)
    parser.add_argument("--memory-fires", type=int, default=100_000)
    args = parse(parser, argv, SMOKE)
    with as_of(args.now):
        for kind in kinds(args.db):
            throughput(kind, args.hops)
        if args.memory_fires:
            memory(args.memory_fires)


if __name__ == "__main__":
    main()
