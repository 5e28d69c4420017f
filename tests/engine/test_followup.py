"""Follow-up of decisions: actions, referrals, the follow-up list and closing the item."""

from __future__ import annotations

import json
import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from engine import audit
from engine.actors import Actor, load_actor
from engine.db import make_engine, session_factory
from engine.errors import GuardFailed, NotFound, PermissionDenied, ValidationError
from engine.models import Action, Case, CaseEvent, Deadline, OutboxMessage
from engine.seeding import make_world
from engine.services import fire, open_case, update_case
from engine.services.followup import (
    HIDDEN_DESCRIPTION,
    add_action,
    add_referral,
    cancel_action,
    complete_action,
    follow_up_list,
    get_action,
    get_referral,
    register_response,
    report_progress,
)
from tests.clock import NOW
from tests.databases import fresh_database, migrate

DUE = date(2026, 6, 1)


def decided_item(session, world, title="Trygghet på Grønland", **access):
    """An agenda item taken through its workflow to a two-party decision."""
    sec = world.actor("sec")
    meeting = open_case(
        session,
        council=world.council,
        kind="meeting",
        title="Ordinært møte",
        actor=sec,
        data={"meeting_date": "2026-03-26", "kind": "ordinary"},
        now=NOW,
    )
    item = open_case(
        session,
        council=world.council,
        kind="agenda_item",
        title=title,
        actor=sec,
        meeting=meeting,
        priority_areas=[world.area(session).id],
        data={"meeting_date": "2026-03-26"},
        now=NOW,
        **access,
    )
    fire(session, item, "propose", actor=sec, now=NOW)
    fire(session, item, "schedule", actor=sec, now=NOW)
    memo = {"memo": "Saksframlegg", "access_assessed": True}
    fire(session, item, "prepare", actor=sec, data=memo, now=NOW)
    meeting.state = "held"  # the meeting's own workflow is tested with the meetings
    session.flush()
    fire(session, item, "deliberate", actor=sec, now=NOW)
    decision = {"decision_text": "Politirådet ber om en felles plan."}
    fire(session, item, "decide", actor=world.actor("leader"), data=decision, now=NOW)
    fire(session, item, "decide", actor=world.actor("deputy"), now=NOW)
    assert item.state == "decided"
    return item


def action(session, world, item, *, due=DUE, owner=None, party="police", **kwargs):
    return add_action(
        session,
        item,
        actor=world.actor("sec"),
        description="Lage en felles plan for Grønland",
        owner_party=party,
        owner_person=world.people[owner] if owner else None,
        due=due,
        now=NOW,
        **kwargs,
    )


def referral(session, world, item, *, due=DUE):
    return add_referral(
        session,
        item,
        actor=world.actor("sec"),
        target="city_council",
        target_name="Bystyret",
        description="Bystyret bes vurdere midler til tiltaket",
        response_due=due,
        now=NOW,
    )


def changes_of(session, item):
    events = session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == item.id, CaseEvent.kind == "update")
    )
    return [json.loads(event.changes) for event in events]


def test_an_action_on_a_decided_item_puts_it_in_follow_up_at_once(session, world):
    item = decided_item(session, world)
    added = action(session, world, item, owner_unit="Enhet Øst")
    assert (added.status, added.percent, added.owner_unit) == ("open", 0, "Enhet Øst")
    assert item.state == "follow_up"
    start = session.scalars(
        select(CaseEvent).where(
            CaseEvent.case_id == item.id, CaseEvent.trigger == "start_follow_up"
        )
    ).one()
    assert start.actor == "system" and start.from_state == "decided"
    assert changes_of(session, item)[-1][f"action.{added.id}.status"] == [None, "open"]
    waiting = session.scalar(
        select(func.count()).where(Deadline.case_id == item.id, Deadline.status == "pending")
    )
    assert waiting == 0  # the scheduler's own start of follow-up is no longer due
    assert audit.verify(session).ok


def test_a_second_action_leaves_the_item_in_follow_up(session, world):
    item = decided_item(session, world)
    action(session, world, item)
    version = item.version
    second = referral(session, world, item)
    assert item.state == "follow_up" and item.version == version
    assert changes_of(session, item)[-1][f"referral.{second.id}.target_name"] == [None, "Bystyret"]


