"""Who sits in a council with what access is audited in the one chain, like every case."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from engine import audit
from engine.actors import Actor, actor_for
from engine.models import CaseEvent, Membership
from engine.services.grants import approve_grant, refuse_grant, withdraw_grant
from engine.services.people import (
    add_membership,
    create_council,
    create_person,
    end_seats,
    register_member,
    set_active,
    set_installation_admin,
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
    newcomer = register_member(
        session,
        actor=world.actor("sec"),
        council=world.council,
        login="ny",
        display_name="Ny Person",
        party="police",
        role="member",
        valid_from=date(2026, 3, 1),
        appointed_by=world.people["leader"],
        now=NOW,
    )
    seat = newcomer.seat
    assert seat is not None and newcomer.waiting is None

    [event] = _about(session, seat.person_id)
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
        f"membership.{seat.id}.cleared": [None, False],
    }
    assert audit.verify(session).ok


def test_granting_and_withdrawing_clearance_and_ending_a_seat_are_audited_old_to_new(
    session, world
):
    member = world.people["kmember"]
    seat = session.scalars(select(Membership).where(Membership.person_id == member.id)).one()
    before = len(_about(session, member.id))
    sec = world.actor("sec")

    asked = update_membership(session, actor=sec, membership=seat, valid_to=None, cleared=True)
    assert asked.waiting is not None
    approve_grant(session, actor=world.actor("leader"), grant=asked.waiting, now=NOW)
    update_membership(
        session, actor=sec, membership=seat, valid_to=date(2026, 12, 31), cleared=False, now=NOW
    )

    requested, approved, granted, ended = _about(session, member.id)[before:]
    grant = f"grant.{asked.waiting.id}"
    assert json.loads(requested.changes) == {
        f"{grant}.kind": [None, "clearance"],
        f"{grant}.membership": [None, seat.id],
        f"{grant}.role": [None, "member"],
        f"{grant}.party": [None, "municipality"],
        f"{grant}.state": [None, "pending"],
    }
    assert requested.actor == world.people["sec"].login
    assert json.loads(approved.changes) == {f"{grant}.state": ["pending", "approved"]}
    assert json.loads(granted.changes) == {f"membership.{seat.id}.cleared": [False, True]}
    assert approved.actor == granted.actor == world.people["leader"].login
    assert json.loads(ended.changes) == {
        f"membership.{seat.id}.valid_to": [None, "2026-12-31"],
        f"membership.{seat.id}.cleared": [True, False],
    }
    assert {e.kind for e in (requested, approved, granted, ended)} == {"membership"}
    assert audit.verify(session).ok


def test_a_refused_or_withdrawn_request_is_audited_and_changes_no_seat(session, world):
    member = world.people["kmember"]
    seat = session.scalars(select(Membership).where(Membership.person_id == member.id)).one()
    sec = world.actor("sec")
    before = len(_about(session, member.id))

    first = update_membership(session, actor=sec, membership=seat, valid_to=None, cleared=True)
    refuse_grant(session, actor=world.actor("deputy"), grant=first.waiting, now=NOW)
    second = update_membership(session, actor=sec, membership=seat, valid_to=None, cleared=True)
    withdraw_grant(session, actor=sec, grant=second.waiting, now=NOW)

    events = _about(session, member.id)[before:]
    states = [
        (e.actor, pair)
        for e in events
        for key, pair in json.loads(e.changes).items()
        if key.endswith(".state")
    ]
    assert states == [
        ("testby-sec", [None, "pending"]),
        ("testby-deputy", ["pending", "refused"]),
        ("testby-sec", [None, "pending"]),
        ("testby-sec", ["pending", "withdrawn"]),
    ]
    assert not any(key.startswith("membership.") for e in events for key in json.loads(e.changes))
    assert not seat.cleared
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
    admin = _installation_admin(session, world)

    set_active(session, actor=admin, person=member, active=False, now=NOW)
    set_active(session, actor=admin, person=member, active=False, now=NOW)

    events = _about(session, member.id)[before:]
    assert sorted(e.council_id for e in events) == sorted([world.council.id, other.id])
    assert {(e.kind, e.changes) for e in events} == {("person", '{"active":[true,false]}')}
    assert {e.actor for e in events} == {"testby-outsider"}
    assert audit.verify(session).ok


def _installation_admin(session, world) -> Actor:
    """The world's person with no seat, made an installation administrator by the operator."""
    outsider = world.people["outsider"]
    set_installation_admin(session, actor=Actor.system(), person=outsider, admin=True, now=NOW)
    return actor_for(outsider)


