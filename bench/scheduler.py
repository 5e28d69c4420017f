"""The deadline tick's search beside the same query through the bare driver, and its rate.

    python -m bench.scheduler [--db sqlite|postgresql|both] [--total N] [--small N]
                              [--handle N] [--repeat N] [--smoke] [--now MOMENT]

A table of ``--total`` deadlines (default 1,000,000) of which 1% are due, 1% are
pending in the future and the rest are done and old, as years of use leave it.
The tick's search is ``engine.scheduler.due_deadline_ids``, run as the tick runs
it (on the connection of its open write session), once for the tick's batch and
once with the limit lifted to every due row; the baseline sends the same SQL
through plain ``sqlite3``/``psycopg``. Both are repeated, interleaved, and the
best and the median run shown (goal: at most 3× the raw query; on a shared
machine the best run is the one other processes disturbed least). For the
record, the raw query is also timed without the (status, due) index and with an
index on the due date alone. The same search at ``--small`` deadlines shows
that the cost follows the due rows, not the total. Last, ``handle_due_deadlines``
handles ``--handle`` due deadlines of real cases (fire, audit, the next
deadline, a commit every few) and its rate is shown.

Everything runs as of one moment, ``--now`` (default 1 June 2026, 10:00 UTC): the table is
built around it, the tick searches at it and the engine's clock stands there. ``--smoke``
runs 2,000 and 1,000 deadlines, 20 to handle and 3 repeats, to show in a few seconds that
the benchmark still runs; its figures mean little.
"""

from __future__ import annotations

import random
import sqlite3
import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from bench.common import arguments, as_of, driver_url, kinds, migrated, parse
from engine.db import make_engine, session_factory
from engine.models import Deadline
from engine.models.enums import DeadlineStatus
from engine.scheduler import due_deadline_ids, handle_due_deadlines
from engine.scheduler.deadline_tick import BATCH
from engine.seeding import make_world
from engine.services import open_case

NOW = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
SMOKE = {"total": 2000, "small": 1000, "handle": 20, "repeat": 3}
COLUMNS = ("case_id", "name", "state_entry", "due", "status", "effect", "handled_at", "outcome")
RAW_QUERY = "SELECT id FROM deadline WHERE status = {p} AND due <= {p} ORDER BY due, id LIMIT {p}"


def rows(total: int, case_id: int, now: datetime) -> Iterator[tuple]:
    """1% due, 1% pending later, the rest handled years ago; in random order, as they accrue."""
    rng = random.Random(2026)
    for n in range(total):
        share = n % 100
        if share == 0:
            due = now - timedelta(seconds=rng.randrange(30 * 86400))
            status, handled = DeadlineStatus.PENDING, None
        elif share == 1:
            due = now + timedelta(seconds=1 + rng.randrange(365 * 86400))
            status, handled = DeadlineStatus.PENDING, None
        else:
            due = now - timedelta(days=31, seconds=rng.randrange(8 * 365 * 86400))
            status, handled = DeadlineStatus.DONE, due + timedelta(minutes=1)
        yield (case_id, "bench", n + 1, due, status, "reminder", handled, handled and "done")


def fill(url: str, total: int, now: datetime) -> int:
    """A world with one case, and ``total`` deadlines bulk-inserted; returns the due count."""
    engine = make_engine(url)
    with session_factory(engine, write=True)() as session:
        world = make_world(session, slug="bench")
        case = open_case(
            session,
            council=world.council,
            kind="steering_report",
            title="Benk",
            actor=world.actor("sec"),
            data={"group": "Benk"},
            now=now - timedelta(days=60),
        )
        session.commit()
        case_id = case.id
    engine.dispose()
    columns = ", ".join(COLUMNS)
    engine = make_engine(url)
    indexes = list(Deadline.__table__.indexes)
    with engine.begin() as conn:  # a bulk load builds its indexes afterwards, as a restore does
        for index in indexes:
            index.drop(conn)
    if url.startswith("sqlite"):
        conn = sqlite3.connect(driver_url(url), isolation_level=None)
        conn.execute("BEGIN")
        conn.executemany(
            f"INSERT INTO deadline ({columns}) VALUES ({', '.join('?' * len(COLUMNS))})",
            (
                (*row[:3], _sqlite_time(row[3]), *row[4:6], _sqlite_time(row[6]), row[7])
                for row in rows(total, case_id, now)
            ),
        )
        conn.execute("COMMIT")
        conn.close()
    else:
        import psycopg

        with psycopg.connect(driver_url(url)) as conn:
            with conn.cursor().copy(f"COPY deadline ({columns}) FROM STDIN") as copy:
                for row in rows(total, case_id, now):
                    copy.write_row(row)
            conn.commit()
    with engine.begin() as conn:
        for index in indexes:
            index.create(conn)
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql("ANALYZE deadline")
    engine.dispose()
    return sum(1 for n in range(total) if n % 100 == 0)


def _sqlite_time(moment: datetime | None) -> str | None:
    """How SQLAlchemy stores a UTC time in SQLite: naive, to the microsecond."""
    return moment.replace(tzinfo=None).isoformat(" ", "microseconds") if moment else None


class Raw:
    """The same query through the bare driver, in autocommit."""

    def __init__(self, url: str, now: datetime):
        self.sqlite = url.startswith("sqlite")
        if self.sqlite:
            self.conn = sqlite3.connect(driver_url(url), isolation_level=None)
            self.sql = RAW_QUERY.format(p="?")
            self.now: object = _sqlite_time(now)
        else:
            import psycopg

            self.conn = psycopg.connect(driver_url(url), autocommit=True)
            self.sql = RAW_QUERY.format(p="%s")
            self.now = now

    def search(self, limit: int) -> int:
        return len(self.conn.execute(self.sql, ("pending", self.now, limit)).fetchall())

    def execute(self, sql: str) -> None:
        self.conn.execute(sql)

    def plan(self, limit: int) -> str:
        if self.sqlite:
            found = self.conn.execute(
                "EXPLAIN QUERY PLAN " + self.sql, ("pending", self.now, limit)
            )
            return "; ".join(row[-1] for row in found)
        found = self.conn.execute("EXPLAIN " + self.sql, ("pending", self.now, limit))
        return "; ".join(row[0].strip() for row in found)

    def close(self) -> None:
        self.conn.close()


