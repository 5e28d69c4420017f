"""Stable Noark 5 identifiers: every systemID is a UUID derived from what it names.

The same case, meeting, document or event gets the same systemID in every extract,
so an archive can tell a later extract's units from new ones, and a cross-reference
(kryssreferanse) to a unit outside this extract still points at the right thing.
"""

from __future__ import annotations

import uuid

_ROOT = uuid.UUID("5b0c3f4e-6a1d-4f62-9a57-3f0e2d9c7a11")


def system_id(council_slug: str, kind: str, key: object) -> str:
    """The systemID of one unit: ``kind`` is ``case``, ``document``, ``entry``, …"""
    return str(uuid.uuid5(_ROOT, f"{council_slug}/{kind}/{key}"))
