"""The picture of a network (SPEC §14): where each account and link is drawn, for an SVG the
page renders on the server (no script, no `style=""`: the page's CSP allows neither).

The layout starts from a radial tree around the subject (the first level on an inner ring,
the second on an outer one, near the account it hangs from) and relaxes it with a few steps of
networkx's spring layout, with a fixed seed and the subject pinned at the centre, so the same
network always looks the same. Positions are scaled into the viewBox. Labels are placed
greedily, most important first (the subject, then the heaviest links), beside their node where
they overlap no other label or node, on the side their links cross least; the others are left
out of the drawing: every account is in the table beside it, and in its node's tooltip.

A network has no reading direction, so the drawing is the same in Arabic; the page's legend
and table mirror.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import networkx as nx

from referrals.surfacing.selectors import Network, Node

WIDTH = 640
HEIGHT = 480
PAD = 28
SEED = 20260114
# A few steps of the spring layout relax the rings without undoing them; each costs O(n²) for
# n accounts (about 1 ms at 200). The springs' rest length is the rings' scale.
ITERATIONS = 4
SPRING_LENGTH = 0.25
FONT_SIZE = 13
# A character of a handle at FONT_SIZE in the portal's sans-serif, on average (viewBox units).
CHAR_WIDTH = 7.2
LABEL_CHARS = 22
LABELS_MAX = 40

ROOT_RADIUS = 13.0
MIN_RADIUS = 3.5
MAX_RADIUS = 11.0
MIN_STROKE = 1.0
MAX_STROKE = 7.0


@dataclass(frozen=True)
class DrawnNode:
    node: Node
    x: float
    y: float
    r: float

    @property
    def suspended(self) -> bool:
        return self.node.subject.suspended_at is not None

    @property
    def root(self) -> bool:
        return self.node.depth == 0

    @property
    def side(self) -> float:
        """A suspended account is a square of the same area as the circle it would be."""
        return round(self.r * math.sqrt(math.pi), 1)

    @property
    def corner_x(self) -> float:
        return round(self.x - self.side / 2, 1)

    @property
    def corner_y(self) -> float:
        return round(self.y - self.side / 2, 1)

    @property
    def ring(self) -> float:
        return round(self.r + 5, 1)

    @property
    def hit(self) -> float:
        """The radius a pointer may click within: a little more than the node, easier to hit."""
        return round(max(self.r + 4, 9), 1)


@dataclass(frozen=True)
class DrawnEdge:
    x1: float
    y1: float
    x2: float
    y2: float
    width: float
    weight: int
    to_root: bool


@dataclass(frozen=True)
class Label:
    text: str
    x: float
    y: float
    anchor: str  # start | middle | end, for a left-to-right drawing
    root: bool


@dataclass(frozen=True)
class Drawing:
    width: int
    height: int
    nodes: list[DrawnNode]
    edges: list[DrawnEdge]
    labels: list[Label]

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"


def _rings(network: Network) -> dict:
    """A radial tree: the subject at the centre, the first level on a ring around it, the
    second on an outer ring, each first-level account given a share of the circle as large as
    its followers plus the average (so accounts without followers are not crowded together),
    its followers within that share. Heaviest links first, clockwise from the top."""
    root = network.subject.pk
    first = [n for n in network.nodes if n.depth == 1]
    children: dict = {n.subject.pk: [] for n in first}
    for node in network.nodes:
        if node.depth == 2 and node.via in children:
            children[node.via].append(node.subject.pk)
    followers = sum(len(kids) for kids in children.values())
    inner = 0.55 if followers else 1.0
    room = max(1.0, followers / max(1, len(first)))
    total = sum(len(kids) + room for kids in children.values()) or 1
    weights = {node.subject.pk: node.weight for node in network.nodes}
    lightest, heaviest = min(weights.values()), max(weights.values())

    def nearer(pk) -> float:
        """Heavier links are drawn shorter: down to 70 % of the ring's radius."""
        return 1 - 0.3 * (weights[pk] - lightest) / (heaviest - lightest) if heaviest > lightest else 1

    positions = {root: (0.0, 0.0)}
    start = -math.pi / 2
    for node in first:
        kids = children[node.subject.pk]
        share = 2 * math.pi * (len(kids) + room) / total
        middle = start + share / 2
        radius = inner * nearer(node.subject.pk)
        positions[node.subject.pk] = (radius * math.cos(middle), radius * math.sin(middle))
        for i, kid in enumerate(kids):
            angle = start + share * (i + 0.5) / len(kids)
            radius = inner + (1 - inner) * nearer(kid) if followers else 1
            positions[kid] = (radius * math.cos(angle), radius * math.sin(angle))
        start += share
    return positions


