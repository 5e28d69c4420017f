"""schemathesis against the app in-process: every operation of the OpenAPI document, called
with a token of each role, a read token and none, on cases, meetings and a council that
exist as often as on made-up ones. No answer may be a server error or break the document."""

from __future__ import annotations

import itertools

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from engine.seeding import SEATS
from engine.services.cases import open_case
from engine.services.meetings import create_meeting
from tests.api.conftest import next_meeting_day


@pytest.fixture
def fuzz_world(session, world, token):
    """A public, an exempt and a restricted case and a meeting; one token per identity."""
    sec = world.actor("sec")
    area = world.area(session).id
    cases = [
        open_case(
            session,
            council=world.council,
            kind="agenda_item",
            title="Åpen sak",
            actor=sec,
            priority_areas=[area],
        ),
        open_case(
            session,
            council=world.council,
            kind="agenda_item",
            title="Unntatt sak",
            public_title="Sak",
            access="exempt",
            legal_basis="offl. § 13",
            actor=sec,
        ),
        open_case(
            session,
            council=world.council,
            kind="agenda_item",
            title="Skjermet sak",
            public_title="Orientering",
            access="restricted",
            actor=sec,
        ),
    ]
    meeting = create_meeting(
        session, council=world.council, actor=sec, date=next_meeting_day("ordinary", 30)
    )
    identities = [token(key) for key in [*SEATS, "outsider"]] + [token("sec", "read"), None]
    return {
        "cases": [c.number.split("/") for c in cases]
        + [[str(meeting.case.year), str(meeting.case.seq)]],
        "meeting": (meeting.year, meeting.number),
        "identities": itertools.cycle(identities),
        "turn": itertools.count(),
    }


EXAMPLES_PER_OPERATION = 45


def test_no_operation_fails_or_breaks_the_document_for_anyone(app, fuzz_world):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    documented = {
        f"{method.upper()} {path}"
        for path, methods in document["paths"].items()
        for method in methods
        if method in ("get", "post", "patch", "put", "delete")
    }
    # schemathesis leaves out the document's own URL; every other operation is fuzzed
    assert {op.label for op in operations} == documented - {"GET /api/v1/openapi.json"}
    calls = 0
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            derandomize=True,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def call(case):
            nonlocal calls
            calls += 1
            turn = calls
            params = case.path_parameters
            if params and turn % 3 != 2:  # two calls in three on things that exist
                if "council" in params:
                    params["council"] = "testby"
                if "seq" in params:
                    params["year"], params["seq"] = fuzz_world["cases"][turn % 4]
                if "number" in params:
                    params["year"], params["number"] = fuzz_world["meeting"]
            secret = next(fuzz_world["identities"])
            headers = dict(case.headers or {})
            if secret:
                headers["Authorization"] = f"Bearer {secret}"
            # A request the document allows may still be refused for a business rule (a
            # meeting date that has passed, an unknown workflow): 422 is the right answer.
            case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])

        try:
            call()
        except Exception as error:
            raise AssertionError(f"{operation.label}: {error}") from error
    print(f"schemathesis: {calls} generated cases over {len(operations)} operations")
    assert calls >= 1000, calls
