"""examples' table: one row per example kept, with its thumbnail and the peak's outline."""

from __future__ import annotations

import pandas as pd

from interp.execute.tables.base import Table, tidy


class ExamplesTable(Table):
    name = "examples"

    def table(self, element, array, atoms, icons, images):
        frame = tidy(array)
        xs = frame["x"].fillna(-1).astype(int) if "x" in frame else pd.Series(-1, frame.index)
        ys = frame["y"].fillna(-1).astype(int) if "y" in frame else pd.Series(-1, frame.index)
        found = [
            images.get((int(e), int(x), int(y)), {})
            for e, x, y in zip(frame["example"], xs, ys, strict=True)
        ]
        frame["icon"] = [f.get("url", "") for f in found]
        marks = [f.get("mark") for f in found]
        if any(m is not None for m in marks):
            for i in range(4):
                frame[f"_m{i}"] = [m[i] if m is not None else float("nan") for m in marks]
        frame["atom"] = frame["label"] if "label" in frame else frame["example"].astype(str)
        frame["example"] = frame["example"].astype(int)
        if "x" in frame:
            frame["x"], frame["y"] = xs.where(xs >= 0), ys.where(ys >= 0)
        return frame

    def meta(self, element, array, table, *reads):
        return {"subtitle": subtitle(element)}


def subtitle(element) -> str:
    """What the thumbnails are, in words, for a page read without its spec."""
    content = element.content
    dataset = content.over.describe() if content.over else "the dataset"
    if any(getattr(op, "how", "bind") == "members" for op in element.ops):
        return f"examples of {dataset} in the cell, by their projection on its mean vector"
    if content.kind == "attribution":
        classes = ", ".join(content.target.labels)
        return f"where the channel most increases {classes} in {dataset} (attribution)"
    if content.source.atoms == "spatial":
        return f"where the channel fires most in {dataset}: the receptive field around its peak (outlined)"
    return f"where the channel's total activation is largest in {dataset}"


def dataset_subtitle(element) -> str | None:
    """What a view drawn by another presentation shows, when a dataset made it: a
    correlation's values, or the projection onto an atlas cell's direction."""
    content = element.content
    if content.kind == "correlation":
        target = content.target
        model = f" of {target.model.to_text()}" if target.model is not None else ""
        return f"{target.layer}{model}: Pearson r over {content.over.describe()}"
    if any(getattr(op, "how", "bind") == "project" for op in element.ops):
        return "where the cell's idea appears: projection on its direction from the atlas's centre"
    return None
