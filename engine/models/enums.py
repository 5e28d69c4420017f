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
    """a seat given or changed: its role, party, period or clearance for restricted items; and
    a grant of clearance or of a seat requested, approved, refused or withdrawn (its changes
    are named ``grant.<id>.<field>``)"""
    PERSON = "person"
    """a person's name, e-mail address, language, activation or installation administration
    changed"""


ABOUT_A_PERSON = (EventKind.MEMBERSHIP, EventKind.PERSON)
"""The kinds of event that are about a person in a council rather than about a case."""


class GrantKind(StrEnum):
    """What a grant gives when a second person approves it (four eyes)."""

    CLEARANCE = "clearance"
    """clearance for restricted items on an existing seat"""
    SEAT = "seat"
    """a seat: one with the power to administer or approve (secretariat, leader, deputy), or
    any seat for a person who has never sat in the council"""


class GrantState(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


def check_in(column: str, values: type[StrEnum] | tuple[str, ...]) -> str:
    """SQL for a CHECK constraint that keeps ``column`` within ``values``."""
    listed = ", ".join(f"'{value}'" for value in values)
    return f"{column} IN ({listed})"
