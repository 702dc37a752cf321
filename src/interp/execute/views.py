"""What the executor hands the renderer: one tidy table per element.

This is the contract between `execute` and `render`. Each element becomes an
:class:`ElementView`: a pandas DataFrame with one row per shown datum, plus the
presentation it asked for and the selections it reads or offers.

Table columns (all presentations):
- ``atom``: the atom's display label (class name, ``"ch 12"``, ``"group 3"``,
  ``"(x 3, y 4)"``); ``value``: the number shown (float).
- ``key_<E>`` for every element ``E`` this element depends on through
  ``select(E.hover)`` / ``select(E.click)``: the selected atom of ``E`` that
  the row belongs to. The page shows only rows whose ``key_<E>`` equals the
  current selection of ``E``.
- ``key_<name>`` for the element itself when another element selects on it:
  the identity of this row's atom, as string; the selection param reads it.
- ``atom_id`` (optional): the atom's name on any page, ``model · layer · channel N``
  (channels of a layer only). A comparison page outlines, on every page, the atom
  with the id hovered on another (`render.linking`).

Extra columns by presentation (see `render/` modules):
- feature_vis: ``icon`` (PNG data URL) per atom.
- bars: nothing more (``atom`` labels the bar).
- heatmap: ``x``, ``y`` (integer cell coordinates of a ``grid`` of
  ``meta["grid"] = (height, width)`` cells); with ``color=atom`` several atoms.
- grid: ``x``, ``y``, ``icon``, ``magnitude``; ``color`` (hex) when
  ``color=value``.
- image: ``x``, ``y`` cells of ``meta["grid"]`` over the input image.
- sankey: ``source``, ``target``, ``value``; ``source_icon``/``target_icon``.

``meta`` may hold ``image`` (the input as PNG data URL), ``grid`` and
presentation options.

Added by the renderer (all optional):
- ``series`` (feature_vis, bars): a second free atom axis, as display text;
  splits atoms into labelled rows / colours, e.g. the target class of
  ``top(k, per=target)`` or the source group of ``top(k, per=source)``.
  Other columns (``channel``, ``group``, ``class``...) are ignored.
- image: the table may be empty; cells then come from ``meta["grid"]`` with
  ``key_<name> = "x,y"`` — dependent tables must use the same key text.
- Keys are compared as strings; the renderer writes numbers as ``"12"`` (not
  ``"12.0"``) and tuples as ``"3,4"``. Icons and ``meta["image"]`` may also be
  PNG bytes, PIL images or HxW(x3) arrays in [0, 1]; ``""``/None means no icon.
- ``meta`` words (from `execute.words`, all optional; see `render.titles`):
  ``describe`` (what the view shows: quantity, method, layer), ``reading`` (how
  to read its marks), ``quantity`` (the value's name and unit: axis, legend and
  tooltip title), ``offered`` (the noun of the atoms hovering or clicking
  picks: "hover a channel"), ``atom_noun`` / ``series_noun`` (what the ``atom``
  and ``series`` labels are), ``nouns`` (atom axis -> noun).
- ``meta["domain"] = (low, high)``: the value range colours and bars are drawn
  on (a comparison page shares one per element); without it, the element's
  whole table's, never the current selection's.
- ``meta["components"]`` (grid ``color=value``): legend lines ``_swatch``,
  ``_text`` saying what each colour component stands for; ``meta["sides"]``
  (sankey): headings of the source and target columns.
- ``meta["subtitle"]``: one more line under the element's title. Options read:
  ``bars`` and ``icon_size`` (feature_vis), ``color`` (heatmap ``"atom"``,
  grid ``"value"``), ``size`` (heatmap/image/grid longest side in px),
  ``width`` (bars, sankey).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

#: the column of an atom's page-independent name (see above)
ATOM_ID = "atom_id"
#: between an atom id's model, layer and atom: ``model · layer · channel N``
ATOM_ID_SEPARATOR = " · "


@dataclass(frozen=True)
class Selection:
    """`select(element.event)`: this view is filtered by `element`'s `event`."""

    element: str
    event: str  # "hover" | "click"

    @property
    def param(self) -> str:
        return f"{self.element}_{self.event}"

    @property
    def key(self) -> str:
        return f"key_{self.element}"


@dataclass(frozen=True)
class ElementView:
    name: str
    presentation: str  # feature_vis | bars | heatmap | grid | image | sankey
    options: dict[str, Any]
    table: pd.DataFrame
    depends_on: tuple[Selection, ...] = ()
    offers: tuple[str, ...] = ()  # events ("hover"/"click") other elements select on
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"key_{self.name}"

    def __repr__(self) -> str:
        parts = [f"{len(self.table)} rows"]
        parts += [f"offers {event}" for event in self.offers]
        parts += [f"shows {s.element}.{s.event}" for s in self.depends_on]
        return f"<ElementView {self.name} as {self.presentation}: {', '.join(parts)}>"


@dataclass(frozen=True)
class PageView:
    """One interface's page: its title, elements, and layout tree."""

    name: str
    title: str
    elements: tuple[ElementView, ...]
    layout: Any = None  # ("row"|"column", [names or nested layouts]) or None = in order
    model: str = ""
    input: str = ""
    metrics: pd.DataFrame | None = None  # element, metric, value: when this page was measured

    def __repr__(self) -> str:
        elements = ", ".join(f"{e.name} ({e.presentation})" for e in self.elements)
        return f"<PageView {self.name}: {elements}>"


@dataclass(frozen=True)
class ComparisonView:
    """`compare A, B`: pages side by side, with per-interface metrics.

    ``metrics``: tidy rows ``interface, element, metric, value`` (a wide table, one
    column per metric, is accepted too); ``definitions``: metric -> what it measures,
    shown on the page when the pointer rests on the metric's name.
    """

    pages: tuple[PageView, ...]
    metrics: pd.DataFrame | None = None  # interface, element, metric, value
    definitions: dict[str, str] = field(default_factory=dict)  # metric -> one line, on hover
    curves: pd.DataFrame | None = None  # interface, element, order, fraction, logit (deletion)

    def __repr__(self) -> str:
        return f"<ComparisonView {', '.join(p.name for p in self.pages)}>"
