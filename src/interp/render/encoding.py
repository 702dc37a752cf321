"""Vega-Lite encodings as every drawing writes them: pixel positions, tooltips, titles."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import altair as alt
import pandas as pd

from interp.execute.views import ElementView


def encode(chart: alt.Chart, **specs: dict | list) -> alt.Chart:
    """``chart.encode`` with plain-dict channel specs wrapped in Altair's channel classes.

    Altair parses dicts passed to ``encode`` with ``from_dict``, which rebuilds
    a table of every schema class each time (~20 ms a channel); constructing
    the classes directly is instant.
    """
    return chart.encode(**{name: channel(name, spec) for name, spec in specs.items()})


def channel(name: str, spec: dict | list) -> Any:
    if isinstance(spec, list):
        return [channel(name, item) for item in spec]
    class_name = name[0].upper() + name[1:] + ("" if "field" in spec else "Value")
    return getattr(alt, class_name)(**spec)


def pixel(field_name: str) -> dict:
    """A position encoding in pixels (no scale)."""
    return {"field": field_name, "type": "quantitative", "scale": None, "axis": None}


def box(prefix: str) -> dict:
    """Pixel rectangle encodings from the columns ``{prefix}x``, ``x2``, ``y``, ``y2``."""
    return {
        "x": pixel(f"{prefix}x"),
        "x2": {"field": f"{prefix}x2"},
        "y": pixel(f"{prefix}y"),
        "y2": {"field": f"{prefix}y2"},
    }


def tooltip(
    table: pd.DataFrame, extra: Iterable[str] = (), view: ElementView | None = None
) -> list[dict]:
    """Tooltip fields, under the reader's names when ``view`` is given ("channel",
    "attribution to the logit")."""
    fields = [("atom", "nominal", None), ("value", "quantitative", ".4~g")]
    fields += [(c, "nominal", None) for c in extra]
    return [
        {
            "field": f,
            "type": t,
            **({"title": field_title(view, f)} if view is not None else {}),
            **({"format": fmt} if fmt else {}),
        }
        for f, t, fmt in fields
        if f in table
    ]


def field_title(view: ElementView, column: str) -> str:
    """A table column's name as a reader says it."""
    titles = {
        "atom": view.meta.get("atom_noun", "atom"),
        "value": view.meta.get("quantity", "value"),
        "series": view.meta.get("series_noun", "series"),
        "magnitude": "norm (share of the largest)",
    }
    return str(titles.get(column, column))
