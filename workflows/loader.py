"""Load workflow definition files and validate them, reporting every problem at once.

Validation runs in three layers. The YAML must parse into a mapping (duplicate keys,
which YAML would silently collapse, are reported too). The marshmallow schemas then
check the shape: known keys only, types, names in snake_case, roles, parties,
period units and effects from their fixed vocabularies. Only a file whose shape is
sound gets the semantic checks, since they need the whole structure: states that
exist, are reachable and have a way out, guards the engine knows, declared fields,
deadlines whose triggers the scheduler may fire. Every problem carries the file, a
dotted path into the document (``transitions[3].roles[0]``) and a message.
"""

from __future__ import annotations

import copy
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from marshmallow import Schema, ValidationError, fields, validate

from workflows.model import (
    BUILTIN_FIELDS,
    DEFAULT_OPENERS,
    EFFECTS,
    ENTERED,
    MOMENTS,
    PARTIES,
    PERIOD_UNITS,
    ROLES,
    DeadlineSpec,
    Definition,
    Labels,
    State,
    Transition,
)

DEFINITIONS_DIR = Path(__file__).parent / "definitions"
ROOT = "<root>"


@dataclass(frozen=True)
class Problem:
    file: str
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.path}: {self.message}"


class DefinitionError(Exception):
    """One or more workflow definitions are invalid; ``problems`` lists every finding."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


def load_definition(
    path: str | Path, *, guards: Collection[str], effects: Collection[str] = ()
) -> Definition:
    """Read, validate and build one definition file; raise DefinitionError listing every problem."""
    path = Path(path)
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DefinitionError([Problem(file, ROOT, f"cannot read the file: {exc}")]) from exc
    data, problems = _parse_yaml(text, file)
    return _build(data, guards=guards, effects=effects, file=file, problems=problems)


def definition_from_mapping(
    data: Any, *, guards: Collection[str], effects: Collection[str] = (), file: str = "<mapping>"
) -> Definition:
    """Validate and build a definition from an already parsed mapping (e.g. a stored snapshot)."""
    return _build(data, guards=guards, effects=effects, file=file, problems=[])


def load_all(
    directory: str | Path | None = None,
    *,
    guards: Collection[str],
    effects: Collection[str] = (),
) -> dict[str, Definition]:
    """Every ``*.yaml`` definition in ``directory`` (default: the shipped ones), by name."""
    directory = Path(directory) if directory is not None else DEFINITIONS_DIR
    paths = sorted(directory.glob("*.yaml"))
    if not paths:
        raise DefinitionError([Problem(str(directory), ROOT, "no workflow definitions (*.yaml)")])
    definitions: dict[str, Definition] = {}
    origin: dict[str, Path] = {}
    problems: list[Problem] = []
    for path in paths:
        try:
            definition = load_definition(path, guards=guards, effects=effects)
        except DefinitionError as exc:
            problems.extend(exc.problems)
            continue
        if definition.name in origin:
            message = f"workflow {definition.name!r} is also defined in {origin[definition.name]}"
            problems.append(Problem(str(path), "name", message))
            continue
        origin[definition.name] = path
        definitions[definition.name] = definition
    if problems:
        raise DefinitionError(problems)
    return definitions


# --- YAML -----------------------------------------------------------------------------


class _YamlLoader(yaml.SafeLoader):
    """Safe YAML that keeps dates as text, so a parsed file is plain JSON for hashing."""


_YamlLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _parse_yaml(text: str, file: str) -> tuple[Any, list[Problem]]:
    loader = _YamlLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        reason = ", ".join(part for part in (exc.context, exc.problem) if part)
        raise DefinitionError([Problem(file, ROOT, f"invalid YAML: {reason}{where}")]) from exc
    except yaml.YAMLError as exc:
        raise DefinitionError([Problem(file, ROOT, f"invalid YAML: {exc}")]) from exc
    finally:
        loader.dispose()
    problems = [Problem(file, path, message) for path, message in _duplicate_keys(node)]
    return data, problems


def _duplicate_keys(node: yaml.Node | None, path: str = "") -> Iterator[tuple[str, str]]:
    """Keys given twice in one mapping: YAML keeps the last one without a word."""
    if isinstance(node, yaml.MappingNode):
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else "?"
            here = _join(path, key)
            if key in first_line:
                yield here, f"duplicate key; first given on line {first_line[key]}"
            else:
                first_line[key] = key_node.start_mark.line + 1
            yield from _duplicate_keys(value_node, here)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield from _duplicate_keys(item, f"{path}[{index}]")


def _join(path: str, key: Any) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


# --- Shape (marshmallow) ----------------------------------------------------------------

_SNAKE_CASE = validate.Regexp(
    r"^[a-z][a-z0-9_]*\Z", error="{input!r} is not snake_case (a-z, 0-9 and _)"
)


def _name(**kwargs: Any) -> fields.String:
    return fields.String(validate=_SNAKE_CASE, **kwargs)


def _one_of(choices: tuple[str, ...], what: str) -> validate.OneOf:
    return validate.OneOf(choices, error=f"unknown {what} {{input!r}}; expected one of {{choices}}")


def _choices(choices: tuple[str, ...], what: str, **kwargs: Any) -> fields.List:
    return fields.List(fields.String(validate=_one_of(choices, what)), **kwargs)


def _not_blank(value: str) -> None:
    if not value.strip():
        raise ValidationError("must not be empty")


class _LabelsSchema(Schema):
    nb = fields.String(required=True, validate=_not_blank)
    en = fields.String(required=True, validate=_not_blank)


class _DeadlineSchema(Schema):
    name = _name(required=True)
    labels = fields.Nested(_LabelsSchema, required=True)
    anchor = _name(required=True)
    amount = fields.Integer(required=True, strict=True)
    unit = fields.String(required=True, validate=_one_of(PERIOD_UNITS, "unit"))
    effect = fields.String(required=True, validate=_one_of(EFFECTS, "effect"))
    trigger = _name(load_default=None)
    at = fields.String(load_default="end_of_day", validate=_one_of(MOMENTS, "moment"))


class _StateSchema(Schema):
    labels = fields.Nested(_LabelsSchema, required=True)
    terminal = fields.Boolean(truthy={True}, falsy={False}, load_default=False)
    deadlines = fields.List(fields.Nested(_DeadlineSchema), load_default=list)


class _StateMapping(fields.Field):
    """``states``: an ordered mapping of state name to state; errors keyed by the name."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise ValidationError("must be a mapping of state names to states")
        if not value:
            raise ValidationError("must define at least one state")
        states: dict[str, Any] = {}
        errors: dict[str, Any] = {}
        for name, body in value.items():
            found: list[Any] = []
            try:
                _name().deserialize(name)
            except ValidationError as exc:
                found.extend(exc.messages)
            try:
                states[name] = _StateSchema().load(body)
            except ValidationError as exc:
                found.append(exc.messages)
            if found:
                errors[str(name)] = found
        if errors:
            raise ValidationError(errors)
        return states


