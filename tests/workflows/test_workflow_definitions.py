"""The shipped workflows load cleanly and follow the council's processes."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from transitions import Machine

from workflows.diagram import render_svg, render_text
from workflows.loader import DEFINITIONS_DIR, load_all, load_definition
from workflows.model import Definition

# The guards the engine implements, named literally so these tests need no engine import.
ENGINE_GUARDS = frozenset(
    {
        "has_priority_area",
        "has_meeting",
        "meeting_accepts_items",
        "meeting_held",
        "access_assessed",
        "meeting_date_is_working_day",
        "commencement_not_before_promulgation",
        "no_overlapping_agreement",
        "consultation_summarised",
        "valid_period",
        "follow_up_complete",
        "redaction_registered",
        "document_releasable",
    }
)
ENGINE_EFFECTS = frozenset({"send_notice", "draft_minutes", "store_minutes", "release_documents"})
WORKFLOWS = (
    "agenda_item",
    "meeting",
    "bylaw_revision",
    "agreement_revision",
    "steering_report",
    "access_request",
)
BOTH_PARTIES = ("municipality", "police")


@pytest.fixture(scope="module")
def definitions() -> dict[str, Definition]:
    return load_all(guards=ENGINE_GUARDS, effects=ENGINE_EFFECTS)


def walk(definition: Definition, *triggers: str) -> str:
    """Fire ``triggers`` from the initial state and return the state reached."""
    state = definition.initial
    for trigger in triggers:
        transition = definition.transition(state, trigger)
        assert transition is not None, f"{trigger!r} does not leave {state!r}"
        state = transition.dest
    return state


def test_the_six_workflows_ship(definitions):
    assert sorted(definitions) == sorted(WORKFLOWS)


@pytest.mark.parametrize("name", WORKFLOWS)
def test_every_shipped_definition_loads_without_problems(name):
    definition = load_definition(
        DEFINITIONS_DIR / f"{name}.yaml", guards=ENGINE_GUARDS, effects=ENGINE_EFFECTS
    )

    assert definition.name == name


@pytest.mark.parametrize("name", WORKFLOWS)
def test_everything_has_a_norwegian_and_an_english_label(definitions, name):
    definition = definitions[name]
    labelled = [definition, *definition.states, *definition.transitions]
    labelled += [deadline for state in definition.states for deadline in state.deadlines]

    for item in labelled:
        assert item.labels.nb.strip() and item.labels.en.strip(), item


@pytest.mark.parametrize("name", WORKFLOWS)
def test_every_definition_builds_a_model_less_machine(definitions, name):
    definition = definitions[name]
    machine = Machine(
        model=None,
        states=[state.name for state in definition.states],
        transitions=[
            {"trigger": t.trigger, "source": list(t.sources), "dest": t.dest}
            for t in definition.transitions
        ],
        initial=definition.initial,
        auto_transitions=False,
    )

    assert set(machine.events) == {t.trigger for t in definition.transitions}


@pytest.mark.parametrize("name", WORKFLOWS)
def test_every_shipped_definition_renders_as_a_diagram(definitions, name):
    definition = definitions[name]
    svg = render_svg(definition, current=definition.initial)

    root = ET.fromstring(svg)
    texts = {text.text for text in root.iter("{http://www.w3.org/2000/svg}text")}
    assert {state.labels.nb for state in definition.states} <= texts
    assert {t.labels.nb for t in definition.transitions} <= texts
    listing = render_text(definition)
    assert all(state.name in listing for state in definition.states)


def test_an_agenda_item_goes_from_draft_through_decision_and_follow_up(definitions):
    item = definitions["agenda_item"]

    assert walk(item, "propose", "schedule", "prepare", "deliberate", "decide") == "decided"
    assert walk(item, "propose", "schedule", "prepare", "deliberate", "note", "close") == "closed"
    deferred = ("propose", "schedule", "prepare", "deliberate", "defer", "reschedule")
    assert walk(item, *deferred) == "scheduled"
    assert walk(item, "propose", "reject") == "rejected"
    assert walk(item, "withdraw") == "withdrawn"

    decide = item.transition("deliberated", "decide")
    assert decide.approvals == BOTH_PARTIES
    assert decide.requires == ("decision_text",)
    assert item.transition("proposed", "schedule").guards == (
        "has_meeting",
        "meeting_accepts_items",
    )
    assert item.transition("proposed", "reject").comment_required
    [without_follow_up] = item.state("decided").deadlines
    assert (without_follow_up.effect, without_follow_up.trigger) == ("transition", "close")
    assert (without_follow_up.amount, without_follow_up.unit) == (5, "working_days")
    assert item.transition("decided", "close").guards == ("follow_up_complete",)
    [intake] = item.state("proposed").deadlines
    assert (intake.anchor, intake.amount, intake.unit) == ("meeting_date", -21, "days")


def test_a_meeting_needs_both_parties_for_its_agenda_and_minutes(definitions):
    meeting = definitions["meeting"]

    steps = ("start_agenda", "fix_agenda", "convene", "hold", "draft_minutes")
    steps += ("circulate_minutes", "approve_minutes", "publish")
    assert walk(meeting, *steps) == "published"
    assert meeting.transition("agenda_draft", "fix_agenda").approvals == BOTH_PARTIES
    assert meeting.transition("minutes_review", "approve_minutes").approvals == BOTH_PARTIES
    assert "system" in meeting.transition("convened", "hold").roles
    for state in ("planned", "agenda_draft", "agenda_fixed", "convened"):
        assert meeting.transition(state, "move").dest == "planned"
        assert meeting.transition(state, "cancel").comment_required
    [notice] = meeting.state("agenda_fixed").deadlines
    assert (notice.anchor, notice.amount, notice.effect) == ("meeting_date", -7, "transition")
    assert (
        notice.trigger == "convene"
        and "system" in meeting.transition("agenda_fixed", "convene").roles
    )
    assert meeting.transition("agenda_fixed", "convene").effects == ("send_notice",)


def test_a_bylaw_revision_passes_consultation_city_council_and_legality_review(definitions):
    bylaw = definitions["bylaw_revision"]

    steps = ("start_drafting", "endorse", "decide_consultation", "open_consultation")
    steps += ("close_consultation", "summarise_consultation", "propose_to_city_council", "adopt")
    steps += ("submit_to_pod", "begin_legality_review", "query", "answer", "confirm")
    steps += ("promulgate", "enter_into_force", "supersede")
    assert walk(bylaw, *steps) == "superseded"
    [closes] = bylaw.state("in_consultation").deadlines
    assert (closes.amount, closes.unit, closes.trigger) == (6, "weeks", "close_consultation")
    review = {(d.amount, d.unit, d.effect) for d in bylaw.state("legality_review").deadlines}
    assert review == {(8, "weeks", "reminder"), (12, "weeks", "escalation")}
    promulgate = bylaw.transition("confirmed", "promulgate")
    assert promulgate.guards == ("commencement_not_before_promulgation",)
    assert promulgate.requires == ("promulgated_on", "commencement_date")
    [commencement] = bylaw.state("promulgated").deadlines
    assert (commencement.anchor, commencement.amount) == ("commencement_date", 0)
    assert bylaw.transition("not_confirmed", "redraft").dest == "drafting"
    assert bylaw.transition("not_confirmed", "abandon").dest == "abandoned"


def test_an_agreement_needs_both_signatures_and_a_sound_period(definitions):
    agreement = definitions["agreement_revision"]

    steps = ("negotiate", "endorse", "sign", "take_effect", "extend", "mark_revision_due")
    assert walk(agreement, *steps, "supersede") == "superseded"
    assert walk(agreement, *steps, "expire") == "expired"
    sign = agreement.transition("endorsed", "sign")
    assert sign.approvals == BOTH_PARTIES
    assert sign.guards == ("valid_period", "no_overlapping_agreement")
    assert sign.requires == ("valid_from", "valid_to")
    assert agreement.transition("in_force", "extend").dest == "in_force"
    for state in ("in_force", "revision_due"):
        [expiry] = agreement.state(state).deadlines
        assert (expiry.anchor, expiry.amount, expiry.trigger) == ("valid_to", 1, "expire")


def test_a_steering_report_becomes_overdue_the_day_after_it_is_due(definitions):
    report = definitions["steering_report"]

    assert walk(report, "submit", "place_on_agenda", "note") == "noted"
    assert walk(report, "mark_overdue", "submit") == "submitted"
    [due] = report.state("requested").deadlines
    assert (due.anchor, due.amount, due.effect, due.trigger) == (
        "due_date",
        1,
        "transition",
        "mark_overdue",
    )
    assert report.transition("requested", "submit").requires == ("report",)
