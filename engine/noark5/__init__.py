"""The Noark 5 v5.0 extract (arkivuttrekk) of a council's records for a period.

``export(session, actor, council, period, out)`` writes into the folder ``out``:
``arkivstruktur.xml``, ``endringslogg.xml``, ``offentligJournal.xml``,
``loependeJournal.xml``, the document files under ``DOKUMENT/`` (named by their
SHA-256, which the archive structure gives as each file's checksum) and the five
schemas the XML files follow. Every XML file is validated before it is written; a
journal or change log with nothing in it is left out, as its schema requires at
least one entry. What the extract holds, and for whom, is ``engine.noark5.collect``.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from engine import storage
from engine.actors import Actor
from engine.calendar import to_oslo
from engine.models import Council
from engine.noark5 import arkivstruktur, endringslogg, journals
from engine.noark5.collect import Extract, Period, collect
from engine.noark5.schemas import XSD_DIR, XSD_FILES, validate

__all__ = ["ExportSummary", "Period", "collect", "export"]


@dataclass
class ExportSummary:
    """What an extract holds, counted as it was written."""

    out: Path
    cases: int
    meetings: int
    documents: int
    events: int
    public_journal: int
    running_journal: int
    files: list[str] = field(default_factory=list)


def export(
    session: Session,
    actor: Actor,
    council: Council,
    period: Period,
    out: Path,
    *,
    now: datetime | None = None,
    documents_root: Path | None = None,
) -> ExportSummary:
    """Write the extract of ``council`` for ``period``, as ``actor`` may see it, into ``out``."""
    extract = collect(session, actor, council, period, now=now)
    structure, files = arkivstruktur.build(extract, session)
    day = to_oslo(extract.cut_off).date()
    public = journals.public_entries(extract, day)
    written = {
        "arkivstruktur": structure,
        "endringslogg": endringslogg.build(extract),
        journals.PUBLIC: journals.build_public(extract, public),
        journals.RUNNING: journals.build_running(extract),
    }
    for name, xml in written.items():
        if xml is not None:
            validate(name, xml)
    out.mkdir(parents=True, exist_ok=True)
    names = []
    for name, xml in written.items():
        if xml is not None:
            (out / f"{name}.xml").write_bytes(xml)
            names.append(f"{name}.xml")
    for file in {f.name: f for f in files}.values():
        target = out / file.name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(storage.read(file.sha256, root=documents_root))
        names.append(file.name)
    for schema_file in XSD_FILES:
        shutil.copyfile(XSD_DIR / schema_file, out / schema_file)
    return _summary(out, extract, len(public), sorted(names))


def _summary(out: Path, extract: Extract, public: int, names: list[str]) -> ExportSummary:
    return ExportSummary(
        out=out,
        cases=len(extract.cases),
        meetings=len(extract.meetings),
        documents=len(extract.documents),
        events=len(extract.events),
        public_journal=public,
        running_journal=len(extract.journal),
        files=names,
    )