def test_a_due_date_on_a_holiday_moves_to_the_next_working_day(session, world):
    item = decided_item(session, world)
    assert action(session, world, item, due=date(2026, 5, 17)).due == date(2026, 5, 18)
    assert referral(session, world, item, due=date(2026, 5, 14)).response_due == date(2026, 5, 15)


def test_follow_up_belongs_to_a_decided_agenda_item(session, world):
    item = decided_item(session, world)
    draft = open_case(
        session,
        council=world.council,
        kind="agenda_item",
        title="Utkast",
        actor=world.actor("sec"),
        now=NOW,
    )
    with pytest.raises(ValidationError, match="decided agenda item"):
        action(session, world, draft)
    with pytest.raises(ValidationError, match="decided agenda item"):
        referral(session, world, draft)
    fire(session, item, "close", actor=world.actor("sec"), now=NOW)
    with pytest.raises(ValidationError, match="is closed"):
        action(session, world, item)


@pytest.mark.parametrize("login", ["kmember", "reporter", "guest", "outsider"])
def test_only_the_secretariat_or_the_leaders_record_follow_up(session, world, login):
    item = decided_item(session, world)
    with pytest.raises(PermissionDenied):
        add_action(
            session,
            item,
            actor=world.actor(login),
            description="Noe",
            owner_party="police",
            due=DUE,
            now=NOW,
        )
    with pytest.raises(PermissionDenied):
        add_referral(
            session,
            item,
            actor=world.actor(login),
            target="pod",
            target_name="Politidirektoratet",
            description="Noe",
            response_due=DUE,
            now=NOW,
        )
    assert item.state == "decided"


def test_the_leaders_record_follow_up_too(session, world):
    item = decided_item(session, world)
    added = add_action(
        session,
        item,
        actor=world.actor("deputy"),
        description="Patruljere oftere",
        owner_party="police",
        due=DUE,
        now=NOW,
    )
    event = session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == item.id, CaseEvent.kind == "update")
    ).one()
    assert added.status == "open"
    assert (event.actor, event.party) == (world.people["deputy"].login, "police")


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"party": "external"}, "owner_party"),
        ({"owner": "kmember"}, "owner_person"),
        ({"due": date(2026, 2, 27)}, "due"),
        ({"due": "2026-06-01"}, "due"),
        ({"description": "  "}, "description"),
    ],
)
def test_an_action_needs_an_owning_party_a_description_and_a_future_due_date(
    session, world, fields, problem
):
    item = decided_item(session, world)
    arguments = {
        "actor": world.actor("sec"),
        "description": fields.get("description", "Lage en plan"),
        "owner_party": fields.get("party", "police"),
        "owner_person": world.people[fields["owner"]] if "owner" in fields else None,
        "due": fields.get("due", DUE),
        "now": NOW,
    }
    with pytest.raises(ValidationError) as raised:
        add_action(session, item, **arguments)
    assert problem in raised.value.errors
    assert item.state == "decided"


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"target": "stortinget"}, "target"),
        ({"target_name": ""}, "target_name"),
        ({"description": ""}, "description"),
        ({"response_due": date(2026, 2, 27)}, "response_due"),
    ],
)
def test_a_referral_needs_a_known_target_a_description_and_a_future_due_date(
    session, world, fields, problem
):
    item = decided_item(session, world)
    arguments = {
        "actor": world.actor("sec"),
        "target": "bydel",
        "target_name": "Bydel Gamle Oslo",
        "description": "Bydelen bes følge opp",
        "response_due": DUE,
        "now": NOW,
        **fields,
    }
    with pytest.raises(ValidationError) as raised:
        add_referral(session, item, **arguments)
    assert problem in raised.value.errors


def test_the_owner_of_a_new_action_is_told(session, world):
    item = decided_item(session, world)
    added = action(session, world, item, owner="pmember")
    message = session.scalars(
        select(OutboxMessage).where(OutboxMessage.topic == "action_assigned")
    ).one()
    assert message.recipient_id == world.people["pmember"].id
    assert message.payload == {"action": added.id, "due": "2026-06-01"}
    assert "01.06.2026" in message.subject and item.number in message.subject


