"""Where everything of a design-space diagram goes, in pixels (y grows downwards).

Rows of substrates stack under a two-level header (content over
presentation); elements are boxes stacked in their cell; arrows are cubic
curves between box sides, each the candidate route (four sides out, four
in) that crosses the fewest other boxes. Every method returns plain rows
for one Vega-Lite layer of :mod:`interp.render.space`.
"""

from __future__ import annotations

import itertools
import math

from interp.compare.space import CONTENTS, EXAMPLE_NAMES, DesignSpace

PALETTE = ("#4c78a8", "#f58518", "#54a24b", "#e45756", "#b279a2", "#72b7b2", "#9d755d")
TINTS = ("#dbe6f1", "#fde4c8", "#d9ecd6", "#f8d6d5", "#ecdcea", "#d8ecea", "#e8ddd5")
MONO = "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace"

GROUP_W, LABEL_W = 26, 176  # the hidden-layer bracket, then the row labels
CELL_W, BOX_W, BOX_H, GAP, PAD = 142, 130, 46, 12, 10
HEADER_H = 58
KEY_LINE = 20
PORT = 7  # arrows leave a box below (or right of) its middle and enter above (or left of) it

Point = tuple[float, float]
Curve = tuple[Point, Point, Point, Point]
Box = tuple[float, float, float, float]  # x1, y1, x2, y2
SIDES = {"right": (1, 0), "left": (-1, 0), "bottom": (0, 1), "top": (0, -1)}


def text(
    x: float,
    y: float,
    value: str,
    *,
    align: str = "center",
    size: float = 11,
    weight: str = "normal",
    color: str = "#222",
    font: str = "",
    angle: float = 0,
    limit: float = 0,
) -> dict:
    """One label; its style rides in the row, so one text layer draws many kinds."""
    return {
        "x": x,
        "y": y,
        "text": value,
        "align": align,
        "size": size,
        "weight": weight,
        "color": color,
        "font": font,
        "angle": angle,
        "limit": limit,
    }


