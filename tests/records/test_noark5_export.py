"""The Noark 5 extract: valid against the v5.0 schemas, and a faithful count of the records."""

# ruff: noqa: F811  (the command-line fixtures are imported by name)

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import xmlschema
from argon2 import PasswordHasher
from sqlalchemy import func, select

from engine.actors import Actor
from engine.demo import load_demo
from engine.errors import ValidationError
from engine.models import Case, CaseEvent, Document, Meeting
from engine.noark5 import Period, export
from engine.noark5.schemas import XSD_DIR, XSD_FILES, errors
from engine.services import open_case
from tests.clock import NOW
from tests.web.conftest import cli, database  # noqa: F401

FIXED_NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
YEAR = Period(date(2026, 1, 1), date(2026, 12, 31))
A = "{http://www.arkivverket.no/standarder/noark5/arkivstruktur}"
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch):
    monkeypatch.setattr("engine.services.people.hash_password", CHEAP_HASHER.hash)


@pytest.fixture
def demo(session):
    return load_demo(session, now=FIXED_NOW)


def extract(session, council, out: Path, actor=None, period=YEAR):
    return export(session, actor or Actor.system(), council, period, out, now=FIXED_NOW)


def folders(root: ET.Element, kind: str) -> list[ET.Element]:
    return [m for m in root.iter(f"{A}mappe") if m.get(XSI_TYPE) == kind]


def test_the_demo_councils_extract_validates_against_the_noark5_v5_schemas(session, demo, tmp_path):
    extract(session, demo.council, tmp_path)
    written = sorted(p.name for p in tmp_path.glob("*.xml"))
    assert written == [
        "arkivstruktur.xml",
        "endringslogg.xml",
        "loependeJournal.xml",
        "offentligJournal.xml",
    ]
    for name in written:
        schema = xmlschema.XMLSchema(str(tmp_path / name.replace(".xml", ".xsd")))
        schema.validate(str(tmp_path / name))
    assert all((tmp_path / xsd).read_bytes() == (XSD_DIR / xsd).read_bytes() for xsd in XSD_FILES)


def test_the_extract_counts_the_cases_meetings_documents_and_events_of_the_period(
    session, demo, tmp_path
):
    summary = extract(session, demo.council, tmp_path)
    root = ET.parse(tmp_path / "arkivstruktur.xml").getroot()
    log = ET.parse(tmp_path / "endringslogg.xml").getroot()

    start = datetime(2025, 12, 31, 23, 0, tzinfo=UTC)  # 1 January 2026 in Oslo
    end = datetime(2026, 12, 31, 23, 0, tzinfo=UTC)
    cases = session.scalars(
        select(Case.id).where(
            Case.council_id == demo.council.id,
            Case.kind != "meeting",
            Case.created_at >= start,
            Case.created_at < end,
        )
    ).all()
    meetings = session.scalars(
        select(Meeting.case_id).where(
            Meeting.council_id == demo.council.id, Meeting.date.between(YEAR.start, YEAR.end)
        )
    ).all()
    folder_ids = [*cases, *meetings]
    documents = session.scalar(
        select(func.count(Document.id)).where(
            Document.case_id.in_(folder_ids), Document.journal_date <= YEAR.end
        )
    )
    events = session.scalar(
        select(func.count(CaseEvent.seq)).where(
            CaseEvent.case_id.in_(folder_ids), CaseEvent.at < FIXED_NOW
        )
    )
    assert len(cases) >= 10 and len(meetings) >= 2 and documents >= 1 and events >= 50

    assert len(folders(root, "saksmappe")) == len(cases) == summary.cases
    assert len(folders(root, "moetemappe")) == len(meetings) == summary.meetings
    assert len(list(root.iter(f"{A}dokumentbeskrivelse"))) == documents == summary.documents
    assert len(list(log)) == events == summary.events
    numbers = {m.findtext(f"{A}mappeID") for m in folders(root, "saksmappe")}
    expected = {
        f"{c.year}/{c.seq}" for c in session.scalars(select(Case).where(Case.id.in_(cases)))
    }
    assert numbers == expected


def test_every_document_object_names_a_file_of_the_extract_with_its_checksum_and_size(
    session, demo, tmp_path
):
    extract(session, demo.council, tmp_path)
    root = ET.parse(tmp_path / "arkivstruktur.xml").getroot()
    objects = list(root.iter(f"{A}dokumentobjekt"))
    assert objects
    for element in objects:
        data = (tmp_path / element.findtext(f"{A}referanseDokumentfil")).read_bytes()
        assert element.findtext(f"{A}sjekksumAlgoritme") == "SHA256"
        assert hashlib.sha256(data).hexdigest() == element.findtext(f"{A}sjekksum")
        assert len(data) == int(element.findtext(f"{A}filstoerrelse"))


def test_each_record_keeps_its_system_id_from_one_extract_to_the_next(session, demo, tmp_path):
    extract(session, demo.council, tmp_path / "first")
    extract(session, demo.council, tmp_path / "second")
    first = (tmp_path / "first" / "arkivstruktur.xml").read_bytes()
    assert first == (tmp_path / "second" / "arkivstruktur.xml").read_bytes()
    ids = [e.text for e in ET.fromstring(first).iter(f"{A}systemID")]
    assert len(ids) == len(set(ids))


def test_a_folder_without_its_status_breaks_the_schema(session, world, tmp_path):
    open_case(
        session,
        council=world.council,
        kind="agenda_item",
        title="Trygghet på Grønland",
        actor=world.actor("sec"),
        priority_areas=[world.area(session).id],
        now=NOW,
    )
    extract(session, world.council, tmp_path)
    text = (tmp_path / "arkivstruktur.xml").read_text()
    assert errors("arkivstruktur", text) == []
    broken = text.replace("<saksstatus>Under behandling</saksstatus>", "")
    assert any("saksstatus" in line for line in errors("arkivstruktur", broken))


