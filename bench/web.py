"""Pages rendered in-process on a large database, beside their own SQL run through the driver.

    python -m bench.web [--db sqlite|postgresql|both] [--councils 20] [--cases 100000]
                        [--events 1000000] [--requests 200] [--verify] [--slowest]
                        [--smoke] [--now MOMENT]

The database holds ``--councils`` councils (people and seats made through the services,
as ``engine.seeding.make_world`` does) and ``--cases`` cases with ``--events`` audit
events, pending and handled deadlines, follow-up actions and inbox messages, all
bulk-inserted with Core. The audit events are a valid hash chain: the councils' seats
(dated four years back) come first, as ``make_world`` writes them, and the cases' events
continue from that head, interleaved across cases in time order, as a long-running council
writes them; ``--verify`` walks it with ``engine.audit.verify`` after the load and stops
the benchmark if it is broken. During the load the database's trigger that moves
``audit_head`` is left out (PostgreSQL: ``session_replication_role = replica``; SQLite:
dropped and created again) and the head is set once at the end. The history ends at
``--now`` (default the machine's clock), and the pages are asked as of that moment.

The app is built as a worker of ``politirad serve`` builds it (``create_app``, then
``web.app.settle``). The secretariat of the first council logs in through the login form
of the Flask test client; then the dashboard, a filtered case list and a case page are
each requested ``--requests`` times (after a warm-up), in turn. Printed per page: median and p99
(goal: p99 under 100 ms on SQLite), the number of SQL statements a request runs, and
the raw baseline: the very statements and parameters the page ran, captured from the
cursor and replayed with plain ``sqlite3`` / ``psycopg`` in the same run, with the
ratio page / raw.

``--smoke`` loads 2 councils, 200 cases and 1,000 events, requests each page 5 times and
verifies the chain, to show in a few seconds that the benchmark still runs; its figures
mean little.
"""

from __future__ import annotations

import json
import random
import re
import sqlite3
import statistics
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, bindparam, event, insert, select, text, update
from sqlalchemy.orm import Session

from bench.common import arguments, as_of, driver_url, kinds, migrated, parse
from engine.audit import compute_hash, event_payload
from engine.audit import head as audit_head
from engine.audit import verify as verify_chain
from engine.clock import use_clock
from engine.db import make_engine, session_factory, utcnow
from engine.models import (
    Action,
    AuditHead,
    Bydel,
    Case,
    CaseEvent,
    Deadline,
    Finding,
    InboxMessage,
    Meeting,
    PriorityArea,
    case_bydel,
    case_priority_area,
)
from engine.passwords import hash_password
from engine.runtime import current_definition, pin
from engine.seeding import make_world
from web.app import create_app, settle

PASSWORD = "bench-password"
KIND_WEIGHTS = {
    "agenda_item": 80,
    "steering_report": 10,
    "bylaw_revision": 3,
    "agreement_revision": 2,
    "meeting": 5,
}
TOPICS = (
    "Åpne rusmiljø",
    "Barne- og ungdomskriminalitet",
    "Vold i nære relasjoner",
    "Kriminelle nettverk",
    "Hatkriminalitet",
    "Arbeidslivskriminalitet",
    "Trygghet i sentrum",
    "Natteravner og fritidstilbud",
    "Sikring av arrangementer",
    "Forebyggende samtaler",
)
CHUNK = 20_000
SMOKE = {"councils": 2, "cases": 200, "events": 1000, "requests": 5, "verify": True}


@dataclass
class Loaded:
    slug: str
    case_path: str
    case_events: int
    load_seconds: float


def _chunks(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), CHUNK):
        yield rows[start : start + CHUNK]


@contextmanager
def _without_head_trigger(conn, kind: str) -> Iterator[None]:
    """Bulk-insert events without the per-row trigger that moves ``audit_head``."""
    if kind == "postgresql":
        conn.execute(text("SET session_replication_role = replica"))
        try:
            yield
        finally:
            conn.execute(text("SET session_replication_role = DEFAULT"))
        return
    trigger = conn.execute(
        text("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = :name"),
        {"name": "case_event_moves_head"},
    ).scalar_one()
    conn.execute(text("DROP TRIGGER case_event_moves_head"))
    try:
        yield
    finally:
        conn.execute(text(trigger))


