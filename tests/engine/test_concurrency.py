"""Real threads against a real, committed database: never a lost update."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from engine import audit
from engine.actors import load_actor
from engine.db import make_engine, session_factory
from engine.errors import Conflict
from engine.models import Case, CaseEvent
from engine.seeding import make_world
from engine.services import fire, open_case
from tests.clock import NOW
from tests.databases import fresh_database, migrate

THREADS = 8
ROUNDS = 40


@pytest.fixture
def committed(db_kind, tmp_path):
    """A migrated database of its own whose writes really commit."""
    with fresh_database(db_kind, tmp_path) as url:
        migrate(url)
        engine = (
            make_engine(url, pool_size=THREADS + 2) if db_kind != "sqlite" else make_engine(url)
        )
        try:
            yield engine
        finally:
            engine.dispose()


def test_one_winner_per_round_and_every_other_writer_gets_a_conflict(committed):
    writes = session_factory(committed, write=True)
    reads = session_factory(committed)
    with writes() as session:
        world = make_world(session)
        meeting = open_case(
            session,
            council=world.council,
            kind="meeting",
            title="Møte",
            actor=world.actor("sec"),
            data={"meeting_date": "2026-03-26"},
            now=NOW,
        )
        session.commit()
        case_id, sec_login = meeting.id, world.people["sec"].login

    outcomes = [race(writes, reads, case_id, sec_login, round_no) for round_no in range(ROUNDS)]

    assert all(o == Counter(won=1, conflict=THREADS - 1) for o in outcomes), outcomes
    with reads() as session:
        case = session.get(Case, case_id)
        assert case.version == 1 + ROUNDS
        moves = session.scalar(
            select(func.count()).where(CaseEvent.case_id == case_id, CaseEvent.trigger == "move")
        )
        assert moves == ROUNDS
        assert audit.verify(session).ok


def race(writes, reads, case_id: int, login: str, round_no: int) -> Counter:
    """THREADS writers fire `move` with the same expected version at the same moment."""
    with reads() as session:
        version = session.get(Case, case_id).version
    barrier = threading.Barrier(THREADS)
    results: list[str] = []
    lock = threading.Lock()

    def attempt(n: int) -> None:
        new_date = (date(2026, 4, 1) + timedelta(days=n + round_no)).isoformat()
        barrier.wait()
        try:
            with writes() as session:
                case = session.get(Case, case_id)
                fire(
                    session,
                    case,
                    "move",
                    actor=load_actor(session, login),
                    expected_version=version,
                    data={"meeting_date": new_date},
                    now=NOW,
                )
                session.commit()
            outcome = "won"
        except Conflict:
            outcome = "conflict"
        except Exception as exc:  # anything else is a defect the test must show
            outcome = f"{type(exc).__name__}: {exc}"
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return Counter(results)


def test_concurrent_openers_never_share_a_case_number_or_fork_the_chain(committed):
    writes = session_factory(committed, write=True)
    with writes() as session:
        world = make_world(session)
        session.commit()
        council_id, sec_login = world.council.id, world.people["sec"].login
        seats_audited = audit.head(session)[0]
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def open_one(n: int) -> None:
        from engine.models import Council

        barrier.wait()
        try:
            with writes() as session:
                open_case(
                    session,
                    council=session.get(Council, council_id),
                    kind="meeting",
                    title=f"Møte {n}",
                    actor=load_actor(session, sec_login),
                    now=NOW,
                )
                session.commit()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=open_one, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    with writes() as session:
        numbers = sorted(session.scalars(select(Case.seq).where(Case.council_id == council_id)))
        assert numbers == list(range(1, THREADS + 1))
        result = audit.verify(session)
        assert result.ok and result.checked == seats_audited + THREADS
