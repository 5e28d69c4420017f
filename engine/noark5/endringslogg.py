"""``endringslogg.xml``: the audit chain's events as Noark 5 changes, one ``endring`` each.

The audit events record the workflow, so the changed "metadata" is mostly the case's
state (tilstand); a field update names its fields and carries their old and new values
as JSON. The schema wants a value on both sides, so nothing shows as ``(ingen)``.
"""

from __future__ import annotations

import json

from engine.models import CaseEvent
from engine.models.enums import EventKind
from engine.noark5.collect import Extract
from engine.noark5.ids import system_id
from engine.noark5.schemas import NAMESPACE
from engine.noark5.xml import Builder
from workflows.model import canonical_json

b = Builder(NAMESPACE + "endringslogg")
NOTHING = "(ingen)"
FIELD_NAMES = {
    "title": "tittel",
    "public_title": "offentligTittel",
    "access": "tilgangsrestriksjon",
    "legal_basis": "skjermingshjemmel",
}
"""Case fields that are Noark 5 metadata, by their Noark names."""


def build(extract: Extract) -> bytes | None:
    """The change log, or None when no event falls in the extract (the schema needs one)."""
    events = extract.events
    if not events:
        return None
    root = b.root("endringslogg", "endringslogg.xsd")
    for event in sorted(events, key=lambda e: e.seq):
        reference, before, after = describe(event)
        change = b.add(root, "endring")
        b.add(change, "referanseArkivenhet", system_id(extract.council.slug, "case", event.case_id))
        b.add(change, "referanseMetadata", reference)
        b.add(change, "endretDato", event.at)
        b.add(change, "endretAv", event.actor)
        b.add(change, "tidligereVerdi", before or NOTHING)
        b.add(change, "nyVerdi", after or NOTHING)
    return b.serialize(root)


def describe(event: CaseEvent) -> tuple[str, str | None, str | None]:
    """(referanseMetadata, tidligereVerdi, nyVerdi) of one event."""
    changes: dict[str, list] = json.loads(event.changes or "{}")
    if event.kind in (EventKind.OPENED, EventKind.TRANSITION):
        return "tilstand", event.from_state, event.to_state
    if event.kind == EventKind.APPROVAL:
        return "godkjenning", None, f"{event.trigger}: {event.party or event.actor}"
    if event.kind == EventKind.DEADLINE:
        return "frist", event.from_state, event.trigger or event.to_state or event.comment
    names = [FIELD_NAMES.get(name, name) for name in sorted(changes)]
    before = {FIELD_NAMES.get(k, k): old for k, (old, _new) in sorted(changes.items())}
    after = {FIELD_NAMES.get(k, k): new for k, (_old, new) in sorted(changes.items())}
    return ", ".join(names) or "sak", canonical_json(before), canonical_json(after)
