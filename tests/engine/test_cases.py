"""Opening, changing and firing cases: the services every actor goes through."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from engine import audit
from engine.actors import Actor
from engine.calendar import deadline_moment
from engine.errors import (
    Conflict,
    GuardFailed,
    PermissionDenied,
    TransitionNotAllowed,
    ValidationError,
)
from engine.guards import GUARDS
from engine.models import AuditHead, Case, CaseEvent, Deadline, OutboxMessage, WorkflowSnapshot
from engine.queries import list_cases, search_cases
from engine.runtime import current_definition, definition_of
from engine.seeding import make_world
from engine.services import available_transitions, fire, open_case, update_case
from tests.clock import NOW
from workflows.loader import definition_from_mapping


def agenda_item(session, world, *, title="Trygghet på Grønland", **kwargs):
    kwargs.setdefault("priority_areas", [world.area(session).id])
    return open_case(
        session,
        council=world.council,
        kind="agenda_item",
        title=title,
        actor=world.actor("sec"),
        now=NOW,
        **kwargs,
    )


def meeting(session, world, date="2026-03-26"):
    return open_case(
        session,
        council=world.council,
        kind="meeting",
        title="Ordinært møte",
        actor=world.actor("sec"),
        data={"meeting_date": date, "kind": "ordinary"},
        now=NOW,
    )


def events_of(session, case):
    return list(session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)))


def test_cases_are_numbered_per_council_and_year(session, world):
    first = agenda_item(session, world)
    second = agenda_item(session, world)
    later = open_case(
        session,
        council=world.council,
        kind="agenda_item",
        title="Neste år",
        actor=world.actor("sec"),
        now=NOW + timedelta(days=365),
    )
    other = make_world(session, slug="annenby")
    elsewhere = agenda_item(session, other)
    assert [first.number, second.number, later.number] == ["2026/1", "2026/2", "2027/1"]
    assert elsewhere.number == "2026/1"


def test_opening_a_case_pins_its_definition_and_audits_every_field(session, world):
    case = agenda_item(session, world)
    assert case.state == "draft"
    snapshot = session.get(WorkflowSnapshot, case.workflow_hash)
    assert snapshot.hash == current_definition("agenda_item").content_hash
    (event,) = events_of(session, case)
    assert event.kind == "opened" and event.to_state == "draft"
    assert json.loads(event.changes)["title"] == [None, "Trygghet på Grønland"]
    assert event.actor == world.people["sec"].login and event.party == "municipality"
    assert audit.verify(session).ok


def test_a_running_case_keeps_the_definition_it_started_under(session, world):
    case = agenda_item(session, world)
    raw = json.loads(session.get(WorkflowSnapshot, case.workflow_hash).definition)
    raw["states"]["draft"]["labels"]["nb"] = "Gammelt utkast"
    changed = WorkflowSnapshot(hash="f" * 64, name="agenda_item", definition=json.dumps(raw))
    session.add(changed)
    case.workflow_hash = changed.hash
    session.flush()
    assert definition_of(session, case).state("draft").labels.nb == "Gammelt utkast"
    assert current_definition("agenda_item").state("draft").labels.nb != "Gammelt utkast"


def test_a_definition_rebuilt_from_its_snapshot_is_the_same_definition(session, world):
    case = agenda_item(session, world)
    stored = session.get(WorkflowSnapshot, case.workflow_hash)
    rebuilt = definition_from_mapping(json.loads(stored.definition), guards=GUARDS.keys())
    shipped = current_definition("agenda_item")
    assert rebuilt.content_hash == shipped.content_hash == stored.hash
    assert [s.name for s in rebuilt.states] == [s.name for s in shipped.states]


def test_firing_moves_the_case_writes_one_event_and_bumps_the_version(session, world):
    case = agenda_item(session, world)
    version = case.version
    result = fire(session, case, "propose", actor=world.actor("kmember"), now=NOW)
    assert result.fired and case.state == "proposed"
    assert case.version == version + 1
    event = result.events[-1]
    assert (event.from_state, event.to_state, event.trigger) == ("draft", "proposed", "propose")
    assert event.party == "municipality"
    assert json.loads(event.changes) == {"state": ["draft", "proposed"]}
    assert case.state_entry == event.seq
    assert audit.verify(session).ok


def test_a_stale_version_is_a_conflict_and_changes_nothing(session, world):
    case = agenda_item(session, world)
    with pytest.raises(Conflict, match="version"):
        fire(
            session,
            case,
            "propose",
            actor=world.actor("sec"),
            expected_version=case.version - 1 if case.version > 1 else 99,
            now=NOW,
        )
    assert case.state == "draft"
    assert len(events_of(session, case)) == 1


def test_a_concurrent_writer_that_committed_first_makes_the_flush_a_conflict(session, world):
    case = agenda_item(session, world)
    session.flush()
    session.execute(
        Case.__table__.update().where(Case.id == case.id).values(version=case.version + 1)
    )
    with pytest.raises(Conflict, match="changed by someone else"):
        fire(session, case, "propose", actor=world.actor("sec"), now=NOW)


def test_a_role_that_may_not_fire_gets_permission_denied_with_the_reason(session, world):
    case = agenda_item(session, world)
    with pytest.raises(PermissionDenied, match=r"your role \(guest\) may not fire 'propose'"):
        fire(session, case, "propose", actor=world.actor("guest"), now=NOW)
    with pytest.raises(PermissionDenied, match="not a member of this council"):
        fire(session, case, "propose", actor=world.actor("outsider"), now=NOW)


def test_an_unknown_or_misplaced_trigger_is_not_allowed(session, world):
    case = agenda_item(session, world)
    with pytest.raises(TransitionNotAllowed, match="has no transition 'fly'"):
        fire(session, case, "fly", actor=world.actor("sec"), now=NOW)
    with pytest.raises(
        TransitionNotAllowed, match=r"'close' cannot be fired while case .* is draft"
    ):
        fire(session, case, "close", actor=world.actor("sec"), now=NOW)


def test_an_unmet_guard_raises_guard_failed_with_its_explanation(session, world):
    case = agenda_item(session, world, priority_areas=[])
    with pytest.raises(GuardFailed) as failure:
        fire(session, case, "propose", actor=world.actor("sec"), now=NOW)
    assert failure.value.reasons == ["the case is not tagged with a priority area"]
    assert case.state == "draft"


def test_available_transitions_say_why_each_blocked_one_is_blocked(session, world):
    case = agenda_item(session, world, priority_areas=[])
    options = {o.trigger: o for o in available_transitions(session, case, world.actor("guest"))}
    assert not options["propose"].allowed
    assert any("guest" in r for r in options["propose"].reasons)
    assert "the case is not tagged with a priority area" in options["propose"].reasons
    mine = {o.trigger: o for o in available_transitions(session, case, world.actor("sec"))}
    assert mine["propose"].reasons == ("the case is not tagged with a priority area",)


def walk_to_deliberated(session, world):
    item = agenda_item(session, world)
    meet = meeting(session, world)
    update_case(session, item, actor=world.actor("sec"), changes={"meeting": meet}, now=NOW)
    fire(session, item, "propose", actor=world.actor("sec"), now=NOW)
    fire(session, item, "schedule", actor=world.actor("sec"), now=NOW)
    fire(
        session,
        item,
        "prepare",
        actor=world.actor("sec"),
        data={"memo": "Saksframlegg", "access_assessed": True},
        now=NOW,
    )
    meet.state = "held"
    session.flush()
    fire(session, item, "deliberate", actor=world.actor("sec"), now=NOW)
    return item


def test_a_decision_needs_both_parties_and_fires_on_the_last_approval(session, world):
    item = walk_to_deliberated(session, world)
    first = fire(
        session,
        item,
        "decide",
        actor=world.actor("leader"),
        data={"decision_text": "Felles innsats på Grønland"},
        now=NOW,
    )
    assert not first.fired and first.waiting_for == ("police",)
    assert item.state == "deliberated"
    waiting = {o.trigger: o for o in available_transitions(session, item, world.actor("leader"))}
    assert "waiting for police" in waiting["decide"].reasons[0]
    with pytest.raises(PermissionDenied, match="municipality has already approved"):
        fire(session, item, "decide", actor=world.actor("leader"), now=NOW)
    notified = session.scalar(
        select(func.count(OutboxMessage.id)).where(
            OutboxMessage.case_id == item.id, OutboxMessage.topic == "approval_requested"
        )
    )
    assert notified >= 1
    second = fire(session, item, "decide", actor=world.actor("deputy"), now=NOW)
    assert second.fired and item.state == "decided"
    assert [e.kind for e in second.events] == ["approval", "transition"]
    assert item.data["decision_text"] == "Felles innsats på Grønland"
    assert audit.verify(session).ok


def test_entering_a_state_sets_its_deadlines_and_leaving_cancels_them(session, world):
    item = walk_to_deliberated(session, world)
    fire(session, item, "note", actor=world.actor("sec"), now=NOW)
    (closing,) = session.scalars(
        select(Deadline).where(Deadline.case_id == item.id, Deadline.status == "pending")
    )
    assert closing.name == "closing" and closing.effect == "transition"
    assert closing.due > NOW + timedelta(days=14)
    fire(session, item, "close", actor=world.actor("sec"), now=NOW)
    session.refresh(closing)
    assert closing.status == "cancelled" and closing.handled_at == NOW


def test_a_required_comment_and_unknown_data_are_validation_errors(session, world):
    item = agenda_item(session, world)
    with pytest.raises(ValidationError, match="needs a comment"):
        fire(session, item, "withdraw", actor=world.actor("sec"), now=NOW)
    with pytest.raises(ValidationError) as error:
        fire(session, item, "propose", actor=world.actor("sec"), data={"colour": "red"}, now=NOW)
    assert error.value.errors == {"colour": "unknown field"}
    with pytest.raises(ValidationError) as error:
        update_case(session, item, actor=world.actor("sec"), data={"meeting_date": "soon"})
    assert "meeting_date" in error.value.errors


def test_an_exempt_case_needs_its_legal_basis_and_a_public_title(session, world):
    with pytest.raises(ValidationError, match="legal basis"):
        agenda_item(session, world, access="exempt", public_title="Sak om sikring")
    with pytest.raises(ValidationError, match="public title"):
        agenda_item(session, world, access="restricted")
    case = agenda_item(
        session,
        world,
        title="Vaktrutiner ved rådhuset",
        access="exempt",
        legal_basis="offl. § 24 tredje ledd",
        public_title="Sikring av rådhuset",
    )
    assert case.legal_basis == "offl. § 24 tredje ledd"


def test_updates_are_audited_old_to_new_and_no_change_writes_nothing(session, world):
    case = agenda_item(session, world)
    event = update_case(
        session, case, actor=world.actor("sec"), changes={"title": "Ny tittel"}, comment="presis"
    )
    assert json.loads(event.changes) == {
        "public_title": ["Trygghet på Grønland", "Ny tittel"],
        "title": ["Trygghet på Grønland", "Ny tittel"],
    }
    assert event.comment == "presis"
    assert (
        update_case(session, case, actor=world.actor("sec"), changes={"title": "Ny tittel"}) is None
    )
    with pytest.raises(PermissionDenied):
        update_case(session, case, actor=world.actor("guest"), changes={"title": "x"})


def test_restricted_cases_do_not_exist_for_the_uncleared(session, world):
    agenda_item(
        session,
        world,
        title="PST-orientering om ekstremisme",
        access="restricted",
        public_title="Orientering",
    )
    cleared = list_cases(session, world.actor("pmember"), world.council, now=NOW)
    uncleared = list_cases(session, world.actor("kmember"), world.council, now=NOW)
    public = list_cases(session, Actor.public(), world.council, now=NOW)
    assert cleared[0].title == "PST-orientering om ekstremisme"
    assert "Orientering" not in {row.title for row in uncleared + public}
    assert search_cases(session, world.actor("kmember"), world.council, now=NOW).total == 0
    assert search_cases(session, world.actor("pmember"), world.council, now=NOW).total == 1
    assert list_cases(session, world.actor("kmember"), world.council, text="PST", now=NOW) == []
    assert len(list_cases(session, world.actor("pmember"), world.council, text="PST", now=NOW)) == 1


def test_an_uncleared_member_may_not_act_on_a_restricted_case(session, world):
    case = agenda_item(session, world, title="PST", access="restricted", public_title="Orientering")
    with pytest.raises(PermissionDenied, match="restricted"):
        fire(session, case, "propose", actor=world.actor("kmember"), now=NOW)


def test_tampering_with_any_event_is_detected_and_named(session, world):
    case = agenda_item(session, world)
    fire(session, case, "propose", actor=world.actor("sec"), now=NOW)
    assert audit.verify(session).ok
    target = events_of(session, case)[0]
    session.execute(
        CaseEvent.__table__.update().where(CaseEvent.seq == target.seq).values(comment="endret")
    )
    result = audit.verify(session)
    assert not result.ok and f"event {target.seq} was altered" in result.problem


def test_a_cut_off_tail_is_detected_against_the_head_kept_outside(session, world):
    case = agenda_item(session, world)
    fire(session, case, "propose", actor=world.actor("sec"), now=NOW)
    kept = audit.head(session)
    last = max(e.seq for e in events_of(session, case))
    session.execute(CaseEvent.__table__.delete().where(CaseEvent.seq == last))
    previous = session.get(CaseEvent, last - 1)
    session.execute(AuditHead.__table__.update().values(seq=previous.seq, hash=previous.hash))
    assert audit.verify(session).ok, "without the head kept outside, the cut is invisible"
    result = audit.verify(session, expected_head=kept)
    assert not result.ok and f"events after {last - 1} are missing" in result.problem


def test_a_time_given_in_oslo_is_audited_in_utc_and_the_chain_still_verifies(session, world):
    from engine.calendar import OSLO

    oslo_morning = NOW.astimezone(OSLO)
    case = agenda_item(session, world)
    result = fire(session, case, "propose", actor=world.actor("sec"), now=oslo_morning)
    assert result.events[-1].at == NOW and result.events[-1].at.utcoffset().total_seconds() == 0
    assert audit.verify(session).ok


def test_changing_the_date_a_deadline_counts_from_moves_the_pending_deadline(session, world):
    item = agenda_item(session, world, data={"meeting_date": "2026-03-26"})
    fire(session, item, "propose", actor=world.actor("sec"), now=NOW)
    (intake,) = session.scalars(
        select(Deadline).where(Deadline.case_id == item.id, Deadline.status == "pending")
    )
    assert intake.due == deadline_moment(date(2026, 3, 5))  # 21 days before, a Thursday
    update_case(session, item, actor=world.actor("sec"), data={"meeting_date": "2026-04-23"})
    session.refresh(intake)
    # 21 days before 23 April is skjærtorsdag, so the deadline moves back to the Wednesday.
    assert intake.status == "pending" and intake.due == deadline_moment(date(2026, 4, 1))