def load(engine: Engine, kind: str, councils: int, cases: int, events: int) -> Loaded:
    """Fill an empty, migrated database; returns what the measurement needs."""
    started = time.perf_counter()
    rng = random.Random(20261127)
    now = utcnow().replace(microsecond=0)
    start = now - timedelta(days=4 * 365)
    with session_factory(engine, write=True)() as session:
        with use_clock(lambda: start):  # the councils and their seats come first in the chain
            worlds = [make_world(session, slug=f"rad{i:02d}") for i in range(councils)]
        worlds[0].people["sec"].password_hash = hash_password(PASSWORD)
        definitions = {k: current_definition(k) for k in KIND_WEIGHTS}
        for definition in definitions.values():
            pin(session, definition)
        session.flush()
        bydeler = {
            w.council.id: list(
                session.scalars(select(Bydel.id).where(Bydel.council_id == w.council.id))
            )
            for w in worlds
        }
        areas = {
            w.council.id: list(
                session.scalars(
                    select(PriorityArea.id).where(PriorityArea.council_id == w.council.id)
                )
            )
            for w in worlds
        }
        session.commit()
        head = audit_head(session)  # the seats' events are in the chain already
        people = {w.council.id: [p.id for p in w.people.values()] for w in worlds}
        logins = {p.id: p.login for w in worlds for p in w.people.values()}
        first = worlds[0]
        slug = first.council.slug

    case_rows, numbers = _cases(rng, worlds, definitions, cases, now)
    counts = _event_counts(rng, len(case_rows), events)
    # The case page measured: the first council's public agenda item with most events.
    target = max(
        (i for i, c in enumerate(case_rows) if c["council_id"] == first.council.id),
        key=lambda i: (
            case_rows[i]["kind"] == "agenda_item",
            case_rows[i]["access"] == "public",
            counts[i],
        ),
    )

    with engine.begin() as conn:
        for chunk in _chunks(case_rows):
            conn.execute(insert(Case.__table__), chunk)
        ids = {
            (council_id, year, seq): case_id
            for case_id, council_id, year, seq in conn.execute(
                select(Case.id, Case.council_id, Case.year, Case.seq)
            )
        }
        case_ids = [ids[key] for key in numbers]
        _tags(conn, rng, case_rows, case_ids, bydeler, areas)
        with _without_head_trigger(conn, kind):
            last_seq, last_hash, entries = _events(
                conn, rng, case_rows, case_ids, counts, people, logins, definitions, start, head
            )
        conn.execute(
            update(AuditHead).where(AuditHead.id == 1).values(seq=last_seq, hash=last_hash)
        )
        _state_entries(conn, case_ids, entries)
        _meetings(conn, case_rows, case_ids, now)
        _deadlines(conn, rng, case_rows, case_ids, entries, now)
        _actions(conn, rng, case_rows, case_ids, people, now)
        _inbox_and_findings(conn, first, case_ids, now)
    year, seq = case_rows[target]["year"], case_rows[target]["seq"]
    return Loaded(
        slug, f"/{slug}/cases/{year}/{seq}", counts[target], time.perf_counter() - started
    )


