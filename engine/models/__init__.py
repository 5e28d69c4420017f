"""The ORM models. Import from here: ``from engine.models import Case``."""

from engine.models.audit import AuditHead, CaseEvent
from engine.models.cases import Case, CaseCounter, WorkflowSnapshot, case_bydel, case_priority_area
from engine.models.deadlines import Approval, Deadline
from engine.models.outbox import OutboxMessage
from engine.models.people import Council, Membership, Party, Person
from engine.models.reference import Bydel, PoliceUnit, PriorityArea, UnitCoverage

__all__ = [
    "Approval",
    "AuditHead",
    "Bydel",
    "Case",
    "CaseCounter",
    "CaseEvent",
    "Council",
    "Deadline",
    "Membership",
    "OutboxMessage",
    "Party",
    "Person",
    "PoliceUnit",
    "PriorityArea",
    "UnitCoverage",
    "WorkflowSnapshot",
    "case_bydel",
    "case_priority_area",
]