def test_progress_notes_move_an_open_action_into_progress(session, world):
    item = decided_item(session, world)
    added = action(session, world, item, owner="pmember")
    note = report_progress(
        session, added, actor=world.actor("pmember"), text="Første møte holdt", percent=40, now=NOW
    )
    assert (added.status, added.percent) == ("in_progress", 40)
    assert (note.text, note.percent, note.person_id) == (
        "Første møte holdt",
        40,
        world.people["pmember"].id,
    )
    report_progress(session, added, actor=world.actor("sec"), text="Ingen endring", now=NOW)
    assert added.percent == 40 and [n.text for n in added.notes] == [
        "Første møte holdt",
        "Ingen endring",
    ]
    first, second = changes_of(session, item)[-2:]
    key = f"action.{added.id}"
    assert first[f"{key}.status"] == ["open", "in_progress"]
    assert first[f"{key}.percent"] == [0, 40]
    assert second == {f"{key}.note": [None, "Ingen endring"]}
    assert item.state == "follow_up"


@pytest.mark.parametrize("percent", [-1, 101, True, 50.5])
def test_percent_complete_is_a_whole_number_from_0_to_100(session, world, percent):
    item = decided_item(session, world)
    added = action(session, world, item)
    with pytest.raises(ValidationError):
        report_progress(
            session, added, actor=world.actor("sec"), text="x", percent=percent, now=NOW
        )
    assert added.status == "open"


def test_a_progress_note_needs_text(session, world):
    added = action(session, world, decided_item(session, world))
    with pytest.raises(ValidationError):
        report_progress(session, added, actor=world.actor("sec"), text=" ", now=NOW)


@pytest.mark.parametrize(
    ("owner", "login", "allowed"),
    [
        (None, "sec", True),
        (None, "leader", True),
        (None, "pmember", True),  # a member of the owning party
        (None, "kmember", False),  # a member of the other party
        ("pmember", "pmember", True),  # the owner
        ("reporter", "reporter", True),  # an owner who is no member
        ("reporter", "pmember", False),  # the owning party here is the municipality
        (None, "reporter", False),
        (None, "guest", False),
        (None, "outsider", False),
    ],
)
def test_who_may_change_an_action(session, world, owner, login, allowed):
    item = decided_item(session, world)
    party = "municipality" if owner == "reporter" else "police"
    added = action(session, world, item, owner=owner, party=party)
    if allowed:
        report_progress(session, added, actor=world.actor(login), text="Godt i gang", now=NOW)
        complete_action(session, added, actor=world.actor(login), now=NOW)
        assert added.status == "done"
    else:
        with pytest.raises(PermissionDenied):
            report_progress(session, added, actor=world.actor(login), text="Godt i gang", now=NOW)
        with pytest.raises(PermissionDenied):
            complete_action(session, added, actor=world.actor(login), now=NOW)
        assert added.status == "open"


def test_an_uncleared_member_may_not_touch_follow_up_on_a_restricted_item(session, world):
    item = decided_item(session, world)
    added = action(session, world, item, party="municipality")
    restrict(session, world, item)
    with pytest.raises(PermissionDenied, match="not cleared"):
        report_progress(session, added, actor=world.actor("kmember"), text="x", now=NOW)


def test_a_finished_action_cannot_change_again(session, world):
    item = decided_item(session, world)
    done, cancelled, _open = (action(session, world, item) for _ in range(3))
    complete_action(session, done, actor=world.actor("sec"), now=NOW)
    cancel_action(session, cancelled, actor=world.actor("sec"), reason="Overflødig", now=NOW)
    for finished in (done, cancelled):
        with pytest.raises(ValidationError, match=r"is (done|cancelled)"):
            report_progress(session, finished, actor=world.actor("sec"), text="x", now=NOW)
        with pytest.raises(ValidationError):
            complete_action(session, finished, actor=world.actor("sec"), now=NOW)
        with pytest.raises(ValidationError):
            cancel_action(session, finished, actor=world.actor("sec"), reason="x", now=NOW)
    assert (done.status, cancelled.status) == ("done", "cancelled")


def test_completing_an_action_makes_it_whole_and_stamps_it(session, world):
    item = decided_item(session, world)
    added, _other = action(session, world, item), action(session, world, item)
    later = NOW + timedelta(days=30)
    complete_action(
        session, added, actor=world.actor("sec"), comment="Planen er vedtatt", now=later
    )
    assert (added.status, added.percent, added.closed_at) == ("done", 100, later)
    event = session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == item.id).order_by(CaseEvent.seq.desc())
    ).first()
    assert event.comment == "Planen er vedtatt"
    assert json.loads(event.changes) == {
        f"action.{added.id}.status": ["open", "done"],
        f"action.{added.id}.percent": [0, 100],
    }