def layout(network: Network) -> dict:
    """subject id → (x, y), the subject at (0, 0); the same network always gets the same picture.

    A radial tree (`_rings`) relaxed by networkx's spring layout, whose springs are the links
    each account was reached by, heavier pulling harder: accounts spread out where the rings
    crowd them, and stay near the account they hang from. All links are drawn, but only those
    are springs: accounts named together in one large referral are all linked to each other,
    and as springs those cliques would fold into blots."""
    ids = [node.subject.pk for node in network.nodes]
    if not ids:
        return {}
    root = network.subject.pk
    if len(ids) == 1:
        return {root: (0.0, 0.0)}
    graph = nx.Graph()
    graph.add_nodes_from(ids)
    graph.add_weighted_edges_from(
        (node.via or root, node.subject.pk, 1 + math.log(node.weight)) for node in network.nodes if node.depth
    )
    positions = nx.spring_layout(
        graph, k=SPRING_LENGTH, pos=_rings(network), fixed=[root], seed=SEED, iterations=ITERATIONS
    )
    return {pk: (float(x), float(y)) for pk, (x, y) in positions.items()}


def _scale(positions: dict, root) -> dict:
    """Fit `positions` into the viewBox, keeping the subject in the middle so it is found first."""
    cx, cy = WIDTH / 2, HEIGHT / 2
    rx, ry = positions[root]
    reach_x = max((abs(x - rx) for x, _ in positions.values()), default=0) or 1
    reach_y = max((abs(y - ry) for _, y in positions.values()), default=0) or 1
    half_w, half_h = cx - PAD - MAX_RADIUS, cy - PAD - MAX_RADIUS
    return {
        pk: (round(cx + (x - rx) / reach_x * half_w, 1), round(cy + (y - ry) / reach_y * half_h, 1))
        for pk, (x, y) in positions.items()
    }


def _radius(node: Node, most: int, count: int) -> float:
    """By how many referrals name the account, on a log scale; smaller when many are shown."""
    if node.depth == 0:
        return ROOT_RADIUS
    largest = max(MIN_RADIUS + 1, min(MAX_RADIUS, MAX_RADIUS * math.sqrt(40 / count)))
    if most <= 1:
        return MIN_RADIUS + 1
    share = math.log1p(node.subject.referral_count) / math.log1p(most)
    return round(MIN_RADIUS + (largest - MIN_RADIUS) * share, 1)


def _stroke(weight: int, heaviest: int, to_root: bool) -> float:
    """By weight; the subject's own links up to MAX_STROKE, the others thinner, so the links
    among many accounts named together do not bury the picture."""
    top = MAX_STROKE if to_root else MAX_STROKE / 2
    if heaviest <= 1:
        return MIN_STROKE + (0.5 if to_root else 0)
    return round(MIN_STROKE + (top - MIN_STROKE) * math.sqrt((weight - 1) / (heaviest - 1)), 2)


def short(account: str) -> str:
    return account if len(account) <= LABEL_CHARS else account[: LABEL_CHARS - 1] + "…"


def draw(network: Network) -> Drawing:
    """Where to draw each account, link and label of `network` in a WIDTH × HEIGHT viewBox."""
    positions = _scale(layout(network), network.subject.pk) if network.nodes else {}
    most = max((n.subject.referral_count for n in network.nodes), default=0)
    count = len(network.nodes)
    nodes = [DrawnNode(n, *positions[n.subject.pk], _radius(n, most, count)) for n in network.nodes]
    heaviest = max((e.weight for e in network.edges), default=1)
    root = network.subject.pk
    edges = [
        DrawnEdge(
            *positions[e.source],
            *positions[e.target],
            _stroke(e.weight, heaviest, root in (e.source, e.target)),
            e.weight,
            root in (e.source, e.target),
        )
        for e in reversed(network.edges)  # the heaviest drawn last, on top
        if e.source in positions and e.target in positions
    ]
    return Drawing(WIDTH, HEIGHT, nodes, edges, place_labels(nodes, edges))


