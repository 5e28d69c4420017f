"""The politirad command line, end to end against a real, migrated database."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from click.testing import CliRunner
from sqlalchemy import update

from engine.db import make_engine
from engine.models import CaseEvent
from web.cli import main


def make_council(cli, database):
    from engine.actors import Actor
    from engine.db import session_factory
    from engine.reference_data import load_oslo_reference_data
    from engine.services.people import create_council

    engine = make_engine(database)
    try:
        with session_factory(engine, write=True)() as session:
            council = create_council(
                session,
                actor=Actor.system(),
                slug="oslo",
                name="Politirådet i Oslo",
                municipality="Oslo kommune",
                police_district="Oslo politidistrikt",
            )
            load_oslo_reference_data(session, council)
            session.commit()
    finally:
        engine.dispose()
    for login, party, role in (
        ("sek", "municipality", "secretariat"),
        ("leder", "municipality", "leader"),
        ("pm", "police", "deputy"),
        ("gjest", "external", "guest"),
    ):
        cli(
            "users", "create", login, "--name", login.title(), "--party", party, "--role", role,
            input="hemmelig-passord\nhemmelig-passord\n",
        )  # fmt: skip


def test_workflows_check_accepts_the_shipped_definitions():
    result = CliRunner().invoke(main, ["workflows", "check"])
    assert result.exit_code == 0, result.output
    assert "6 workflow definitions are valid" in result.output


def test_workflows_check_prints_every_problem_with_file_and_path_and_exits_1(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        "name: broken\nlabels: {nb: X, en: X}\ninitial: start\nstates:\n"
        "  start: {labels: {nb: S, en: S}}\n  lost: {labels: {nb: L, en: L}, terminal: true}\n"
        "transitions:\n  - {trigger: go, source: start, dest: nowhere, labels: {nb: G, en: G},"
        " roles: [secretariat], guards: [magic]}\n"
    )
    result = CliRunner().invoke(main, ["workflows", "check", str(broken)])
    assert result.exit_code == 1
    assert f"{broken}: transitions[0].dest" in result.output
    assert f"{broken}: transitions[0].guards[0]" in result.output
    assert f"{broken}: states.lost" in result.output
    assert "Traceback" not in result.output


def test_workflows_show_and_diagram_describe_a_workflow(tmp_path):
    shown = CliRunner().invoke(main, ["workflows", "show", "bylaw_revision"])
    assert shown.exit_code == 0 and "in_consultation" in shown.output
    out = tmp_path / "meeting.svg"
    drawn = CliRunner().invoke(main, ["workflows", "diagram", "meeting", "--out", str(out)])
    assert drawn.exit_code == 0
    assert ET.fromstring(out.read_text()).tag.endswith("svg")
    unknown = CliRunner().invoke(main, ["workflows", "show", "nope"])
    assert unknown.exit_code == 1 and unknown.output.startswith("error: no workflow 'nope'")


def test_db_upgrade_and_check_agree_on_a_fresh_database(cli):
    assert "database at head" in cli("db", "upgrade").output
    assert "models and migrations agree" in cli("db", "check").output


def test_a_case_is_opened_moved_and_shown_with_reasons_from_the_command_line(cli, database):
    make_council(cli, database)
    opened = cli("case", "open", "meeting", "Ordinært møte", "--as", "sek",
                 "--data", "meeting_date=2026-12-10", "--now", "2026-12-01T09:00")  # fmt: skip
    assert "opened 2026/1 (planned)" in opened.output
    moved = cli(
        "case", "fire", "2026/1", "start_agenda", "--as", "sek", "--now", "2026-12-01T10:00"
    )
    assert "2026/1 is now agenda_draft" in moved.output
    approved = cli("case", "fire", "2026/1", "fix_agenda", "--as", "leder")
    assert "waiting for police" in approved.output
    shown = cli("case", "show", "2026/1", "--as", "leder")
    assert "start_agenda agenda_draft" not in shown.output
    assert "planned → agenda_draft" in shown.output
    assert "fix_agenda → agenda_fixed: not allowed: municipality has already approved" in (
        shown.output
    )
    listed = cli("case", "list", "--as", "gjest")
    assert "2026/1" in listed.output and "Ordinært møte" in listed.output


def test_user_mistakes_print_one_line_and_exit_1(cli, database):
    make_council(cli, database)
    cli("case", "open", "meeting", "Møte", "--as", "sek")
    for args, message in (
        (("case", "fire", "2099/1", "hold", "--as", "sek"), "error: no case 2099/1"),
        (("case", "fire", "abc", "hold", "--as", "sek"), "is not a case number"),
        (("case", "fire", "2026/1", "fly", "--as", "sek"), "has no transition 'fly'"),
        (("case", "fire", "2026/1", "start_agenda", "--as", "gjest"), "may not fire"),
        (("case", "fire", "2026/1", "start_agenda", "--as", "ingen"), "no person with login"),
        (("case", "fire", "2026/1", "start_agenda", "--as", "sek", "--version", "9"), "version"),
        (("case", "open", "nonsense", "X", "--as", "sek"), "unknown workflow"),
    ):
        result = cli(*args, code=1)
        assert message in result.output
        assert "Traceback" not in result.output and result.output.count("\n") == 1


def test_audit_verify_names_a_tampered_event_and_head_detects_a_cut(cli, database):
    make_council(cli, database)
    cli("case", "open", "meeting", "Møte", "--as", "sek")
    cli("case", "fire", "2026/1", "start_agenda", "--as", "sek")
    # four seats given, the case opened, one transition
    assert "audit chain intact: 6 events" in cli("audit", "verify").output
    head = cli("audit", "head").output.strip()
    assert cli("audit", "verify", "--head", head).exit_code == 0
    engine = make_engine(database)
    try:
        with engine.begin() as conn:
            conn.execute(update(CaseEvent).where(CaseEvent.seq == 1).values(actor="mallory"))
    finally:
        engine.dispose()
    broken = cli("audit", "verify", code=1)
    assert "event 1 was altered" in broken.output
