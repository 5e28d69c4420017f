"""The politirad vocabularies in Noark 5 words: statuses, types and screening codes.

Noark 5 v5.0 leaves most code lists to the system (the schemas only require text);
these are the values of the standard's metadata catalogue where it names them.
"""

from __future__ import annotations

from engine.models.documents import DocumentKind, EntryType
from engine.models.enums import Access

SYSTEM = "politirad"

ENTRY_TYPES = {
    EntryType.INCOMING: "Inngående dokument",
    EntryType.OUTGOING: "Utgående dokument",
    EntryType.INTERNAL: "Organinternt dokument for oppfølging",
    EntryType.MEMO: "Organinternt dokument uten oppfølging",
}
"""journalposttype (M082)"""

CORRESPONDENT_TYPES = {
    EntryType.INCOMING: "Avsender",
    EntryType.OUTGOING: "Mottaker",
    EntryType.INTERNAL: "Intern mottaker",
    EntryType.MEMO: "Intern avsender",
}
"""korrespondanseparttype (M087): the role of the document's correspondent"""

DOCUMENT_TYPES = {
    DocumentKind.CASE_MEMO: "Saksframlegg",
    DocumentKind.NOTICE: "Møteinnkalling",
    DocumentKind.MINUTES: "Møteprotokoll",
    DocumentKind.LETTER: "Brev",
    DocumentKind.MEMO: "Notat",
    DocumentKind.ATTACHMENT: "Vedlegg",
    DocumentKind.DECISION: "Vedtak",
}
"""dokumenttype (M083)"""

ACCESS_CODES = {Access.EXEMPT: "U", Access.RESTRICTED: "S"}
"""tilgangsrestriksjon (M500): U unntatt offentlighet; S strengt begrenset, only to the
council's cleared members (police security service information)."""

RESTRICTED_BASIS = "offl. § 13"
"""skjermingshjemmel (M501) of restricted information recorded without one: the duty of
confidentiality (teieplikt) it is under."""

PARTICIPANT_FUNCTIONS = {
    "member": "Medlem",
    "substitute": "Varamedlem",
    "guest": "Gjest",
    "secretariat": "Sekretariat",
}
"""moetedeltakerFunksjon (M373)"""

OUTCOME_STATUS = {
    "decided": "Ferdig behandlet",
    "noted": "Ferdig behandlet",
    "rejected": "Ferdig behandlet",
    "deferred": "Utsatt",
}
"""moeteregistreringsstatus (M055)"""


def saksstatus(terminal: bool) -> str:
    """saksstatus (M052): a case in a terminal state is closed (Avsluttet)."""
    return "Avsluttet" if terminal else "Under behandling"


def skjermingshjemmel(legal_basis: str | None) -> str:
    return legal_basis or RESTRICTED_BASIS
