"""Colours, fonts and value scales every drawing shares, so like is drawn like."""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

from interp.execute.views import ElementView
from interp.render.context import Context

POSITIVE = "#4c78a8"
NEGATIVE = "#e45756"
HOVER = "#f58518"
CLICK = "#222222"
FONT = "Inter, system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif"
TABLEAU10 = (  # Vega's "tableau10" scheme
    "#4c78a8",
    "#f58518",
    "#e45756",
    "#72b7b2",
    "#54a24b",
    "#eeca3b",
    "#b279a2",
    "#ff9da6",
    "#9d755d",
    "#bab0ac",
)


def atom_scale(labels: Iterable[str], ctx: Context | None = None) -> dict:
    """One colour per atom label, the same in every view of a page.

    The domain is the labels in natural order (``group 2`` before ``group 10``),
    not in order of appearance, so views that rank atoms differently agree;
    labels in the page's palette (``ctx.palette``) take its colours.
    """
    domain = sorted(set(labels), key=natural_order)
    known = ctx.palette if ctx is not None else {}
    fallback = palette(domain)
    return {"domain": domain, "range": [known.get(label, fallback[label]) for label in domain]}


def palette(labels: Iterable[str]) -> dict[str, str]:
    """Labels in natural order -> colours of Vega's ``tableau10`` scheme, in turn."""
    ordered = sorted(set(labels), key=natural_order)
    return {label: TABLEAU10[i % len(TABLEAU10)] for i, label in enumerate(ordered)}


#: a robust domain's end: this quantile of |value| in each selection's view, then the median
#: view's, so a typical hover fills the scale (stronger cells saturate, the legend says so)
ROBUST_QUANTILE = 0.99


def value_domain(
    view: ElementView, column: str = "value", *, robust: bool = False
) -> tuple[float, float]:
    """The element's value range, fixed whatever is selected: ``meta["domain"]`` (shared
    across a comparison's pages) or its whole table's; symmetric about 0 when signed,
    from 0 when not, so selections compare like with like.

    `robust`: the ends are a typical selection's (`robust_peak`), not the most extreme
    cell's: one outlier must not leave every other hover blank."""
    if "domain" in view.meta:
        low, high = view.meta["domain"]
        return float(low), float(high)
    values = pd.to_numeric(view.table[column], errors="coerce") if column in view.table else None
    if values is None or not values.notna().any():
        return (0.0, 1.0)
    low, high = float(values.min()), float(values.max())
    if robust:
        peak = robust_peak(view, values)
        if peak > 0:
            low, high = max(low, -peak), min(high, peak)
    if low < 0 < high:
        peak = max(-low, high)
        return (-peak, peak)
    return (min(low, 0.0), max(high, 0.0)) if (low, high) != (0.0, 0.0) else (0.0, 1.0)


def robust_peak(view: ElementView, values: pd.Series) -> float:
    """The median over selections of each selection's `ROBUST_QUANTILE` of |value|."""
    keys = [s.key for s in view.depends_on if s.key in view.table]
    magnitude = values.abs()
    if not keys:
        return float(magnitude.quantile(ROBUST_QUANTILE))
    per_view = magnitude.groupby([view.table[k] for k in keys]).quantile(ROBUST_QUANTILE)
    return float(per_view.median())


def saturates(view: ElementView, domain: tuple[float, float], column: str = "value") -> bool:
    """Whether some value lies beyond `domain` (drawn at the scale's end)."""
    values = pd.to_numeric(view.table[column], errors="coerce") if column in view.table else None
    if values is None or not values.notna().any():
        return False
    return bool(values.min() < domain[0] - 1e-12 or values.max() > domain[1] + 1e-12)


def natural_order(label: str) -> list:
    return [
        (0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", label)
    ]


# The longest label, title or name a page shows: past it a string is cut with an ellipsis;
# every row repeats its labels, so 1 MB of class names made a page of ~1 GB. Long enough
# for any real class name or sentence.
MAX_TEXT = 200


def shorten(text: object, limit: int = MAX_TEXT) -> str:
    """`text`, or its first `limit - 1` characters and an ellipsis."""
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"