def _cases(rng, worlds, definitions, total: int, now: datetime):
    per_council = -(-total // len(worlds))
    kinds_, weights = zip(*KIND_WEIGHTS.items(), strict=True)
    rows, numbers = [], []
    for world in worlds:
        counters: dict[int, int] = {}
        for _ in range(min(per_council, total - len(rows))):
            kind = rng.choices(kinds_, weights)[0]
            definition = definitions[kind]
            state = rng.choice(definition.states).name
            opened = now - timedelta(days=rng.uniform(1, 4 * 365))
            year = opened.year
            counters[year] = counters.get(year, 0) + 1
            access = rng.choices(("public", "exempt", "restricted"), (90, 7, 3))[0]
            topic = rng.choice(TOPICS)
            title = f"{topic}: sak {counters[year]} fra {world.council.name}"
            data: dict[str, Any] = {}
            if kind in ("meeting", "agenda_item"):
                data["meeting_date"] = (opened + timedelta(days=30)).date().isoformat()
            rows.append(
                {
                    "council_id": world.council.id,
                    "kind": kind,
                    "year": year,
                    "seq": counters[year],
                    "title": title,
                    "public_title": title if access == "public" else f"{topic}: unntatt sak",
                    "access": access,
                    "legal_basis": "offl. § 24 tredje ledd" if access != "public" else None,
                    "state": state,
                    "state_entered_at": opened,
                    "state_entry": 0,
                    "workflow_hash": definition.content_hash,
                    "version": 1,
                    "created_by_id": world.people["sec"].id,
                    "created_at": opened,
                    "data": data,
                }
            )
            numbers.append((world.council.id, year, counters[year]))
    return rows, numbers


def _event_counts(rng, cases: int, events: int) -> list[int]:
    """Between 1 and 19 events per case (mean ``events / cases``), adding up to ``events``."""
    mean = events / cases
    counts = [max(1, min(19, round(rng.gauss(mean, 4)))) for _ in range(cases)]
    difference = events - sum(counts)
    while difference:
        i = rng.randrange(cases)
        step = 1 if difference > 0 else -1
        if 1 <= counts[i] + step <= 40:
            counts[i] += step
            difference -= step
    return counts


def _tags(conn, rng, rows, case_ids, bydeler, areas) -> None:
    tags, themes = [], []
    for row, case_id in zip(rows, case_ids, strict=True):
        for bydel in rng.sample(bydeler[row["council_id"]], rng.randint(1, 2)):
            tags.append({"case_id": case_id, "bydel_id": bydel})
        themes.append(
            {"case_id": case_id, "priority_area_id": rng.choice(areas[row["council_id"]])}
        )
    for chunk in _chunks(tags):
        conn.execute(insert(case_bydel), chunk)
    for chunk in _chunks(themes):
        conn.execute(insert(case_priority_area), chunk)


def _events(conn, rng, rows, case_ids, counts, people, logins, definitions, start, head):
    """The rest of the chain after ``head`` (its seq and hash), in time order from ``start``:
    round r writes the r-th event of every case that has one, so a case's events lie far
    apart in the table, as they do after years of use."""
    seq, prev_hash = head
    entries: dict[int, int] = {}
    states = {i: definitions[row["kind"]].initial for i, row in enumerate(rows)}
    batch: list[dict[str, Any]] = []
    rounds = max(counts)
    for r in range(rounds):
        at = start + timedelta(days=r * (4 * 365 - 1) / rounds)
        for i, row in enumerate(rows):
            if counts[i] <= r:
                continue
            seq += 1
            actor_id = rng.choice(people[row["council_id"]])
            last = r == counts[i] - 1
            if r == 0:
                kind, trigger, source, dest = "opened", None, None, states[i]
                changes = {"title": [None, row["title"]]}
            elif last or rng.random() < 0.6:
                kind, trigger, source = "transition", "go", states[i]
                dest = row["state"] if last else rng.choice(definitions[row["kind"]].states).name
                changes = {"state": [source, dest]}
            else:
                kind, trigger, source, dest = "update", None, None, None
                changes = {"memo": [None, f"Notat {r}"]}
            if dest is not None:
                states[i] = dest
                entries[i] = seq
            fields = {
                "seq": seq,
                "case_id": case_ids[i],
                "council_id": row["council_id"],
                "kind": kind,
                "at": at + timedelta(microseconds=seq % 1_000_000),
                "actor": logins[actor_id],
                "actor_id": actor_id,
                "party": "municipality",
                "trigger": trigger,
                "from_state": source,
                "to_state": dest,
                "changes": json.dumps(changes, separators=(",", ":"), sort_keys=True),
                "comment": "",
                "workflow_hash": row["workflow_hash"],
                "prev_hash": prev_hash,
            }
            fields["hash"] = prev_hash = compute_hash(prev_hash, event_payload(fields))
            batch.append(fields)
            if len(batch) == CHUNK:
                conn.execute(insert(CaseEvent.__table__), batch)
                batch = []
    if batch:
        conn.execute(insert(CaseEvent.__table__), batch)
    return seq, prev_hash, entries


def _state_entries(conn, case_ids, entries) -> None:
    table = Case.__table__
    statement = (
        update(table)
        .where(table.c.id == bindparam("case_id"))
        .values(state_entry=bindparam("entry"))
    )
    params = [{"case_id": case_ids[i], "entry": seq} for i, seq in entries.items()]
    for chunk in _chunks(params):
        conn.execute(statement, chunk)


def _meetings(conn, rows, case_ids, now) -> None:
    numbers: dict[tuple[int, int], int] = {}
    meetings = []
    for row, case_id in zip(rows, case_ids, strict=True):
        if row["kind"] != "meeting":
            continue
        day = date.fromisoformat(row["data"]["meeting_date"])
        key = (row["council_id"], day.year)
        numbers[key] = numbers.get(key, 0) + 1
        meetings.append(
            {
                "case_id": case_id,
                "council_id": row["council_id"],
                "year": day.year,
                "number": numbers[key],
                "kind": "ordinary",
                "date": day,
                "location": "Rådhuset",
            }
        )
    for chunk in _chunks(meetings):
        conn.execute(insert(Meeting.__table__), chunk)


def _deadlines(conn, rng, rows, case_ids, entries, now) -> None:
    """Half the cases have a handled deadline; a fifth one pending, due within ±60 days."""
    deadlines = []
    for i, (row, case_id) in enumerate(zip(rows, case_ids, strict=True)):
        entry = entries.get(i, 1)
        if rng.random() < 0.5:
            due = row["created_at"] + timedelta(days=14)
            deadlines.append(
                {
                    "case_id": case_id,
                    "name": "memo",
                    "state_entry": max(1, entry - 1),
                    "due": due,
                    "status": "done",
                    "effect": "reminder",
                    "handled_at": due,
                    "outcome": "sent",
                }
            )
        if rng.random() < 0.2:
            deadlines.append(
                {
                    "case_id": case_id,
                    "name": "intake",
                    "state_entry": entry,
                    "due": now + timedelta(days=rng.uniform(-60, 60)),
                    "status": "pending",
                    "effect": "reminder",
                    "handled_at": None,
                    "outcome": None,
                }
            )
    for chunk in _chunks(deadlines):
        conn.execute(insert(Deadline.__table__), chunk)


def _actions(conn, rng, rows, case_ids, people, now) -> None:
    actions = []
    for row, case_id in zip(rows, case_ids, strict=True):
        if row["kind"] != "agenda_item" or row["state"] not in ("decided", "follow_up"):
            continue
        for n in range(rng.randint(1, 2)):
            actions.append(
                {
                    "case_id": case_id,
                    "description": f"Oppfølgingspunkt {n + 1}",
                    "owner_party": "municipality",
                    "owner_person_id": rng.choice(people[row["council_id"]]),
                    "due": (now + timedelta(days=rng.uniform(-30, 90))).date(),
                    "status": "open",
                    "percent": 0,
                    "created_at": row["created_at"],
                    "closed_at": None,
                }
            )
    for chunk in _chunks(actions):
        conn.execute(insert(Action.__table__), chunk)


def _inbox_and_findings(conn, world, case_ids, now) -> None:
    person = world.people["sec"].id
    conn.execute(
        insert(InboxMessage.__table__),
        [
            {
                "person_id": person,
                "case_id": case_ids[n],
                "subject": f"Melding {n}",
                "body": "",
                "created_at": now - timedelta(hours=n),
                "read_at": None if n % 3 else now,
            }
            for n in range(min(300, len(case_ids)))
        ],
    )
    conn.execute(
        insert(Finding.__table__),
        [
            {
                "council_id": world.council.id,
                "rule": "quarterly_meeting",
                "period": f"{now.year - 1}-Q{q}",
                "since": now - timedelta(days=100),
                "detail": "Ingen møte i kvartalet",
            }
            for q in (1, 2)
        ],
    )


# --- measuring -----------------------------------------------------------------------------


class StatementLog:
    """Counts the statements of each request and keeps those of the last one.

    It listens on every engine of the process: on PostgreSQL the app reads through an
    engine of its own (``web.db.default_sessions``), not the one it writes through."""

    def __init__(self):
        self.statements: list[tuple[str, Any]] = []
        event.listen(Engine, "before_cursor_execute", self._record)

    def _record(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.statements.append((statement, parameters))

    def reset(self) -> None:
        self.statements = []

    def close(self) -> None:
        event.remove(Engine, "before_cursor_execute", self._record)


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


class RawReplay:
    """The page's own statements through the bare driver, fetching every row."""

    def __init__(self, url: str):
        self.sqlite = url.startswith("sqlite")
        if self.sqlite:
            self.conn = sqlite3.connect(driver_url(url))
        else:
            import psycopg

            self.conn = psycopg.connect(driver_url(url), autocommit=True)

    def run(self, statements: list[tuple[str, Any]]) -> float:
        started = time.perf_counter()
        cursor = self.conn.cursor()
        for statement, parameters in statements:
            cursor.execute(statement, parameters)
            cursor.fetchall()
        return time.perf_counter() - started

    def slowest(self, statements: list[tuple[str, Any]]) -> tuple[float, str]:
        """The statement that takes longest through the driver, and its time."""
        timed = []
        for statement, parameters in statements:
            cursor = self.conn.cursor()
            started = time.perf_counter()
            cursor.execute(statement, parameters)
            cursor.fetchall()
            timed.append((time.perf_counter() - started, statement))
        return max(timed)

    def close(self) -> None:
        self.conn.close()


def _log_in(client, slug: str) -> None:
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page)[1]
    response = client.post(
        "/login", data={"login": f"{slug}-sec", "password": PASSWORD, "csrf_token": token}
    )
    if response.status_code != 302:
        raise RuntimeError(f"the benchmark's secretariat could not log in ({response.status})")


def measure(kind: str, url: str, loaded: Loaded, requests: int, show_slowest: bool) -> None:
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "SESSION_COOKIE_SECURE": False})
    settle()  # as each worker of `politirad serve` does once its app is built
    engine = app.extensions["politirad.engine"]
    client = app.test_client()
    _log_in(client, loaded.slug)
    log = StatementLog()
    raw = RawReplay(url)
    pages = {
        "dashboard": f"/{loaded.slug}/",
        "case list": f"/{loaded.slug}/cases?kind=agenda_item&unit=ost&q=rusmilj",
        "case page": loaded.case_path,
    }
    try:
        for name, path in pages.items():
            statements = _statements_of(client, log, path)
            times, raw_times = [], []
            for _ in range(requests):
                started = time.perf_counter()
                response = client.get(path)
                times.append(time.perf_counter() - started)
                if response.status_code != 200:
                    raise RuntimeError(f"{path}: HTTP {response.status_code}")
                raw_times.append(raw.run(statements))
            median, p99 = statistics.median(times) * 1000, _percentile(times, 0.99) * 1000
            raw_median = statistics.median(raw_times) * 1000
            raw_p99 = _percentile(raw_times, 0.99) * 1000
            print(
                f"{kind:<10} {name:<10} median {median:7.1f} ms  p99 {p99:7.1f} ms  "
                f"{len(statements):3d} statements   raw median {raw_median:6.2f} ms  "
                f"p99 {raw_p99:6.2f} ms   ratio {median / raw_median:6.1f}"
            )
            seconds, statement = raw.slowest(statements)
            if show_slowest:
                print(f"{'':<10} {'':<10} slowest {seconds * 1000:.1f} ms: {_one_line(statement)}")
    finally:
        log.close()
        raw.close()
        engine.dispose()