def test_cancelling_an_action_needs_a_reason_which_is_kept_as_a_note(session, world):
    item = decided_item(session, world)
    added, _other = action(session, world, item), action(session, world, item)
    with pytest.raises(ValidationError):
        cancel_action(session, added, actor=world.actor("sec"), reason="  ", now=NOW)
    cancel_action(
        session, added, actor=world.actor("sec"), reason="Dekket av annet tiltak", now=NOW
    )
    assert added.status == "cancelled" and added.closed_at == NOW
    assert [note.text for note in added.notes] == ["Dekket av annet tiltak"]


def test_the_item_closes_itself_when_its_last_action_or_referral_closes_and_not_before(
    session, world
):
    item = decided_item(session, world)
    first, second = action(session, world, item), action(session, world, item)
    sent = referral(session, world, item)
    complete_action(session, first, actor=world.actor("sec"), now=NOW)
    assert item.state == "follow_up"
    cancel_action(session, second, actor=world.actor("sec"), reason="Bortfalt", now=NOW)
    assert item.state == "follow_up"
    register_response(session, sent, actor=world.actor("sec"), response="Midler bevilget", now=NOW)
    assert item.state == "closed"
    close = session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == item.id, CaseEvent.trigger == "close")
    ).one()
    assert (close.actor, close.from_state) == ("system", "follow_up")
    assert audit.verify(session).ok


def test_the_secretariat_cannot_close_an_item_with_open_follow_up(session, world):
    item = decided_item(session, world)
    action(session, world, item)
    referral(session, world, item)
    with pytest.raises(GuardFailed, match=r"1 action\(s\) still open, 1 referral"):
        fire(session, item, "close", actor=world.actor("sec"), now=NOW)
    assert item.state == "follow_up"


def test_a_referral_is_closed_once_when_its_response_is_registered(session, world):
    item = decided_item(session, world)
    sent = referral(session, world, item)
    action(session, world, item)
    with pytest.raises(PermissionDenied):
        register_response(session, sent, actor=world.actor("kmember"), response="Ja", now=NOW)
    with pytest.raises(ValidationError):
        register_response(session, sent, actor=world.actor("sec"), response=" ", now=NOW)
    register_response(session, sent, actor=world.actor("sec"), response="Ja", now=NOW)
    assert (sent.response, sent.responded_at) == ("Ja", NOW)
    with pytest.raises(ValidationError, match=r"answered on 02\.03\.2026"):
        register_response(session, sent, actor=world.actor("sec"), response="Nei", now=NOW)
    assert changes_of(session, item)[-1] == {f"referral.{sent.id}.response": [None, "Ja"]}
    assert item.state == "follow_up"


def test_actions_and_referrals_are_found_in_their_own_council_only(session, world):
    added = action(session, world, decided_item(session, world))
    other = make_world(session, slug="annenby")
    assert get_action(session, world.council, added.id) is added
    with pytest.raises(NotFound):
        get_action(session, other.council, added.id)
    with pytest.raises(NotFound):
        get_referral(session, world.council, 10**6)


def test_the_follow_up_list_puts_overdue_first_then_by_due_date(session, world):
    item = decided_item(session, world)
    late = action(session, world, item, due=date(2026, 4, 15), owner="pmember", owner_unit="Øst")
    later = action(session, world, item, due=date(2026, 9, 1))
    soon = referral(session, world, item, due=date(2026, 5, 4))
    overdue_referral = referral(session, world, item, due=date(2026, 3, 16))
    finished = action(session, world, item, due=date(2026, 3, 10))
    complete_action(session, finished, actor=world.actor("sec"), now=NOW)
    elsewhere = make_world(session, slug="annenby")
    action(session, elsewhere, decided_item(session, elsewhere), due=date(2026, 3, 5))

    rows = follow_up_list(session, world.council, as_of=date(2026, 4, 20), actor=world.actor("sec"))

    assert [(row.kind, row.id, row.overdue) for row in rows] == [
        ("referral", overdue_referral.id, True),
        ("action", late.id, True),
        ("referral", soon.id, False),
        ("action", later.id, False),
    ]
    first_action = rows[1]
    assert first_action.case_number == item.number
    assert first_action.case_title == "Trygghet på Grønland"
    assert first_action.owner == "Pmember, Øst, Politiet"
    assert (first_action.owner_party, first_action.status, first_action.percent) == (
        "police",
        "open",
        0,
    )
    assert (rows[0].owner, rows[0].owner_party, rows[0].percent) == ("Bystyret", None, None)


