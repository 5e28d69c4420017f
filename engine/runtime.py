"""The workflow runtime: definitions pinned by hash, and one model-less machine per definition.

``transitions`` checks that a trigger is valid from the case's state, runs the
named guards as conditions and sets the new state on the ORM object. Machines are
built once per process and never hold a reference to any case.
"""

from __future__ import annotations

import json
import os
from functools import cache

from sqlalchemy.orm import Session
from transitions import Machine

from engine.effects import EFFECTS
from engine.guards import GUARDS, GuardContext
from engine.models import Case, WorkflowSnapshot
from workflows.loader import DefinitionError, Problem, definition_from_mapping, load_all
from workflows.model import Definition

_by_hash: dict[str, Definition] = {}


EXTRA_DIRECTORY_ENV = "POLITIRAD_WORKFLOWS"


@cache
def current_definitions() -> dict[str, Definition]:
    """The shipped workflows, plus any in ``$POLITIRAD_WORKFLOWS``, validated on first use."""
    definitions = load_all(guards=GUARDS.keys(), effects=EFFECTS.keys())
    extra = os.environ.get(EXTRA_DIRECTORY_ENV)
    if extra:
        for name, definition in load_all(
            extra, guards=GUARDS.keys(), effects=EFFECTS.keys()
        ).items():
            if name in definitions:
                raise DefinitionError(
                    [Problem(extra, "name", f"workflow {name!r} is already shipped")]
                )
            definitions[name] = definition
    for definition in definitions.values():
        _by_hash[definition.content_hash] = definition
    return definitions


def current_definition(kind: str) -> Definition:
    try:
        return current_definitions()[kind]
    except KeyError:
        known = ", ".join(sorted(current_definitions()))
        raise KeyError(f"unknown workflow '{kind}' (known: {known})") from None


def pin(session: Session, definition: Definition) -> WorkflowSnapshot:
    """The stored snapshot of ``definition``, created on first use."""
    digest = definition.content_hash
    snapshot = session.get(WorkflowSnapshot, digest)
    if snapshot is None:
        # File order is kept (states are listed as written); the hash is of canonical JSON.
        snapshot = WorkflowSnapshot(
            hash=digest,
            name=definition.name,
            definition=json.dumps(definition.raw, ensure_ascii=False),
        )
        session.add(snapshot)
    _by_hash.setdefault(digest, definition)
    return snapshot


def definition_of(session: Session, case: Case) -> Definition:
    """The exact definition the case started under, even if the file has changed since."""
    definition = _by_hash.get(case.workflow_hash)
    if definition is None:
        snapshot = session.get(WorkflowSnapshot, case.workflow_hash)
        if snapshot is None:
            raise LookupError(f"workflow snapshot {case.workflow_hash} is missing")
        definition = definition_from_mapping(
            json.loads(snapshot.definition),
            guards=GUARDS.keys(),
            effects=EFFECTS.keys(),
            file=f"snapshot {snapshot.hash[:12]}",
        )
        _by_hash[case.workflow_hash] = definition
    return definition


def _condition(name: str):
    guard = GUARDS[name]

    def check(event_data) -> bool:
        ctx: GuardContext = event_data.kwargs["ctx"]
        failures: list[str] = event_data.kwargs["failures"]
        reason = guard(ctx)
        if reason is not None:
            failures.append(reason)
            return False
        return True

    check.__name__ = f"guard_{name}"
    return check


@cache
def _machine(digest: str) -> Machine:
    definition = _by_hash[digest]
    return Machine(
        model=None,
        states=[state.name for state in definition.states],
        transitions=[
            {
                "trigger": t.trigger,
                "source": list(t.sources),
                "dest": t.dest,
                "conditions": [_condition(name) for name in t.guards],
            }
            for t in definition.transitions
        ],
        initial=definition.initial,
        auto_transitions=False,
        send_event=True,
        model_attribute="machine_state",
    )


def machine_for(definition: Definition) -> Machine:
    """The shared machine of a definition (built on first use, then cached)."""
    _by_hash.setdefault(definition.content_hash, definition)
    return _machine(definition.content_hash)


def run_trigger(
    definition: Definition, case: Case, trigger: str, ctx: GuardContext, failures: list[str]
) -> str | None:
    """Fire ``trigger`` on the case through the definition's machine.

    Returns the destination state, or None when a guard refused (its reason is
    appended to ``failures``). The case's mapped ``state`` is left for the caller
    to write.
    """
    try:
        moved = machine_for(definition).events[trigger].trigger(case, ctx=ctx, failures=failures)
        return case.machine_state if moved else None
    finally:
        case.__dict__.pop("_machine_state", None)
