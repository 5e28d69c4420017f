"""The Oslo demo council: what ``politirad demo load`` puts in an empty database."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import audit
from engine.actors import Actor, load_actor
from engine.calendar import is_working_day, to_oslo
from engine.db import WRITE_OPTION
from engine.demo import DEMO_PASSWORD, PEOPLE, Demo, load_demo
from engine.models import Approval, Bydel, Case, CaseEvent, Membership, SeatGrant
from engine.passwords import verify_password
from engine.queries import list_cases
from engine.runtime import current_definitions
from engine.services.grants import why_not_decide

FIXED_NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch):
    """Argon2 at full cost takes a quarter of a second per person; a hash made with cheap
    parameters verifies just the same (verification reads them from the hash)."""
    monkeypatch.setattr("engine.services.people.hash_password", CHEAP_HASHER.hash)


@pytest.fixture
def demo(session: Session) -> Demo:
    return load_demo(session, now=FIXED_NOW)


def cases_of(demo: Demo, kind: str) -> list[Case]:
    return [case for case in demo.cases if case.kind == kind]


def the_case(demo: Demo, title_part: str) -> Case:
    (case,) = [case for case in demo.cases if title_part in case.title]
    return case


def test_the_demo_loads_the_oslo_council_with_people_logins_and_reference_data(session, demo):
    assert (demo.council.slug, demo.council.name) == ("oslo", "Politirådet i Oslo")
    assert demo.council.municipality == "Oslo kommune"
    assert demo.council.police_district == "Oslo politidistrikt"
    assert [person.login for person in demo.people] == [spec.login for spec in PEOPLE]
    assert [person for person, _ in demo.logins] == demo.people
    assert all(description for _, description in demo.logins)
    assert all(person.email.endswith("@example.no") for person in demo.people)
    bydeler = session.scalars(select(Bydel).where(Bydel.council_id == demo.council.id)).all()
    assert len(bydeler) == 15
    assert len(demo.cases) >= 12


def test_every_workflow_has_cases_in_many_states(demo):
    assert {case.kind for case in demo.cases} == set(current_definitions())
    pairs = {(case.kind, case.state) for case in demo.cases}
    assert len(pairs) >= 15
    items = {case.state for case in cases_of(demo, "agenda_item")}
    assert {"draft", "proposed", "scheduled", "prepared", "decided", "noted", "closed"} <= items
    meetings = {case.state for case in cases_of(demo, "meeting")}
    assert {"planned", "convened", "minutes_review", "published"} <= meetings
    assert {case.state for case in cases_of(demo, "bylaw_revision")} == {
        "in_consultation",
        "in_force",
    }
    assert {case.state for case in cases_of(demo, "steering_report")} == {
        "submitted",
        "requested",
    }


def test_the_audit_chain_verifies(session, demo):
    result = audit.verify(session)
    assert result.ok, result.problem
    assert result.checked > len(demo.cases)


def test_every_case_is_in_the_state_its_audited_history_leads_to(session, demo):
    for case in demo.cases:
        last = session.scalars(
            select(CaseEvent)
            .where(CaseEvent.case_id == case.id, CaseEvent.to_state.is_not(None))
            .order_by(CaseEvent.seq.desc())
            .limit(1)
        ).one()
        assert (case.number, last.to_state) == (case.number, case.state)
        assert case.state_entry == last.seq


def test_the_history_lies_in_the_past_and_runs_forward_in_time(session, demo):
    times = session.scalars(select(CaseEvent.at).order_by(CaseEvent.seq)).all()
    assert times == sorted(times)
    assert times[-1] <= FIXED_NOW
    assert times[0].year == 2023


def test_every_person_can_act_and_log_in_with_the_demo_password(session, demo):
    today = to_oslo(FIXED_NOW).date()
    for person in demo.people:
        actor = load_actor(session, person.login)
        assert actor.seats_in(demo.council.id, today), person.login
        assert verify_password(person.password_hash, DEMO_PASSWORD)
        assert not verify_password(person.password_hash, "feil-passord")


def test_members_are_appointed_by_the_leader_of_their_party(session, demo):
    by_login = {person.login: person for person in demo.people}
    members = session.scalars(
        select(Membership).where(
            Membership.council_id == demo.council.id, Membership.role == "member"
        )
    ).all()
    appointers = {"municipality": by_login["leder"], "police": by_login["politimester"]}
    assert {m.party for m in members} == {"municipality", "police"}
    assert len(members) == 4
    for membership in members:
        assert membership.appointed_by == appointers[membership.party]
        assert membership.valid_from == date(2023, 1, 1)
    police_clearance = sorted(m.cleared for m in members if m.party == "police")
    assert police_clearance == [False, True]


def test_the_public_sees_public_titles_of_exempt_cases_and_nothing_of_restricted_ones(
    session, demo
):
    exempt = the_case(demo, "Sikringstiltak")
    restricted = the_case(demo, "Trusselvurdering fra PST")
    assert (exempt.access, exempt.legal_basis) == ("exempt", "offl. § 24 tredje ledd")
    assert (restricted.access, restricted.public_title) == ("restricted", "Orientering fra PST")

    rows = {row.number: row for row in list_cases(session, Actor.public(), demo.council, limit=100)}
    assert len(rows) == len(demo.cases) - 1
    assert rows[exempt.number].title == exempt.public_title != exempt.title
    assert rows[exempt.number].legal_basis == "offl. § 24 tredje ledd"
    assert not rows[exempt.number].full
    assert restricted.number not in rows
    assert not list_cases(session, Actor.public(), demo.council, text="Trusselvurdering")


def test_only_cleared_members_see_the_security_service_briefing(session, demo):
    restricted = the_case(demo, "Trusselvurdering fra PST")

    def titles_for(login: str) -> set[str]:
        rows = list_cases(session, load_actor(session, login), demo.council, limit=100)
        return {row.title for row in rows if row.number == restricted.number}

    assert titles_for("forebygging") == {restricted.title}
    assert titles_for("enhetost") == set()


def test_the_agreement_2023_2025_is_in_force_signed_by_both_parties(session, demo):
    agreement = the_case(demo, "2023–2025")
    assert agreement.kind == "agreement_revision"
    assert agreement.state == "in_force"
    assert (agreement.data["valid_from"], agreement.data["valid_to"]) == (
        "2023-01-01",
        "2025-12-31",
    )
    signatures = session.scalars(
        select(Approval).where(Approval.case_id == agreement.id, Approval.trigger == "sign")
    ).all()
    signers = {approval.party: approval.person_id for approval in signatures}
    by_login = {person.login: person.id for person in demo.people}
    assert signers == {"municipality": by_login["leder"], "police": by_login["politimester"]}
    revision = the_case(demo, "2027–2029")
    assert (revision.state, revision.parent_id) == ("draft", agreement.id)


def test_this_year_s_meetings_are_on_working_days_around_today(demo):
    today = to_oslo(FIXED_NOW).date()
    days = {
        case.state: date.fromisoformat(case.data["meeting_date"])
        for case in cases_of(demo, "meeting")
    }
    assert all(is_working_day(day) for day in days.values())
    assert days["published"] < days["minutes_review"] < today < days["convened"] < days["planned"]


def test_the_overdue_report_and_the_running_consultation_are_dated_relative_to_today(demo):
    today = to_oslo(FIXED_NOW).date()
    requested = next(c for c in cases_of(demo, "steering_report") if c.state == "requested")
    assert date.fromisoformat(requested.data["due_date"]) < today
    consultation = next(c for c in cases_of(demo, "bylaw_revision") if c.state == "in_consultation")
    assert consultation.state_entered_at.year == today.year


@contextmanager
def rolled_back_session(engine) -> Iterator[Session]:
    """A session of its own, rolled back at the end (like the ``session`` fixture)."""
    connection = engine.connect().execution_options(**{WRITE_OPTION: True})
    outer = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint")
    try:
        yield session
    finally:
        session.close()
        outer.rollback()
        connection.close()


def states_as_of(engine, now: datetime | None) -> Counter[tuple[str, str]]:
    with rolled_back_session(engine) as session:
        return Counter((case.kind, case.state) for case in load_demo(session, now=now).cases)


@pytest.mark.parametrize(
    "fixed_now",
    [FIXED_NOW, datetime(2027, 1, 4, 7, 0, tzinfo=UTC), datetime(2028, 7, 14, 22, 30, tzinfo=UTC)],
    ids=["2026-11-27", "after-new-year", "summer-night"],
)
def test_a_fixed_now_gives_the_same_states_as_the_default(engine, fixed_now):
    assert states_as_of(engine, fixed_now) == states_as_of(engine, None)


def test_the_demos_uncleared_member_waits_for_clearance_that_the_leaders_may_approve(session, demo):
    (grant,) = session.scalars(select(SeatGrant)).all()
    assert (grant.kind, grant.state, grant.person.login, grant.requested_by.login) == (
        "clearance",
        "pending",
        "enhetost",
        "sekretariat",
    )
    today = to_oslo(FIXED_NOW).date()
    may = {
        login
        for login in ("leder", "politimester", "sekretariat", "enhetost", "forebygging")
        if why_not_decide(load_actor(session, login), grant, today) is None
    }
    assert may == {"leder", "politimester"}
    assert not grant.membership.cleared
