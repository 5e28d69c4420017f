"""Contract tests: a client drives the whole agenda-item workflow through the API alone, and
every response it gets validates against the OpenAPI document."""

from __future__ import annotations

import pytest
import schemathesis
from sqlalchemy import select

from engine.models import Approval, CaseEvent
from tests.api.conftest import next_meeting_day


@pytest.fixture
def contract(app):
    """Checks a response against the operation the OpenAPI document gives for it."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)

    def check(response, method: str, template: str):
        schema[f"/api/v1{template}"][method.upper()].validate_response(response)
        return response

    return check


CASE = "/councils/{council}/cases/{year}/{seq}"
MEETING = "/councils/{council}/meetings/{year}/{number}"


def test_an_agenda_item_walks_from_draft_to_closed_through_the_api_alone(
    api, session, world, contract
):
    sec, leader, deputy = api("sec"), api("leader"), api("deputy")

    def fire(who, number, trigger, **body):
        response = who.fire(number, trigger, **body)
        contract(response, "post", CASE + "/transitions/{trigger}")
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    day = next_meeting_day()
    response = sec.post(
        "/councils/testby/meetings", json={"date": day.isoformat(), "kind": "extraordinary"}
    )
    contract(response, "post", "/councils/{council}/meetings")
    assert response.status_code == 201, response.get_json()
    meeting = response.get_json()

    response = sec.post(
        "/councils/testby/cases",
        json={
            "kind": "agenda_item",
            "title": "Trygghet rundt kollektivknutepunkter",
            "priority_areas": [1],
            "bydeler": ["01"],
        },
    )
    contract(response, "post", "/councils/{council}/cases")
    assert response.status_code == 201, response.get_json()
    item = response.get_json()["number"]
    assert response.get_json()["state"] == "draft"

    assert fire(sec, item, "propose")["case"]["state"] == "proposed"
    assert fire(sec, meeting["case"], "start_agenda")["case"]["state"] == "agenda_draft"
    response = sec.post(
        f"/councils/testby/meetings/{meeting['year']}/{meeting['number']}/agenda",
        json={"case": item},
    )
    contract(response, "post", MEETING + "/agenda")
    assert response.status_code == 201, response.get_json()
    assert (
        fire(sec, item, "prepare", data={"memo": "Saksframlegg", "access_assessed": True})["case"][
            "state"
        ]
        == "prepared"
    )

    first = fire(leader, meeting["case"], "fix_agenda")
    assert (first["fired"], first["waiting_for"]) == (False, ["police"])
    assert fire(deputy, meeting["case"], "fix_agenda")["case"]["state"] == "agenda_fixed"
    fire(sec, meeting["case"], "convene")
    fire(sec, meeting["case"], "hold")
    fire(sec, item, "deliberate")

    year, seq = item.split("/")
    transitions = leader.get(f"/councils/testby/cases/{year}/{seq}/transitions")
    contract(transitions, "get", CASE + "/transitions")
    decide = next(t for t in transitions.get_json() if t["trigger"] == "decide")
    assert decide["approvals_needed"] == ["municipality", "police"]

    first = fire(
        leader,
        item,
        "decide",
        comment="Enige",
        data={"decision_text": "Rådet ber om en felles plan."},
    )
    assert (first["fired"], first["waiting_for"]) == (False, ["police"])
    approvals = deputy.get(f"/councils/testby/cases/{year}/{seq}/approvals")
    contract(approvals, "get", CASE + "/approvals")
    assert [(a["party"], a["by"]) for a in approvals.get_json()] == [
        ("municipality", "testby-leader")
    ]
    blocked = next(
        t
        for t in leader.get(f"/councils/testby/cases/{year}/{seq}/transitions").get_json()
        if t["trigger"] == "decide"
    )
    assert not blocked["allowed"] and "waiting for police" in blocked["reasons"][0]

    assert fire(deputy, item, "decide")["case"]["state"] == "decided"
    closed = fire(sec, item, "close")["case"]
    assert closed["state"] == "closed"

    history = sec.get(f"/councils/testby/cases/{year}/{seq}/history")
    contract(history, "get", CASE + "/history")
    events = history.get_json()
    assert [e["to_state"] for e in events if e["kind"] == "transition"] == [
        "proposed",
        "scheduled",
        "prepared",
        "deliberated",
        "decided",
        "closed",
    ]
    assert {(e["actor"], e["party"]) for e in events if e["kind"] == "approval"} == {
        ("testby-leader", "municipality"),
        ("testby-deputy", "police"),
    }
    parties = session.scalars(select(Approval.party).where(Approval.trigger == "decide")).all()
    assert sorted(parties) == ["municipality", "police"]
    assert (
        session.scalar(select(CaseEvent.actor).order_by(CaseEvent.seq.desc()).limit(1))
        == "testby-sec"
    )


def test_every_read_of_a_case_and_its_meeting_validates_against_the_document(api, world, contract):
    sec = api("sec")
    day = next_meeting_day("ordinary", 30)
    meeting = sec.post("/councils/testby/meetings", json={"date": day.isoformat()}).get_json()
    item = sec.post(
        "/councils/testby/cases",
        json={
            "kind": "agenda_item",
            "title": "Russefeiring",
            "access": "exempt",
            "legal_basis": "offl. § 13",
            "public_title": "Sak om ungdom",
        },
    ).get_json()["number"]
    year, seq = item.split("/")
    m = f"/councils/testby/meetings/{meeting['year']}/{meeting['number']}"
    reads = [
        ("/councils", "/councils"),
        ("/councils/testby", "/councils/{council}"),
        ("/parties", "/parties"),
        ("/councils/testby/people", "/councils/{council}/people"),
        ("/me", "/me"),
        ("/councils/testby/cases?per_page=5&q=russ", "/councils/{council}/cases"),
        (f"/councils/testby/cases/{year}/{seq}", CASE),
        (f"/councils/testby/cases/{year}/{seq}/deadlines", CASE + "/deadlines"),
        (f"/councils/testby/cases/{year}/{seq}/actions", CASE + "/actions"),
        (f"/councils/testby/cases/{year}/{seq}/referrals", CASE + "/referrals"),
        ("/councils/testby/meetings", "/councils/{council}/meetings"),
        (m, MEETING),
        (f"{m}/agenda", MEETING + "/agenda"),
        (f"{m}/attendance", MEETING + "/attendance"),
        ("/councils/testby/follow-up", "/councils/{council}/follow-up"),
        ("/councils/testby/findings", "/councils/{council}/findings"),
        ("/councils/testby/bydeler", "/councils/{council}/bydeler"),
        ("/councils/testby/units", "/councils/{council}/units"),
        ("/councils/testby/priority-areas", "/councils/{council}/priority-areas"),
        ("/workflows", "/workflows"),
        ("/workflows/agenda_item", "/workflows/{name}"),
    ]
    for who in (sec, api("guest", "read"), api(None)):
        for path, template in reads:
            response = who.get(path)
            contract(response, "get", template)
            assert response.status_code in (200, 401, 403), (path, response.get_json())
    guest_view = api("guest", "read").get(f"/councils/testby/cases/{year}/{seq}").get_json()
    assert (guest_view["title"], guest_view["full"], guest_view["data"]) == (
        "Sak om ungdom",
        False,
        {},
    )
    assert api("guest", "read").get(f"{m}/attendance").status_code == 200
    agenda = sec.get(f"{m}/agenda").get_json()
    assert "follow_up_list" in [e["standing"] for e in agenda]