def test_making_an_installation_administrator_is_audited_in_every_council(session, world):
    other = create_council(
        session,
        actor=Actor.system(),
        slug="andreby",
        name="Politirådet i Andreby",
        municipality="Andreby kommune",
        police_district="Andreby politidistrikt",
    )
    outsider = world.people["outsider"]

    set_installation_admin(session, actor=Actor.system(), person=outsider, admin=True, now=NOW)
    set_installation_admin(session, actor=Actor.system(), person=outsider, admin=False, now=NOW)

    events = _about(session, outsider.id)
    assert [(e.council_id, e.actor, json.loads(e.changes)) for e in events] == [
        (world.council.id, "system", {"installation_admin": [False, True]}),
        (other.id, "system", {"installation_admin": [False, True]}),
        (world.council.id, "system", {"installation_admin": [True, False]}),
        (other.id, "system", {"installation_admin": [True, False]}),
    ]
    assert audit.verify(session).ok


def test_ending_a_persons_seats_in_a_council_is_audited_there_and_leaves_the_person(session, world):
    member = world.people["kmember"]
    (seat,) = member.memberships
    sec = world.actor("sec")
    newcomer = create_person(session, actor=Actor.system(), login="senere", display_name="Senere")
    add_membership(  # the council's own person from now on
        session,
        actor=Actor.system(),
        person=newcomer,
        council=world.council,
        party="municipality",
        role="guest",
        valid_from=date(2025, 1, 1),
        valid_to=date(2025, 12, 31),
    )
    begins_today, begins_later = (
        add_membership(
            session,
            actor=sec,
            person=newcomer,
            council=world.council,
            party="municipality",
            role=role,
            valid_from=day,
            now=NOW,
        ).seat
        for role, day in (("member", date(2026, 3, 2)), ("reporter", date(2026, 6, 1)))
    )
    before = {p.id: len(_about(session, p.id)) for p in (member, newcomer)}

    end_seats(session, actor=sec, person=member, council=world.council, now=NOW)
    end_seats(session, actor=sec, person=newcomer, council=world.council, now=NOW)

    [ended] = _about(session, member.id)[before[member.id] :]
    assert json.loads(ended.changes) == {f"membership.{seat.id}.valid_to": [None, "2026-03-01"]}
    assert member.active
    taken = [json.loads(e.changes) for e in _about(session, newcomer.id)[before[newcomer.id] :]]
    assert [
        {key: pair for key, pair in changes.items() if key.endswith((".role", ".valid_from"))}
        for changes in taken
    ] == [
        {
            f"membership.{begins_today.id}.role": ["member", None],
            f"membership.{begins_today.id}.valid_from": ["2026-03-02", None],
        },
        {
            f"membership.{begins_later.id}.role": ["reporter", None],
            f"membership.{begins_later.id}.valid_from": ["2026-06-01", None],
        },
    ]
    left = session.scalars(select(Membership.role).where(Membership.person_id == newcomer.id))
    assert left.all() == ["guest"]  # the seat that had ended stays as it was
    assert audit.verify(session).ok


def test_a_persons_changed_details_are_audited_and_unchanged_ones_are_not(session, world):
    member = world.people["kmember"]
    old_name = member.display_name
    before = len(_about(session, member.id))

    update_person(
        session,
        actor=world.actor("kmember"),
        person=member,
        display_name="Nytt Navn",
        email=member.email,
        locale=member.locale,
        now=NOW,
    )

    [event] = _about(session, member.id)[before:]
    assert json.loads(event.changes) == {"display_name": [old_name, "Nytt Navn"]}
    assert event.actor == member.login


def test_altering_an_event_about_a_person_breaks_the_chain_at_that_event(session, world):
    member = world.people["kmember"]
    seat = session.scalars(select(Membership).where(Membership.person_id == member.id)).one()
    asked = update_membership(
        session, actor=world.actor("sec"), membership=seat, valid_to=None, cleared=True, now=NOW
    )
    approve_grant(session, actor=world.actor("deputy"), grant=asked.waiting, now=NOW)
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
