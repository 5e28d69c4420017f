"""The API's request and response bodies: marshmallow 4 schemas with explicit fields.

Requests reject unknown fields; times are ISO 8601 with their offset (UTC), dates are
ISO 8601 dates. The OpenAPI document is generated from these classes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, pre_load, validate

CASE_NUMBER = r"^\d{4}/\d{1,9}$"
MAX_INT = 2147483647


class Strict(Schema):
    class Meta:
        unknown = RAISE
        ordered = True

    @pre_load
    def refuse_nul(self, data: Any, **_kwargs: Any) -> Any:
        """No text anywhere may hold a NUL character (PostgreSQL cannot store one)."""
        if _has_nul(data):
            raise ValidationError("text may not contain NUL characters")
        return data


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, Mapping):
        return any(_has_nul(key) or _has_nul(value[key]) for key in value)
    if isinstance(value, list | tuple):
        return any(_has_nul(item) for item in value)
    return False


def _time(**kwargs):
    return fields.AwareDateTime(format="iso", default_timezone=None, **kwargs)


def _list(field, **kwargs):
    return fields.List(field, **kwargs)


# --- problems ------------------------------------------------------------------------------


class ProblemSchema(Strict):
    """An error (RFC 9457 problem details)."""

    type = fields.String(required=True, metadata={"description": "a URI naming the problem"})
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String()
    instance = fields.String()
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.Raw(),
        metadata={"description": "field errors: field name → message (or messages by location)"},
    )
    reasons = _list(fields.String(), metadata={"description": "why a guard is not met"})


# --- paging --------------------------------------------------------------------------------


class PageArgs(Strict):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100000))
    per_page = fields.Integer(load_default=25, validate=validate.Range(min=1, max=200))


class PageMeta(Strict):
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    pages = fields.Integer(required=True)


# --- councils, parties, people, reference data -------------------------------------------


class CouncilSchema(Strict):
    slug = fields.String(required=True)
    name = fields.String(required=True)
    municipality = fields.String(required=True)
    police_district = fields.String(required=True)


class PartySchema(Strict):
    code = fields.String(required=True)
    name_nb = fields.String(required=True)
    name_en = fields.String(required=True)


class SeatSchema(Strict):
    council = fields.String(required=True, metadata={"description": "the council's slug"})
    party = fields.String(required=True)
    role = fields.String(required=True)
    valid_from = fields.Date(required=True)
    valid_to = fields.Date(allow_none=True, required=True)
    cleared = fields.Boolean(
        allow_none=True,
        required=True,
        metadata={"description": "cleared for restricted cases; null unless you may know it"},
    )


class PersonSchema(Strict):
    login = fields.String(required=True)
    display_name = fields.String(required=True)
    seats = _list(fields.Nested(SeatSchema), required=True)


class MeSchema(PersonSchema):
    token_scope = fields.String(required=True, validate=validate.OneOf(["read", "write"]))
    token_expires_at = _time(required=True)


class BydelSchema(Strict):
    code = fields.String(required=True)
    name = fields.String(required=True)


class UnitSchema(Strict):
    code = fields.String(required=True)
    name = fields.String(required=True)
    bydeler = _list(fields.String(), required=True, metadata={"description": "bydel codes"})
    partly = _list(
        fields.String(), required=True, metadata={"description": "bydeler it covers only in part"}
    )


class PriorityAreaSchema(Strict):
    number = fields.Integer(required=True)
    name_nb = fields.String(required=True)
    name_en = fields.String(required=True)


# --- workflows -----------------------------------------------------------------------------


class LabelsSchema(Strict):
    nb = fields.String(required=True)
    en = fields.String(required=True)


class WorkflowDeadlineSchema(Strict):
    name = fields.String(required=True)
    labels = fields.Nested(LabelsSchema, required=True)
    anchor = fields.String(required=True)
    amount = fields.Integer(required=True)
    unit = fields.String(required=True)
    effect = fields.String(required=True)
    trigger = fields.String(allow_none=True, required=True)


class WorkflowStateSchema(Strict):
    name = fields.String(required=True)
    labels = fields.Nested(LabelsSchema, required=True)
    terminal = fields.Boolean(required=True)
    deadlines = _list(fields.Nested(WorkflowDeadlineSchema), required=True)


class WorkflowTransitionSchema(Strict):
    trigger = fields.String(required=True)
    sources = _list(fields.String(), required=True)
    dest = fields.String(required=True)
    labels = fields.Nested(LabelsSchema, required=True)
    roles = _list(fields.String(), required=True)
    parties = _list(fields.String(), required=True)
    guards = _list(fields.String(), required=True)
    requires = _list(fields.String(), required=True)
    approvals = _list(fields.String(), required=True)
    comment_required = fields.Boolean(required=True)


class WorkflowSummarySchema(Strict):
    name = fields.String(required=True)
    labels = fields.Nested(LabelsSchema, required=True)
    hash = fields.String(required=True, metadata={"description": "sha256 of the definition"})


class WorkflowSchema(WorkflowSummarySchema):
    initial = fields.String(required=True)
    openers = _list(fields.String(), required=True)
    fields_ = _list(fields.String(), required=True, data_key="fields")
    states = _list(fields.Nested(WorkflowStateSchema), required=True)
    transitions = _list(fields.Nested(WorkflowTransitionSchema), required=True)


# --- cases ---------------------------------------------------------------------------------


class CaseListArgs(PageArgs):
    kind = fields.String(validate=validate.Length(max=60))
    state = fields.String(validate=validate.Length(max=60))
    bydel = fields.String(validate=validate.Length(max=40), metadata={"description": "code"})
    unit = fields.String(
        validate=validate.Length(max=40), metadata={"description": "a police unit's code"}
    )
    area = fields.Integer(
        validate=validate.Range(min=1, max=MAX_INT), metadata={"description": "number"}
    )
    overdue = fields.Boolean(load_default=False)
    q = fields.String(
        validate=validate.Length(max=200),
        metadata={"description": "words of the title, or a case number like 2026/17"},
    )


class CaseRowSchema(Strict):
    number = fields.String(required=True)
    kind = fields.String(required=True)
    state = fields.String(required=True)
    title = fields.String(required=True, metadata={"description": "the public title unless full"})
    access = fields.String(
        required=True, validate=validate.OneOf(["public", "exempt", "restricted"])
    )
    legal_basis = fields.String(allow_none=True, required=True)
    full = fields.Boolean(required=True, metadata={"description": "whether you see it in full"})
    version = fields.Integer(required=True)
    state_entered_at = _time(required=True)
    next_due = _time(allow_none=True, required=True)
    overdue = fields.Boolean(required=True)


class CasePageSchema(PageMeta):
    items = _list(fields.Nested(CaseRowSchema), required=True)


class CaseSchema(CaseRowSchema):
    public_title = fields.String(required=True)
    created_at = _time(required=True)
    meeting = fields.String(allow_none=True, required=True, metadata={"description": "case no."})
    parent = fields.String(allow_none=True, required=True, metadata={"description": "case no."})
    referral_target = fields.String(allow_none=True, required=True)
    bydeler = _list(fields.String(), required=True)
    priority_areas = _list(fields.Integer(), required=True)
    data = fields.Dict(keys=fields.String(), values=fields.Raw(allow_none=True), required=True)
    workflow_hash = fields.String(required=True)


class _CaseFields(Strict):
    public_title = fields.String(allow_none=True, validate=validate.Length(max=500))
    access = fields.String(validate=validate.OneOf(["public", "exempt", "restricted"]))
    legal_basis = fields.String(allow_none=True, validate=validate.Length(max=200))
    referral_target = fields.String(allow_none=True, validate=validate.Length(max=200))
    bydeler = _list(
        fields.String(validate=validate.Length(max=40)), validate=validate.Length(max=50)
    )
    priority_areas = _list(
        fields.Integer(validate=validate.Range(min=1, max=MAX_INT)),
        validate=validate.Length(max=50),
    )
    data = fields.Dict(
        keys=fields.String(validate=validate.Length(max=60)),
        values=fields.Raw(allow_none=True),
        metadata={"description": "the workflow's fields (see the workflow's `fields`)"},
    )


class CaseOpenSchema(_CaseFields):
    kind = fields.String(required=True, validate=validate.Length(min=1, max=60))
    title = fields.String(required=True, validate=validate.Length(min=1, max=500))
    meeting = fields.String(validate=validate.Regexp(CASE_NUMBER))
    parent = fields.String(validate=validate.Regexp(CASE_NUMBER))


class CaseUpdateSchema(_CaseFields):
    title = fields.String(validate=validate.Length(min=1, max=500))
    meeting = fields.String(allow_none=True, validate=validate.Regexp(CASE_NUMBER))
    parent = fields.String(allow_none=True, validate=validate.Regexp(CASE_NUMBER))
    comment = fields.String(load_default="", validate=validate.Length(max=5000))


class EventSchema(Strict):
    seq = fields.Integer(required=True)
    kind = fields.String(required=True)
    at = _time(required=True)
    actor = fields.String(required=True)
    party = fields.String(allow_none=True, required=True)
    trigger = fields.String(allow_none=True, required=True)
    from_state = fields.String(allow_none=True, required=True)
    to_state = fields.String(allow_none=True, required=True)
    changes = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.Raw(allow_none=True)),
        required=True,
        metadata={"description": "field → [old, new]"},
    )
    comment = fields.String(required=True)
    hash = fields.String(required=True)


class DeadlineSchema(Strict):
    name = fields.String(required=True)
    due = _time(required=True)
    effect = fields.String(required=True)
    trigger = fields.String(allow_none=True, required=True)
    overdue = fields.Boolean(required=True)


class ApprovalSchema(Strict):
    trigger = fields.String(required=True)
    party = fields.String(required=True)
    by = fields.String(required=True, metadata={"description": "login"})
    at = _time(required=True)


class AvailabilitySchema(Strict):
    trigger = fields.String(required=True)
    dest = fields.String(required=True)
    labels = fields.Nested(LabelsSchema, required=True)
    allowed = fields.Boolean(required=True)
    reasons = _list(fields.String(), required=True, metadata={"description": "why not, if not"})
    approvals_needed = _list(fields.String(), required=True)
    approved_by = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        required=True,
        metadata={"description": "party → login"},
    )


class FireSchema(Strict):
    comment = fields.String(load_default="", validate=validate.Length(max=5000))
    data = fields.Dict(
        keys=fields.String(validate=validate.Length(max=60)),
        values=fields.Raw(allow_none=True),
        load_default=dict,
    )


class FireResultSchema(Strict):
    fired = fields.Boolean(
        required=True, metadata={"description": "false: an approval was recorded, others wait"}
    )
    waiting_for = _list(fields.String(), required=True, metadata={"description": "parties"})
    case = fields.Nested(CaseSchema, required=True)


# --- follow-up -----------------------------------------------------------------------------


class ActionSchema(Strict):
    id = fields.Integer(required=True)
    case = fields.String(required=True)
    description = fields.String(required=True)
    owner_party = fields.String(required=True)
    owner = fields.String(allow_none=True, required=True, metadata={"description": "login"})
    owner_unit = fields.String(allow_none=True, required=True)
    due = fields.Date(required=True)
    status = fields.String(required=True)
    percent = fields.Integer(required=True)
    created_at = _time(required=True)
    closed_at = _time(allow_none=True, required=True)


class ReferralSchema(Strict):
    id = fields.Integer(required=True)
    case = fields.String(required=True)
    target = fields.String(required=True)
    target_name = fields.String(required=True)
    description = fields.String(required=True)
    response_due = fields.Date(required=True)
    created_at = _time(required=True)
    response = fields.String(allow_none=True, required=True)
    responded_at = _time(allow_none=True, required=True)


class FollowUpRowSchema(Strict):
    kind = fields.String(required=True, validate=validate.OneOf(["action", "referral"]))
    id = fields.Integer(required=True)
    case = fields.String(required=True)
    case_title = fields.String(required=True)
    description = fields.String(required=True)
    owner = fields.String(required=True)
    owner_party = fields.String(allow_none=True, required=True)
    due = fields.Date(required=True)
    status = fields.String(required=True)
    percent = fields.Integer(allow_none=True, required=True)
    overdue = fields.Boolean(required=True)


class FindingSchema(Strict):
    id = fields.Integer(required=True)
    rule = fields.String(required=True)
    period = fields.String(required=True)
    since = _time(required=True)
    detail = fields.String(required=True)
    case = fields.String(allow_none=True, required=True)
    resolved_at = _time(allow_none=True, required=True)
    resolution = fields.String(allow_none=True, required=True)


class FindingArgs(Strict):
    open = fields.Boolean(load_default=True, metadata={"description": "only unresolved ones"})


# --- meetings ------------------------------------------------------------------------------


class MeetingListArgs(Strict):
    year = fields.Integer(validate=validate.Range(min=1900, max=2999))


class MeetingSchema(Strict):
    label = fields.String(required=True, metadata={"description": "PR n/YYYY"})
    year = fields.Integer(required=True)
    number = fields.Integer(required=True)
    case = fields.String(required=True, metadata={"description": "the meeting's case number"})
    kind = fields.String(required=True)
    date = fields.Date(required=True)
    starts_at = fields.Time(allow_none=True, required=True, format="%H:%M")
    location = fields.String(allow_none=True, required=True)
    state = fields.String(required=True)
    version = fields.Integer(required=True)


class MeetingCreateSchema(Strict):
    date = fields.Date(required=True)
    kind = fields.String(
        load_default="ordinary", validate=validate.OneOf(["ordinary", "extraordinary", "seminar"])
    )
    location = fields.String(allow_none=True, validate=validate.Length(max=200))
    starts_at = fields.Time(allow_none=True, format="%H:%M")


class AgendaEntrySchema(Strict):
    position = fields.Integer(required=True)
    title = fields.String(required=True, metadata={"description": "the public title unless full"})
    case = fields.String(allow_none=True, required=True)
    standing = fields.String(allow_none=True, required=True)
    access = fields.String(required=True)
    legal_basis = fields.String(allow_none=True, required=True)
    full = fields.Boolean(required=True)
    outcome = fields.String(allow_none=True, required=True)
    outcome_text = fields.String(allow_none=True, required=True)


class PlaceItemSchema(Strict):
    case = fields.String(required=True, validate=validate.Regexp(CASE_NUMBER))


class ParticipantSchema(Strict):
    name = fields.String(required=True)
    login = fields.String(allow_none=True, required=True)
    organisation = fields.String(allow_none=True, required=True)
    party = fields.String(required=True)
    role = fields.String(required=True)
    substitute_for = fields.String(
        allow_none=True, required=True, metadata={"description": "login"}
    )
    attendance = fields.String(required=True)


class MinutesSchema(Strict):
    meeting = fields.String(required=True)
    state = fields.String(required=True)
    text = fields.String(required=True)