class _StateRefs(fields.Field):
    """``source``: one state name or a list of them; loads as a tuple either way."""

    _list = fields.List(_name(), validate=validate.Length(min=1, error="must name a state"))

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> tuple[str, ...]:
        return tuple(self._list.deserialize([value] if isinstance(value, str) else value))


class _TransitionSchema(Schema):
    trigger = _name(required=True)
    source = _StateRefs(required=True)
    dest = _name(required=True)
    labels = fields.Nested(_LabelsSchema, required=True)
    roles = _choices(
        ROLES, "role", required=True, validate=validate.Length(min=1, error="must name a role")
    )
    parties = _choices(PARTIES, "party", load_default=list)
    guards = fields.List(_name(), load_default=list)
    effects = fields.List(_name(), load_default=list)
    requires = fields.List(_name(), load_default=list)
    approvals = _choices(PARTIES, "party", load_default=list)
    comment_required = fields.Boolean(truthy={True}, falsy={False}, load_default=False)


class _DefinitionSchema(Schema):
    name = _name(required=True)
    labels = fields.Nested(_LabelsSchema, required=True)
    initial = _name(required=True)
    field_names = fields.List(_name(), data_key="fields", load_default=list)
    openers = _choices(ROLES, "role", load_default=lambda: list(DEFAULT_OPENERS))
    states = _StateMapping(required=True)
    transitions = fields.List(fields.Nested(_TransitionSchema), required=True)


