"""A process killed in the middle of ``fire`` leaves the case and its audit trail consistent."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap

import pytest
from sqlalchemy import select

from engine import audit
from engine.db import make_engine, session_factory
from engine.models import Case, CaseEvent
from engine.seeding import make_world
from engine.services import open_case
from tests.clock import NOW
from tests.databases import fresh_database, migrate

CHILD = textwrap.dedent(
    """
    import os, signal, sys
    from sqlalchemy import event
    from engine import audit, deadlines
    from engine.actors import load_actor
    from engine.db import make_engine, session_factory
    from engine.models import Case
    from engine.services import fire
    from tests.clock import NOW

    url, case_id, login, point = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]

    def die(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGKILL)

    if point == "before_audit_event":
        audit.append = die
    elif point == "before_deadlines":
        deadlines.schedule = die
    session = session_factory(make_engine(url), write=True)()
    if point == "before_commit":
        event.listen(session, "before_commit", die)
    elif point == "after_commit":
        event.listen(session, "after_commit", die)
    case = session.get(Case, case_id)
    fire(session, case, "propose", actor=load_actor(session, login), now=NOW)
    session.commit()
    print("survived")
    """
)

POINTS = ["before_audit_event", "before_deadlines", "before_commit", "after_commit"]


@pytest.mark.parametrize("point", POINTS)
def test_sigkill_inside_fire_never_separates_a_state_change_from_its_event(
    db_kind, tmp_path, point
):
    with fresh_database(db_kind, tmp_path) as url:
        migrate(url)
        engine = make_engine(url)
        try:
            sessions = session_factory(engine, write=True)
            with sessions() as session:
                world = make_world(session)
                case = open_case(
                    session,
                    council=world.council,
                    kind="agenda_item",
                    title="Sak",
                    actor=world.actor("sec"),
                    priority_areas=[world.area(session).id],
                    now=NOW,
                )
                session.commit()
                case_id, login = case.id, world.people["sec"].login

            child = subprocess.run(
                [sys.executable, "-c", CHILD, url, str(case_id), login, point],
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert child.returncode == -signal.SIGKILL, child.stderr

            with sessions() as session:
                state = session.get(Case, case_id).state
                moved = session.scalars(
                    select(CaseEvent).where(
                        CaseEvent.case_id == case_id, CaseEvent.trigger == "propose"
                    )
                ).all()
                assert (state == "proposed") == (len(moved) == 1)
                assert state == ("proposed" if point == "after_commit" else "draft")
                assert audit.verify(session).ok
        finally:
            engine.dispose()
