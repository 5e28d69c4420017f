"""What changed since a version: the events a stale form's 409 page lists."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from engine.changes import events_since
from engine.models import CaseEvent
from engine.services import fire, update_case
from engine.services.followup import add_action
from tests.clock import NOW
from tests.engine.test_cases import agenda_item, meeting, walk_to_deliberated


def newest_seq(session, case) -> int:
    return session.scalar(select(func.max(CaseEvent.seq)).where(CaseEvent.case_id == case.id))


def test_the_events_since_each_version_are_exactly_those_written_after_it(session, world):
    sec, leader, deputy = (world.actor(x) for x in ("sec", "leader", "deputy"))
    item = walk_to_deliberated(session, world)
    seen: dict[int, int] = {}  # version → the newest event when the case reached it

    def look():
        seen.setdefault(item.version, newest_seq(session, item))

    look()
    update_case(session, item, actor=sec, changes={"title": "Trygghet på Tøyen"}, now=NOW)
    look()
    fire(session, item, "decide", actor=leader, data={"decision_text": "Felles"}, now=NOW)
    look()
    fire(session, item, "decide", actor=deputy, now=NOW)  # approval + transition: one write
    look()
    add_action(  # audited on the case (no write), then the case moves to follow-up
        session,
        item,
        actor=sec,
        description="Kartlegge",
        owner_party="police",
        due=date(2026, 6, 1),
        now=NOW,
    )
    look()
    everything = list(
        session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == item.id).order_by(CaseEvent.seq)
        )
    )
    assert len(seen) == 5
    for version, newest in seen.items():
        if version == item.version:
            continue
        expected = [e.seq for e in everything if e.seq > newest]
        assert [e.seq for e in events_since(session, item, version)] == expected, version


def test_nothing_has_changed_since_the_current_version(session, world):
    item = agenda_item(session, world)
    assert events_since(session, item, item.version) == []


def test_an_edit_of_the_case_and_a_transition_are_both_listed(session, world):
    item = agenda_item(session, world)
    start = item.version
    meet = meeting(session, world)
    update_case(session, item, actor=world.actor("sec"), changes={"meeting": meet}, now=NOW)
    fire(session, item, "propose", actor=world.actor("sec"), now=NOW)
    kinds = [(e.kind, e.to_state) for e in events_since(session, item, start)]
    assert kinds == [("update", None), ("transition", "proposed")]