class Tick:
    """The tick's own statement, on the connection of a write session as the tick runs it."""

    def __init__(self, engine: Engine, now: datetime):
        self.sessions = session_factory(engine, write=True)
        self.now = now

    def search(self, limit: int, times: list[float]) -> int:
        with self.sessions() as session:
            conn = session.connection()  # the tick's transaction is open before it searches
            started = time.perf_counter()
            found = len(due_deadline_ids(conn, self.now, limit=limit))
            times.append((time.perf_counter() - started) * 1000)
            session.commit()
        return found


def timed(run: Callable[[], int], expected: int, times: list[float]) -> None:
    started = time.perf_counter()
    found = run()
    times.append((time.perf_counter() - started) * 1000)
    check(found, expected)


def check(found: int, expected: int) -> None:
    if found != expected:
        raise RuntimeError(f"expected {expected} due rows, found {found}")


def compare(url: str, due: int, repeat: int, label: str, now: datetime) -> None:
    engine = make_engine(url)
    tick, raw = Tick(engine, now), Raw(url, now)
    try:
        for limit in (BATCH, due):
            expected = min(limit, due)
            orm_times: list[float] = []
            raw_times: list[float] = []
            tick.search(limit, [])
            raw.search(limit)  # warm both up
            for _ in range(repeat):
                check(tick.search(limit, orm_times), expected)
                timed(lambda limit=limit: raw.search(limit), expected, raw_times)
            orm_best, raw_best = min(orm_times), min(raw_times)
            orm_median, raw_median = statistics.median(orm_times), statistics.median(raw_times)
            print(
                f"  {label:<8} {expected:>6} due ids  tick {orm_best:8.2f} ms"
                f" (median {orm_median:8.2f})  raw {raw_best:8.2f} ms (median {raw_median:8.2f})"
                f"  ratio {orm_best / raw_best:5.2f} (median {orm_median / raw_median:5.2f})"
                f"  {orm_best * 1000 / expected:5.2f} µs per due row"
            )
        print(f"  {'':<8} plan: {raw.plan(due)}")
    finally:
        raw.close()
        engine.dispose()


def other_indexes(url: str, due: int, repeat: int, now: datetime) -> None:
    """The raw query without the (status, due) index, then with an index on the due date alone."""
    raw = Raw(url, now)
    try:
        raw.execute("DROP INDEX ix_deadline_status_due")
        for label, setup in (
            ("without (status, due)", None),
            ("with (due) instead", "CREATE INDEX bench_deadline_due ON deadline (due)"),
        ):
            if setup:
                raw.execute(setup)
                if not raw.sqlite:
                    raw.execute("ANALYZE deadline")
            raw.search(due)
            times: list[float] = []
            for _ in range(max(3, repeat // 3)):
                timed(lambda: raw.search(due), due, times)
            print(f"  {label}: raw {min(times):8.2f} ms   plan: {raw.plan(due)}")
        raw.execute("DROP INDEX bench_deadline_due")
        raw.execute("CREATE INDEX ix_deadline_status_due ON deadline (status, due)")
    finally:
        raw.close()


def handling_rate(kind: str, count: int, now: datetime) -> None:
    with migrated(kind) as url:
        engine = make_engine(url)
        sessions = session_factory(engine, write=True)
        with sessions() as session:
            world = make_world(session, slug="bench")
            for n in range(count):
                open_case(
                    session,
                    council=world.council,
                    kind="steering_report",
                    title=f"Rapport {n}",
                    actor=world.actor("sec"),
                    data={"group": "Benk", "due_date": f"{(now - timedelta(days=31)).date()}"},
                    now=now - timedelta(days=60),
                )
            session.commit()
        with sessions() as session:
            started = time.perf_counter()
            handled = handle_due_deadlines(session, now=now)
            elapsed = time.perf_counter() - started
        engine.dispose()
    if handled != count:
        raise RuntimeError(f"handled {handled} of {count} due deadlines")
    print(
        f"  handle_due_deadlines: {handled} due deadlines of real cases in {elapsed:.2f} s "
        f"= {handled / elapsed:.0f} per second (fire, audit, next deadline)"
    )


def measure(kind: str, total: int, small: int, handle: int, repeat: int, now: datetime) -> None:
    print(f"{kind}")
    for size in (total, small):
        with migrated(kind) as url:
            started = time.perf_counter()
            due = fill(url, size, now)
            elapsed = time.perf_counter() - started
            print(f"  {size:,} deadlines ({due:,} due) inserted in {elapsed:.1f} s")
            compare(url, due, repeat, _size_label(size), now)
            if size == total:
                other_indexes(url, due, repeat, now)
    handling_rate(kind, handle, now)


def _size_label(size: int) -> str:
    return f"{size // 1000}k" if size >= 10_000 else str(size)


def main(argv: Sequence[str] | None = None) -> None:
    parser = arguments(__doc__.splitlines()[0])
    parser.add_argument("--total", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=100_000)
    parser.add_argument("--handle", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parse(parser, argv, SMOKE)
    now = args.now or NOW
    with as_of(now):
        for kind in kinds(args.db):
            measure(kind, args.total, args.small, args.handle, args.repeat, now)


if __name__ == "__main__":
    main()
