"""The public journal: what the public may know of every registered document, by date."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest

from engine.errors import ValidationError
from engine.services import open_case
from engine.services.documents import register_document
from engine.services.journal import journal_csv, journal_json, journal_period, public_journal
from tests.clock import NOW

PDF = b"%PDF-1.4\n%%EOF\n"
DAY = NOW.date()


def case_with(session, world, access="public", title="Trygghet på Grønland", **kwargs):
    return open_case(
        session,
        council=world.council,
        kind="agenda_item",
        title=title,
        actor=world.actor("leader"),
        access=access,
        now=NOW,
        **kwargs,
    )


def register(session, world, case, now=NOW, **kwargs):
    values = {
        "data": PDF,
        "filename": "dok.pdf",
        "title": "Notat",
        "kind": "memo",
        "entry_type": "internal",
    }
    values.update(kwargs)
    return register_document(session, case, actor=world.actor("leader"), now=now, **values)


def journal(session, world, date_from=DAY, date_to=DAY):
    return public_journal(
        session, world.council, date_from=date_from, date_to=date_to, today=date_to
    )


@pytest.fixture
def entries(session, world):
    public_case = case_with(session, world)
    secret_case = case_with(
        session, world, access="restricted", title="PST-sak", public_title="Sak"
    )
    exempt_case = case_with(
        session,
        world,
        access="exempt",
        title="Vold i hjemmet, Hagegata 3",
        public_title="Bekymring i bydel Gamle Oslo",
        legal_basis="offl. § 13",
    )
    return {
        "letter": register(
            session,
            world,
            public_case,
            title="Brev fra Grønland beboerforening",
            kind="letter",
            entry_type="incoming",
            correspondent="Grønland beboerforening",
            document_date=date(2026, 2, 27),
        ),
        "screened": register(
            session,
            world,
            public_case,
            title="Bekymringsmelding om Ola Nordmann",
            access="exempt",
            legal_basis="offl. § 13 jf. fvl. § 13",
            screened_words=["Ola Nordmann"],
            correspondent="Kari Nordmann",
            entry_type="incoming",
            kind="letter",
        ),
        "restricted": register(
            session,
            world,
            public_case,
            title="Trusselvurdering",
            access="restricted",
            public_title="Vurdering",
        ),
        "in_secret_case": register(session, world, secret_case, title="Referat fra PST"),
        "in_exempt_case": register(session, world, exempt_case, title="Svar til bydelen"),
        "yesterday": register(
            session, world, public_case, title="Gårsdagens notat", now=NOW - timedelta(days=1)
        ),
    }


def test_the_journal_lists_the_entries_of_the_period_in_journal_order(session, world, entries):
    rows = journal(session, world)

    assert [row.id for row in rows] == [
        entries["letter"].id,
        entries["screened"].id,
        entries["in_exempt_case"].id,
    ]
    wider = journal(session, world, date_from=DAY - timedelta(days=1))
    assert wider[0].id == entries["yesterday"].id


def test_a_row_gives_numbers_dates_type_title_sender_and_case(session, world, entries):
    letter = entries["letter"]

    row = journal(session, world)[0]

    assert row.number == letter.number == f"{letter.case.number}-1"
    assert row.journal_number == letter.journal_number
    assert (row.journal_date, row.document_date) == (DAY, date(2026, 2, 27))
    assert (row.entry_type, row.kind) == ("incoming", "letter")
    assert row.title == "Brev fra Grønland beboerforening"
    assert row.correspondent == "Grønland beboerforening"
    assert (row.case_number, row.case_title) == (letter.case.number, "Trygghet på Grønland")
    assert (row.access, row.legal_basis, row.downloadable) == ("public", None, True)


def test_an_exempt_entry_shows_its_screened_title_and_legal_basis_but_not_its_sender(
    session, world, entries
):
    row = journal(session, world)[1]

    assert row.title == "Bekymringsmelding om *****"
    assert row.correspondent is None and row.correspondent_screened
    assert (row.access, row.legal_basis, row.downloadable) == (
        "exempt",
        "offl. § 13 jf. fvl. § 13",
        False,
    )


def test_an_entry_of_an_exempt_case_names_the_case_by_its_public_title(session, world, entries):
    row = journal(session, world)[2]

    assert row.case_title == "Bekymring i bydel Gamle Oslo"


def test_nothing_restricted_is_in_the_journal(session, world, entries):
    text = journal_csv(journal(session, world)) + str(
        journal_json(world.council, journal(session, world), DAY, DAY)
    )

    for secret in ("Trusselvurdering", "Vurdering", "PST", "Ola Nordmann", "Kari", "Hagegata"):
        assert secret not in text


def test_the_csv_has_norwegian_headers_type_codes_and_stars_for_a_screened_sender(
    session, world, entries
):
    rows = list(csv.reader(io.StringIO(journal_csv(journal(session, world)))))

    assert rows[0] == [
        "journalpostnummer",
        "løpenummer",
        "journaldato",
        "dokumentdato",
        "type",
        "tittel",
        "avsender/mottaker",
        "saksnummer",
        "sakstittel",
        "tilgang",
        "hjemmel",
    ]
    assert rows[1][4:7] == ["I", "Brev fra Grønland beboerforening", "Grønland beboerforening"]
    assert rows[2][4:7] == ["I", "Bekymringsmelding om *****", "*****"]
    assert rows[2][9:] == ["exempt", "offl. § 13 jf. fvl. § 13"]
    assert len(rows) == 4


def test_a_title_that_looks_like_a_formula_stays_text_in_the_csv(session, world):
    register(session, world, case_with(session, world), title='=HYPERLINK("x")')

    rows = list(csv.reader(io.StringIO(journal_csv(journal(session, world)))))

    assert rows[1][5] == '\'=HYPERLINK("x")'


def test_the_json_names_the_council_the_period_and_every_field(session, world, entries):
    document = journal_json(world.council, journal(session, world), DAY, DAY)

    assert (document["council"], document["from"], document["to"]) == (
        "testby",
        "2026-03-02",
        "2026-03-02",
    )
    first = document["entries"][0]
    assert first["number"] == entries["letter"].number
    assert first["document_date"] == "2026-02-27"
    assert first["downloadable"] is True


def test_the_period_defaults_to_the_last_two_weeks_and_is_at_most_a_year():
    assert journal_period(None, None, today=DAY) == (DAY - timedelta(days=13), DAY)
    assert journal_period(date(2026, 1, 1), None, today=DAY) == (date(2026, 1, 1), DAY)
    with pytest.raises(ValidationError, match="starts after it ends"):
        journal_period(DAY, DAY - timedelta(days=1), today=DAY)
    assert journal_period(date(2025, 1, 1), date(2026, 1, 1), today=DAY)[0] == date(2025, 1, 1)
    with pytest.raises(ValidationError, match="at most 366 days"):
        journal_period(date(2025, 1, 1), date(2026, 1, 2), today=DAY)
