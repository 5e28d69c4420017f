"""The loader reports every problem of a definition file with its path and a precise message."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from workflows.loader import (
    DefinitionError,
    Problem,
    definition_from_mapping,
    load_all,
    load_definition,
)
from workflows.model import canonical_json

GUARDS = {"has_priority_area", "has_meeting"}
ROLE_CHOICES = "leader, deputy, member, secretariat, reporter, guest, system"


def labels(nb: str, en: str) -> dict[str, str]:
    return {"nb": nb, "en": en}


def valid() -> dict[str, Any]:
    """A small, sound definition that each test breaks in one way."""
    return {
        "name": "demo",
        "labels": labels("Demo", "Demo"),
        "initial": "draft",
        "fields": ["meeting_date", "memo"],
        "states": {
            "draft": {"labels": labels("Utkast", "Draft")},
            "proposed": {
                "labels": labels("Innmeldt", "Proposed"),
                "deadlines": [
                    {
                        "name": "intake",
                        "labels": labels("Innmeldingsfrist", "Intake deadline"),
                        "anchor": "meeting_date",
                        "amount": -21,
                        "unit": "days",
                        "effect": "reminder",
                    }
                ],
            },
            "noted": {
                "labels": labels("Tatt til orientering", "Noted"),
                "terminal": False,
                "deadlines": [
                    {
                        "name": "closing",
                        "labels": labels("Avsluttes", "Closes"),
                        "anchor": "entered",
                        "amount": 14,
                        "unit": "days",
                        "effect": "transition",
                        "trigger": "close",
                    }
                ],
            },
            "closed": {"labels": labels("Avsluttet", "Closed"), "terminal": True},
        },
        "transitions": [
            {
                "trigger": "propose",
                "source": "draft",
                "dest": "proposed",
                "labels": labels("Meld inn", "Propose"),
                "roles": ["member", "secretariat"],
                "guards": ["has_priority_area"],
                "requires": ["title"],
            },
            {
                "trigger": "note",
                "source": "proposed",
                "dest": "noted",
                "labels": labels("Ta til orientering", "Note"),
                "roles": ["leader", "deputy"],
                "approvals": ["municipality", "police"],
                "requires": ["memo"],
            },
            {
                "trigger": "close",
                "source": ["proposed", "noted"],
                "dest": "closed",
                "labels": labels("Avslutt", "Close"),
                "roles": ["secretariat", "system"],
            },
        ],
    }


def write(tmp_path: Path, content: dict[str, Any] | str, name: str = "demo.yaml") -> Path:
    path = tmp_path / name
    text = content if isinstance(content, str) else yaml.safe_dump(content, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(tmp_path: Path, content: dict[str, Any] | str) -> list[tuple[str, str]]:
    with pytest.raises(DefinitionError) as caught:
        load_definition(write(tmp_path, content), guards=GUARDS)
    return [(problem.path, problem.message) for problem in caught.value.problems]


# --- a sound file ------------------------------------------------------------------------


def test_a_sound_definition_loads_into_frozen_model_objects(tmp_path):
    definition = load_definition(write(tmp_path, valid()), guards=GUARDS)

    assert definition.name == "demo"
    assert [state.name for state in definition.states] == ["draft", "proposed", "noted", "closed"]
    assert definition.state("closed").terminal
    assert not definition.state("noted").terminal
    assert definition.fields == ("meeting_date", "memo")
    propose, note, close = definition.transitions
    assert propose.sources == ("draft",)
    assert close.sources == ("proposed", "noted")
    assert note.approvals == ("municipality", "police")
    assert propose.comment_required is False
    intake = definition.state("proposed").deadlines[0]
    assert (intake.anchor, intake.amount, intake.unit, intake.effect) == (
        "meeting_date",
        -21,
        "days",
        "reminder",
    )
    assert intake.trigger is None
    assert definition.state("noted").deadlines[0].trigger == "close"


def test_raw_holds_the_parsed_file_content(tmp_path):
    definition = load_definition(write(tmp_path, valid()), guards=GUARDS)

    assert definition.raw == valid()


def test_a_state_may_loop_back_to_itself(tmp_path):
    data = valid()
    data["transitions"].append(
        {
            "trigger": "postpone",
            "source": "proposed",
            "dest": "proposed",
            "labels": labels("Utsett", "Postpone"),
            "roles": ["secretariat"],
            "requires": ["meeting_date"],
        }
    )

    definition = load_definition(write(tmp_path, data), guards=GUARDS)

    assert definition.transition("proposed", "postpone").dest == "proposed"


def test_the_same_trigger_may_leave_different_states(tmp_path):
    data = valid()
    data["transitions"][2]["source"] = "noted"
    data["transitions"].append(
        {**data["transitions"][2], "source": "proposed", "roles": ["leader"]}
    )

    definition = load_definition(write(tmp_path, data), guards=GUARDS)

    assert definition.transition("proposed", "close").roles == ("leader",)
    assert definition.transition("noted", "close").roles == ("secretariat", "system")


def test_dates_in_the_file_stay_text_so_the_content_hashes_as_json(tmp_path):
    data = valid()
    data["labels"] = labels("2025-01-01", "2025-01-01")

    definition = load_definition(write(tmp_path, data), guards=GUARDS)

    assert definition.labels.nb == "2025-01-01"
    assert len(definition.content_hash) == 64


# --- content hash --------------------------------------------------------------------------


def test_content_hash_is_stable_across_loads_and_layout(tmp_path):
    first = load_definition(write(tmp_path, valid(), "a.yaml"), guards=GUARDS)
    again = load_definition(write(tmp_path, valid(), "a.yaml"), guards=GUARDS)
    reordered = yaml.safe_dump(valid(), sort_keys=True, default_flow_style=True)
    other_layout = load_definition(
        write(tmp_path, f"# comment\n{reordered}", "b.yaml"), guards=GUARDS
    )

    assert first.content_hash == again.content_hash == other_layout.content_hash


def test_content_hash_changes_when_the_content_changes(tmp_path):
    before = load_definition(write(tmp_path, valid()), guards=GUARDS)
    data = valid()
    data["states"]["proposed"]["deadlines"][0]["amount"] = -14
    after = load_definition(write(tmp_path, data), guards=GUARDS)

    assert before.content_hash != after.content_hash


def test_a_stored_snapshot_rebuilds_the_same_definition(tmp_path):
    definition = load_definition(write(tmp_path, valid()), guards=GUARDS)
    stored = canonical_json(definition.raw)

    rebuilt = definition_from_mapping(json.loads(stored), guards=GUARDS, file="snapshot")

    assert rebuilt.content_hash == definition.content_hash
    assert rebuilt.transitions == definition.transitions
    # canonical JSON sorts keys, so only the listing order of the states may differ
    assert sorted(rebuilt.states, key=str) == sorted(definition.states, key=str)


# --- YAML ----------------------------------------------------------------------------------


def test_yaml_that_does_not_parse_is_one_problem_at_the_root(tmp_path):
    assert problems_of(tmp_path, "name: demo\nstates: [unclosed\n") == [
        (
            "<root>",
            "invalid YAML: while parsing a flow sequence, expected ',' or ']', "
            "but got '<stream end>' (line 3, column 1)",
        )
    ]


@pytest.mark.parametrize(
    ("text", "got"),
    [("", "nothing"), ("- draft\n- closed\n", "list"), ("just text\n", "str")],
)
def test_a_file_that_is_not_a_mapping_is_one_problem_at_the_root(tmp_path, text, got):
    assert problems_of(tmp_path, text) == [("<root>", f"must be a mapping, got {got}")]


def test_a_key_given_twice_is_reported_with_the_line_of_the_first(tmp_path):
    text = yaml.safe_dump(valid(), sort_keys=False)
    text = text.replace("  closed:\n", "  draft:\n    labels: {nb: X, en: X}\n  closed:\n", 1)

    first_line = text.splitlines().index("  draft:") + 1
    assert problems_of(tmp_path, text) == [
        ("states.draft", f"duplicate key; first given on line {first_line}")
    ]


def test_a_missing_file_is_reported_as_a_problem(tmp_path):
    with pytest.raises(DefinitionError) as caught:
        load_definition(tmp_path / "absent.yaml", guards=GUARDS)

    [problem] = caught.value.problems
    assert problem.path == "<root>"
    assert problem.message.startswith("cannot read the file:")


# --- shape -------------------------------------------------------------------------------


def test_an_unknown_key_is_reported_with_the_path_to_the_key(tmp_path):
    text = yaml.safe_dump(valid(), sort_keys=False).replace("effect: reminder", "efect: reminder")

    assert problems_of(tmp_path, text) == [
        ("states.proposed.deadlines[0].effect", "required field is missing"),
        ("states.proposed.deadlines[0].efect", "unknown field"),
    ]


def test_a_missing_required_key_is_reported(tmp_path):
    data = valid()
    del data["transitions"][1]["roles"]

    assert problems_of(tmp_path, data) == [("transitions[1].roles", "required field is missing")]


def test_a_value_of_the_wrong_type_is_reported(tmp_path):
    data = valid()
    data["states"]["draft"]["labels"]["nb"] = 7
    data["states"]["noted"]["deadlines"][0]["amount"] = "14"
    data["transitions"][0]["comment_required"] = "sometimes"
    data["transitions"][1] = "note"

    assert problems_of(tmp_path, data) == [
        ("states.draft.labels.nb", "must be a string"),
        ("states.noted.deadlines[0].amount", "must be an integer"),
        ("transitions[0].comment_required", "must be true or false"),
        ("transitions[1]", "must be a mapping"),
    ]


def test_an_empty_label_is_reported(tmp_path):
    data = valid()
    data["transitions"][0]["labels"]["en"] = "  "

    assert problems_of(tmp_path, data) == [("transitions[0].labels.en", "must not be empty")]


def test_an_unknown_role_is_reported_with_the_known_ones(tmp_path):
    data = valid()
    data["transitions"][0]["roles"] = ["member", "chair"]

    assert problems_of(tmp_path, data) == [
        ("transitions[0].roles[1]", f"unknown role 'chair'; expected one of {ROLE_CHOICES}")
    ]


def test_a_transition_must_name_a_role(tmp_path):
    data = valid()
    data["transitions"][0]["roles"] = []

    assert problems_of(tmp_path, data) == [("transitions[0].roles", "must name a role")]


def test_unknown_parties_are_reported_for_parties_and_approvals(tmp_path):
    data = valid()
    data["transitions"][1]["parties"] = ["municipality", "county"]
    data["transitions"][1]["approvals"] = ["municipality", "pod"]

    expected = "expected one of municipality, police, external"
    assert problems_of(tmp_path, data) == [
        ("transitions[1].parties[1]", f"unknown party 'county'; {expected}"),
        ("transitions[1].approvals[1]", f"unknown party 'pod'; {expected}"),
    ]


def test_an_unknown_unit_or_effect_is_reported(tmp_path):
    data = valid()
    deadline = data["states"]["proposed"]["deadlines"][0]
    deadline["unit"] = "fortnights"
    deadline["effect"] = "alarm"

    assert problems_of(tmp_path, data) == [
        (
            "states.proposed.deadlines[0].unit",
            "unknown unit 'fortnights'; expected one of days, working_days, weeks, months",
        ),
        (
            "states.proposed.deadlines[0].effect",
            "unknown effect 'alarm'; expected one of reminder, escalation, transition",
        ),
    ]


def test_names_must_be_snake_case(tmp_path):
    data = valid()
    data["states"]["Draft Two"] = {"labels": labels("X", "X")}
    data["transitions"][0]["trigger"] = "Propose"

    assert problems_of(tmp_path, data) == [
        ("states.Draft Two", "'Draft Two' is not snake_case (a-z, 0-9 and _)"),
        ("transitions[0].trigger", "'Propose' is not snake_case (a-z, 0-9 and _)"),
    ]


def test_states_must_be_a_mapping_with_at_least_one_state(tmp_path):
    data = valid()
    data["states"] = {}
    assert problems_of(tmp_path, data) == [("states", "must define at least one state")]

    data["states"] = ["draft", "closed"]
    assert problems_of(tmp_path, data) == [("states", "must be a mapping of state names to states")]


# --- meaning -------------------------------------------------------------------------------


def test_an_unknown_initial_state_is_reported(tmp_path):
    data = valid()
    data["initial"] = "start"

    found = problems_of(tmp_path, data)

    assert found[0] == (
        "initial",
        "unknown state 'start'; states are draft, proposed, noted, closed",
    )


def test_an_unknown_source_or_dest_is_reported(tmp_path):
    data = valid()
    data["transitions"].append(
        {
            "trigger": "archive",
            "source": ["proposed", "submitted"],
            "dest": "archived",
            "labels": labels("Arkiver", "Archive"),
            "roles": ["secretariat"],
        }
    )

    assert problems_of(tmp_path, data) == [
        ("transitions[3].source", "unknown state 'submitted'"),
        ("transitions[3].dest", "unknown state 'archived'"),
    ]


def test_an_unreachable_state_is_reported_with_its_path(tmp_path):
    data = valid()
    data["states"]["archived"] = {"labels": labels("Arkivert", "Archived"), "terminal": True}

    assert problems_of(tmp_path, data) == [
        ("states.archived", "unreachable from the initial state 'draft'")
    ]


def test_a_state_without_a_way_out_must_be_terminal(tmp_path):
    data = valid()
    data["states"]["closed"]["terminal"] = False

    assert problems_of(tmp_path, data) == [
        ("states.closed", "has no outgoing transition; add one or mark it terminal: true")
    ]


def test_a_terminal_state_has_no_outgoing_transitions(tmp_path):
    data = valid()
    data["transitions"].append(
        {
            "trigger": "reopen",
            "source": "closed",
            "dest": "draft",
            "labels": labels("Gjenåpne", "Reopen"),
            "roles": ["secretariat"],
        }
    )

    assert problems_of(tmp_path, data) == [
        ("transitions[3].source", "'closed' is terminal and cannot have outgoing transitions")
    ]


def test_an_unknown_guard_is_reported_with_the_known_ones(tmp_path):
    data = valid()
    data["transitions"][0]["guards"] = ["has_priority_area", "has_quorum"]

    assert problems_of(tmp_path, data) == [
        (
            "transitions[0].guards[1]",
            "unknown guard 'has_quorum'; known guards: has_meeting, has_priority_area",
        )
    ]


def test_a_trigger_may_leave_a_state_only_once(tmp_path):
    data = valid()
    data["transitions"].append({**data["transitions"][1], "dest": "closed"})

    assert problems_of(tmp_path, data) == [
        ("transitions[3].trigger", "'note' already leaves 'proposed' in transitions[1]")
    ]


def test_required_fields_must_be_declared_or_built_in(tmp_path):
    data = valid()
    data["transitions"][0]["requires"] = ["title", "public_title", "decision_text"]

    assert problems_of(tmp_path, data) == [
        ("transitions[0].requires[2]", "field 'decision_text' is not declared in fields")
    ]


def test_built_in_and_reserved_names_cannot_be_declared_as_fields(tmp_path):
    data = valid()
    data["fields"] = ["meeting_date", "memo", "title", "entered", "memo"]

    assert problems_of(tmp_path, data) == [
        ("fields[2]", "'title' is a built-in case field; do not declare it"),
        ("fields[3]", "'entered' is reserved for deadlines counted from entry"),
        ("fields[4]", "'memo' is listed more than once"),
    ]


def test_a_deadline_anchor_is_entered_or_a_declared_field(tmp_path):
    data = valid()
    data["states"]["proposed"]["deadlines"][0]["anchor"] = "meeting_day"

    assert problems_of(tmp_path, data) == [
        (
            "states.proposed.deadlines[0].anchor",
            "'meeting_day' is neither 'entered' nor a declared field",
        )
    ]


def test_a_deadline_counted_from_entry_cannot_count_backwards(tmp_path):
    data = valid()
    data["states"]["noted"]["deadlines"][0]["amount"] = -1

    assert problems_of(tmp_path, data) == [
        (
            "states.noted.deadlines[0].amount",
            "must not be negative when counted from entering the state",
        )
    ]


def test_a_transition_deadline_needs_a_trigger(tmp_path):
    data = valid()
    del data["states"]["noted"]["deadlines"][0]["trigger"]

    assert problems_of(tmp_path, data) == [
        ("states.noted.deadlines[0].trigger", "required with effect: transition")
    ]


def test_a_transition_deadline_fires_a_trigger_that_leaves_its_own_state(tmp_path):
    data = valid()
    data["states"]["noted"]["deadlines"][0]["trigger"] = "propose"

    assert problems_of(tmp_path, data) == [
        ("states.noted.deadlines[0].trigger", "no transition 'propose' leaves 'noted'")
    ]


def test_a_transition_deadline_fires_a_trigger_the_system_may_fire(tmp_path):
    data = valid()
    data["transitions"][2]["roles"] = ["secretariat"]

    assert problems_of(tmp_path, data) == [
        ("states.noted.deadlines[0].trigger", "transition 'close' does not allow the role 'system'")
    ]


def test_a_transition_deadline_cannot_fire_a_trigger_that_needs_approvals(tmp_path):
    data = valid()
    data["transitions"][2]["approvals"] = ["municipality"]

    assert problems_of(tmp_path, data) == [
        (
            "states.noted.deadlines[0].trigger",
            "transition 'close' needs approvals, which the system cannot give",
        )
    ]


def test_only_a_transition_deadline_names_a_trigger(tmp_path):
    data = valid()
    data["states"]["proposed"]["deadlines"][0]["trigger"] = "close"

    assert problems_of(tmp_path, data) == [
        (
            "states.proposed.deadlines[0].trigger",
            "only allowed with effect: transition, not reminder",
        )
    ]


def test_deadline_names_are_unique_within_a_state(tmp_path):
    data = valid()
    deadlines = data["states"]["proposed"]["deadlines"]
    deadlines.append({**deadlines[0], "amount": -7, "effect": "escalation"})

    assert problems_of(tmp_path, data) == [
        ("states.proposed.deadlines[1].name", "deadline 'intake' is already defined in this state")
    ]


def test_the_same_deadline_name_may_be_used_in_different_states(tmp_path):
    data = valid()
    data["states"]["noted"]["deadlines"][0]["name"] = "intake"

    assert load_definition(write(tmp_path, data), guards=GUARDS).state("noted").deadlines


def test_approving_parties_are_distinct(tmp_path):
    data = valid()
    data["transitions"][1]["approvals"] = ["police", "police"]

    assert problems_of(tmp_path, data) == [
        ("transitions[1].approvals[1]", "'police' is listed more than once")
    ]


def test_an_approving_party_must_be_allowed_to_fire(tmp_path):
    data = valid()
    data["transitions"][1]["parties"] = ["municipality"]

    assert problems_of(tmp_path, data) == [
        ("transitions[1].approvals[1]", "party 'police' is not among the parties allowed")
    ]


# --- reporting -----------------------------------------------------------------------------


def test_a_file_with_several_problems_reports_all_of_them(tmp_path):
    data = valid()
    data["transitions"][0]["guards"] = ["has_quorum"]
    data["transitions"][1]["requires"] = ["minutes"]
    data["states"]["proposed"]["deadlines"][0]["anchor"] = "meeting_day"
    data["states"]["archived"] = {"labels": labels("Arkivert", "Archived")}
    path = write(tmp_path, data)

    with pytest.raises(DefinitionError) as caught:
        load_definition(path, guards=GUARDS)

    assert str(caught.value).splitlines() == [
        f"{path}: transitions[0].guards[0]: unknown guard 'has_quorum'; "
        "known guards: has_meeting, has_priority_area",
        f"{path}: transitions[1].requires[0]: field 'minutes' is not declared in fields",
        f"{path}: states.proposed.deadlines[0].anchor: "
        "'meeting_day' is neither 'entered' nor a declared field",
        f"{path}: states.archived: unreachable from the initial state 'draft'",
        f"{path}: states.archived: has no outgoing transition; add one or mark it terminal: true",
    ]


def test_shape_problems_are_all_reported_before_meaning_is_checked(tmp_path):
    data = valid()
    data["transitions"][0]["roles"] = ["chair"]
    data["transitions"][1]["lables"] = copy.deepcopy(data["transitions"][1]["labels"])
    data["transitions"][2]["guards"] = ["has_quorum"]  # a meaning problem: not reached

    assert problems_of(tmp_path, data) == [
        ("transitions[0].roles[0]", f"unknown role 'chair'; expected one of {ROLE_CHOICES}"),
        ("transitions[1].lables", "unknown field"),
    ]


def test_a_problem_reads_as_file_path_and_message():
    problem = Problem("meeting.yaml", "transitions[3].roles", "must name a role")

    assert str(problem) == "meeting.yaml: transitions[3].roles: must name a role"


def test_load_all_reports_the_problems_of_every_file(tmp_path):
    broken = valid()
    broken["initial"] = "start"
    write(tmp_path, valid(), "demo.yaml")
    write(tmp_path, broken, "broken.yaml")
    write(tmp_path, "- not a mapping\n", "list.yaml")

    with pytest.raises(DefinitionError) as caught:
        load_all(tmp_path, guards=GUARDS)

    files = {Path(problem.file).name for problem in caught.value.problems}
    assert files == {"broken.yaml", "list.yaml"}


def test_load_all_refuses_two_files_defining_the_same_workflow(tmp_path):
    write(tmp_path, valid(), "demo.yaml")
    write(tmp_path, valid(), "demo_copy.yaml")

    with pytest.raises(DefinitionError) as caught:
        load_all(tmp_path, guards=GUARDS)

    assert [(Path(p.file).name, p.path, p.message) for p in caught.value.problems] == [
        ("demo_copy.yaml", "name", f"workflow 'demo' is also defined in {tmp_path / 'demo.yaml'}")
    ]


def test_load_all_returns_definitions_by_name(tmp_path):
    other = valid()
    other["name"] = "other"
    write(tmp_path, valid(), "demo.yaml")
    write(tmp_path, other, "other.yaml")

    assert sorted(load_all(tmp_path, guards=GUARDS)) == ["demo", "other"]


def test_an_unknown_effect_is_reported_with_its_path(tmp_path):
    path = tmp_path / "effects.yaml"
    path.write_text(
        "name: fx\nlabels: {nb: F, en: F}\ninitial: a\nstates:\n"
        "  a: {labels: {nb: A, en: A}}\n  b: {labels: {nb: B, en: B}, terminal: true}\n"
        "transitions:\n  - {trigger: go, source: a, dest: b, labels: {nb: G, en: G},"
        " roles: [secretariat], effects: [send_fireworks]}\n"
    )
    with pytest.raises(DefinitionError) as error:
        load_definition(path, guards=(), effects=("send_notice",))
    assert [str(p) for p in error.value.problems] == [
        f"{path}: transitions[0].effects[0]: unknown effect 'send_fireworks'; "
        "known effects: send_notice"
    ]