_MESSAGES = {
    "Unknown field.": "unknown field",
    "Missing data for required field.": "required field is missing",
    "Field may not be null.": "must not be null",
    "Invalid input type.": "must be a mapping",
    "Not a valid string.": "must be a string",
    "Not a valid integer.": "must be an integer",
    "Not a valid boolean.": "must be true or false",
    "Not a valid list.": "must be a list",
}


def _flatten(messages: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """marshmallow's nested error dict as (dotted path, message) pairs."""
    if isinstance(messages, dict):
        for key, sub in messages.items():
            yield from _flatten(sub, path if key == "_schema" else _join(path, key))
    elif isinstance(messages, list):
        for message in messages:
            yield from _flatten(message, path)
    else:
        yield path or ROOT, _MESSAGES.get(str(messages), str(messages))


# --- Building and meaning ---------------------------------------------------------------


def _build(
    data: Any,
    *,
    guards: Collection[str],
    effects: Collection[str],
    file: str,
    problems: list[Problem],
) -> Definition:
    if not isinstance(data, dict):
        got = "nothing" if data is None else type(data).__name__
        raise DefinitionError([*problems, Problem(file, ROOT, f"must be a mapping, got {got}")])
    try:
        loaded = _DefinitionSchema().load(data)
    except ValidationError as exc:
        problems += [Problem(file, path, message) for path, message in _flatten(exc.messages)]
        raise DefinitionError(problems) from None
    definition = _definition(loaded, raw=copy.deepcopy(data))
    meaning = _meaning(definition, guards, effects)
    problems += [Problem(file, path, msg) for path, msg in meaning]
    if problems:
        raise DefinitionError(problems)
    return definition


def _labels(data: dict[str, str]) -> Labels:
    return Labels(nb=data["nb"], en=data["en"])


def _definition(data: dict[str, Any], *, raw: dict[str, Any]) -> Definition:
    states = tuple(
        State(
            name=name,
            labels=_labels(body["labels"]),
            terminal=body["terminal"],
            deadlines=tuple(
                DeadlineSpec(
                    name=d["name"],
                    labels=_labels(d["labels"]),
                    anchor=d["anchor"],
                    amount=d["amount"],
                    unit=d["unit"],
                    effect=d["effect"],
                    trigger=d["trigger"],
                    at=d["at"],
                )
                for d in body["deadlines"]
            ),
        )
        for name, body in data["states"].items()
    )
    transitions = tuple(
        Transition(
            trigger=t["trigger"],
            sources=t["source"],
            dest=t["dest"],
            labels=_labels(t["labels"]),
            roles=tuple(t["roles"]),
            parties=tuple(t["parties"]),
            guards=tuple(t["guards"]),
            effects=tuple(t["effects"]),
            requires=tuple(t["requires"]),
            approvals=tuple(t["approvals"]),
            comment_required=t["comment_required"],
        )
        for t in data["transitions"]
    )
    return Definition(
        name=data["name"],
        labels=_labels(data["labels"]),
        initial=data["initial"],
        states=states,
        transitions=transitions,
        fields=tuple(data["field_names"]),
        openers=tuple(data["openers"]),
        raw=raw,
    )


def _repeated(path: str, values: tuple[str, ...]) -> Iterator[tuple[str, str]]:
    for index, value in enumerate(values):
        if value in values[:index]:
            yield f"{path}[{index}]", f"{value!r} is listed more than once"


def _meaning(
    d: Definition, guards: Collection[str], effects: Collection[str]
) -> Iterator[tuple[str, str]]:
    """The semantic problems of a well-formed definition, in file order."""
    states = {state.name: state for state in d.states}
    declared = set(d.fields)
    if d.initial not in states:
        yield "initial", f"unknown state {d.initial!r}; states are {', '.join(states)}"
    for index, name in enumerate(d.fields):
        if name == ENTERED:
            yield f"fields[{index}]", f"{ENTERED!r} is reserved for deadlines counted from entry"
        elif name in BUILTIN_FIELDS:
            yield f"fields[{index}]", f"{name!r} is a built-in case field; do not declare it"
    yield from _repeated("fields", d.fields)

    leaving: dict[tuple[str, str], int] = {}
    for i, t in enumerate(d.transitions):
        at = f"transitions[{i}]"
        for source in dict.fromkeys(t.sources):
            if source not in states:
                yield f"{at}.source", f"unknown state {source!r}"
            elif states[source].terminal:
                yield f"{at}.source", f"{source!r} is terminal and cannot have outgoing transitions"
            elif (source, t.trigger) in leaving:
                where = f"transitions[{leaving[source, t.trigger]}]"
                yield f"{at}.trigger", f"{t.trigger!r} already leaves {source!r} in {where}"
            else:
                leaving[source, t.trigger] = i
        if t.dest not in states:
            yield f"{at}.dest", f"unknown state {t.dest!r}"
        for j, name in enumerate(t.guards):
            if name not in guards:
                known = ", ".join(sorted(guards)) or "none"
                yield f"{at}.guards[{j}]", f"unknown guard {name!r}; known guards: {known}"
        for j, name in enumerate(t.effects):
            if name not in effects:
                known = ", ".join(sorted(effects)) or "none"
                yield f"{at}.effects[{j}]", f"unknown effect {name!r}; known effects: {known}"
        for j, name in enumerate(t.requires):
            if name not in declared and name not in BUILTIN_FIELDS:
                yield f"{at}.requires[{j}]", f"field {name!r} is not declared in fields"
        for j, party in enumerate(t.approvals):
            if t.parties and party not in t.parties:
                yield f"{at}.approvals[{j}]", f"party {party!r} is not among the parties allowed"
        for key in ("sources", "roles", "parties", "guards", "effects", "requires", "approvals"):
            path = f"{at}.source" if key == "sources" else f"{at}.{key}"
            yield from _repeated(path, getattr(t, key))

    reachable = _reachable(d) if d.initial in states else set(states)
    for state in d.states:
        at = f"states.{state.name}"
        if state.name not in reachable:
            yield at, f"unreachable from the initial state {d.initial!r}"
        if not state.terminal and not d.transitions_from(state.name):
            yield at, "has no outgoing transition; add one or mark it terminal: true"
        yield from _deadline_problems(d, state, declared)


def _deadline_problems(
    d: Definition, state: State, declared: set[str]
) -> Iterator[tuple[str, str]]:
    names: list[str] = []
    for k, deadline in enumerate(state.deadlines):
        at = f"states.{state.name}.deadlines[{k}]"
        if deadline.name in names:
            yield f"{at}.name", f"deadline {deadline.name!r} is already defined in this state"
        names.append(deadline.name)
        if deadline.anchor != ENTERED and deadline.anchor not in declared:
            yield f"{at}.anchor", f"{deadline.anchor!r} is neither {ENTERED!r} nor a declared field"
        if deadline.anchor == ENTERED and deadline.amount < 0:
            yield f"{at}.amount", "must not be negative when counted from entering the state"
        if deadline.at == "start_of_day" and deadline.unit == "working_days":
            yield (
                f"{at}.unit",
                "an effective date (start_of_day) counts calendar days, not working_days",
            )
        if deadline.effect != "transition":
            if deadline.trigger is not None:
                yield (
                    f"{at}.trigger",
                    f"only allowed with effect: transition, not {deadline.effect}",
                )
            continue
        if deadline.trigger is None:
            yield f"{at}.trigger", "required with effect: transition"
            continue
        t = d.transition(state.name, deadline.trigger)
        if t is None:
            yield f"{at}.trigger", f"no transition {deadline.trigger!r} leaves {state.name!r}"
        elif "system" not in t.roles:
            yield f"{at}.trigger", f"transition {t.trigger!r} does not allow the role 'system'"
        elif t.approvals:
            yield (
                f"{at}.trigger",
                f"transition {t.trigger!r} needs approvals, which the system cannot give",
            )
        elif t.comment_required:
            yield (
                f"{at}.trigger",
                f"transition {t.trigger!r} requires a comment, which the system cannot write",
            )


def _reachable(d: Definition) -> set[str]:
    seen = {d.initial}
    queue = [d.initial]
    while queue:
        for t in d.transitions_from(queue.pop()):
            if t.dest not in seen:
                seen.add(t.dest)
                queue.append(t.dest)
    return seen
