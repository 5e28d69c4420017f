"""Four eyes on clearance and seats with power, in the engine and in the database.

Who may do what (``engine.services.grants``): the council's secretariat asks; someone else with
an active secretariat, leader or deputy seat approves or refuses, cleared when clearance is
asked for; nobody asks for, approves or refuses a grant about themselves; the person who asked
withdraws. The system gives seats directly and never approves.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from engine.actors import Actor, actor_for
from engine.errors import Conflict, PermissionDenied, ValidationError
from engine.models import Membership, OutboxMessage, SeatGrant
from engine.seeding import make_world
from engine.services.grants import (
    approve_grant,
    refuse_grant,
    request_clearance,
    request_seat,
    why_not_decide,
    withdraw_grant,
)
from engine.services.people import (
    add_membership,
    create_person,
    set_active,
    set_installation_admin,
    update_membership,
    update_person,
)

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
TODAY = date(2026, 3, 2)


def seat_of(session, world, login: str) -> Membership:
    return session.scalars(
        select(Membership).where(Membership.person_id == world.people[login].id)
    ).one()


def clearance_for(session, world, login: str = "kmember") -> SeatGrant:
    """Clearance for ``login``'s seat, asked for by the (uncleared) secretariat."""
    return request_clearance(
        session, actor=world.actor("sec"), membership=seat_of(session, world, login), now=NOW
    )


def leader_seat_for(session, world, login: str) -> SeatGrant:
    return request_seat(
        session,
        actor=world.actor("sec"),
        person=world.people[login],
        council=world.council,
        party="police",
        role="leader",
        valid_from=TODAY,
        now=NOW,
    )


def colleague(session, world, *, cleared: bool) -> Actor:
    """A second person in the council's secretariat, seated by the system."""
    person = create_person(
        session, actor=Actor.system(), login=f"sek-{cleared}", display_name="Kollega"
    )
    add_membership(
        session,
        actor=Actor.system(),
        person=person,
        council=world.council,
        party="police",
        role="secretariat",
        valid_from=date(2020, 1, 1),
        cleared=cleared,
    )
    session.refresh(person)
    return actor_for(person)


# --- asking ---------------------------------------------------------------------------------


def test_nobody_asks_for_clearance_or_a_seat_with_power_for_themselves(session, world):
    sec = world.actor("sec")
    own = seat_of(session, world, "sec")
    with pytest.raises(PermissionDenied, match="for themselves"):
        request_clearance(session, actor=sec, membership=own, now=NOW)
    with pytest.raises(PermissionDenied, match="for themselves"):
        update_membership(session, actor=sec, membership=own, valid_to=None, cleared=True)
    with pytest.raises(PermissionDenied, match="for themselves"):
        add_membership(
            session,
            actor=sec,
            person=world.people["sec"],
            council=world.council,
            party="municipality",
            role="leader",
            valid_from=TODAY,
        )
    assert session.scalars(select(SeatGrant)).all() == []
    assert not own.cleared


@pytest.mark.parametrize("who", ["leader", "deputy", "pmember", "kmember", "guest", "outsider"])
def test_only_the_councils_secretariat_asks(session, world, who):
    with pytest.raises(PermissionDenied):
        request_clearance(
            session,
            actor=world.actor(who),
            membership=seat_of(session, world, "reporter"),
            now=NOW,
        )


def test_a_person_waits_for_at_most_one_grant_of_a_kind_in_a_council(session, world):
    first = clearance_for(session, world)
    assert clearance_for(session, world) is first  # asking again for the same seat
    leader_seat_for(session, world, "kmember")
    with pytest.raises(Conflict):
        leader_seat_for(session, world, "kmember")
    assert len(session.scalars(select(SeatGrant)).all()) == 2


def test_an_ordinary_seat_for_the_councils_own_person_is_given_at_once(session, world):
    given = add_membership(
        session,
        actor=world.actor("sec"),
        person=world.people["guest"],
        council=world.council,
        party="municipality",
        role="member",
        valid_from=TODAY,
        now=NOW,
    )
    assert given.seat is not None and given.waiting is None


@pytest.mark.parametrize("role", ["secretariat", "leader", "deputy"])
def test_a_seat_with_power_waits_for_a_second_person(session, world, role):
    asked = add_membership(
        session,
        actor=world.actor("sec"),
        person=world.people["kmember"],
        council=world.council,
        party="municipality",
        role=role,
        valid_from=TODAY,
        now=NOW,
    )
    assert asked.seat is None and asked.waiting.state == "pending"
    assert [m.role for m in world.people["kmember"].memberships] == ["member"]


