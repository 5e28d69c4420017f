"""State diagrams of a workflow: a self-contained SVG for the case page, text for the CLI.

Pure Python on purpose: no Graphviz to install on a server. The layout is layered:
a state's row is its breadth-first distance from the initial state, and within a row
states are ordered by where their predecessors stand. Edges that go down are
straight; edges that go back up (or along a row) run in lanes at the sides.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Sequence
from itertools import pairwise
from xml.sax.saxutils import escape, quoteattr

from workflows.model import ENTERED, Definition, State, Transition

_BOX_H, _ROW_GAP, _COL_GAP, _MARGIN, _LANE = 36, 72, 48, 16, 16
_CHAR_W = 6.8  # average advance of a 12px sans-serif glyph
_INK, _WALKED = "#455a64", "#e65100"
_FILL = {"current": "#ffca28", "passed": "#fff1c1", "": "#ffffff"}
_MARKERS = "".join(
    f'<marker id="{name}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
    f'markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="{colour}"/>'
    "</marker>"
    for name, colour in (("wf-arrow", _INK), ("wf-walked", _WALKED))
)


def render_svg(
    definition: Definition,
    *,
    current: str | None = None,
    path: Sequence[str] = (),
    locale: str = "nb",
) -> str:
    """The definition as an SVG diagram, ``current`` filled and the states in ``path`` tinted."""
    names = {state.name: state.labels.get(locale) for state in definition.states}
    layout = _Layout(definition, max(120, max(map(_text_w, names.values())) + 24))
    trail = [*path, current]
    steps = [s for s, before in zip(trail, [None, *path], strict=True) if s and s != before]
    walked = set(pairwise(steps))
    left, right = 0.0, layout.core_w
    edges: list[str] = []
    texts: list[str] = []
    for t in definition.transitions:
        for source in t.sources:
            d, (lx, ly, anchor) = layout.route(source, t.dest)
            label = t.labels.get(locale)
            span = {"start": (0, 1), "end": (-1, 0), "middle": (-0.5, 0.5)}[anchor]
            left = min(left, lx + span[0] * _text_w(label))
            right = max(right, lx + span[1] * _text_w(label), lx + 48)
            taken = (source, t.dest) in walked
            colour = _WALKED if taken else _INK
            marker = "wf-walked" if taken else "wf-arrow"
            # the path taken is told apart by width and a dash too, not by colour alone
            stroke = 'stroke-width="2.6"' if taken else 'stroke-width="1.4" stroke-dasharray="5 3"'
            edges.append(
                f'<g class="transition{" walked" if taken else ""}" '
                f"data-trigger={quoteattr(t.trigger)}>"
                f"<title>{escape(t.trigger)}: {escape(_summary(t))}</title>"
                f'<path d="{d}" fill="none" stroke="{colour}" {stroke} '
                f'marker-end="url(#{marker})"/></g>'
            )
            texts.append(
                f'<text x="{lx:.1f}" y="{ly:.1f}" text-anchor="{anchor}" font-size="11" '
                f'fill="{colour}" stroke="#ffffff" stroke-width="3" paint-order="stroke">'
                f"{escape(label)}</text>"
            )
    boxes = [
        _box(s, names[s.name], layout.pos[s.name], layout.box_w, current, steps)
        for s in definition.states
    ]
    width = right - left + 2 * _MARGIN
    height = layout.bottom + 2 * _MARGIN
    title = definition.labels.get(locale)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="{left - _MARGIN:.1f} {-_MARGIN} {width:.1f} {height:.1f}" '
        f'font-family="sans-serif" font-size="12" role="img" aria-label={quoteattr(title)}>'
        f"<title>{escape(title)}</title>"
        f"{_description(names, current, steps, locale)}"
        f"<defs>{_MARKERS}</defs>"
        f'<g class="transitions">{"".join(edges)}</g><g class="states">{"".join(boxes)}</g>'
        f'<g class="labels">{"".join(texts)}</g></svg>'
    )


def _description(names: dict[str, str], current: str | None, steps: list[str], locale: str) -> str:
    """The current state and the path taken in words, for those who cannot see the colours."""
    if current is None:
        return ""
    now, way = ("Current state", "Path taken") if locale == "en" else ("Nå", "Veien så langt")
    trail = " → ".join(names.get(step, step) for step in steps)
    state = names.get(current, current)
    return f"<desc>{escape(now)}: {escape(state)}. {escape(way)}: {escape(trail)}.</desc>"


class _Layout:
    """Rows by breadth-first depth; each row ordered by where its predecessors stand."""

    def __init__(self, definition: Definition, box_w: float):
        self.box_w = box_w
        before: dict[str, list[str]] = defaultdict(list)
        after: dict[str, list[str]] = defaultdict(list)
        for t in definition.transitions:
            before[t.dest].extend(t.sources)
            for source in t.sources:
                after[source].append(t.dest)
        step = box_w + _COL_GAP
        rows = _layers(definition)
        self.core_w = max(len(row) for row in rows) * step - _COL_GAP
        self.pos: dict[str, tuple[float, float]] = {}
        self.rows: list[list[str]] = []
        for r, row in enumerate(rows):
            pulls = {name: [self.pos[p][0] for p in before[name] if p in self.pos] for name in row}
            row = sorted(row, key=lambda n: sum(pulls[n]) / len(pulls[n]) if pulls[n] else 0)
            start = (self.core_w - (len(row) * step - _COL_GAP)) / 2 + box_w / 2
            for i, name in enumerate(row):
                self.pos[name] = (start + i * step, r * (_BOX_H + _ROW_GAP) + _BOX_H / 2)
            self.rows.append(row)
        self.row_of = {name: r for r, row in enumerate(self.rows) for name in row}
        # labels of edges fanning out downwards sit at staggered heights so they do not collide
        self.share: dict[tuple[str, str], float] = {}
        for source, dests in after.items():
            down = sorted(
                {d for d in dests if self.row_of[d] > self.row_of[source]},
                key=lambda d: self.pos[d][0],
            )
            for i, dest in enumerate(down):
                self.share[source, dest] = (
                    0.5 if len(down) == 1 else 0.3 + 0.4 * i / (len(down) - 1)
                )
        self.lanes = {-1: 0, 1: 0}
        self.lane_labels: dict[int, list[float]] = {-1: [], 1: []}
        self.bottom = max(y for _, y in self.pos.values()) + _BOX_H / 2

    def route(self, source: str, dest: str) -> tuple[str, tuple[float, float, str]]:
        """The path of an edge and where its label goes (x, y, text-anchor)."""
        (x0, y0), (x1, y1) = self.pos[source], self.pos[dest]
        hw, hh = self.box_w / 2, _BOX_H / 2
        if source == dest:
            r = x0 + hw
            loop = f"M{r},{y0 - 8} C{r + 40},{y0 - 30} {r + 40},{y0 + 30} {r},{y0 + 8}"
            return loop, (r + 36, y0 + 4, "start")
        same_row = self.row_of[source] == self.row_of[dest]
        if self.row_of[dest] > self.row_of[source] or (
            same_row and abs(x1 - x0) < 2 * hw + _COL_GAP + 1
        ):
            sx, sy = _clip(x0, y0, x1, y1, hw, hh)
            ex, ey = _clip(x1, y1, x0, y0, hw, hh)
            share = self.share.get((source, dest), 0.5)
            lx, ly = sx + (ex - sx) * share, sy + (ey - sy) * share - 3
            return f"M{sx},{sy} L{ex},{ey}", (lx, ly, "middle")
        # back up, or past other boxes of the row: out to a lane on the nearer side
        side = 1 if (x0 + x1) / 2 >= self.core_w / 2 else -1
        self.lanes[side] += 1
        lane = (self.core_w if side > 0 else 0) + side * _LANE * (1 + self.lanes[side])
        drop = 8 + 4 * self.lanes[side]
        if self._outermost(source, side):
            points = [(x0 + side * hw, y0), (lane, y0)]
        else:
            points = [(x0, y0 + hh), (x0, y0 + hh + drop), (lane, y0 + hh + drop)]
        if self._outermost(dest, side):
            points += [(lane, y1), (x1 + side * hw, y1)]
        else:
            points += [(lane, y1 - hh - drop), (x1, y1 - hh - drop), (x1, y1 - hh)]
        self.bottom = max(self.bottom, *(py for _, py in points))
        d = "M" + " L".join(f"{px:.1f},{py:.1f}" for px, py in points)
        label_y = (points[1][1] + points[-2][1]) / 2 + 4
        while any(abs(label_y - taken) < 13 for taken in self.lane_labels[side]):
            label_y += 13
        self.lane_labels[side].append(label_y)
        return d, (lane + side * 4, label_y, "start" if side > 0 else "end")

    def _outermost(self, name: str, side: int) -> bool:
        row = self.rows[self.row_of[name]]
        return name == (row[-1] if side > 0 else row[0])


def render_text(definition: Definition, locale: str = "nb") -> str:
    """A plain listing of states, deadlines and transitions (for ``politirad workflows show``)."""
    lines = [
        f"{definition.name}: {definition.labels.get(locale)}",
        f"  initial: {definition.initial}",
        f"  fields: {', '.join(definition.fields) or '-'}",
        f"  sha256: {definition.content_hash}",
        "",
        "States:",
    ]
    width = max(len(state.name) for state in definition.states)
    for state in definition.states:
        mark = "  [terminal]" if state.terminal else ""
        lines.append(f"  {state.name:<{width}}  {state.labels.get(locale)}{mark}")
        for d in state.deadlines:
            anchor = "entry" if d.anchor == ENTERED else d.anchor
            effect = f"transition {d.trigger}" if d.effect == "transition" else d.effect
            when = f"{anchor} {d.amount:+d} {d.unit}"
            lines.append(f"      deadline {d.name} ({d.labels.get(locale)}): {when} -> {effect}")
    lines += ["", "Transitions:"]
    for t in definition.transitions:
        lines.append(f"  {t.trigger}: {', '.join(t.sources)} -> {t.dest}  ({t.labels.get(locale)})")
        lines.append(f"      {_summary(t)}")
    return "\n".join(lines) + "\n"


def _summary(t: Transition) -> str:
    parts = [f"roles: {', '.join(t.roles)}"]
    for key in ("parties", "guards", "requires", "approvals"):
        if getattr(t, key):
            parts.append(f"{key}: {', '.join(getattr(t, key))}")
    if t.comment_required:
        parts.append("comment required")
    return "; ".join(parts)


def _layers(definition: Definition) -> list[list[str]]:
    """States by breadth-first depth, in order of discovery (which survives a JSON snapshot)."""
    depth = {definition.initial: 0}
    queue = deque([definition.initial])
    while queue:
        name = queue.popleft()
        for t in definition.transitions_from(name):
            if t.dest not in depth:
                depth[t.dest] = depth[name] + 1
                queue.append(t.dest)
    unreached = max(depth.values()) + 1
    for state in definition.states:
        depth.setdefault(state.name, unreached)
    rows: dict[int, list[str]] = defaultdict(list)
    for name, row in depth.items():
        rows[row].append(name)
    return [rows[key] for key in sorted(rows)]


def _clip(x0: float, y0: float, x1: float, y1: float, hw: float, hh: float) -> tuple[float, float]:
    """Where the line from the centre (x0, y0) towards (x1, y1) leaves the box."""
    dx, dy = x1 - x0, y1 - y0
    scale = min(hw / abs(dx) if dx else float("inf"), hh / abs(dy) if dy else float("inf"))
    return round(x0 + dx * scale, 1), round(y0 + dy * scale, 1)


def _box(
    state: State,
    label: str,
    centre: tuple[float, float],
    box_w: float,
    current: str | None,
    steps: list[str],
) -> str:
    x, y = centre[0] - box_w / 2, centre[1] - _BOX_H / 2
    kind = "current" if state.name == current else "passed" if state.name in steps else ""
    rects = [(x, y, box_w, _BOX_H, 8)]
    if state.terminal:
        rects.append((x + 3, y + 3, box_w - 6, _BOX_H - 6, 6))
    width = {"current": 3.0, "passed": 2.2}.get(kind, 1.2)
    ink = _WALKED if kind == "passed" else _INK
    shapes = "".join(
        f'<rect x="{rx:.1f}" y="{ry:.1f}" width="{w:.1f}" height="{h}" rx="{r}" '
        f'fill="{_FILL[kind] if i == 0 else "none"}" stroke="{ink}" stroke-width="{width}"/>'
        for i, (rx, ry, w, h, r) in enumerate(rects)
    )
    weight = ' font-weight="bold"' if kind == "current" else ""
    classes = " ".join(c for c in ("state", kind, "terminal" if state.terminal else "") if c)
    return (
        f'<g class="{classes}" data-state={quoteattr(state.name)}><title>{escape(state.name)}'
        f'</title>{shapes}<text x="{centre[0]:.1f}" y="{centre[1] + 4:.1f}" '
        f'text-anchor="middle"{weight}>{escape(label)}</text></g>'
    )


def _text_w(text: str) -> float:
    return len(text) * _CHAR_W
