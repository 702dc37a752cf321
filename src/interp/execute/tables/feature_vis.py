"""feature_vis's table: one row per layer atom with its icon; icons only for the atoms drawn."""

from __future__ import annotations

from interp.execute.tables.base import (
    Table,
    atom_columns,
    factors_by_groups,
    layer_objectives,
    tidy,
)
from interp.execute.tables.layout import shown
from interp.execute.words import offered_noun, quantity
from interp.keys import is_key_column
from interp.vocabulary.presentations.feature_vis import icon_axis


class FeatureVisTable(Table):
    name = "feature_vis"

    def objectives(self, element, array, *reads):
        """Icons for the atoms the page draws (`shown`), on the axis it draws them for."""
        icons = layer_objectives(element, array, factors_by_groups(element, reads))
        frame = atom_columns(tidy(array), element, prefer_layer=True)
        axis = icon_axis(set(frame.columns))
        keys = [c for c in frame.columns if is_key_column(c)]
        drawn = set(frame.loc[shown(frame, keys), axis].tolist())
        return {key: icon for key, icon in icons.items() if key[0] == axis and key[1] in drawn}

    def reading(self, element):
        icon = f"icon: what excites the {offered_noun(element)} most (feature visualization)"
        if not element.presentation.option("bars"):
            return icon
        return f"{icon}; bar: {quantity(element)}"

    def table(self, element, array, atoms, icons, *reads):
        frame = atom_columns(tidy(array), element, prefer_layer=True)
        axis = icon_axis(set(frame.columns))
        frame["icon"] = [icons.get((axis, v), "") for v in frame[axis]]
        return frame