def test_any_seat_for_a_person_of_another_council_waits_for_a_second_person(session, world):
    bergen = make_world(session, "bergen")
    oslo_only = world.people["kmember"]
    asked = add_membership(
        session,
        actor=bergen.actor("sec"),
        person=oslo_only,
        council=bergen.council,
        party="municipality",
        role="guest",
        valid_from=TODAY,
        now=NOW,
    )
    assert asked.seat is None and asked.waiting.council_id == bergen.council.id
    approve_grant(session, actor=bergen.actor("leader"), grant=asked.waiting, now=NOW)
    assert sorted(m.council_id for m in oslo_only.memberships) == sorted(
        [world.council.id, bergen.council.id]
    )


def test_the_system_gives_seats_and_clearance_at_once_and_never_approves(session, world):
    seat = seat_of(session, world, "kmember")
    done = update_membership(
        session, actor=Actor.system(), membership=seat, valid_to=None, cleared=True
    )
    assert seat.cleared and done.waiting is None
    grant = leader_seat_for(session, world, "pmember")
    with pytest.raises(PermissionDenied, match="approved by a person"):
        approve_grant(session, actor=Actor.system(), grant=grant, now=NOW)


# --- deciding --------------------------------------------------------------------------------


def test_who_may_decide_a_grant_and_why_the_others_may_not(session, world):
    clearance = clearance_for(session, world)
    reasons = {who: why_not_decide(world.actor(who), clearance, TODAY) for who in world.people}
    reasons["cleared colleague"] = why_not_decide(
        colleague(session, world, cleared=True), clearance, TODAY
    )
    reasons["uncleared colleague"] = why_not_decide(
        colleague(session, world, cleared=False), clearance, TODAY
    )

    assert reasons == {
        "leader": None,
        "deputy": None,
        "cleared colleague": None,
        "sec": "you asked for it yourself: another person must approve it",
        "kmember": "it is about you: another person must approve it",
        "uncleared colleague": (
            "only a cleared member of the secretariat, leader or deputy may approve clearance"
        ),
        "pmember": "only the council's secretariat, leader or deputy may approve it",
        "reporter": "only the council's secretariat, leader or deputy may approve it",
        "guest": "only the council's secretariat, leader or deputy may approve it",
        "outsider": "only the council's secretariat, leader or deputy may approve it",
    }


def test_a_seat_with_power_is_approved_by_an_uncleared_colleague_unless_asked_for_cleared(
    session, world
):
    uncleared = colleague(session, world, cleared=False)
    plain = leader_seat_for(session, world, "kmember")
    cleared = request_seat(
        session,
        actor=world.actor("sec"),
        person=world.people["reporter"],
        council=world.council,
        party="municipality",
        role="deputy",
        valid_from=TODAY,
        cleared=True,
        now=NOW,
    )
    assert why_not_decide(uncleared, plain, TODAY) is None
    with pytest.raises(PermissionDenied, match="cleared"):
        approve_grant(session, actor=uncleared, grant=cleared, now=NOW)

    approve_grant(session, actor=uncleared, grant=plain, now=NOW)
    given = plain.membership
    assert (given.role, given.party, given.cleared, given.valid_from) == (
        "leader",
        "police",
        False,
        TODAY,
    )


def test_a_decided_grant_cannot_be_decided_again(session, world):
    grant = clearance_for(session, world)
    refuse_grant(session, actor=world.actor("leader"), grant=grant, now=NOW)
    for decide in (approve_grant, refuse_grant):
        with pytest.raises(Conflict, match="refused already"):
            decide(session, actor=world.actor("deputy"), grant=grant, now=NOW)
    with pytest.raises(Conflict):
        withdraw_grant(session, actor=world.actor("sec"), grant=grant, now=NOW)
    assert not seat_of(session, world, "kmember").cleared


def test_only_the_person_who_asked_withdraws(session, world):
    grant = clearance_for(session, world)
    with pytest.raises(PermissionDenied, match="only the person who asked"):
        withdraw_grant(session, actor=world.actor("leader"), grant=grant, now=NOW)
    withdraw_grant(session, actor=world.actor("sec"), grant=grant, now=NOW)
    assert (grant.state, grant.decided_by_id) == ("withdrawn", world.people["sec"].id)


def test_clearance_of_a_seat_that_ended_meanwhile_is_not_approved(session, world):
    grant = clearance_for(session, world)
    seat = seat_of(session, world, "kmember")
    seat.valid_to = date(2026, 3, 1)
    with pytest.raises(ValidationError, match="ended"):
        approve_grant(session, actor=world.actor("leader"), grant=grant, now=NOW)
    assert not seat.cleared


