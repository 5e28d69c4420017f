"""Public records: the public journal (page, CSV, JSON), the access-request form, document
uploads on cases and meetings, and downloads through the access policy.

The public journal is the public's view whoever looks at it: a member reads exempt
titles in full on the case page, never in a list meant for anyone to copy.
"""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, send_file
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from engine.access import EDITOR_ROLES, Visibility
from engine.actors import Actor
from engine.calendar import to_oslo
from engine.clock import resolve
from engine.errors import ValidationError
from engine.models import Case, Council, Document, Meeting
from engine.models.documents import DocumentKind, EntryType
from engine.models.enums import Access
from engine.services import access_requests, documents, journal
from engine.services.cases import get_case
from engine.services.meetings import get_meeting
from engine.services.people import get_council
from web.auth import current_actor, login_required
from web.db import commit, db

blueprint = Blueprint("records", __name__)

KIND_LABELS = {
    DocumentKind.CASE_MEMO: _l("Saksframlegg"),
    DocumentKind.NOTICE: _l("Møteinnkalling"),
    DocumentKind.MINUTES: _l("Møteprotokoll"),
    DocumentKind.LETTER: _l("Brev"),
    DocumentKind.MEMO: _l("Notat"),
    DocumentKind.ATTACHMENT: _l("Vedlegg"),
    DocumentKind.DECISION: _l("Vedtak"),
}
ENTRY_TYPE_LABELS = {
    EntryType.INCOMING: _l("Inngående"),
    EntryType.OUTGOING: _l("Utgående"),
    EntryType.INTERNAL: _l("Internt"),
    EntryType.MEMO: _l("Notat"),
}
ACCESS_LABELS = {
    Access.PUBLIC: _l("Offentlig"),
    Access.EXEMPT: _l("Unntatt offentlighet"),
    Access.RESTRICTED: _l("Begrenset (klarerte medlemmer)"),
}


# --- template globals for the case and meeting pages' partials ------------------------------


@blueprint.app_template_global()
def documents_of(case: Case, actor: Actor) -> list[tuple[Document, Visibility]]:
    """The case's documents the actor may know of, each with what they may see of it."""
    return documents.case_documents(db(), case, actor=actor)


@blueprint.app_template_global()
def meeting_documents_of(meeting: Meeting, actor: Actor) -> list[tuple[Document, Visibility]]:
    return documents.case_documents(db(), meeting.case, actor=actor)


@blueprint.app_template_global()
def may_register_documents(case: Case, actor: Actor) -> bool:
    """Whether to offer the upload form (the service decides again when it is sent)."""
    if actor.is_system:
        return True
    day = to_oslo(resolve(None)).date()
    seat = actor.seat_with_role(case.council_id, day, EDITOR_ROLES)
    return seat is not None and (case.access != Access.RESTRICTED or seat.cleared)


@blueprint.app_template_global()
def document_title(document: Document, seen: Visibility) -> str:
    return documents.shown_title(document, seen)


@blueprint.app_template_global()
def record_labels() -> dict[str, dict[str, str]]:
    """The labels of document kinds, journal entry types and access levels, translated."""
    return {
        "kind": {k: str(v) for k, v in KIND_LABELS.items()},
        "entry_type": {k: str(v) for k, v in ENTRY_TYPE_LABELS.items()},
        "access": {k: str(v) for k, v in ACCESS_LABELS.items()},
    }


# --- the public journal ---------------------------------------------------------------------


def _period() -> tuple[date, date]:
    today = to_oslo(resolve(None)).date()
    return journal.journal_period(_date_arg("from"), _date_arg("to"), today=today)