def test_a_period_that_ends_before_it_starts_is_refused():
    with pytest.raises(ValidationError):
        Period(date(2026, 12, 31), date(2026, 1, 1))


def test_an_open_case_is_marked_as_open_though_the_schema_wants_it_closed(session, world, tmp_path):
    open_case(
        session,
        council=world.council,
        kind="agenda_item",
        title="Trygghet på Grønland",
        actor=world.actor("sec"),
        priority_areas=[world.area(session).id],
        now=NOW,
    )
    extract(session, world.council, tmp_path)
    (folder,) = folders(ET.parse(tmp_path / "arkivstruktur.xml").getroot(), "saksmappe")
    assert folder.findtext(f"{A}saksstatus") == "Under behandling"
    assert folder.findtext(f"{A}avsluttetDato") == "2026-11-27T10:00:00+00:00"  # the cut-off
    assert "ikke avsluttet" in folder.find(f"{A}merknad").findtext(f"{A}merknadstekst")


# --- the command --------------------------------------------------------------------------


def test_the_export_command_writes_the_demo_extract_and_refuses_a_folder_in_use(cli, tmp_path):
    cli("demo", "load", "--now", "2026-11-27T10:00")
    out = tmp_path / "uttrekk"
    args = ("export", "noark5", "--council", "oslo", "--from", "2026-01-01", "--to", "2026-12-31")
    result = cli(*args, "--out", str(out), "--now", "2026-11-27T12:00")
    assert "cases" in result.output and "arkivstruktur.xml" in result.output
    schema = xmlschema.XMLSchema(str(out / "arkivstruktur.xsd"))
    schema.validate(str(out / "arkivstruktur.xml"))
    refused = cli(*args, "--out", str(out), code=1)
    assert "is not empty" in refused.output


def test_a_meeting_folder_names_its_participants_to_the_council_but_not_to_the_public(
    session, world, tmp_path
):
    from engine.services.meetings import create_meeting, invite_guest

    meeting = create_meeting(
        session,
        council=world.council,
        actor=world.actor("sec"),
        date=date(2026, 3, 26),
        kind="ordinary",
        now=NOW,
    )
    invite_guest(
        session, meeting, name="Kari Innbygger", organisation=None, email=None,
        actor=world.actor("sec"), now=NOW,
    )  # fmt: skip
    extract(session, world.council, tmp_path / "archive")
    extract(session, world.council, tmp_path / "public", actor=Actor.public())
    for who, expected in (("archive", True), ("public", False)):
        root = ET.parse(tmp_path / who / "arkivstruktur.xml").getroot()
        (folder,) = folders(root, "moetemappe")
        assert folder.findtext(f"{A}moetenummer") == "PR 1/2026"
        names = [e.findtext(f"{A}moetedeltakerNavn") for e in folder.iter(f"{A}moetedeltaker")]
        assert ("Kari Innbygger" in names) is expected
        assert ("Leader" in names) is expected


def test_a_case_opened_just_after_midnight_on_new_years_day_in_oslo_belongs_to_the_new_year(
    session, world, tmp_path
):
    case = open_case(
        session,
        council=world.council,
        kind="agenda_item",
        title="Nyttårsaften",
        actor=world.actor("sec"),
        priority_areas=[world.area(session).id],
        now=datetime(2026, 12, 31, 23, 30, tzinfo=UTC),  # 00:30 on 1 January 2027 in Oslo
    )
    later = datetime(2027, 2, 1, tzinfo=UTC)
    old, new = tmp_path / "2026", tmp_path / "2027"
    next_year = Period(date(2027, 1, 1), date(2027, 12, 31))
    export(session, Actor.system(), world.council, YEAR, old, now=later)
    export(session, Actor.system(), world.council, next_year, new, now=later)
    assert folders(ET.parse(old / "arkivstruktur.xml").getroot(), "saksmappe") == []
    (folder,) = folders(ET.parse(new / "arkivstruktur.xml").getroot(), "saksmappe")
    assert folder.findtext(f"{A}mappeID") == case.number == "2027/1"
    assert folder.findtext(f"{A}saksdato") == "2027-01-01"


def test_the_public_journal_screens_words_and_the_running_journal_keeps_the_title(
    session, world, tmp_path
):
    from engine.services.documents import register_document

    case = open_case(
        session,
        council=world.council,
        kind="agenda_item",
        title="Trygghet på Grønland",
        actor=world.actor("sec"),
        priority_areas=[world.area(session).id],
        now=NOW,
    )
    register_document(
        session,
        case,
        actor=world.actor("sec"),
        data=b"Brev fra Ola Nordmann\n",
        filename="brev.txt",
        title="Bekymringsmelding fra Ola Nordmann",
        kind="letter",
        entry_type="incoming",
        access="exempt",
        legal_basis="offl. § 13 jf. fvl. § 13 første ledd nr. 1",
        screened_words=["Ola Nordmann"],
        correspondent="Ola Nordmann",
        now=NOW,
    )
    extract(session, world.council, tmp_path)
    public = (tmp_path / "offentligJournal.xml").read_text()
    running = (tmp_path / "loependeJournal.xml").read_text()
    assert "<offentligTittel>Bekymringsmelding fra *****</offentligTittel>" in public
    assert "Ola" not in public
    assert "<skjermingshjemmel>offl. § 13 jf. fvl. § 13 første ledd nr. 1<" in public
    assert "<tittel>Bekymringsmelding fra Ola Nordmann</tittel>" in running