def test_each_request_and_decision_tells_the_person_and_the_leaders_but_not_the_doer(
    session, world
):
    grant = clearance_for(session, world)
    approve_grant(session, actor=world.actor("leader"), grant=grant, now=NOW)

    told = session.execute(
        select(OutboxMessage.topic, OutboxMessage.recipient_id).order_by(OutboxMessage.id)
    ).all()
    people = world.people
    assert sorted(told) == sorted(
        [
            ("grant_requested", people["kmember"].id),
            ("grant_requested", people["leader"].id),
            ("grant_requested", people["deputy"].id),
            ("grant_approved", people["kmember"].id),
            ("grant_approved", people["deputy"].id),
        ]
    )
    subject = session.scalars(
        select(OutboxMessage.subject).where(OutboxMessage.topic == "grant_requested")
    ).first()
    assert subject == "Venter på godkjenning: klarering for skjermede saker for Kmember i " + (
        "Politirådet i testby"
    )


# --- the database ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("decider", "state"),
    [("sec", "approved"), ("kmember", "approved"), ("sec", "refused"), ("kmember", "refused")],
    ids=[
        "approved-by-the-asker",
        "approved-by-its-subject",
        "refused-by-the-asker",
        "refused-by-its-subject",
    ],
)
def test_the_database_refuses_a_grant_decided_by_the_asker_or_by_the_person_it_is_about(
    session, world, decider, state
):
    grant = clearance_for(session, world)
    with pytest.raises(IntegrityError, match="decided_by_another"), session.begin_nested():
        session.execute(
            update(SeatGrant)
            .where(SeatGrant.id == grant.id)
            .values(state=state, decided_by_id=world.people[decider].id, decided_at=NOW)
        )


def test_the_database_refuses_a_grant_asked_for_oneself(session, world):
    sec = world.people["sec"]
    with pytest.raises(IntegrityError, match="not_for_oneself"), session.begin_nested():
        session.execute(
            insert(SeatGrant).values(
                council_id=world.council.id,
                person_id=sec.id,
                kind="clearance",
                state="pending",
                membership_id=seat_of(session, world, "sec").id,
                cleared=False,
                requested_by_id=sec.id,
                requested_at=NOW,
            )
        )


def test_the_database_keeps_one_waiting_grant_of_a_kind_per_person_and_council(session, world):
    grant = clearance_for(session, world)
    again = {
        "council_id": world.council.id,
        "person_id": grant.person_id,
        "kind": "clearance",
        "state": "pending",
        "membership_id": grant.membership_id,
        "cleared": False,
        "requested_by_id": world.people["leader"].id,
        "requested_at": NOW,
    }
    refused = "uq_seat_grant_one_pending|UNIQUE constraint failed: seat_grant.council_id"
    with pytest.raises(IntegrityError, match=refused), session.begin_nested():
        session.execute(insert(SeatGrant).values(**again))
    refuse_grant(session, actor=world.actor("deputy"), grant=grant, now=NOW)
    session.execute(insert(SeatGrant).values(**again))  # once decided, another may wait


# --- a person's own details --------------------------------------------------------------


def test_only_the_person_or_an_installation_administrator_changes_their_details(session, world):
    member = world.people["kmember"]
    details = {"display_name": "Nytt", "email": "ny@example.no", "locale": "nb", "now": NOW}
    for who in ("sec", "leader", "deputy"):
        with pytest.raises(PermissionDenied, match="installation administrator"):
            update_person(session, actor=world.actor(who), person=member, **details)
        with pytest.raises(PermissionDenied, match="installation administrator"):
            set_active(session, actor=world.actor(who), person=member, active=False, now=NOW)
    assert (member.display_name, member.email, member.active) == ("Kmember", None, True)

    outsider = world.people["outsider"]
    set_installation_admin(session, actor=Actor.system(), person=outsider, admin=True, now=NOW)
    update_person(session, actor=actor_for(outsider), person=member, **details)
    set_active(session, actor=actor_for(outsider), person=member, active=False, now=NOW)
    assert (member.display_name, member.email, member.active) == ("Nytt", "ny@example.no", False)


def test_only_the_command_line_makes_an_installation_administrator(session, world):
    outsider = world.people["outsider"]
    set_installation_admin(session, actor=Actor.system(), person=outsider, admin=True, now=NOW)
    with pytest.raises(PermissionDenied, match="command line"):
        set_installation_admin(
            session, actor=actor_for(outsider), person=world.people["sec"], admin=True, now=NOW
        )
    assert not world.people["sec"].installation_admin


@pytest.mark.parametrize(
    "address", ["ingen-krøll", "to@@example.no", "a b@example.no", "x" * 250 + "@e.no"]
)
def test_an_address_that_is_not_one_is_refused(session, world, address):
    member = world.people["kmember"]
    with pytest.raises(ValidationError):
        update_person(
            session,
            actor=world.actor("kmember"),
            person=member,
            display_name=member.display_name,
            email=address,
            locale="nb",
            now=NOW,
        )
    assert member.email is None
