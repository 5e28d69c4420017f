"""Every reason the engine gives for "why not?" is said in the page's language."""

from __future__ import annotations

from engine.services.cases import available_transitions, fire, open_case
from tests.factories import NOW
from web.reasons import reason_in_words


def situations(session, world):
    """Cases in states whose transitions are refused for many different reasons."""
    sec = world.actor("sec")
    bare = open_case(
        session, council=world.council, kind="agenda_item", title="Uten område", actor=sec, now=NOW
    )
    proposed = open_case(
        session,
        council=world.council,
        kind="agenda_item",
        title="Innmeldt",
        actor=sec,
        priority_areas=[world.area(session).id],
        now=NOW,
    )
    fire(session, proposed, "propose", actor=sec, now=NOW)
    fire(session, proposed, "reject", actor=world.actor("leader"), comment="Nei", now=NOW)
    treaty = open_case(
        session,
        council=world.council,
        kind="agreement_revision",
        title="Avtale",
        actor=sec,
        now=NOW,
    )
    fire(session, treaty, "negotiate", actor=sec, data={"agreement_text": "§ 1"}, now=NOW)
    fire(session, treaty, "endorse", actor=world.actor("leader"), now=NOW)
    secret = open_case(
        session,
        council=world.council,
        kind="agenda_item",
        title="PST",
        public_title="Orientering",
        access="restricted",
        actor=world.actor("pmember"),
        now=NOW,
    )
    return [bare, proposed, treaty, secret]


def test_every_reason_of_the_shipped_workflows_is_put_in_words(app, session, world):
    reasons = set()
    for case in situations(session, world):
        for login in world.people:
            for option in available_transitions(session, case, world.actor(login), now=NOW):
                reasons.update((case.kind, r) for r in (*option.refusals, *option.unmet))
    assert len(reasons) >= 8  # roles, parties, approvals, clearance, membership and guards
    with app.test_request_context("/"):
        unknown = [r for kind, r in sorted(reasons) if reason_in_words(r, kind) == r]
    assert unknown == []


def test_a_reason_is_said_with_the_names_of_roles_and_transitions(app):
    with app.test_request_context("/"):
        words = reason_in_words(
            "your role (member) may not fire 'decide'; it needs leader or deputy", "agenda_item"
        )
    assert words == (
        "Din rolle (medlem) kan ikke gjøre «Fatt omforent beslutning»; "
        "det krever leder eller nestleder."
    )


def test_an_unknown_reason_is_shown_as_the_engine_wrote_it(app):
    with app.test_request_context("/"):
        assert reason_in_words("something new", "agenda_item") == "something new"
