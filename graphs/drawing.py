"""The research graph as a picture, drawn here, offline: SVG for the run viewer and `stepresearch graph`, PNG
through Pillow.

Mermaid's own PNG rendering posts the graph to a web service, which a run
that must work offline cannot use. So the graph is laid out with networkx
(layers by longest path from the start, back edges set aside so that the
reflection loop does not decide the layers) and drawn by us: boxes left to
right, an edge to the next layer as a straight line, an edge that skips
layers as an arc above, and an edge back (the loop) as an arc below. A node
can carry its run figures (how often it ran, its time, its tokens); a node
that never ran is drawn grey.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from html import escape
from pathlib import Path

import networkx as nx
from langgraph.graph.state import CompiledStateGraph
from pydantic import BaseModel, Field

from stepresearch.state import NodeExecution

BOX_W, BOX_H = 140, 84  # room for a node name and three lines of figures
GAP_X, GAP_Y = 52, 30
ENDPOINT_R = 14  # __start__ and __end__ are small circles
ARC_RISE = 42  # how far an arc over (or under) skipped layers bows, per layer skipped, up to ARC_MAX
ARC_MAX = 120
MARGIN_X = 24
MARGIN_Y = 24 + ARC_MAX  # the arcs bow above and below the row of boxes
ENDPOINTS = ("__start__", "__end__")


class NodeFigures(BaseModel):
    """One node's totals over a run, as the picture labels it."""

    runs: int = 0
    seconds: float = 0.0
    prompt_tokens: int = 0
    cached_tokens: int = 0
    completion_tokens: int = 0


class PlacedNode(BaseModel):
    name: str
    x: float = Field(description="Centre, in drawing units.")
    y: float
    endpoint: bool = False


class PlacedEdge(BaseModel):
    source: str
    target: str
    conditional: bool
    kind: str = Field(description="'next' (a straight line), 'skip' (an arc above) or 'back' (an arc below).")
    path: list[tuple[float, float]] = Field(description="Points of the line, start to end.")


class Layout(BaseModel):
    width: float
    height: float
    nodes: list[PlacedNode]
    edges: list[PlacedEdge]


def figures_by_node(executions: list[NodeExecution]) -> dict[str, NodeFigures]:
    """Per node: how many times it ran, its total time and its policy tokens."""
    out: dict[str, NodeFigures] = {}
    for e in executions:
        f = out.setdefault(e.node, NodeFigures())
        f.runs += 1
        f.seconds += e.seconds
        f.prompt_tokens += e.usage.prompt_tokens
        f.cached_tokens += e.usage.cached_tokens
        f.completion_tokens += e.usage.completion_tokens
    return out


def layout(graph: CompiledStateGraph) -> Layout:
    """Layers by longest path from the start, over the graph with its back edges set aside."""
    drawable = graph.get_graph()
    order = list(drawable.nodes)
    edges = [(e.source, e.target, bool(e.conditional)) for e in drawable.edges]
    dag = nx.DiGraph()
    dag.add_nodes_from(order)
    back: set[tuple[str, str]] = set()
    # Edges in a breadth-first order from the start: an edge into a node that already reaches its source
    # closes a loop, and is the loop's back edge.
    rank = {name: i for i, name in enumerate(nx.bfs_tree(nx.DiGraph([(s, t) for s, t, _ in edges]), order[0]))}
    for source, target, _ in sorted(edges, key=lambda e: (rank.get(e[0], len(rank)), rank.get(e[1], len(rank)))):
        if source == target or nx.has_path(dag, target, source):
            back.add((source, target))
        else:
            dag.add_edge(source, target)
    layer: dict[str, int] = {}
    for name in nx.topological_sort(dag):
        layer[name] = max((layer[p] + 1 for p in dag.predecessors(name)), default=0)
    rows: dict[int, list[str]] = {}
    for name in order:
        rows.setdefault(layer[name], []).append(name)
    tallest = max(len(names) for names in rows.values())
    width = len(rows) * (BOX_W + GAP_X) - GAP_X + 2 * MARGIN_X
    height = tallest * (BOX_H + GAP_Y) - GAP_Y + 2 * MARGIN_Y
    placed: dict[str, PlacedNode] = {}
    for lay, names in rows.items():
        for i, name in enumerate(names):  # a layer's nodes top to bottom, in the graph's own order
            y = MARGIN_Y + BOX_H / 2 + (i + (tallest - len(names)) / 2) * (BOX_H + GAP_Y)
            x = MARGIN_X + BOX_W / 2 + lay * (BOX_W + GAP_X)
            placed[name] = PlacedNode(name=name, x=x, y=y, endpoint=name in ENDPOINTS)
    placed_edges = [
        _route(placed[s], placed[t], c, layer[t] - layer[s], (s, t) in back) for s, t, c in edges if s in placed
    ]
    return Layout(width=width, height=height, nodes=[placed[n] for n in order], edges=placed_edges)


