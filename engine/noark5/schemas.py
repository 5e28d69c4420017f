"""The Noark 5 v5.0 XML schemas, shipped with the package, and validation against them.

The five XSD files in ``xsd/`` are Arkivverket's, unmodified (an extract carries them
as they are). ``xmlschema`` resolves ``metadatakatalog.xsd`` next to the others.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import xmlschema

XSD_DIR = Path(__file__).parent / "xsd"
XSD_FILES = (
    "arkivstruktur.xsd",
    "endringslogg.xsd",
    "loependeJournal.xsd",
    "metadatakatalog.xsd",
    "offentligJournal.xsd",
)
NAMESPACE = "http://www.arkivverket.no/standarder/noark5/"


@cache
def schema(name: str) -> xmlschema.XMLSchema:
    """The schema of one extract file: ``arkivstruktur``, ``endringslogg``,
    ``loependeJournal`` or ``offentligJournal``."""
    return xmlschema.XMLSchema(str(XSD_DIR / f"{name}.xsd"))


def errors(name: str, document: bytes | str | Path) -> list[str]:
    """Every way ``document`` breaks the schema ``name``, as readable lines (none if valid)."""
    source = str(document) if isinstance(document, Path) else document
    return [f"{error.path}: {error.reason}" for error in schema(name).iter_errors(source)]


def validate(name: str, document: bytes | str | Path) -> None:
    """Raise ``xmlschema.XMLSchemaValidationError`` unless ``document`` is valid."""
    source = str(document) if isinstance(document, Path) else document
    schema(name).validate(source)
