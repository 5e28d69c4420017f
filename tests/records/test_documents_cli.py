"""``politirad documents``: attach, list, journal, redact and request, end to end."""

from __future__ import annotations

import json

from engine.actors import Actor
from engine.db import make_engine, session_factory
from engine.models import Council
from engine.services import open_case
from tests.web.test_cli import make_council


def a_case(database) -> str:
    engine = make_engine(database)
    try:
        with session_factory(engine, write=True)() as session:
            council = session.query(Council).filter_by(slug="oslo").one()
            case = open_case(
                session,
                council=council,
                kind="agenda_item",
                title="Trygghet på Grønland",
                actor=Actor.system(),
            )
            session.commit()
            return case.number
    finally:
        engine.dispose()


def test_a_file_is_attached_listed_journalled_redacted_and_requested(cli, database, tmp_path):
    make_council(cli, database)
    number = a_case(database)
    letter = tmp_path / "brev.txt"
    letter.write_text("Brev fra Kari Fjellheim om Grønland\n")
    redacted = tmp_path / "sladdet.txt"
    redacted.write_text("Brev fra ***** om Grønland\n")

    attached = cli(
        "documents", "attach", number, str(letter), "--title", "Brev fra Kari Fjellheim",
        "--kind", "letter", "--type", "incoming", "--access", "exempt",
        "--legal-basis", "offl. § 13", "--screen", "Kari Fjellheim",
        "--correspondent", "Kari Fjellheim", "--council", "oslo", "--as", "sek",
    )  # fmt: skip
    size = len(letter.read_bytes())
    assert attached.output.startswith(f"{number}-1 registered (text/plain, {size} bytes, sha256 ")

    public = cli(
        "documents",
        "list",
        number,
        "--council",
        "oslo",
        "--as",
        "public",
    )
    assert public.output.split()[-3:] == ["Brev", "fra", "*****"]
    secretariat = cli(
        "documents",
        "list",
        number,
        "--council",
        "oslo",
        "--as",
        "sek",
    )
    assert "Brev fra Kari Fjellheim" in secretariat.output

    journal = cli(
        "documents", "journal", "--council", "oslo", "--from", "2026-03-01",
        "--format", "json",
    )  # fmt: skip
    [entry] = json.loads(journal.output)["entries"]
    assert (entry["number"], entry["title"], entry["correspondent"]) == (
        f"{number}-1",
        "Brev fra *****",
        None,
    )
    assert "Kari" not in journal.output
    csv_text = cli(
        "documents",
        "journal",
        "--council",
        "oslo",
        "--from",
        "2026-03-01",
    )
    assert csv_text.output.splitlines()[0].startswith("journalpostnummer,")

    cli(
        "documents", "redact", f"{number}-1", str(redacted), "--note", "Navnet er sladdet",
        "--council", "oslo", "--as", "sek",
    )  # fmt: skip
    request = cli(
        "documents", "request", f"{number}-1", "--name", "Ola Berg", "--email", "ola@example.no",
        "--council", "oslo",
    )  # fmt: skip
    assert request.output == f"access request {number[:5]}{int(number[5:]) + 1} registered\n"


def test_a_refused_attachment_prints_one_line_and_exits_1(cli, database, tmp_path):
    make_council(cli, database)
    number = a_case(database)
    letter = tmp_path / "brev.txt"
    letter.write_text("Brev\n")

    refused = cli(
        "documents", "attach", number, str(letter), "--title", "Brev", "--access", "exempt",
        "--council", "oslo", "--as", "sek", code=1,
    )  # fmt: skip

    assert refused.output.startswith("error: an exempt document needs its legal basis")
