"""Who sits in a council with what access is audited in the one chain, like every case."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from engine import audit
from engine.actors import Actor
from engine.models import CaseEvent, Membership
from engine.services.people import (
    add_membership,
    create_council,
    create_person,
    set_active,
    update_membership,
    update_person,
)

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def _about(session, person_id: int) -> list[CaseEvent]:
    return list(
        session.scalars(
            select(CaseEvent).where(CaseEvent.about_person_id == person_id).order_by(CaseEvent.seq)
        )
    )


def test_a_new_seat_is_an_event_naming_the_person_the_seat_and_who_gave_it(session, world):
    newcomer = create_person(session, actor=Actor.system(), login="ny", display_name="Ny Person")
    seat = add_membership(
        session,
        actor=world.actor("sec"),
        person=newcomer,
        council=world.council,
        party="police",
        role="member",
        valid_from=date(2026, 3, 1),
        appointed_by=world.people["leader"],
        cleared=True,
        now=NOW,
    )

    [event] = _about(session, newcomer.id)
    assert (event.kind, event.case_id, event.workflow_hash) == ("membership", None, None)
    assert (event.council_id, event.actor, event.party) == (
        world.council.id,
        world.people["sec"].login,
        "municipality",
    )
    assert event.at == NOW
    assert json.loads(event.changes) == {
        f"membership.{seat.id}.party": [None, "police"],
        f"membership.{seat.id}.role": [None, "member"],
        f"membership.{seat.id}.valid_from": [None, "2026-03-01"],
        f"membership.{seat.id}.valid_to": [None, None],
        f"membership.{seat.id}.appointed_by": [None, world.people["leader"].login],
        f"membership.{seat.id}.cleared": [None, True],
    }
    assert audit.verify(session).ok


def test_granting_and_withdrawing_clearance_and_ending_a_seat_are_audited_old_to_new(
    session, world
):
    member = world.people["kmember"]
    seat = session.scalars(select(Membership).where(Membership.person_id == member.id)).one()
    before = len(_about(session, member.id))
    sec = world.actor("sec")

    update_membership(
        session, actor=sec, membership=seat, valid_to=None, cleared=not seat.cleared, now=NOW
    )
    update_membership(
        session, actor=sec, membership=seat, valid_to=date(2026, 12, 31), cleared=seat.cleared
    )

    granted, ended = _about(session, member.id)[before:]
    assert json.loads(granted.changes) == {f"membership.{seat.id}.cleared": [False, True]}
    assert json.loads(ended.changes) == {f"membership.{seat.id}.valid_to": [None, "2026-12-31"]}
    assert {granted.kind, ended.kind} == {"membership"}
    assert audit.verify(session).ok


def test_saving_a_seat_unchanged_writes_no_event(session, world):
    member = world.people["kmember"]
    seat = session.scalars(select(Membership).where(Membership.person_id == member.id)).one()
    head = audit.head(session)

    update_membership(
        session, actor=world.actor("sec"), membership=seat, valid_to=None, cleared=seat.cleared
    )

    assert audit.head(session) == head


def test_deactivation_is_audited_in_every_council_where_the_person_has_a_seat(session, world):
    member = world.people["kmember"]
    other = create_council(
        session,
        actor=Actor.system(),
        slug="andreby",
        name="Politirådet i Andreby",
        municipality="Andreby kommune",
        police_district="Andreby politidistrikt",
    )
    add_membership(
        session,
        actor=Actor.system(),
        person=member,
        council=other,
        party="police",
        role="member",
        valid_from=date(2020, 1, 1),
    )
    before = len(_about(session, member.id))

    set_active(session, actor=world.actor("sec"), person=member, active=False, now=NOW)
    set_active(session, actor=world.actor("sec"), person=member, active=False, now=NOW)

    events = _about(session, member.id)[before:]
    assert sorted(e.council_id for e in events) == sorted([world.council.id, other.id])
    assert {(e.kind, e.changes) for e in events} == {("person", '{"active":[true,false]}')}
    assert audit.verify(session).ok


def test_a_persons_changed_details_are_audited_and_unchanged_ones_are_not(session, world):
    member = world.people["kmember"]
    old_name = member.display_name
    before = len(_about(session, member.id))

    update_person(
        session,
        actor=world.actor("sec"),
        person=member,
        display_name="Nytt Navn",
        email=member.email,
        locale=member.locale,
        now=NOW,
    )

    [event] = _about(session, member.id)[before:]
    assert json.loads(event.changes) == {"display_name": [old_name, "Nytt Navn"]}


def test_altering_an_event_about_a_person_breaks_the_chain_at_that_event(session, world):
    member = world.people["kmember"]
    seat = session.scalars(select(Membership).where(Membership.person_id == member.id)).one()
    update_membership(
        session, actor=world.actor("sec"), membership=seat, valid_to=None, cleared=True, now=NOW
    )
    [*_, granted] = _about(session, member.id)

    session.execute(
        update(CaseEvent)
        .where(CaseEvent.seq == granted.seq)
        .values(changes=json.dumps({f"membership.{seat.id}.cleared": [False, False]}))
    )

    result = audit.verify(session)
    assert not result.ok
    assert result.problem == f"event {granted.seq} was altered (hash mismatch)"


@pytest.mark.parametrize(
    "values",
    [{"about_person_id": None}, {"workflow_hash": "0" * 64}, {"kind": "update"}],
    ids=["about-nobody", "with-a-workflow", "with-a-case-kind"],
)
def test_the_database_refuses_an_event_about_a_person_that_is_not_wholly_one(
    session, world, values
):
    member = world.people["kmember"]
    [*_, event] = _about(session, member.id)
    with (
        pytest.raises(IntegrityError, match="about_a_case_or_a_person"),
        session.begin_nested(),
    ):
        session.execute(update(CaseEvent).where(CaseEvent.seq == event.seq).values(**values))
