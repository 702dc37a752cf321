"""sankey's table: one row per (source, target) flow, with both ends' icons."""

from __future__ import annotations

from interp.execute.tables.base import (
    Table,
    factors_by_groups,
    label,
    layer_objectives,
    tidy,
)


class SankeyTable(Table):
    name = "sankey"

    def objectives(self, element, array, *reads):
        return layer_objectives(element, array, factors_by_groups(element, reads))

    def reading(self, element):
        from interp.execute.words import quantity

        return (
            f"band width ∝ |{quantity(element)}|; blue: the source raises the target,"
            " red: it lowers it"
        )

    def meta(self, element, array, table, *reads):
        from interp.execute.words import short_text

        content = element.content
        return {"sides": [short_text(content.source), short_text(content.target)]}

    def table(self, element, array, atoms, icons, *reads):
        frame = tidy(array)
        source = next(a.name for a in element.atom_axes if a.side == "source")
        target = next(a.name for a in element.atom_axes if a.side == "target")
        frame["source"] = [label(source, v) for v in frame[source]]
        frame["target"] = ["→ " + label(target, v) for v in frame[target]]
        frame["atom"] = frame["source"] + " " + frame["target"]
        frame["source_icon"] = [icons.get((source, v), "") for v in frame[source]]
        frame["target_icon"] = [icons.get((target, v), "") for v in frame[target]]
        return frame
