"""kernels' table: one row per kernel cell `(channel, tchannel, ky, kx)`, each with its
pair's signed sum, label and both channels' icons.

A target channel bound by a selection is no axis of the array any more; it is read back
from the selection (a literal `select(tchannel=N)`, or the selector's atom key), so the
pair still shows the target's icon.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from interp.check.program import SelectAt, SelectFrom
from interp.execute.tables.base import Icon, Table, label
from interp.keys import is_key_column, key_column
from interp.vocabulary.contents import KERNEL_AXES, WEIGHTS
from interp.vocabulary.presentations.kernels import MAX_PAIRS


class KernelsTable(Table):
    name = "kernels"

    def objectives(self, element, array, *reads):
        from interp.execute.feature_vis import Objective

        if element.presentation.option("icons") == "none":
            return {}
        content = element.content
        frame = self._cells(element, array)
        pairs = _shown_pairs(frame)
        icons = {}
        for axis, substrate in (("channel", content.source), ("tchannel", content.target)):
            for value in pairs[axis].dropna().unique().tolist():
                objective = Objective(substrate.layer, "channel", channel=int(value))
                icons[(axis, int(value))] = Icon(substrate.model, objective)
        return icons

    def table(self, element, array, atoms, icons, *reads):
        frame = self._cells(element, array)
        frame = frame[frame["rank"] < MAX_PAIRS].reset_index(drop=True)  # what is drawn
        frame["source_icon"] = [icons.get(("channel", int(v)), "") for v in frame["channel"]]
        frame["target_icon"] = [
            icons.get(("tchannel", int(v)), "") if pd.notna(v) else "" for v in frame["tchannel"]
        ]
        return frame

    def _cells(self, element, array) -> pd.DataFrame:
        frame = array.to_dataframe(name="value").reset_index().dropna(subset=["value"])
        frame = frame.drop(columns=[c for c in frame.columns if c not in _kept(frame)])
        if "tchannel" not in frame:
            frame["tchannel"] = _bound_targets(element, frame)
        keys = [c for c in frame.columns if is_key_column(c)]
        pair = [*keys, "channel", "tchannel"]
        frame["pair_sum"] = frame.groupby(pair, dropna=False)["value"].transform("sum")
        frame = frame.sort_values(
            [*keys, "pair_sum", "channel", "ky", "kx"],
            ascending=[True] * len(keys) + [False, True, True, True],
            kind="stable",
        )
        frame["atom"] = [
            label("channel", a) + (f" → {label('tchannel', int(b))}" if pd.notna(b) else "")
            for a, b in zip(frame["channel"], frame["tchannel"], strict=True)
        ]
        rank = frame.drop_duplicates(pair).assign(
            rank=lambda f: f.groupby(keys, sort=False).cumcount() if keys else np.arange(len(f))
        )
        frame = frame.merge(rank[[*pair, "rank"]], on=pair, how="left")
        return frame.reset_index(drop=True)

    def reading(self, element):
        kernel = (
            "the kernel (blue excites, red inhibits: how a unit of the source at each offset "
            "moves the target's centre unit)"
        )
        if element.presentation.option("icons") != "none":
            kernel = f"the source channel's icon, {kernel}, the target channel's icon"
        return f"each pair: {kernel}; pairs ranked by {WEIGHTS.ranking}"

    def meta(self, element, array, table, *reads):
        how = reads[0].attrs.get("how", "") if reads else ""
        lines = [how[:1].upper() + how[1:]] if how else []
        pairs = _pairs_per_subset(array)
        if pairs > MAX_PAIRS:
            lines.append(
                f"showing the {MAX_PAIRS} strongest of {pairs} pairs: narrow with select or top(k)"
            )
        return {"subtitle": " · ".join(lines)} if lines else {}


def _kept(frame: pd.DataFrame) -> list[str]:
    return [
        c
        for c in frame.columns
        if is_key_column(c) or c in ("channel", "tchannel", *KERNEL_AXES, "value")
    ]


def _bound_targets(element, frame: pd.DataFrame) -> pd.Series:
    """The target channel of each row when a selection bound it (NaN when unknown)."""
    for op in element.ops:
        if isinstance(op, SelectAt):
            for name, values in op.coords:
                if name == "tchannel" and len(values) == 1:
                    return pd.Series(float(values[0]), index=frame.index)
        if isinstance(op, SelectFrom) and any(ours == "tchannel" for _, ours in op.bindings):
            column = key_column(op.element)
            if column in frame:
                return pd.to_numeric(frame[column].astype(str), errors="coerce")
    return pd.Series(np.nan, index=frame.index)


def _shown_pairs(frame: pd.DataFrame) -> pd.DataFrame:
    """The pairs the drawing shows: the first MAX_PAIRS of each selection subset."""
    return frame[frame["rank"] < MAX_PAIRS].drop_duplicates(
        [c for c in frame.columns if is_key_column(c)] + ["channel", "tchannel"]
    )


def _pairs_per_subset(array) -> int:
    """The most channel pairs one selection subset holds (NaN pairs were dropped by top)."""
    kernel = [d for d in KERNEL_AXES if d in array.dims]
    summed = array.sum(dim=kernel, skipna=True, min_count=1) if kernel else array
    keys = [d for d in summed.dims if is_key_column(d)]
    counts = summed.notnull()
    counts = counts.sum(dim=[d for d in summed.dims if d not in keys])
    return int(counts.max()) if counts.size else 0
