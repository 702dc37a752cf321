"""`as feature_vis`: each layer atom (channel, group) drawn by its feature visualization."""

from __future__ import annotations

import math

from interp.keys import is_key_column
from interp.vocabulary.axes import free_atoms, names
from interp.vocabulary.presentations.base import (
    Presentation,
    free_layer_atoms,
    layer_atom_axes,
    layer_icon_counts,
    layer_icon_reads,
)
from interp.vocabulary.signatures import Param, Signature

ICON = 64  # an icon's side, in CSS pixels
MAX_CELLS = 16  # icons in one row, about a page wide; the rest are counted in a "… N more" note
MAX_ROWS = 8  # rows (series) in one subset; likewise
MAX_DIVERSITY = 8  # pictures per atom in a strip


def icon_axis(axes: set) -> str | None:
    """The atom axis a feature_vis draws icons for: a layer's channels or groups, the
    source's before the target's."""
    return next((a for a in ("channel", "group", "tchannel", "tgroup") if a in axes), None)


class FeatureVis(Presentation):
    name = "feature_vis"
    signature = Signature(
        "feature_vis",
        (Param("bars", "bool"), Param("diversity", "int")),
        "feature_vis(bars=true, diversity=4)",
    )

    def fit(self, call, content, axes):
        problem = super().fit(call, content, axes)
        if problem:
            return problem
        if not free_layer_atoms(axes):
            return (
                f"feature_vis draws a hidden layer's atoms, and this content has none free ({names(free_atoms(axes))})",
                "use bars for classes",
            )
        diversity = call.option("diversity", 1)
        if diversity > MAX_DIVERSITY:
            return (
                f"feature_vis draws at most {MAX_DIVERSITY} pictures per atom, not diversity={diversity}",
                f"diversity=N (2 to {MAX_DIVERSITY}) draws N different pictures of each atom, side by side",
            )
        return None

    def icon_layers(self, element):
        drawn = icon_axis({a.name for a in element.axes})
        return tuple((s.model, s.layer) for axis, s in layer_atom_axes(element) if axis == drawn)

    def icon_diversity(self, element):
        return int(element.presentation.option("diversity", 1))

    def icon_reads(self, element, scope):
        return layer_icon_reads(element, scope)

    def icon_side(self, element, shape):
        return float(element.presentation.option("icon_size") or ICON)

    def icon_counts(self, element, sizes):
        drawn = icon_axis(set(sizes))
        keys = math.prod(v for k, v in sizes.items() if is_key_column(k))
        rows = math.prod(
            v for k, v in sizes.items() if k not in (drawn, "atoms") and not is_key_column(k)
        )
        cap = MAX_CELLS * min(rows, MAX_ROWS) * keys  # per subset, at most this many drawn
        counts = layer_icon_counts(element, {drawn: min(sizes.get(drawn, 0), cap)})
        return {where: n for where, n in counts.items() if n}
