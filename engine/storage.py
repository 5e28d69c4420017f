"""Document files, kept outside the database and named by their content's SHA-256.

The store is ``POLITIRAD_DOCUMENTS`` or ``documents/`` in the instance folder. A
file is written once to a temporary name in its final folder, flushed to disk and
renamed into place, so a reader never sees half a file and two writers of the same
bytes end with the same file. The type is read from the bytes themselves, never
from the name the uploader gave: only the formats a council's records hold are
accepted.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import filetype

from engine.config import instance_path
from engine.errors import NotFound, ValidationError

MAX_BYTES = 20 * 1024 * 1024
TEXT = "text/plain"
ALLOWED = {
    "application/pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.oasis.opendocument.text": ".odt",
    "application/vnd.oasis.opendocument.spreadsheet": ".ods",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    TEXT: ".txt",
}
_SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int
    content_type: str


def documents_path() -> Path:
    """``POLITIRAD_DOCUMENTS``, or ``documents/`` in the instance folder."""
    configured = os.environ.get("POLITIRAD_DOCUMENTS")
    return Path(configured).resolve() if configured else instance_path() / "documents"


def sniff(data: bytes) -> str:
    """The content type the bytes are, among the accepted ones; refuses anything else."""
    kind = filetype.guess(data)
    if kind is not None:
        if kind.mime in ALLOWED:
            return kind.mime
        raise ValidationError(
            f"files of type {kind.mime} are not accepted", {"file": "type not accepted"}
        )
    if _is_text(data):
        return TEXT
    raise ValidationError(
        "the file is of no accepted type (PDF, Word, OpenDocument, Excel, PNG, JPEG or text)",
        {"file": "type not accepted"},
    )


def _is_text(data: bytes) -> bool:
    if b"\x00" in data:
        return False
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return all(ch.isprintable() or ch in "\n\r\t\f" for ch in text)


def put(data: bytes, *, root: Path | None = None, max_bytes: int = MAX_BYTES) -> StoredFile:
    """Store ``data`` (if not stored already) and return its hash, size and sniffed type."""
    if not data:
        raise ValidationError("the file is empty", {"file": "empty"})
    if len(data) > max_bytes:
        raise ValidationError(
            f"the file is {len(data)} bytes; the limit is {max_bytes} bytes",
            {"file": "too large"},
        )
    content_type = sniff(data)
    digest = hashlib.sha256(data).hexdigest()
    target = path_of(digest, root=root)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    return StoredFile(digest, len(data), content_type)


def path_of(sha256: str, *, root: Path | None = None) -> Path:
    """Where the file with ``sha256`` lives: ``ab/cd/abcd…``."""
    if not _SHA256.fullmatch(sha256):
        raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
    return (root or documents_path()) / sha256[:2] / sha256[2:4] / sha256


def read(sha256: str, *, root: Path | None = None) -> bytes:
    """The stored bytes, checked against their hash; a missing or altered file is NotFound."""
    path = path_of(sha256, root=root)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise NotFound(f"the file {sha256} is missing from the document store") from None
    if hashlib.sha256(data).hexdigest() != sha256:
        raise NotFound(f"the file {sha256} in the document store does not match its hash")
    return data
