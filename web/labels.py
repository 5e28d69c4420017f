"""Names shown to people: workflow kinds, states, transitions and deadlines from the
definitions, case fields, parties and roles, in the page's language."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _

from engine.models.enums import Access
from engine.runtime import current_definition
from engine.services.cases import Availability
from web import formatting
from workflows.model import Definition

TEXT_FIELDS = {
    "memo",
    "decision_text",
    "reason",
    "agreement_text",
    "draft_text",
    "consultation_summary",
    "minutes",
    "report",
}
BOOLEAN_FIELDS = {"access_assessed"}


def locale() -> str:
    return str(get_locale() or "nb")


def N_(message: str) -> str:
    """Marks a message for the catalogue; it is translated where it is shown."""
    return message


FIELD_LABELS = {
    "title": N_("Tittel"),
    "public_title": N_("Offentlig tittel"),
    "access": N_("Tilgang"),
    "legal_basis": N_("Hjemmel for skjerming"),
    "referral_target": N_("Oversendt til"),
    "state": N_("Status"),
    "bydeler": N_("Bydeler"),
    "priority_areas": N_("Prioriterte områder"),
    "meeting_id": N_("Møte"),
    "parent_id": N_("Overordnet sak"),
    "meeting_date": N_("Møtedato"),
    "memo": N_("Saksframlegg"),
    "access_assessed": N_("Offentlighet vurdert"),
    "decision_type": N_("Type beslutning"),
    "decision_text": N_("Beslutning"),
    "reason": N_("Begrunnelse"),
    "agreement_text": N_("Avtaletekst"),
    "valid_from": N_("Gyldig fra"),
    "valid_to": N_("Gyldig til"),
    "draft_text": N_("Utkast til vedtekter"),
    "consultation_summary": N_("Oppsummering av høringen"),
    "adopted_on": N_("Vedtatt dato"),
    "promulgated_on": N_("Kunngjort dato"),
    "commencement_date": N_("Ikrafttredelse"),
    "kind": N_("Type"),
    "location": N_("Sted"),
    "minutes": N_("Referat"),
    "group": N_("Styringsgruppe"),
    "due_date": N_("Frist"),
    "report": N_("Rapport"),
}
"""Names of case fields and workflow data (in Norwegian: translate with ``_``)."""


def field_labels() -> dict[str, str]:
    """Names of case fields and workflow data in the page's language."""
    return {name: _(message) for name, message in FIELD_LABELS.items()}


def access_labels() -> dict[str, str]:
    return {
        Access.PUBLIC: _("Offentlig"),
        Access.EXEMPT: _("Unntatt offentlighet"),
        Access.RESTRICTED: _("Begrenset (klarerte medlemmer)"),
    }


def party_labels() -> dict[str, str]:
    return {
        "municipality": _("Kommunen"),
        "police": _("Politiet"),
        "external": _("Eksterne"),
    }


def field_label(name: str) -> str:
    if name.startswith("data."):
        name = name.removeprefix("data.")
    message = FIELD_LABELS.get(name)
    return _(message) if message else name.replace("_", " ")


def input_kind(definition: Definition, name: str) -> str:
    """How a workflow data field is asked for: date, checkbox, textarea or text."""
    if name in BOOLEAN_FIELDS:
        return "checkbox"
    if name in TEXT_FIELDS:
        return "textarea"
    anchors = {spec.anchor for state in definition.states for spec in state.deadlines}
    if name in anchors or name.endswith(("_date", "_on")) or name.startswith("valid_"):
        return "date"
    return "text"


# --- labels from the workflow definitions -------------------------------------------------


def kind_label(kind: str) -> str:
    try:
        return current_definition(kind).labels.get(locale())
    except KeyError:
        return kind


def state_label(kind: str, state: str | None) -> str:
    if not state:
        return ""
    try:
        return current_definition(kind).state(state).labels.get(locale())
    except KeyError:
        return state


def transition_label(option: Availability) -> str:
    return option.label_en if locale() == "en" else option.label_nb


def trigger_label(kind: str, trigger: str | None) -> str:
    """The name of a trigger in the page's language (the first transition that has it)."""
    try:
        definition = current_definition(kind)
    except KeyError:
        return trigger or ""
    for t in definition.transitions:
        if t.trigger == trigger:
            return t.labels.get(locale())
    return trigger or ""


def names_of(ids: Any, names: dict[int, str]) -> list[str]:
    """Names for a list of ids as the audit stores them (an unknown id shows as #id)."""
    if not isinstance(ids, list):
        return [str(ids)]
    return [names.get(i, f"#{i}") for i in ids]


def deadline_label(kind: str, name: str) -> str:
    try:
        definition = current_definition(kind)
    except KeyError:
        return name
    for state in definition.states:
        for spec in state.deadlines:
            if spec.name == name:
                return spec.labels.get(locale())
    return name


def action_status(status: str) -> str:
    match status:  # translate only the one shown: a follow-up list shows many
        case "open":
            return _("åpent")
        case "in_progress":
            return _("pågår")
        case "done":
            return _("fullført")
        case "cancelled":
            return _("avlyst")
    return status


def data_value(definition: Definition, name: str, value: Any) -> str:
    """A workflow data value as a reader wants it: dates in Norwegian, yes/no, kinds named."""
    if value is True:
        return _("ja")
    if value is False:
        return _("nei")
    if input_kind(definition, name) == "date" and isinstance(value, str):
        try:
            return formatting.oslo_date(date.fromisoformat(value[:10]), "long")
        except ValueError:
            return value
    if definition.name == "meeting" and name == "kind":
        return meeting_kinds().get(value, value)
    return str(value)


def meeting_kinds() -> dict[str, str]:
    return {
        "ordinary": _("Ordinært møte"),
        "extraordinary": _("Ekstraordinært møte"),
        "seminar": _("Seminar"),
    }