# --- Labels ------------------------------------------------------------------------------------


def _box(label: Label) -> tuple[float, float, float, float]:
    width = len(label.text) * CHAR_WIDTH
    left = {"start": label.x, "middle": label.x - width / 2, "end": label.x - width}[label.anchor]
    # y is the text's baseline: most of a line sits above it.
    return (left - 2, label.y - FONT_SIZE, left + width + 2, label.y + 4)


def _overlaps(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _crosses(box, x1: float, y1: float, x2: float, y2: float) -> bool:
    """Whether the segment (x1, y1)–(x2, y2) passes through `box` (Liang–Barsky clipping)."""
    dx, dy = x2 - x1, y2 - y1
    low, high = 0.0, 1.0
    for p, q in ((-dx, x1 - box[0]), (dx, box[2] - x1), (-dy, y1 - box[1]), (dy, box[3] - y1)):
        if p == 0:
            if q < 0:
                return False
            continue
        t = q / p
        if p < 0:
            low = max(low, t)
        else:
            high = min(high, t)
        if low > high:
            return False
    return True


def _inside(box) -> bool:
    return box[0] >= 2 and box[1] >= 2 and box[2] <= WIDTH - 2 and box[3] <= HEIGHT - 2


def _candidates(drawn: DrawnNode, text: str) -> list[Label]:
    x, y, gap = drawn.x, drawn.y, (drawn.ring if drawn.root else drawn.r) + 3
    return [
        Label(text, x, round(y + gap + FONT_SIZE, 1), "middle", drawn.root),
        Label(text, x, round(y - gap - 3, 1), "middle", drawn.root),
        Label(text, round(x + gap, 1), round(y + FONT_SIZE / 3, 1), "start", drawn.root),
        Label(text, round(x - gap, 1), round(y + FONT_SIZE / 3, 1), "end", drawn.root),
    ]


class _Grid:
    """Boxes bucketed by cells of the drawing, so a label is checked against its neighbours
    only, not against every node and label of a 200-account network."""

    CELL = 48

    def __init__(self):
        self.cells: dict[tuple[int, int], list] = {}

    def _keys(self, box):
        for cx in range(int(box[0] // self.CELL), int(box[2] // self.CELL) + 1):
            for cy in range(int(box[1] // self.CELL), int(box[3] // self.CELL) + 1):
                yield cx, cy

    def add(self, box, owner=None) -> None:
        for key in self._keys(box):
            self.cells.setdefault(key, []).append((box, owner))

    def hits(self, box, *, besides=None) -> bool:
        return any(
            owner is not besides and _overlaps(box, other)
            for key in self._keys(box)
            for other, owner in self.cells.get(key, ())
        )


def place_labels(nodes: list[DrawnNode], edges: list[DrawnEdge] = (), most: int = LABELS_MAX) -> list[Label]:
    """At most `most` labels, the subject's first, each where it overlaps no label and no node,
    and on the side its own links cross least (a label struck through by a line is hard to read)."""
    grid = _Grid()
    for n in nodes:
        grid.add((n.x - n.r - 1, n.y - n.r - 1, n.x + n.r + 1, n.y + n.r + 1), owner=n)
    ends: dict[tuple[float, float], list[tuple[float, float]]] = {}
    for e in edges:
        ends.setdefault((e.x1, e.y1), []).append((e.x2, e.y2))
        ends.setdefault((e.x2, e.y2), []).append((e.x1, e.y1))
    placed: list[Label] = []
    # `nodes` come in the network's order: the subject, then the heaviest links first.
    for drawn in nodes:
        if len(placed) >= most:
            break
        own = ends.get((drawn.x, drawn.y), [])
        free = [
            (sum(_crosses(box, drawn.x, drawn.y, x, y) for x, y in own), order, label, box)
            for order, label in enumerate(_candidates(drawn, short(drawn.node.subject.account)))
            if _inside(box := _box(label)) and not grid.hits(box, besides=drawn)
        ]
        if free:
            *_, label, box = min(free, key=lambda item: item[:2])
            placed.append(label)
            grid.add(box)
    return placed
