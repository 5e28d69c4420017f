"""The ORM models. Import from here: ``from engine.models import Case``."""

from engine.models.audit import AuditHead, CaseEvent
from engine.models.cases import Case, CaseCounter, WorkflowSnapshot, case_bydel, case_priority_area
from engine.models.deadlines import Approval, Deadline
from engine.models.documents import (
    Document,
    DocumentCounter,
    JournalCounter,
    Redaction,
    Release,
)
from engine.models.feeds import FeedToken
from engine.models.followup import Action, ActionNote, Referral
from engine.models.inbox import InboxMessage
from engine.models.logins import LoginFailure, LoginSession, PasswordReset
from engine.models.meetings import (
    AgendaEntry,
    Disqualification,
    Meeting,
    MinutesComment,
    Participant,
)
from engine.models.outbox import OutboxMessage
from engine.models.oversight import Finding, JobRun, SentReminder, SteeringGroup
from engine.models.people import Council, Membership, Party, Person, SeatGrant
from engine.models.reference import Bydel, PoliceUnit, PriorityArea, UnitCoverage
from engine.models.tokens import ApiToken

__all__ = [
    "Action",
    "ActionNote",
    "AgendaEntry",
    "ApiToken",
    "Approval",
    "AuditHead",
    "Bydel",
    "Case",
    "CaseCounter",
    "CaseEvent",
    "Council",
    "Deadline",
    "Disqualification",
    "Document",
    "DocumentCounter",
    "FeedToken",
    "Finding",
    "InboxMessage",
    "JobRun",
    "JournalCounter",
    "LoginFailure",
    "LoginSession",
    "Meeting",
    "Membership",
    "MinutesComment",
    "OutboxMessage",
    "Participant",
    "Party",
    "PasswordReset",
    "Person",
    "PoliceUnit",
    "PriorityArea",
    "Redaction",
    "Referral",
    "Release",
    "SeatGrant",
    "SentReminder",
    "SteeringGroup",
    "UnitCoverage",
    "WorkflowSnapshot",
    "case_bydel",
    "case_priority_area",
]