def _route(a: PlacedNode, b: PlacedNode, conditional: bool, span: int, back: bool) -> PlacedEdge:
    """A straight line to the next layer; an arc above for a skip, below for a loop back."""
    start = (a.x + _half_width(a), a.y)
    end = (b.x - _half_width(b), b.y)
    if back:
        start, end = (a.x, a.y + _half_height(a)), (b.x, b.y + _half_height(b))
        return PlacedEdge(
            source=a.name, target=b.name, conditional=conditional, kind="back",
            path=_arc(start, end, min(ARC_MAX, ARC_RISE * (abs(span) + 1))),
        )  # fmt: skip
    if span > 1:
        start, end = (a.x, a.y - _half_height(a)), (b.x, b.y - _half_height(b))
        return PlacedEdge(
            source=a.name, target=b.name, conditional=conditional, kind="skip",
            path=_arc(start, end, -min(ARC_MAX, ARC_RISE * span)),
        )  # fmt: skip
    return PlacedEdge(source=a.name, target=b.name, conditional=conditional, kind="next", path=[start, end])


def _arc(
    start: tuple[float, float], end: tuple[float, float], rise: float, steps: int = 24
) -> list[tuple[float, float]]:
    """A quadratic curve from start to end whose middle is `rise` below (positive) or above (negative)."""
    control = ((start[0] + end[0]) / 2, max(start[1], end[1]) + rise if rise > 0 else min(start[1], end[1]) + rise)
    points = []
    for i in range(steps + 1):
        t = i / steps
        x = (1 - t) ** 2 * start[0] + 2 * (1 - t) * t * control[0] + t**2 * end[0]
        y = (1 - t) ** 2 * start[1] + 2 * (1 - t) * t * control[1] + t**2 * end[1]
        points.append((round(x, 1), round(y, 1)))
    return points


def _half_width(node: PlacedNode) -> float:
    return ENDPOINT_R if node.endpoint else BOX_W / 2


def _half_height(node: PlacedNode) -> float:
    return ENDPOINT_R if node.endpoint else BOX_H / 2


def figure_lines(figures: NodeFigures | None) -> list[str]:
    """The lines under a node's name: runs and time, then its policy tokens (prompt, cached, completion)."""
    if figures is None or figures.runs == 0:
        return ["did not run"]
    lines = [f"{figures.runs} run{'s' if figures.runs > 1 else ''} · {figures.seconds:.1f} s"]
    if figures.prompt_tokens or figures.completion_tokens:
        lines.append(f"{_k(figures.prompt_tokens)} in ({_k(figures.cached_tokens)} cached)")
        lines.append(f"{_k(figures.completion_tokens)} out")
    return lines


def _k(n: int) -> str:
    return f"{n / 1000:.1f}k" if n >= 1000 else str(n)


def graph_svg(graph: CompiledStateGraph, figures: Mapping[str, NodeFigures] | None = None) -> str:
    """The graph as one standalone SVG element. Without figures it is the bare graph; with them, each node
    carries its figures and a node that never ran is grey. Nodes are `<g data-node="name">` for the viewer."""
    placed = layout(graph)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="graph" viewBox="0 0 {placed.width:.0f} {placed.height:.0f}" '
        f'width="{placed.width:.0f}" height="{placed.height:.0f}" role="img" aria-label="research graph">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="#555"/></marker></defs>',
        "<style>.graph text{font:12px sans-serif;fill:#222}.graph .fig{font-size:10px;fill:#555}"
        ".graph .idle rect{fill:#eee;stroke:#bbb}.graph .idle text{fill:#999}"
        ".graph rect{fill:#eef4ff;stroke:#4a6fa5;stroke-width:1.5}.graph path{fill:none;stroke:#555;stroke-width:1.3}"
        ".graph path.conditional{stroke-dasharray:5 4}.graph circle{fill:#333}</style>",
    ]
    for edge in placed.edges:
        d = "M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in edge.path)
        cls = "conditional" if edge.conditional else ""
        parts.append(
            f'<path class="{cls}" d="{d}" marker-end="url(#arrow)" data-edge="{escape(edge.source)}-{escape(edge.target)}"/>'
        )
    for node in placed.nodes:
        if node.endpoint:
            parts.append(
                f'<g data-node="{node.name}"><circle cx="{node.x:.1f}" cy="{node.y:.1f}" r="{ENDPOINT_R}"/>'
                f'<text x="{node.x:.1f}" y="{node.y + ENDPOINT_R + 14:.1f}" text-anchor="middle" class="fig">'
                f"{'start' if node.name == '__start__' else 'end'}</text></g>"
            )
            continue
        node_figures = (figures or {}).get(node.name)
        idle = figures is not None and (node_figures is None or node_figures.runs == 0)
        lines = figure_lines(node_figures) if figures is not None else []
        top = node.y - BOX_H / 2
        parts.append(
            f'<g data-node="{escape(node.name)}" data-runs="{node_figures.runs if node_figures else 0}"'
            f"{' class=' + chr(34) + 'idle' + chr(34) if idle else ''}>"
            f'<rect x="{node.x - BOX_W / 2:.1f}" y="{top:.1f}" width="{BOX_W}" height="{BOX_H}" rx="8"/>'
            f'<text x="{node.x:.1f}" y="{top + (24 if lines else BOX_H / 2 + 4):.1f}" text-anchor="middle" '
            f'font-weight="bold">{escape(node.name)}</text>'
            + "".join(
                f'<text class="fig" x="{node.x:.1f}" y="{top + 40 + 14 * i:.1f}" text-anchor="middle">{escape(line)}</text>'
                for i, line in enumerate(lines)
            )
            + "</g>"
        )
    parts.append("</svg>")
    return "".join(parts)