def _one_line(statement: str, width: int = 160) -> str:
    line = " ".join(statement.split())
    return line if len(line) <= width else line[: width - 1] + "…"


def _statements_of(client, log: StatementLog, path: str) -> list[tuple[str, Any]]:
    """The statements one request of ``path`` runs, after two warm-up requests."""
    for _ in range(2):
        client.get(path)
    log.reset()
    response = client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"{path}: HTTP {response.status_code}")
    statements = list(log.statements)
    log.reset()
    if not statements:
        raise RuntimeError(f"{path}: no SQL statement was seen, so there is nothing to compare")
    return statements


def run(kind: str, args) -> None:
    with migrated(kind) as url:
        engine = make_engine(url)
        try:
            loaded = load(engine, kind, args.councils, args.cases, args.events)
            with Session(engine) as session:
                cases = session.scalar(select(text("count(*)")).select_from(Case.__table__))
                events = session.scalar(select(text("count(*)")).select_from(CaseEvent.__table__))
                if args.verify:
                    result = verify_chain(session)
                    print(
                        f"{kind:<10} audit chain: {'valid' if result.ok else result.problem} "
                        f"({result.checked} events)"
                    )
                    if not result.ok:
                        raise SystemExit(f"{kind}: the loaded audit chain does not verify")
            print(
                f"{kind:<10} loaded {args.councils} councils, {cases} cases, {events} audit events"
                f" in {loaded.load_seconds:.0f} s; case page {loaded.case_path} has "
                f"{loaded.case_events} events"
            )
        finally:
            engine.dispose()
        measure(kind, url, loaded, args.requests, args.slowest)


def main(argv: Sequence[str] | None = None) -> None:
    parser = arguments(__doc__.splitlines()[0])
    parser.add_argument("--councils", type=int, default=20)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--verify", action="store_true", help="walk the audit chain after loading")
    parser.add_argument(
        "--slowest", action="store_true", help="print each page's slowest statement"
    )
    args = parse(parser, argv, SMOKE)
    with as_of(args.now):
        for kind in kinds(args.db):
            run(kind, args)


if __name__ == "__main__":
    main()
