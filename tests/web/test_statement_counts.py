"""The dashboard, a filtered case list and a case page cost the same number of SQL
statements with a few rows as with many: nothing is fetched row by row."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event

from engine.clock import use_clock
from engine.models import Action, Finding, InboxMessage
from engine.services.cases import fire, open_case, update_case
from engine.services.meetings import create_meeting, proposed_dates
from tests.clock import NOW
from tests.web.conftest import log_in

MORE = 30


@pytest.fixture(autouse=True)
def clock():
    with use_clock(lambda: NOW):
        yield


@contextmanager
def counting(engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(_conn, _cursor, statement, _params, _context, _executemany):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def statements_for(client, engine, path: str) -> int:
    assert client.get(path).status_code == 200  # warm: workflow definitions, login
    with counting(engine) as statements:
        response = client.get(path)
    assert response.status_code == 200
    return len(statements)


class Council:
    """Adds rows of every kind a page lists, through the services where they exist."""

    def __init__(self, session, world):
        self.session, self.world = session, world
        self.days = [d for k, d in proposed_dates(2026, today=NOW.date()) if k == "ordinary"]
        self.meetings = 0

    def agenda_item(self, title: str):
        case = open_case(
            self.session,
            council=self.world.council,
            kind="agenda_item",
            title=title,
            actor=self.world.actor("sec"),
            priority_areas=[self.world.area(self.session).id],
            data={"meeting_date": "2026-03-25"},
        )
        fire(self.session, case, "propose", actor=self.world.actor("sec"))
        return case

    def waiting_approval(self, n: int):
        case = open_case(
            self.session,
            council=self.world.council,
            kind="agreement_revision",
            title=f"Avtale {n}",
            actor=self.world.actor("sec"),
        )
        fire(
            self.session,
            case,
            "negotiate",
            actor=self.world.actor("sec"),
            data={"agreement_text": "§"},
        )
        fire(self.session, case, "endorse", actor=self.world.actor("deputy"))
        return case

    def action(self, case, n: int):
        self.session.add(
            Action(
                case_id=case.id,
                description=f"Tiltak {n}",
                owner_party="municipality",
                owner_person_id=self.world.people["leader"].id,
                due=NOW.date() + timedelta(days=n),
                created_at=NOW,
            )
        )

    def meeting(self):
        create_meeting(
            self.session,
            council=self.world.council,
            actor=self.world.actor("sec"),
            date=self.days[self.meetings],
        )
        self.meetings += 1

    def message_and_finding(self, case, n: int):
        self.session.add(
            InboxMessage(
                case_id=case.id,
                person_id=self.world.people["leader"].id,
                subject=f"Melding {n}",
                created_at=NOW,
            )
        )
        self.session.add(
            Finding(
                council_id=self.world.council.id,
                rule=f"rule_{n}",
                period="2026-Q1",
                since=NOW,
                detail=f"Avvik {n}",
            )
        )

    def fill(self, start: int, count: int):
        for n in range(start, start + count):
            item = self.agenda_item(f"Trygghet {n}")
            self.action(self.waiting_approval(n), n)
            self.action(item, n)
            self.message_and_finding(item, n)
        self.session.flush()


def test_the_dashboard_costs_the_same_with_many_rows(client, session, world, engine):
    council = Council(session, world)
    council.fill(0, 1)
    council.meeting()
    log_in(client, session, world.people["leader"])
    few = statements_for(client, engine, "/testby/")
    council.fill(1, MORE)
    for _ in range(3):
        council.meeting()
    page = re.sub(
        r"\s+", " ", re.sub(r"<[^>]+>", " ", client.get("/testby/").get_data(as_text=True))
    )
    assert "Venter på din godkjenning (31)" in page and "Tiltak 20" in page
    many = statements_for(client, engine, "/testby/")
    assert many == few


def test_a_filtered_case_list_costs_the_same_with_many_rows(client, session, world, engine):
    council = Council(session, world)
    council.fill(0, 2)
    log_in(client, session, world.people["sec"])
    path = "/testby/cases?kind=agenda_item&state=proposed&q=trygghet&area=1"
    few = statements_for(client, engine, path)
    council.fill(2, MORE)
    assert "32 saker" in client.get(path).get_data(as_text=True)
    assert statements_for(client, engine, path) == few


def test_a_case_page_costs_the_same_with_a_long_history(client, session, world, engine):
    council = Council(session, world)
    case = council.waiting_approval(0)
    council.action(case, 0)
    session.flush()
    log_in(client, session, world.people["leader"])
    path = f"/testby/cases/{case.year}/{case.seq}"
    few = statements_for(client, engine, path)
    for n in range(MORE):
        update_case(
            session, case, actor=world.actor("sec"), changes={"title": f"Avtale, utgave {n}"}
        )
        council.action(case, n + 1)
    session.flush()
    assert "Avtale, utgave 29" in client.get(path).get_data(as_text=True)
    assert statements_for(client, engine, path) == few
