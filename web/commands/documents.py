"""``politirad documents``: attach files to cases, list a case's documents, print the public
journal, store a redacted copy and register an access request.

Decide an access request with ``politirad case fire NUMBER grant|partly_grant|refuse``
(``--data refusal_basis=...`` where the workflow asks for it).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import click

from engine.actors import load_actor
from engine.calendar import to_oslo
from engine.clock import resolve
from engine.models.documents import DocumentKind, EntryType
from engine.models.enums import Access
from engine.services.access_requests import find_entry, request_access
from engine.services.cases import get_case
from engine.services.documents import add_redaction, case_documents, register_document, shown_title
from engine.services.journal import journal_csv, journal_json, journal_period, public_journal
from engine.services.people import get_council
from web.cli import actor_option, as_option, council_option, now_option, parse_now, transaction

KINDS = [str(kind) for kind in DocumentKind]
ENTRY_TYPES = [str(entry_type) for entry_type in EntryType]
ACCESS = [str(level) for level in Access]


@click.group("documents")
def group() -> None:
    """Documents, the public journal and access requests."""


@group.command("attach")
@click.argument("case_number")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--title", required=True)
@click.option("--kind", type=click.Choice(KINDS), default="attachment")
@click.option("--type", "entry_type", type=click.Choice(ENTRY_TYPES), default="internal")
@click.option("--access", type=click.Choice(ACCESS), default="public")
@click.option("--legal-basis")
@click.option("--public-title")
@click.option("--screen", "screened", multiple=True, help="A word of the title to screen.")
@click.option("--correspondent", help="The sender or the recipient.")
@click.option("--document-date", type=click.DateTime(["%Y-%m-%d"]))
@council_option
@actor_option
@now_option
def attach(
    case_number,
    path,
    title,
    kind,
    entry_type,
    access,
    legal_basis,
    public_title,
    screened,
    correspondent,
    document_date,
    council_slug,
    login,
    now,
) -> None:
    """Register the file at PATH as a document of CASE_NUMBER (2026/17)."""
    with transaction() as session:
        case = get_case(session, get_council(session, council_slug), case_number)
        document = register_document(
            session,
            case,
            actor=load_actor(session, login),
            data=path.read_bytes(),
            filename=path.name,
            title=title,
            kind=kind,
            entry_type=entry_type,
            document_date=document_date.date() if document_date else None,
            access=access,
            legal_basis=legal_basis,
            public_title=public_title,
            screened_words=screened,
            correspondent=correspondent,
            now=parse_now(now),
        )
        click.echo(
            f"{document.number} registered ({document.content_type}, {document.size} bytes, "
            f"sha256 {document.sha256})"
        )


@group.command("list")
@click.argument("case_number")
@council_option
@as_option
@now_option
def list_documents(case_number, council_slug, login, now) -> None:
    """The documents of CASE_NUMBER as LOGIN may know of them."""
    with transaction() as session:
        case = get_case(session, get_council(session, council_slug), case_number)
        listed = case_documents(session, case, actor=load_actor(session, login), now=parse_now(now))
        for document, seen in listed:
            basis = f" ({document.legal_basis})" if document.legal_basis else ""
            click.echo(
                f"{document.number}  {document.document_date}  {document.kind:<10} "
                f"{document.access}{basis}  {shown_title(document, seen)}"
            )


@group.command("journal")
@click.option("--from", "date_from", type=click.DateTime(["%Y-%m-%d"]))
@click.option("--to", "date_to", type=click.DateTime(["%Y-%m-%d"]))
@click.option("--format", "output", type=click.Choice(["csv", "json"]), default="csv")
@council_option
@now_option
def print_journal(date_from, date_to, output, council_slug, now) -> None:
    """Print the public journal (the public's view) for a period of journal dates."""
    today = to_oslo(resolve(parse_now(now))).date()
    with transaction() as session:
        council = get_council(session, council_slug)
        start, end = journal_period(_day(date_from), _day(date_to), today=today)
        rows = public_journal(session, council, date_from=start, date_to=end, today=today)
        if output == "json":
            text = json.dumps(journal_json(council, rows, start, end), ensure_ascii=False)
            click.echo(text)
        else:
            click.echo(journal_csv(rows), nl=False)


def _day(value) -> date | None:
    return value.date() if value else None


@group.command("redact")
@click.argument("journal_number")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--note", required=True, help="What was removed, and on which legal basis.")
@council_option
@actor_option
@now_option
def redact(journal_number, path, note, council_slug, login, now) -> None:
    """Store the file at PATH as the redacted copy of JOURNAL_NUMBER (2026/17-3)."""
    with transaction() as session:
        document = find_entry(session, get_council(session, council_slug), journal_number)
        add_redaction(
            session,
            document,
            actor=load_actor(session, login),
            data=path.read_bytes(),
            filename=path.name,
            note=note,
            now=parse_now(now),
        )
        click.echo(f"redacted copy of {document.number} stored")


@group.command("request")
@click.argument("journal_number")
@click.option("--name", required=True)
@click.option("--email", required=True)
@click.option("--message", default="")
@council_option
@now_option
def request(journal_number, name, email, message, council_slug, now) -> None:
    """Register an access request (innsynskrav) received by letter or telephone."""
    with transaction() as session:
        case = request_access(
            session,
            get_council(session, council_slug),
            reference=journal_number,
            name=name,
            email=email,
            message=message,
            now=parse_now(now),
        )
        click.echo(f"access request {case.number} registered")