def test_the_follow_up_list_leaves_restricted_items_out_for_the_uncleared(session, world):
    item = decided_item(session, world, title="Kartlegging av kriminelle nettverk")
    action(session, world, item)
    restrict(session, world, item)
    as_of = date(2026, 4, 1)

    (shown,) = follow_up_list(session, world.council, as_of=as_of, actor=world.actor("pmember"))

    assert follow_up_list(session, world.council, as_of=as_of, actor=world.actor("kmember")) == []
    assert follow_up_list(session, world.council, as_of=as_of, actor=Actor.public()) == []
    assert shown.case_title == "Kartlegging av kriminelle nettverk"
    assert shown.description == "Lage en felles plan for Grønland"


def test_the_follow_up_list_shows_an_exempt_items_public_title_without_its_description(
    session, world
):
    item = decided_item(session, world, title="Kartlegging av kriminelle nettverk")
    action(session, world, item)
    update_case(
        session,
        item,
        actor=world.actor("leader"),
        changes={
            "access": "exempt",
            "legal_basis": "offl. § 24 tredje ledd",
            "public_title": "Orientering fra politiet",
        },
        now=NOW,
    )
    as_of = date(2026, 4, 1)

    (public,) = follow_up_list(session, world.council, as_of=as_of, actor=Actor.public())
    (member,) = follow_up_list(session, world.council, as_of=as_of, actor=world.actor("kmember"))

    assert public.case_title == "Orientering fra politiet"
    assert public.description == HIDDEN_DESCRIPTION
    assert (member.case_title, member.description) == (
        "Kartlegging av kriminelle nettverk",
        "Lage en felles plan for Grønland",
    )


def restrict(session, world, item):
    update_case(
        session,
        item,
        actor=world.actor("leader"),
        changes={"access": "restricted", "public_title": "Orientering fra politiet"},
        now=NOW,
    )


# -- real commits, real threads --------------------------------------------------------


@pytest.fixture
def committed(db_kind, tmp_path):
    with fresh_database(db_kind, tmp_path) as url:
        migrate(url)
        engine = make_engine(url)
        try:
            yield engine
        finally:
            engine.dispose()


def finish_at_once(engine, item_id: int, action_ids: list[int], login: str) -> list[str]:
    """Each thread has read its action while it was open, then completes it at the same
    moment as the other; returns each thread's outcome."""
    reads, writes = session_factory(engine), session_factory(engine, write=True)
    barrier = threading.Barrier(len(action_ids))
    outcomes: list[str] = []

    def finish(action_id: int) -> None:
        with reads() as session:
            stale = session.get(Action, action_id)
        barrier.wait()
        with writes() as session:
            try:
                loaded = session.merge(stale, load=False)
                complete_action(session, loaded, actor=load_actor(session, login), now=NOW)
                session.commit()
                outcomes.append("done")
            except ValidationError:
                outcomes.append("refused")

    threads = [threading.Thread(target=finish, args=(action_id,)) for action_id in action_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


@pytest.mark.parametrize("same", [False, True], ids=["two actions", "one action"])
def test_finishing_follow_up_at_the_same_moment_is_recorded_once(committed, same):
    with session_factory(committed, write=True)() as session:
        world = make_world(session)
        item = decided_item(session, world)
        ids = [action(session, world, item).id for _ in range(2)]
        session.commit()
        item_id, login = item.id, world.people["sec"].login

    outcomes = finish_at_once(committed, item_id, [ids[0], ids[0]] if same else ids, login)

    with session_factory(committed)() as session:
        events = session.scalars(select(CaseEvent).where(CaseEvent.case_id == item_id))
        done = [e for e in events if ["open", "done"] in json.loads(e.changes).values()]
        closes = session.scalar(
            select(func.count()).where(CaseEvent.case_id == item_id, CaseEvent.trigger == "close")
        )
        if same:
            assert outcomes == ["done", "refused"]
            assert (len(done), closes) == (1, 0)
            assert session.get(Case, item_id).state == "follow_up"
        else:
            assert outcomes == ["done", "done"]
            assert (len(done), closes) == (2, 1)
            assert session.get(Case, item_id).state == "closed"
        assert audit.verify(session).ok
