"""The workflow definitions themselves (states, transitions, labels), so that clients can
draw them and label buttons as the pages do."""

from __future__ import annotations

from flask_smorest import Blueprint

from engine.errors import NotFound
from engine.runtime import current_definitions
from web.api.schemas import WorkflowSchema, WorkflowSummarySchema
from workflows.model import Definition, Labels

blueprint = Blueprint("api_workflows", __name__, description="Workflow definitions")


@blueprint.get("/workflows")
@blueprint.response(200, WorkflowSummarySchema(many=True))
def workflows():
    """The workflows new cases start under."""
    return [_summary(d) for _name, d in sorted(current_definitions().items())]


@blueprint.get("/workflows/<string(minlength=1, maxlength=60):name>")
@blueprint.response(200, WorkflowSchema)
def workflow(name):
    """One workflow: its states with their deadlines, its transitions, who may fire them."""
    definition = current_definitions().get(name)
    if definition is None:
        raise NotFound(f"no workflow '{name}'")
    return {
        **_summary(definition),
        "initial": definition.initial,
        "openers": list(definition.openers),
        "fields_": list(definition.fields),
        "states": [
            {
                "name": s.name,
                "labels": _labels(s.labels),
                "terminal": s.terminal,
                "deadlines": [
                    {
                        "name": d.name,
                        "labels": _labels(d.labels),
                        "anchor": d.anchor,
                        "amount": d.amount,
                        "unit": d.unit,
                        "effect": d.effect,
                        "trigger": d.trigger,
                    }
                    for d in s.deadlines
                ],
            }
            for s in definition.states
        ],
        "transitions": [
            {
                "trigger": t.trigger,
                "sources": list(t.sources),
                "dest": t.dest,
                "labels": _labels(t.labels),
                "roles": list(t.roles),
                "parties": list(t.parties),
                "guards": list(t.guards),
                "requires": list(t.requires),
                "approvals": list(t.approvals),
                "comment_required": t.comment_required,
            }
            for t in definition.transitions
        ],
    }


def _summary(definition: Definition) -> dict:
    return {
        "name": definition.name,
        "labels": _labels(definition.labels),
        "hash": definition.content_hash,
    }


def _labels(labels: Labels) -> dict:
    return {"nb": labels.nb, "en": labels.en}
