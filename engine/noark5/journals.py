"""``offentligJournal.xml`` (the public journal) and ``loependeJournal.xml`` (the running
journal) of the extract's period: every journal entry with its journal date in it.

The public journal is written as the public sees it, whoever exports: public titles
(screened words as ``*****``), no screened correspondent, nothing restricted. The
running journal is the exporting actor's: full titles where they may see them, with
the screening marked.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date

from engine.access import Visibility, visibility
from engine.actors import Actor
from engine.calendar import to_oslo
from engine.models import Case, Document
from engine.models.documents import SCREENED
from engine.models.enums import Access
from engine.noark5 import vocabulary as v
from engine.noark5.collect import Extract
from engine.noark5.ids import system_id
from engine.noark5.schemas import NAMESPACE
from engine.noark5.xml import Builder
from engine.runtime import current_definitions
from engine.services.documents import document_visibility

PUBLIC = "offentligJournal"
RUNNING = "loependeJournal"


def public_entries(extract: Extract, day: date) -> list[Document]:
    """The journal entries of the period the public may know of."""
    public = Actor.public()
    return [
        document
        for document, _ in extract.journal
        if document_visibility(public, document, day) != Visibility.HIDDEN
    ]


def build_public(extract: Extract, entries: list[Document]) -> bytes | None:
    """The public journal, or None if the period has no public entry (the schema needs one)."""
    if not entries:
        return None
    return _Journal(extract, PUBLIC).build([(d, False) for d in entries])


def build_running(extract: Extract) -> bytes | None:
    """The running journal as the exporting actor may see it, or None if it is empty."""
    if not extract.journal:
        return None
    return _Journal(extract, RUNNING).build(extract.journal)


class _Journal:
    def __init__(self, extract: Extract, name: str):
        self.x = extract
        self.name = name
        self.public = name == PUBLIC
        self.b = Builder(NAMESPACE + name)
        self.unit = f"Sekretariatet for {extract.council.name}"
        self.day = to_oslo(extract.cut_off).date()
        self.labels = {kind: d.labels.nb for kind, d in current_definitions().items()}

    def build(self, entries: list[tuple[Document, bool]]) -> bytes:
        b, x = self.b, self.x
        root = b.root(self.name, f"{self.name}.xsd")
        head = b.add(root, "journalhode")
        b.add(head, "journalStartDato", x.period.start)
        b.add(head, "journalSluttDato", x.period.end)
        b.add(head, "antallJournalposter", len(entries))
        creator = b.add(head, "arkivskaper")
        b.add(creator, "arkivskaperID", x.council.slug)
        b.add(creator, "arkivskaperNavn", x.council.name)
        for document, full in entries:
            registration = b.add(root, "journalregistrering")
            self.klasse(registration, document.case)
            self.saksmappe(registration, document.case)
            self.journalpost(registration, document, full)
        return b.serialize(root)

    def klasse(self, parent: ET.Element, case: Case) -> None:
        klasse = self.b.add(parent, "klasse")
        self.b.add(klasse, "klasseID", case.kind)
        self.b.add(klasse, "tittel", self.labels.get(case.kind, case.kind))

    def saksmappe(self, parent: ET.Element, case: Case) -> None:
        b = self.b
        full = not self.public and visibility(self.x.actor, case, self.day) == Visibility.FULL
        folder = b.add(parent, "saksmappe")
        b.add(folder, "mappeID", case.number)
        b.add(folder, "saksaar", case.year)
        b.add(folder, "sakssekvensnummer", case.seq)
        if not self.public:
            b.add(folder, "tittel", case.title if full else case.public_title)
        b.add(folder, "offentligTittel", case.public_title)
        if not self.public and case.access != Access.PUBLIC:
            b.add(folder, "skjermingMetadata", "tittel")
        b.add(folder, "administrativEnhet", self.unit)
        if self.public and case.access != Access.PUBLIC:
            b.add(folder, "tilgangsrestriksjon", v.ACCESS_CODES[case.access])
            b.add(folder, "skjermingshjemmel", v.skjermingshjemmel(case.legal_basis))

    def journalpost(self, parent: ET.Element, document: Document, full: bool) -> None:
        b = self.b
        post = b.add(parent, "journalpost")
        b.add(post, "systemID", system_id(self.x.council.slug, "document", document.id))
        b.add(post, "registreringsID", document.number)
        b.add(post, "journalaar", document.journal_year)
        b.add(post, "journalsekvensnummer", document.journal_seq)
        b.add(post, "journalpostnummer", document.seq)
        if not self.public:
            b.add(post, "tittel", document.title if full else document.public_title)
        b.add(post, "offentligTittel", document.public_title)
        screened = [
            *(["tittel"] if document.screened_words or document.access != Access.PUBLIC else []),
            *(["korrespondansepart"] if document.correspondent_screened else []),
        ]
        if screened:
            b.add(post, "skjermingMetadata", ", ".join(screened))
        b.add(post, "journaldato", document.journal_date)
        b.add(post, "dokumentetsDato", document.document_date)
        if not self.public:
            b.add(post, "antallVedlegg", 0)
        b.add(post, "administrativEnhet", self.unit)
        if document.access != Access.PUBLIC:
            b.add(post, "tilgangsrestriksjon", v.ACCESS_CODES[document.access])
            b.add(post, "skjermingshjemmel", v.skjermingshjemmel(document.legal_basis))
        party = b.add(post, "korrespondansepart")
        b.add(party, "korrespondanseparttype", v.CORRESPONDENT_TYPES[document.entry_type])
        b.add(party, "korrespondansepartNavn", self.correspondent(document, full))

    def correspondent(self, document: Document, full: bool) -> str:
        """The sender or recipient, unless screened from this reader; an internal document
        without one names the secretariat."""
        if document.correspondent_screened and (self.public or not full):
            return SCREENED
        return document.correspondent or self.unit
