"""``politirad action``, ``referral`` and ``minutes`` end to end against a real database."""

from __future__ import annotations

from datetime import date

from engine.db import make_engine, session_factory
from engine.seeding import make_world
from engine.services import fire
from tests.engine.test_followup import decided_item
from tests.engine.test_minutes import AFTER, hold, meeting_on, with_cleared_secretariat

NOW = ("--now", "2026-03-27T10:00")


def prepare(url: str) -> tuple[str, str]:
    """A decided item and a meeting whose draft minutes are written; their case numbers."""
    engine = make_engine(url)
    try:
        with session_factory(engine, write=True)() as session:
            world = with_cleared_secretariat(session, make_world(session))
            item = decided_item(session, world)
            meeting = meeting_on(session, world, date(2026, 3, 26))
            hold(session, world, meeting)
            fire(session, meeting.case, "draft_minutes", actor=world.actor("psec"), now=AFTER)
            session.commit()
            return item.number, meeting.case.number
    finally:
        engine.dispose()


def test_follow_up_from_the_command_line(cli, database):
    number, _meeting = prepare(database)
    sec = ("--as", "testby-sec", *NOW)

    added = cli(
        "action", "add", number, "--description", "Lage en felles plan", "--party", "police",
        "--due", "2026-05-17", "--owner", "testby-pmember", "--unit", "Enhet Øst", *sec,
    )  # fmt: skip
    assert added.output == f"action 1 on {number}, due 18.05.2026\n"
    cli("action", "add", number, "--description", "x", "--party", "external", "--due",
        "2026-05-18", *sec, code=2)  # fmt: skip
    sent = cli(
        "referral", "add", number, "--to", "city_council", "--name", "Bystyret",
        "--description", "Bes om midler", "--due", "2026-09-01", *sec,
    )  # fmt: skip
    assert sent.output == "referral 1 to Bystyret, response due 01.09.2026\n"

    late = cli("action", "list", "--overdue", "--as", "testby-kmember", "--now", "2026-05-20")
    assert late.output.startswith("action      1  18.05.2026  FORFALT åpen 0%")
    assert "Bystyret" not in late.output
    assert "Bystyret" in cli("action", "list", "--as", "testby-kmember", *NOW).output

    refused = cli("action", "progress", "1", "Godt i gang", "--as", "testby-kmember", *NOW, code=1)
    assert refused.output.startswith("error: only the secretariat, the leaders")
    progress = cli("action", "progress", "1", "Godt i gang", "--percent", "40",
                   "--as", "testby-pmember", *NOW)  # fmt: skip
    assert progress.output == "action 1: pågår, 40%\n"
    assert f"case {number} is follow_up" in cli("action", "done", "1", *sec).output
    assert cli("referral", "respond", "1", "Innvilget", *sec).output == (
        f"referral 1 answered; case {number} is closed\n"
    )
    assert cli("action", "list", *sec).output == ""


def test_minutes_from_the_command_line(cli, database):
    _item, meeting = prepare(database)
    psec = ("--as", "testby-psec", *NOW)

    draft = cli("minutes", "generate", "PR 1/2026", *psec).output
    assert draft.startswith("Protokoll fra møte PR 1/2026 i Politirådet i testby\n")
    assert cli("minutes", "show", "PR 1/2026", "--as", "testby-kmember", *NOW).output == draft
    hidden = cli("minutes", "show", "PR 1/2026", "--as", "public", *NOW, code=1)
    assert hidden.output == "error: the minutes of PR 1/2026 are not published yet\n"
    early = cli("minutes", "comment", "PR 1/2026", "Riktig", "--as", "testby-kmember", *NOW, code=1)
    assert "minutes_review" in early.output

    cli("case", "fire", meeting, "circulate_minutes", *psec)
    said = cli("minutes", "comment", "PR 1/2026", "Riktig", "--as", "testby-kmember", *NOW)
    assert said.output == "comment on the minutes of PR 1/2026 recorded\n"
