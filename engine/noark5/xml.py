"""A small element builder for the extract's XML: one namespace per file, values written
the way the schemas type them, and optional elements left out when they have no value."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime

XSI = "http://www.w3.org/2001/XMLSchema-instance"
ET.register_namespace("xsi", XSI)


class Builder:
    """Elements in the namespace ``namespace``; ``add`` skips a child whose value is None."""

    def __init__(self, namespace: str):
        self.namespace = namespace

    def root(self, tag: str, schema_file: str) -> ET.Element:
        element = ET.Element(self.tag(tag))
        element.set(f"{{{XSI}}}schemaLocation", f"{self.namespace} {schema_file}")
        return element

    def tag(self, name: str) -> str:
        return f"{{{self.namespace}}}{name}"

    def add(
        self, parent: ET.Element, tag: str, value: object = None, *, xsi_type: str | None = None
    ) -> ET.Element:
        element = ET.SubElement(parent, self.tag(tag))
        if xsi_type is not None:
            element.set(f"{{{XSI}}}type", xsi_type)
        if value is not None:
            element.text = text(value)
        return element

    def value(self, parent: ET.Element, tag: str, value: object) -> None:
        """Add ``<tag>value</tag>`` unless the value is None or empty."""
        if value is not None and value != "":
            self.add(parent, tag, value)

    def serialize(self, root: ET.Element) -> bytes:
        ET.indent(root)
        return ET.tostring(
            root, encoding="utf-8", xml_declaration=True, default_namespace=self.namespace
        )


def text(value: object) -> str:
    """A value as its XML Schema lexical form: UTC times with an offset, ISO dates."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
