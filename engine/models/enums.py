"""Fixed vocabularies, each backed by a named CHECK constraint in the database."""

from enum import StrEnum


class PartyCode(StrEnum):
    MUNICIPALITY = "municipality"
    POLICE = "police"
    EXTERNAL = "external"


class Role(StrEnum):
    LEADER = "leader"
    DEPUTY = "deputy"
    MEMBER = "member"
    SECRETARIAT = "secretariat"
    REPORTER = "reporter"
    GUEST = "guest"


class Access(StrEnum):
    """Offentleglova: public by default, exempt with a legal basis, or restricted."""

    PUBLIC = "public"
    EXEMPT = "exempt"
    RESTRICTED = "restricted"


class DeadlineStatus(StrEnum):
    PENDING = "pending"
    DONE = "done"
    CANCELLED = "cancelled"


class EventKind(StrEnum):
    OPENED = "opened"
    TRANSITION = "transition"
    APPROVAL = "approval"
    UPDATE = "update"
    DEADLINE = "deadline"
    MEMBERSHIP = "membership"
    """a seat given or changed: its role, party, period or clearance for restricted items"""
    PERSON = "person"
    """a person's name, e-mail address, language, or activation changed"""


ABOUT_A_PERSON = (EventKind.MEMBERSHIP, EventKind.PERSON)
"""The kinds of event that are about a person in a council rather than about a case."""


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


def check_in(column: str, values: type[StrEnum] | tuple[str, ...]) -> str:
    """SQL for a CHECK constraint that keeps ``column`` within ``values``."""
    listed = ", ".join(f"'{value}'" for value in values)
    return f"{column} IN ({listed})"
