"""``arkivstruktur.xml``: arkiv → arkivdel → klassifikasjonssystem → klasse per kind of case
→ saksmappe per case and møtemappe per meeting → journalposter and møteregistreringer →
dokumentbeskrivelse → dokumentobjekt."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from engine.calendar import to_oslo
from engine.models import AgendaEntry, CaseEvent, Document
from engine.models.enums import Access
from engine.noark5 import vocabulary as v
from engine.noark5.collect import Extract, Folder
from engine.noark5.ids import system_id
from engine.noark5.schemas import NAMESPACE
from engine.noark5.xml import Builder
from engine.runtime import current_definitions, definition_of
from engine.storage import ALLOWED

b = Builder(NAMESPACE + "arkivstruktur")
LOCAL = "urn:politirad:noark5"
ET.register_namespace("politirad", LOCAL)
OPEN_CASE_NOTE = (
    "Saken var ikke avsluttet da uttrekket ble laget; avsluttetDato er uttrekkets "
    "skjæringstidspunkt."
)


@dataclass(frozen=True)
class DocumentFile:
    """A file the extract carries, named as ``referanseDokumentfil`` names it."""

    sha256: str
    name: str


def document_file(sha256: str, content_type: str) -> DocumentFile:
    return DocumentFile(sha256, f"DOKUMENT/{sha256}{ALLOWED.get(content_type, '')}")


def build(extract: Extract, session: Session) -> tuple[bytes, list[DocumentFile]]:
    """The XML, and the files its document objects refer to."""
    files: list[DocumentFile] = []
    writer = _Writer(extract, session, files)
    return b.serialize(writer.arkiv()), files


class _Writer:
    def __init__(self, extract: Extract, session: Session, files: list[DocumentFile]):
        self.x = extract
        self.session = session
        self.files = files
        self.slug = extract.council.slug
        self.unit = f"Sekretariatet for {extract.council.name}"

    def id(self, kind: str, key: object) -> str:
        return system_id(self.slug, kind, key)

    def person(self, person_id: int | None) -> str:
        return self.x.people.get(person_id) or v.SYSTEM

    # --- arkiv, arkivdel, klassifikasjonssystem, klasse ------------------------------------

    def arkiv(self) -> ET.Element:
        x, council = self.x, self.x.council
        root = b.root("arkiv", "arkivstruktur.xsd")
        b.add(root, "systemID", self.id("arkiv", council.slug))
        b.add(root, "tittel", council.name)
        b.add(root, "beskrivelse", f"Arkivet til {council.name}")
        b.add(root, "arkivstatus", "Avsluttet" if self.closed else "Opprettet")
        b.add(root, "dokumentmedium", "Elektronisk arkiv")
        b.add(root, "opprettetDato", council.created_at)
        b.add(root, "opprettetAv", v.SYSTEM)
        b.add(root, "avsluttetDato", x.cut_off)
        b.add(root, "avsluttetAv", x.actor.login)
        creator = b.add(root, "arkivskaper")
        b.add(creator, "arkivskaperID", council.slug)
        b.add(creator, "arkivskaperNavn", council.name)
        b.add(creator, "beskrivelse", f"{council.municipality} og {council.police_district}")
        self.arkivdel(root)
        return root

    @property
    def insider(self) -> bool:
        """Whether the exporting actor sits on the council (or is the system): only they get
        the names of the participants, who include invited private persons."""
        actor, council = self.x.actor, self.x.council
        return actor.is_system or bool(actor.seats_in(council.id, to_oslo(self.x.cut_off).date()))

    @property
    def closed(self) -> bool:
        return self.x.cut_off >= self.x.period.end_moment

    def arkivdel(self, parent: ET.Element) -> None:
        x, period = self.x, self.x.period
        part = b.add(parent, "arkivdel")
        b.add(part, "systemID", self.id("arkivdel", f"{period.start}/{period.end}"))
        b.add(part, "tittel", f"{x.council.name} {period.start:%d.%m.%Y}–{period.end:%d.%m.%Y}")
        b.add(part, "arkivdelstatus", "Avsluttet periode" if self.closed else "Aktiv periode")
        b.add(part, "dokumentmedium", "Elektronisk arkiv")
        b.add(part, "opprettetDato", min(x.council.created_at, x.cut_off))
        b.add(part, "opprettetAv", v.SYSTEM)
        b.add(part, "avsluttetDato", x.cut_off)
        b.add(part, "avsluttetAv", x.actor.login)
        b.add(part, "arkivperiodeStartDato", period.start)
        b.add(part, "arkivperiodeSluttDato", period.end)
        scheme = b.add(part, "klassifikasjonssystem")
        b.add(scheme, "systemID", self.id("klassifikasjonssystem", "sakstyper"))
        b.add(scheme, "klassifikasjonstype", "Emnebasert, ett nivå")
        b.add(scheme, "tittel", f"Sakstyper i {x.council.name}")
        b.add(scheme, "opprettetDato", x.council.created_at)
        b.add(scheme, "opprettetAv", v.SYSTEM)
        for kind, label in self.kinds().items():
            self.klasse(scheme, kind, label)

    def kinds(self) -> dict[str, str]:
        """Every kind of case: the shipped workflows, and any older one a case still uses."""
        kinds = {name: d.labels.nb for name, d in current_definitions().items()}
        for folder in self.x.folders:
            if folder.case.kind not in kinds:
                kinds[folder.case.kind] = definition_of(self.session, folder.case).labels.nb
        return dict(sorted(kinds.items()))

    def klasse(self, parent: ET.Element, kind: str, label: str) -> None:
        klasse = b.add(parent, "klasse")
        b.add(klasse, "systemID", self.id("klasse", kind))
        b.add(klasse, "klasseID", kind)
        b.add(klasse, "tittel", label)
        b.add(klasse, "opprettetDato", self.x.council.created_at)
        b.add(klasse, "opprettetAv", v.SYSTEM)
        for folder in self.x.folders:
            if folder.case.kind == kind:
                self.mappe(klasse, folder)

    # --- saksmappe and møtemappe -----------------------------------------------------------

    def mappe(self, parent: ET.Element, folder: Folder) -> None:
        case, meeting = folder.case, folder.meeting
        mappe = b.add(parent, "mappe", xsi_type="moetemappe" if meeting else "saksmappe")
        b.add(mappe, "systemID", self.id("case", case.id))
        b.add(mappe, "mappeID", meeting.label if meeting else case.number)
        b.add(mappe, "tittel", folder.title)
        b.add(mappe, "offentligTittel", case.public_title)
        if folder.full:
            for tag in [*(d.name for d in case.bydeler), *(a.name_nb for a in case.priority_areas)]:
                b.add(mappe, "noekkelord", tag)
        b.add(mappe, "dokumentmedium", "Elektronisk arkiv")
        b.add(mappe, "opprettetDato", case.created_at)
        b.add(mappe, "opprettetAv", self.person(case.created_by_id))
        closed_at, closed_by = self.closing(folder)
        b.add(mappe, "avsluttetDato", closed_at)
        b.add(mappe, "avsluttetAv", closed_by)
        local = b.add(mappe, "virksomhetsspesifikkeMetadata")
        ET.SubElement(local, f"{{{LOCAL}}}sakstype").text = case.kind
        ET.SubElement(local, f"{{{LOCAL}}}tilstand").text = case.state
        state = definition_of(self.session, case).state(case.state)
        ET.SubElement(local, f"{{{LOCAL}}}tilstandNavn").text = state.labels.nb
        for linked in (case.parent_id, case.meeting_id):
            if linked is not None:
                b.add(b.add(mappe, "kryssreferanse"), "referanseTilMappe", self.id("case", linked))
        if not folder.terminal:
            self.note(mappe, OPEN_CASE_NOTE)
        self.skjerming(mappe, case.access, case.legal_basis, "tittel")
        for document, full in folder.documents:
            self.journalpost(mappe, document, full)
        if meeting is None:
            b.add(mappe, "saksaar", case.year)
            b.add(mappe, "sakssekvensnummer", case.seq)
            b.add(mappe, "saksdato", to_oslo(case.created_at).date())
            b.add(mappe, "administrativEnhet", self.unit)
            b.add(mappe, "saksansvarlig", self.person(case.created_by_id))
            b.add(mappe, "saksstatus", v.saksstatus(folder.terminal))
            return
        for entry, full in folder.entries:
            self.moeteregistrering(mappe, folder, entry, full)
        b.add(mappe, "moetenummer", meeting.label)
        b.add(mappe, "utvalg", self.x.council.name)
        b.add(mappe, "moetedato", meeting.date)
        b.value(mappe, "moetested", meeting.location)
        if folder.full and self.insider:
            for participant in meeting.participants:
                if participant.attendance == "absent":
                    continue
                taker = b.add(mappe, "moetedeltaker")
                b.add(taker, "moetedeltakerNavn", participant.name)
                b.add(
                    taker,
                    "moetedeltakerFunksjon",
                    v.PARTICIPANT_FUNCTIONS.get(participant.role, participant.role),
                )

    def closing(self, folder: Folder) -> tuple[datetime, str]:
        """When and by whom the folder was closed: a case in a terminal state by the event that
        entered it; an open case at the extract's cut-off (the schema requires a date)."""
        case = folder.case
        if folder.terminal and case.state_entered_at <= self.x.cut_off:
            entered: CaseEvent | None = next(
                (e for e in folder.events if e.seq == case.state_entry), None
            )
            return case.state_entered_at, entered.actor if entered else v.SYSTEM
        return self.x.cut_off, v.SYSTEM

    def note(self, parent: ET.Element, text: str) -> None:
        note = b.add(parent, "merknad")
        b.add(note, "merknadstekst", text)
        b.add(note, "merknadstype", "Uttrekk")
        b.add(note, "merknadsdato", self.x.cut_off)
        b.add(note, "merknadRegistrertAv", v.SYSTEM)

    def skjerming(
        self,
        parent: ET.Element,
        access: str,
        legal_basis: str | None,
        *screened: str,
        whole_document: bool = False,
    ) -> None:
        if access == Access.PUBLIC:
            return
        element = b.add(parent, "skjerming")
        b.add(element, "tilgangsrestriksjon", v.ACCESS_CODES[access])
        b.add(element, "skjermingshjemmel", v.skjermingshjemmel(legal_basis))
        for name in screened:
            b.add(element, "skjermingMetadata", name)
        if whole_document:
            b.add(element, "skjermingDokument", "Hele")

    # --- journalpost, dokumentbeskrivelse, dokumentobjekt ----------------------------------

    def journalpost(self, parent: ET.Element, document: Document, full: bool) -> None:
        post = b.add(parent, "registrering", xsi_type="journalpost")
        creator = self.person(document.created_by_id)
        b.add(post, "systemID", self.id("document", document.id))
        b.add(post, "opprettetDato", document.created_at)
        b.add(post, "opprettetAv", creator)
        b.add(post, "arkivertDato", document.created_at)
        b.add(post, "arkivertAv", creator)
        screened = ["tittel", *(["korrespondansepart"] if document.correspondent_screened else [])]
        self.skjerming(post, document.access, document.legal_basis, *screened)
        self.dokumentbeskrivelse(post, document, full, creator)
        b.add(post, "registreringsID", document.number)
        b.add(post, "tittel", document.title if full else document.public_title)
        b.add(post, "offentligTittel", document.public_title)
        if document.correspondent and (full or not document.correspondent_screened):
            party = b.add(post, "korrespondansepart")
            b.add(party, "korrespondanseparttype", v.CORRESPONDENT_TYPES[document.entry_type])
            b.add(party, "korrespondansepartNavn", document.correspondent)
        b.add(post, "journalaar", document.journal_year)
        b.add(post, "journalsekvensnummer", document.journal_seq)
        b.add(post, "journalpostnummer", document.seq)
        b.add(post, "journalposttype", v.ENTRY_TYPES[document.entry_type])
        b.add(post, "journalstatus", "Journalført")
        b.add(post, "journaldato", document.journal_date)
        b.add(post, "dokumentetsDato", document.document_date)

    def dokumentbeskrivelse(
        self, parent: ET.Element, document: Document, full: bool, creator: str
    ) -> None:
        description = b.add(parent, "dokumentbeskrivelse")
        b.add(description, "systemID", self.id("dokumentbeskrivelse", document.id))
        b.add(description, "dokumenttype", v.DOCUMENT_TYPES[document.kind])
        b.add(description, "dokumentstatus", "Dokumentet er ferdigstilt")
        b.add(description, "tittel", document.title if full else document.public_title)
        b.add(description, "opprettetDato", document.created_at)
        b.add(description, "opprettetAv", creator)
        b.add(description, "tilknyttetRegistreringSom", "Hoveddokument")
        b.add(description, "dokumentnummer", 1)
        b.add(description, "tilknyttetDato", document.created_at)
        b.add(description, "tilknyttetAv", creator)
        self.skjerming(
            description, document.access, document.legal_basis, "dokument", whole_document=True
        )
        if not full:
            return
        self.dokumentobjekt(
            description,
            f"{document.id}/main",
            "Produksjonsformat",
            document.content_type,
            document.sha256,
            document.size,
            document.created_at,
            creator,
        )
        for redaction in document.redactions:
            self.dokumentobjekt(
                description,
                f"{document.id}/redaction/{redaction.id}",
                "Offentlig variant",
                redaction.content_type,
                redaction.sha256,
                redaction.size,
                redaction.created_at,
                self.person(redaction.created_by_id),
            )

    def dokumentobjekt(
        self,
        parent: ET.Element,
        key: str,
        variant: str,
        content_type: str,
        sha256: str,
        size: int,
        created_at: datetime,
        creator: str,
    ) -> None:
        file = document_file(sha256, content_type)
        self.files.append(file)
        element = b.add(parent, "dokumentobjekt")
        b.add(element, "systemID", self.id("dokumentobjekt", key))
        b.add(element, "versjonsnummer", 1)
        b.add(element, "variantformat", variant)
        b.add(element, "format", content_type)
        b.add(element, "opprettetDato", created_at)
        b.add(element, "opprettetAv", creator)
        b.add(element, "referanseDokumentfil", file.name)
        b.add(element, "sjekksum", sha256)
        b.add(element, "sjekksumAlgoritme", "SHA256")
        b.add(element, "filstoerrelse", size)

    # --- møteregistrering ------------------------------------------------------------------

    def moeteregistrering(
        self, parent: ET.Element, folder: Folder, entry: AgendaEntry, full: bool
    ) -> None:
        meeting = folder.meeting
        shown = entry.case if entry.case is not None else entry
        item = b.add(parent, "registrering", xsi_type="moeteregistrering")
        b.add(item, "systemID", self.id("entry", entry.id))
        b.add(item, "opprettetDato", folder.case.created_at)
        b.add(item, "opprettetAv", v.SYSTEM)
        b.add(item, "arkivertDato", folder.case.created_at)
        b.add(item, "arkivertAv", v.SYSTEM)
        self.skjerming(item, shown.access, shown.legal_basis, "tittel")
        b.add(item, "registreringsID", f"{meeting.label} sak {entry.position}")
        b.add(item, "tittel", shown.title if full else shown.public_title)
        b.add(item, "offentligTittel", shown.public_title)
        if full:
            b.value(item, "beskrivelse", entry.outcome_text)
        if entry.case_id is not None:
            reference = b.add(item, "kryssreferanse")
            b.add(reference, "referanseTilMappe", self.id("case", entry.case_id))
        b.add(item, "moeteregistreringstype", "Saksprotokoll" if entry.outcome else "Saksframlegg")
        b.add(item, "moetesakstype", "Fast sak" if entry.standing else "Politirådssak")
        if entry.outcome:
            b.add(item, "moeteregistreringsstatus", v.OUTCOME_STATUS[entry.outcome])
        b.add(item, "administrativEnhet", self.unit)
        b.add(item, "saksbehandler", self.unit)