class SpaceLayout:
    """Pixel positions of every row, column, box, arrow and key line of a diagram."""

    def __init__(self, space: DesignSpace):
        self.space = space
        left = GROUP_W + LABEL_W
        self.column_x = {c: left + i * CELL_W for i, c in enumerate(space.columns)}
        self.width = left + len(space.columns) * CELL_W + 4
        self.colors = {
            i.name: (PALETTE[n % len(PALETTE)], TINTS[n % len(TINTS)])
            for n, i in enumerate(space.interfaces)
        }
        stacks: dict[tuple[str, str], int] = {}
        for p in space.placements:
            stacks[p.row, p.column.key] = stacks.get((p.row, p.column.key), 0) + 1
        self.row_y: dict[str, float] = {}
        self.row_h: dict[str, float] = {}
        top = HEADER_H
        for row in space.rows:
            most = max([n for (r, _), n in stacks.items() if r == row.key] or [1])
            self.row_y[row.key], self.row_h[row.key] = top, 2 * PAD + most * (BOX_H + GAP) - GAP
            top += self.row_h[row.key]
        self.grid_bottom = top
        self.box_at: dict[tuple[str, str], Point] = {}
        filled: dict[tuple[str, str], int] = {}
        for p in space.placements:
            index = filled[p.row, p.column.key] = filled.get((p.row, p.column.key), -1) + 1
            self.box_at[p.interface, p.element] = (
                self.column_x[p.column] + CELL_W / 2,
                self.row_y[p.row] + PAD + index * (BOX_H + GAP) + BOX_H / 2,
            )
        self.key_top = self.grid_bottom + 26
        self.key_lines = len(space.interfaces) + 2 + len(space.comparisons)
        self.height = self.key_top + KEY_LINE * self.key_lines

    # ---- the grid ------------------------------------------------------------------------

    def bands(self) -> list[dict]:
        """Alternating shades per row, so rows read apart across the wide grid."""
        shades = ("#f6f8fa", "#ffffff")
        return [
            {"x": 0, "x2": self.width, "y": self.row_y[row.key]}
            | {"y2": self.row_y[row.key] + self.row_h[row.key], "fill": shades[n % 2]}
            for n, row in enumerate(self.space.rows)
        ]

    def rules(self) -> list[dict]:
        """Lines under the headers, between content groups, and the hidden-layer bracket."""
        rules = [{"x": 0, "x2": self.width, "y": HEADER_H, "y2": HEADER_H}]
        previous = None
        for column, left in self.column_x.items():
            if column.content != previous:
                rules.append({"x": left, "x2": left, "y": 6, "y2": self.grid_bottom})
                previous = column.content
        hidden = self._hidden_span()
        if hidden:
            rules.append({"x": GROUP_W - 6, "x2": GROUP_W - 6, "y": hidden[0] + 4})
            rules[-1]["y2"] = hidden[1] - 4
        return rules

    def headers(self) -> list[dict]:
        texts, groups = [], {}
        for column, left in self.column_x.items():
            groups.setdefault(column.content, []).append(left)
            texts.append(text(left + CELL_W / 2, HEADER_H - 12, column.presentation, font=MONO))
        for content, lefts in groups.items():
            middle = (min(lefts) + max(lefts) + CELL_W) / 2
            texts.append(text(middle, 18, CONTENTS.get(content, content), size=13, weight="bold"))
        texts.append(text(GROUP_W, HEADER_H - 12, "substrate · atoms", align="left", size=12))
        texts.append(text(GROUP_W, 18, "content →", align="left", size=12, color="#777"))
        return texts

    def row_labels(self) -> list[dict]:
        texts = []
        for row in self.space.rows:
            middle = self.row_y[row.key] + self.row_h[row.key] / 2
            label = f".{row.label}" if row.group == "hidden layer" else row.label
            texts.append(text(GROUP_W, middle - 7, label, align="left", size=12, weight="bold"))
            texts.append(text(GROUP_W, middle + 8, row.detail, align="left", color="#666"))
        hidden = self._hidden_span()
        if hidden:
            middle = (hidden[0] + hidden[1]) / 2
            texts.append(text(GROUP_W - 14, middle, "hidden layer", size=12, angle=270))
        return texts

    def alternatives(self) -> list[dict]:
        """One faint cell per alternative the file leaves unused."""
        used = {(p.row, p.column) for p in self.space.placements}
        cells = []
        for alternative in self.space.alternatives:
            if (alternative.row, alternative.column) in used:
                continue
            left, top = self.column_x[alternative.column], self.row_y[alternative.row]
            cells.append(
                {"x": left + (CELL_W - BOX_W) / 2, "x2": left + (CELL_W + BOX_W) / 2}
                | {"y": top + PAD, "y2": top + PAD + BOX_H}
                | {"cell": f"{alternative.row} × {alternative.column.key}"}
                | {"example": alternative.example, "names": EXAMPLE_NAMES}
            )
        return cells

    # ---- the file's elements -------------------------------------------------------------

    def boxes(self) -> list[dict]:
        models = {i.name: i.model for i in self.space.interfaces}
        boxes = []
        for p in self.space.placements:
            x1, y1, x2, y2 = self._box(p.interface, p.element)
            color, tint = self.colors[p.interface]
            boxes.append(
                {"x": x1, "x2": x2, "y": y1, "y2": y2, "color": color, "tint": tint}
                | {"interface": p.interface, "element": p.element, "spec": p.text}
                | {"substrate": p.substrate, "model": models[p.interface]}
            )
        return boxes

    def box_labels(self) -> list[dict]:
        """Name and substrates inside each box (with the box's tooltip, as they cover it)."""
        texts = []
        for p in self.space.placements:
            cx, cy = self.box_at[p.interface, p.element]
            lines = p.detail.split(" → ")
            lines[1:] = [f"→ {line}" for line in lines[1:]]
            top = cy - 6 * len(lines)
            about = {"interface": p.interface, "element": p.element, "spec": p.text}
            texts.append(text(cx, top, p.element, weight="bold", size=12, limit=BOX_W - 6) | about)
            texts.extend(
                text(cx, top + 13 + 12 * n, line, color="#555", size=10, limit=BOX_W - 6) | about
                for n, line in enumerate(lines)
            )
        return texts

    def box_tags(self) -> list[dict]:
        """With several interfaces, each box's interface on its top border, in its colour."""
        if len(self.space.interfaces) < 2:
            return []
        tags = []
        for p in self.space.placements:
            cx, cy = self.box_at[p.interface, p.element]
            tag = text(cx - BOX_W / 2 + 7, cy - BOX_H / 2 - 1, p.interface, align="left", size=10)
            tags.append(tag | {"weight": "bold", "color": self.colors[p.interface][0]})
            tags[-1]["limit"] = BOX_W - 14
        return tags

    def arrow_paths(self) -> list[dict]:
        """Each interaction as a cubic curve sampled into points, with its head and label."""
        boxes = {key: self._box(*key) for key in self.box_at}
        faint = [(c["x"], c["y"], c["x2"], c["y2"]) for c in self.alternatives()]
        arrows = []
        for n, a in enumerate(self.space.arrows):
            source, target = (a.interface, a.source), (a.interface, a.target)
            if source not in boxes or target not in boxes:
                continue
            others = [b for key, b in boxes.items() if key not in (source, target)]
            curve = route(boxes[source], boxes[target], others, faint)
            points = [cubic(curve, t / 32) for t in range(33)]
            head = _back(points[-1], curve[2], 5)
            angle = math.degrees(math.atan2(head[0] - curve[2][0], curve[2][1] - head[1]))
            arrows.append(
                {"id": n, "color": self.colors[a.interface][0], "event": a.event}
                | {"points": [*points[:-1], head], "head": head, "angle": angle}
                | {"label": cubic(curve, 0.5), "interface": a.interface}
                | {
                    "about": f"select({a.source}.{a.event}) in {a.target}: binds "
                    + ", ".join(s if s == t else f"{s} → {t}" for s, t in a.bindings)
                }
            )
        return arrows

    def _box(self, interface: str, element: str) -> Box:
        cx, cy = self.box_at[interface, element]
        return (cx - BOX_W / 2, cy - BOX_H / 2, cx + BOX_W / 2, cy + BOX_H / 2)

    def _hidden_span(self) -> tuple[float, float] | None:
        hidden = [r.key for r in self.space.rows if r.group == "hidden layer"]
        if not hidden:
            return None
        return self.row_y[hidden[0]], self.row_y[hidden[-1]] + self.row_h[hidden[-1]]


