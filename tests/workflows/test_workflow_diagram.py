"""The SVG state diagram and the text listing of a definition."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from workflows.diagram import render_svg, render_text
from workflows.loader import load_definition
from workflows.model import Definition

SVG = "{http://www.w3.org/2000/svg}"
DEFINITION = """\
name: demo
labels: {nb: "Sak <demo> & co", en: Demo case}
initial: draft
fields: [meeting_date]
states:
  draft: {labels: {nb: Utkast, en: Draft}}
  proposed:
    labels: {nb: Innmeldt, en: Proposed}
    deadlines:
      - {name: intake, labels: {nb: Innmeldingsfrist, en: Intake}, anchor: meeting_date,
         amount: -21, unit: days, effect: reminder}
  deferred: {labels: {nb: "Utsatt «igjen»", en: Deferred}}
  withdrawn: {labels: {nb: Trukket, en: Withdrawn}, terminal: true}
  closed: {labels: {nb: Avsluttet, en: Closed}, terminal: true}
transitions:
  - {trigger: propose, source: draft, dest: proposed, labels: {nb: Meld inn, en: Propose},
     roles: [member], guards: [has_priority_area]}
  - {trigger: defer, source: proposed, dest: deferred, labels: {nb: Utsett, en: Defer},
     roles: [leader], approvals: [municipality, police]}
  - {trigger: resume, source: deferred, dest: proposed, labels: {nb: Gjenoppta, en: Resume},
     roles: [secretariat]}
  - {trigger: move, source: proposed, dest: proposed, labels: {nb: Flytt, en: Move},
     roles: [secretariat], requires: [meeting_date]}
  - {trigger: withdraw, source: [draft, proposed], dest: withdrawn,
     labels: {nb: Trekk, en: Withdraw}, roles: [member], comment_required: true}
  - {trigger: close, source: proposed, dest: closed, labels: {nb: Avslutt, en: Close},
     roles: [secretariat]}
"""


@pytest.fixture
def definition(tmp_path: Path) -> Definition:
    path = tmp_path / "demo.yaml"
    path.write_text(DEFINITION, encoding="utf-8")
    return load_definition(path, guards={"has_priority_area"})


def states_of(svg: str) -> dict[str, ET.Element]:
    root = ET.fromstring(svg)
    return {g.get("data-state"): g for g in root.iter(f"{SVG}g") if g.get("data-state")}


def test_the_svg_parses_as_xml_and_shows_every_state_label(definition):
    root = ET.fromstring(render_svg(definition))

    texts = {text.text for text in root.iter(f"{SVG}text")}
    assert {"Utkast", "Innmeldt", "Utsatt «igjen»", "Trukket", "Avsluttet"} <= texts
    assert root.find(f"{SVG}title").text == "Sak <demo> & co"


def test_the_svg_labels_follow_the_locale(definition):
    root = ET.fromstring(render_svg(definition, locale="en"))

    texts = {text.text for text in root.iter(f"{SVG}text")}
    assert {"Draft", "Proposed", "Deferred", "Withdrawn", "Closed", "Propose", "Move"} <= texts


def test_every_transition_is_drawn_once_per_source(definition):
    root = ET.fromstring(render_svg(definition))

    triggers = [g.get("data-trigger") for g in root.iter(f"{SVG}g") if g.get("data-trigger")]
    assert sorted(triggers) == sorted(
        ["propose", "defer", "resume", "move", "withdraw", "withdraw", "close"]
    )


def test_the_current_state_is_filled_and_the_path_is_tinted(definition):
    svg = render_svg(definition, current="deferred", path=["draft", "proposed"])

    states = states_of(svg)
    assert states["deferred"].get("class").split() == ["state", "current"]
    assert "passed" in states["draft"].get("class").split()
    assert "passed" in states["proposed"].get("class").split()
    assert states["closed"].get("class").split() == ["state", "terminal"]
    fills = {name: g.find(f"{SVG}rect").get("fill") for name, g in states.items()}
    assert len({fills["deferred"], fills["draft"], fills["closed"]}) == 3


def test_terminal_states_have_a_double_border(definition):
    states = states_of(render_svg(definition))

    assert len(states["withdrawn"].findall(f"{SVG}rect")) == 2
    assert len(states["draft"].findall(f"{SVG}rect")) == 1


def test_state_boxes_do_not_overlap(definition):
    boxes = []
    for g in states_of(render_svg(definition)).values():
        rect = g.find(f"{SVG}rect")
        x, y = float(rect.get("x")), float(rect.get("y"))
        boxes.append((x, y, x + float(rect.get("width")), y + float(rect.get("height"))))

    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)


def test_the_text_listing_shows_states_deadlines_and_transitions(definition):
    text = render_text(definition)

    assert "demo: Sak <demo> & co" in text
    assert "withdrawn  Trukket  [terminal]" in text
    assert "deadline intake (Innmeldingsfrist): meeting_date -21 days -> reminder" in text
    assert "withdraw: draft, proposed -> withdrawn  (Trekk)" in text
    assert "roles: leader; approvals: municipality, police" in text
    assert "roles: member; comment required" in text
    assert "guards: has_priority_area" in text


def test_the_path_taken_is_told_by_width_dash_and_words_not_colour_alone(definition):
    root = ET.fromstring(
        render_svg(definition, current="deferred", path=["draft", "proposed"], locale="en")
    )
    edges = {
        g.get("data-trigger"): g
        for g in root.iter(f"{SVG}g")
        if g.get("data-trigger") in ("propose", "defer", "withdraw")
    }
    walked = {name: "walked" in g.get("class").split() for name, g in edges.items()}
    assert walked == {"propose": True, "defer": True, "withdraw": False}
    widths = {name: g.find(f"{SVG}path").get("stroke-width") for name, g in edges.items()}
    assert widths["propose"] != widths["withdraw"]
    assert edges["withdraw"].find(f"{SVG}path").get("stroke-dasharray")
    assert edges["propose"].find(f"{SVG}path").get("stroke-dasharray") is None
    assert root.find(f"{SVG}desc").text == (
        "Current state: Deferred. Path taken: Draft → Proposed → Deferred."
    )


def test_a_diagram_without_a_current_state_has_no_description(definition):
    assert ET.fromstring(render_svg(definition)).find(f"{SVG}desc") is None