PNG_SCALE = 2  # pixels per drawing unit: sharp on a high-density screen


def graph_png(graph: CompiledStateGraph, out: Path, figures: Mapping[str, NodeFigures] | None = None) -> None:
    """The same picture as `graph_svg`, rasterised with Pillow (no network, no system libraries)."""
    from PIL import Image, ImageDraw, ImageFont

    placed = layout(graph)
    s = PNG_SCALE
    image = Image.new("RGB", (math.ceil(placed.width * s), math.ceil(placed.height * s)), "white")
    draw = ImageDraw.Draw(image)
    bold = ImageFont.load_default(size=12 * s)
    small = ImageFont.load_default(size=10 * s)
    for edge in placed.edges:
        points = [(x * s, y * s) for x, y in edge.path]
        if edge.conditional:
            for i, (p, q) in enumerate(zip(points, points[1:])):
                _dashed(draw, p, q, s, phase=i)
        else:
            draw.line(points, fill="#555555", width=s)
        _arrowhead(draw, points[-2], points[-1], s)
    for node in placed.nodes:
        cx, cy = node.x * s, node.y * s
        if node.endpoint:
            r = ENDPOINT_R * s
            draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill="#333333")
            label = "start" if node.name == "__start__" else "end"
            draw.text((cx, cy + r + 10 * s), label, fill="#555555", font=small, anchor="mm")
            continue
        node_figures = (figures or {}).get(node.name)
        idle = figures is not None and (node_figures is None or node_figures.runs == 0)
        box = (cx - BOX_W / 2 * s, cy - BOX_H / 2 * s, cx + BOX_W / 2 * s, cy + BOX_H / 2 * s)
        draw.rounded_rectangle(
            box, radius=8 * s, fill="#eeeeee" if idle else "#eef4ff", outline="#bbbbbb" if idle else "#4a6fa5", width=s
        )
        lines = figure_lines(node_figures) if figures is not None else []
        top = box[1]
        draw.text(
            (cx, top + (20 if lines else BOX_H / 2) * s),
            node.name,
            fill="#999999" if idle else "#222222",
            font=bold,
            anchor="mm",
        )
        for i, line in enumerate(lines):
            draw.text(
                (cx, top + (36 + 14 * i) * s), line, fill="#999999" if idle else "#555555", font=small, anchor="mm"
            )
    image.save(out, format="PNG")


def _dashed(draw, p: tuple[float, float], q: tuple[float, float], s: int, phase: int) -> None:
    """A dashed segment (a conditional edge), dashes of 5 units and gaps of 4."""
    length = math.dist(p, q)
    if length == 0:
        return
    step = 9 * s
    t = 0.0
    while t < length:
        a = t / length
        b = min(t + 5 * s, length) / length
        draw.line(
            [
                (p[0] + (q[0] - p[0]) * a, p[1] + (q[1] - p[1]) * a),
                (p[0] + (q[0] - p[0]) * b, p[1] + (q[1] - p[1]) * b),
            ],
            fill="#555555",
            width=s,
        )
        t += step


def _arrowhead(draw, p: tuple[float, float], q: tuple[float, float], s: int) -> None:
    angle = math.atan2(q[1] - p[1], q[0] - p[0])
    size = 8 * s
    left = (q[0] - size * math.cos(angle - 0.4), q[1] - size * math.sin(angle - 0.4))
    right = (q[0] - size * math.cos(angle + 0.4), q[1] - size * math.sin(angle + 0.4))
    draw.polygon([q, left, right], fill="#555555")