# ---- routing --------------------------------------------------------------------------------


def route(source: Box, target: Box, others: list[Box], faint: list[Box]) -> Curve:
    """The best of the 16 side-to-side curves: crossing no box, clear of its own two
    (so it can be seen and labelled), then short and over few faint cells. Ties keep
    the first candidate (right, left, bottom, top)."""
    candidates = [
        _curve(source, out, target, into) for out, into in itertools.product(SIDES, SIDES)
    ]
    return min(candidates, key=lambda curve: _cost(curve, source, target, others, faint))


def _curve(source: Box, out: str, target: Box, into: str) -> Curve:
    p0, p3 = _port(source, out, leaving=True), _port(target, into, leaving=False)
    reach = min(90.0, max(24.0, 0.4 * math.dist(p0, p3)))
    (ox, oy), (ix, iy) = SIDES[out], SIDES[into]
    return (
        p0,
        (p0[0] + ox * reach, p0[1] + oy * reach),
        (p3[0] + ix * reach, p3[1] + iy * reach),
        p3,
    )


def _port(box: Box, side: str, *, leaving: bool) -> Point:
    x1, y1, x2, y2 = box
    cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
    nx, ny = SIDES[side]
    shift = PORT if leaving else -PORT
    if nx:
        return (cx + nx * (x2 - x1) / 2, cy + shift)
    return (cx + 3 * shift, cy + ny * (y2 - y1) / 2)


def _cost(curve: Curve, source: Box, target: Box, others: list[Box], faint: list[Box]) -> float:
    points = [cubic(curve, t / 48) for t in range(49)]
    crossed = sum(any(_inside(p, b, 3) for p in points) for b in others)
    doubling_back = any(_inside(p, b, -2) for p in points[1:-1] for b in (source, target))
    grazed = sum(any(_inside(p, b, 0) for p in points) for b in faint)
    hugging = sum(any(_inside(p, b, 5) for b in (source, target)) for p in points[4:-4])
    length = sum(math.dist(a, b) for a, b in itertools.pairwise(points))
    return 100 * (crossed + doubling_back) + hugging + 1.5 * grazed + length / 40


def _inside(point: Point, box: Box, margin: float) -> bool:
    x1, y1, x2, y2 = box
    return x1 - margin < point[0] < x2 + margin and y1 - margin < point[1] < y2 + margin


def cubic(curve: Curve, t: float) -> Point:
    weights = ((1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t**2, t**3)
    return (
        sum(w * p[0] for w, p in zip(weights, curve, strict=True)),
        sum(w * p[1] for w, p in zip(weights, curve, strict=True)),
    )


def _back(point: Point, toward: Point, distance: float) -> Point:
    dx, dy = toward[0] - point[0], toward[1] - point[1]
    length = math.hypot(dx, dy) or 1.0
    return (point[0] + dx / length * distance, point[1] + dy / length * distance)