def _date_arg(name: str) -> date | None:
    value = (request.args.get(name) or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationError(
            _("%(value)s er ikke en dato som 2026-03-31", value=value), {name: "not a date"}
        ) from None


def _journal(council: Council) -> tuple[list[journal.JournalRow], date, date]:
    date_from, date_to = _period()
    today = to_oslo(resolve(None)).date()
    rows = journal.public_journal(db(), council, date_from=date_from, date_to=date_to, today=today)
    return rows, date_from, date_to


@blueprint.get("/public/<council>/journal")
def public_journal(council: str):
    found = get_council(db(), council)
    try:
        rows, date_from, date_to = _journal(found)
    except ValidationError as error:
        return (
            render_template(
                "records/journal.html",
                council=found,
                rows=[],
                date_from=request.args.get("from", ""),
                date_to=request.args.get("to", ""),
                errors=error.errors,
                message=str(error),
            ),
            422,
        )
    return render_template(
        "records/journal.html",
        council=found,
        rows=rows,
        date_from=date_from.isoformat(),
        date_to=date_to.isoformat(),
        errors={},
        message=None,
    )


@blueprint.get("/public/<council>/journal.csv")
def public_journal_csv(council: str):
    found = get_council(db(), council)
    rows, date_from, date_to = _journal(found)
    response = Response(journal.journal_csv(rows), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="journal-{found.slug}-{date_from}-{date_to}.csv"'
    )
    return response


@blueprint.get("/public/<council>/journal.json")
def public_journal_json(council: str):
    found = get_council(db(), council)
    rows, date_from, date_to = _journal(found)
    return journal.journal_json(found, rows, date_from, date_to)


# --- access requests ------------------------------------------------------------------------


@blueprint.get("/public/<council>/innsyn")
def innsyn_form(council: str):
    found = get_council(db(), council)
    form = {"document": request.args.get("document", ""), "name": "", "email": "", "message": ""}
    return render_template("records/innsyn.html", council=found, form=form, errors={})


@blueprint.post("/public/<council>/innsyn")
def innsyn_request(council: str):
    """Anyone may ask; the request is a case the secretariat answers, and a receipt by e-mail."""
    found = get_council(db(), council)
    form = {name: request.form.get(name, "") for name in ("document", "name", "email", "message")}
    try:
        access_requests.request_access(
            db(),
            found,
            reference=form["document"],
            name=form["name"],
            email=form["email"],
            message=form["message"],
        )
    except ValidationError as error:
        return (
            render_template(
                "records/innsyn.html",
                council=found,
                form=form,
                errors=_field_errors(error),
                message=str(error),
            ),
            422,
        )
    commit()
    flash(_("Innsynskravet er mottatt. Du får en bekreftelse og svaret på e-post."), "success")
    return redirect(f"/public/{found.slug}/innsyn")


def _field_errors(error: ValidationError) -> dict[str, str]:
    """The engine's field errors in the page's language."""
    messages = {
        "required": _("Må fylles ut."),
        "not an e-mail address": _("Skriv en e-postadresse."),
        "no such journal entry": _("Journalen har ingen slik post."),
        "not a journal number": _("Skriv et journalpostnummer som 2026/17-3."),
        "type not accepted": _("Filtypen godtas ikke (PDF, Word, OpenDocument, bilde, tekst)."),
        "too large": _("Filen er for stor."),
        "empty": _("Filen er tom."),
        "required when exempt": _("Oppgi hjemmel for unntaket."),
        "needs an exempt or restricted document": _(
            "Ord skjermes bare i dokumenter som er unntatt offentlighet."
        ),
        "not in the title": _("Ordet står ikke i tittelen."),
    }
    return {field: messages.get(text, text) for field, text in error.errors.items()}


# --- downloads ------------------------------------------------------------------------------


def _file(filename: str, content_type: str, data: bytes, *, public: bool) -> Response:
    mimetype = f"{content_type}; charset=utf-8" if content_type == "text/plain" else content_type
    response = send_file(
        io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=filename
    )
    response.headers["Cache-Control"] = "public, max-age=300" if public else "private, no-store"
    return response


@blueprint.get("/<council>/documents/<int(max=2147483647):document_id>")
def download(council: str, document_id: int):
    """A document as the actor may read it: hidden ones are 404, exempt ones 403."""
    found = get_council(db(), council)
    document, data = documents.open_document(db(), found, document_id, actor=current_actor())
    return _file(
        document.filename,
        document.content_type,
        data,
        public=document.access == Access.PUBLIC and document.case.access == Access.PUBLIC,
    )


@blueprint.get("/public/<council>/documents/<int(max=2147483647):document_id>")
def public_download(council: str, document_id: int):
    """A public document for anyone; with ``?release=`` the file released to a requester."""
    found = get_council(db(), council)
    token = request.args.get("release")
    if token:
        released = access_requests.open_release(db(), found, document_id, token)
        return _file(released.filename, released.content_type, released.data, public=False)
    document, data = documents.open_document(db(), found, document_id, actor=Actor.public())
    return _file(document.filename, document.content_type, data, public=True)


# --- uploads --------------------------------------------------------------------------------


@blueprint.post("/<council>/cases/<int:year>/<int:seq>/documents")
@login_required
def upload_to_case(council: str, year: int, seq: int):
    found = get_council(db(), council)
    case = get_case(db(), found, f"{year}/{seq}")
    return _upload(found, case, back=f"/{found.slug}/cases/{year}/{seq}")


@blueprint.post("/<council>/meetings/<int:year>/<int:number>/documents")
@login_required
def upload_to_meeting(council: str, year: int, number: int):
    found = get_council(db(), council)
    meeting = get_meeting(db(), found, f"PR {number}/{year}")
    return _upload(found, meeting.case, back=f"/{found.slug}/meetings/{year}/{number}")


def _upload(council: Council, case: Case, *, back: str):
    """Register the uploaded file as a document, or as a redacted copy of one
    (``redaction_of``); a refused form comes back with what was typed and why."""
    actor = current_actor()
    form = {name: request.form.get(name, "") for name in UPLOAD_FIELDS}
    upload = request.files.get("file")
    data = upload.read() if upload else b""
    filename = upload.filename if upload else ""
    try:
        if form["redaction_of"]:
            original = _own_document(council, case, form["redaction_of"])
            documents.add_redaction(
                db(), original, actor=actor, data=data, filename=filename, note=form["note"]
            )
            message = _("Sladdet kopi av %(number)s er lagret.", number=original.number)
        else:
            document = documents.register_document(
                db(),
                case,
                actor=actor,
                data=data,
                filename=filename,
                title=form["title"],
                kind=form["kind"],
                entry_type=form["entry_type"],
                document_date=_form_date(form["document_date"]),
                access=form["access"] or Access.PUBLIC,
                legal_basis=form["legal_basis"],
                public_title=form["public_title"],
                screened_words=_words(form["screened_words"]),
                correspondent=form["correspondent"],
                correspondent_screened=_screened_choice(form["correspondent_screened"]),
            )
            message = _("Dokument %(number)s er journalført.", number=document.number)
    except ValidationError as error:
        return (
            render_template(
                "records/upload.html",
                council=council,
                case=case,
                documents_list=documents.case_documents(db(), case, actor=actor),
                form=form,
                back=back,
                errors=_field_errors(error),
                message=str(error),
            ),
            422,
        )
    commit()
    flash(message, "success")
    return redirect(f"{back}#documents")


UPLOAD_FIELDS = (
    "title",
    "kind",
    "entry_type",
    "document_date",
    "access",
    "legal_basis",
    "public_title",
    "screened_words",
    "correspondent",
    "correspondent_screened",
    "redaction_of",
    "note",
)


def _own_document(council: Council, case: Case, value: str) -> Document:
    if not value.isdigit():
        raise ValidationError("choose the document to redact", {"redaction_of": "required"})
    document = documents.get_document(db(), council, int(value))
    if document.case_id != case.id:
        raise ValidationError(
            "the document belongs to another case", {"redaction_of": "other case"}
        )
    return document


def _form_date(value: str) -> date | None:
    value = value.strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationError(
            f"'{value}' is not a date like 2026-03-31", {"document_date": "not a date"}
        ) from None


def _words(value: str) -> list[str]:
    """Screened words, one a line or separated by semicolons."""
    return [w.strip() for w in value.replace(";", "\n").splitlines() if w.strip()]


def _screened_choice(value: str) -> Any:
    return {"yes": True, "no": False}.get(value)
