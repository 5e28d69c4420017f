"""Statements compiled once and run on the DBAPI cursor behave like SQLAlchemy's execute."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import object_session

from engine import deadlines
from engine.db import batched
from engine.models import Case, Deadline
from engine.models.enums import DeadlineStatus
from engine.services import get_case, load_case, open_case
from tests.clock import NOW


def a_case(session, world):
    return open_case(
        session,
        council=world.council,
        kind="meeting",
        title="Ordinært møte",
        actor=world.actor("sec"),
        data={"meeting_date": "2026-03-26", "kind": "ordinary"},
        now=NOW,
    )


def deadline_row(case, due):
    return {
        "case_id": case.id,
        "name": "tick",
        "state_entry": 999,
        "due": due,
        "status": DeadlineStatus.PENDING,
        "effect": "reminder",
        "trigger": None,
    }


def test_a_prepared_insert_stores_an_oslo_time_as_the_same_instant_in_utc(session, world):
    case = a_case(session, world)
    due = datetime(2026, 3, 27, 0, 0, tzinfo=ZoneInfo("Europe/Oslo"))

    deadlines._INSERT.execute_many(session.connection(), [deadline_row(case, due)])

    stored = session.scalars(
        select(Deadline).where(Deadline.case_id == case.id, Deadline.state_entry == 999)
    ).one()
    assert stored.due == due
    assert stored.due.utcoffset().total_seconds() == 0
    assert stored.status == DeadlineStatus.PENDING


def test_a_driver_error_in_a_prepared_statement_is_sqlalchemys_integrity_error(session, world):
    case = a_case(session, world)
    conn = session.connection()
    row = deadline_row(case, NOW)
    deadlines._INSERT.execute_many(conn, [row])

    with pytest.raises(IntegrityError), session.begin_nested():
        deadlines._INSERT.execute_many(session.connection(), [row])


def test_a_driver_error_in_a_batch_is_sqlalchemys_integrity_error(session, world):
    case = a_case(session, world)
    row = deadline_row(case, NOW)

    with pytest.raises(IntegrityError), session.begin_nested():
        conn = session.connection()
        with batched(conn):
            deadlines._INSERT.execute_many(conn, [row])
            deadlines._INSERT.execute_many(conn, [row])


def test_a_prepared_update_cancels_pending_deadlines_and_counts_the_rows(session, world):
    case = a_case(session, world)
    conn = session.connection()
    deadlines._INSERT.execute_many(conn, [deadline_row(case, NOW)])

    first = deadlines._CANCEL.execute(conn, {"case": case.id, "now": NOW}).rowcount
    again = deadlines._CANCEL.execute(conn, {"case": case.id, "now": NOW}).rowcount

    stored = session.scalars(
        select(Deadline).where(Deadline.case_id == case.id, Deadline.state_entry == 999)
    ).one()
    assert first >= 1
    assert again == 0
    assert (stored.status, stored.handled_at, stored.outcome) == (
        DeadlineStatus.CANCELLED,
        NOW,
        "state left",
    )


def test_a_prepared_load_gives_the_same_values_as_the_orm(session, world):
    opened = a_case(session, world)
    session.commit()
    session.expunge_all()
    expected = session.get(Case, opened.id)
    columns = [attr.key for attr in Case.__mapper__.column_attrs]
    wanted = {name: getattr(expected, name) for name in columns}
    session.expunge_all()

    loaded = load_case(session, opened.id)

    assert {name: getattr(loaded, name) for name in columns} == wanted
    assert loaded.state_entered_at.utcoffset().total_seconds() == 0
    assert loaded.data == {"meeting_date": "2026-03-26", "kind": "ordinary"}
    assert object_session(loaded) is session
    assert not session.is_modified(loaded)
    assert loaded.council.id == world.council.id  # relationships load as usual
    assert get_case(session, world.council, opened.number) is loaded


def test_a_prepared_load_flushes_first_and_returns_the_instance_the_session_holds(session, world):
    case = a_case(session, world)
    session.commit()
    case.title = "Endret i minnet"
    number, case_id = case.number, case.id
    del case  # only the session holds the changed instance now

    again = get_case(session, world.council, number)

    assert again.title == "Endret i minnet"
    assert load_case(session, case_id) is again


def test_a_prepared_load_of_a_missing_case_is_none(session, world):
    assert load_case(session, 2_000_000_000) is None


def test_cursor_event_listeners_see_a_prepared_statement(session, world):
    case = a_case(session, world)
    conn = session.connection()
    seen = []

    def record(_conn, _cursor, statement, parameters, _context, executemany):
        seen.append((statement, executemany))

    event.listen(conn, "before_cursor_execute", record)
    try:
        load_case(session, case.id)
    finally:
        event.remove(conn, "before_cursor_execute", record)

    assert [(" ".join(s.split()[:1]), many) for s, many in seen] == [("SELECT", False)]
