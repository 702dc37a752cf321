"""Comparing interface designs: the same elements across interfaces, measured.

For `compare A, B`, every element that the interfaces share by name gets
metrics: how concentrated its content is (a saliency map that spreads
evenly says little) and how much it agrees with the first interface's
(Spearman rank correlation over shared coordinates, overlap of the atoms
shown). A model-randomization sanity check passes when agreement is low.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import spearmanr

from interp.render.views import ComparisonView


def concentration(values: np.ndarray) -> float:
    """Share of the total |value| held by the strongest 10% of coordinates."""
    magnitude = np.sort(np.abs(values[~np.isnan(values)]))[::-1]
    if magnitude.size == 0 or magnitude.sum() == 0:
        return float("nan")
    top = max(1, int(np.ceil(0.1 * magnitude.size)))
    return float(magnitude[:top].sum() / magnitude.sum())


def agreement(a: pd.DataFrame, b: pd.DataFrame) -> tuple[float, float]:
    """(Spearman correlation on shared coordinates, Jaccard overlap of coordinates)."""
    keys = [c for c in a.columns if c != "value" and c in b.columns]
    merged = a.merge(b, on=keys, how="outer", suffixes=("_a", "_b"))
    both = merged.dropna(subset=["value_a", "value_b"])
    rho = (
        float(spearmanr(both["value_a"], both["value_b"]).statistic)
        if len(both) > 2
        else float("nan")
    )
    overlap = len(both) / len(merged) if len(merged) else float("nan")
    return rho, overlap


def metrics(result) -> pd.DataFrame:
    """One row per (element, interface) of the comparison."""
    rows = []
    names = (
        result.program.comparisons[0]
        if result.program.comparisons
        else [i.interface.name for i in result.interfaces]
    )
    by_name = {r.interface.name: r for r in result.interfaces}
    first = by_name[names[0]]
    for element in first.arrays:
        if not all(element in by_name[n].arrays for n in names):
            continue
        reference = result.data(element, names[0])
        for name in names:
            table = result.data(element, name)
            rho, overlap = agreement(reference, table) if name != names[0] else (1.0, 1.0)
            rows.append(
                {
                    "element": element,
                    "interface": name,
                    "concentration": round(concentration(table["value"].to_numpy()), 3),
                    f"spearman vs {names[0]}": round(rho, 3),
                    f"overlap vs {names[0]}": round(overlap, 3),
                }
            )
    return pd.DataFrame(rows)


def definitions(reference: str) -> dict[str, str]:
    """What each metric of `metrics` measures, as the page shows it on hover."""
    return {
        "concentration": "share of the element's total |value| held by its strongest 10% of"
        " coordinates: near 1, a few atoms carry it; near 0.1, it is spread evenly",
        f"spearman vs {reference}": "Spearman rank correlation of the element's values with"
        f" the same element in {reference}, over the coordinates both hold (1: same order;"
        " near 0: unrelated, what a model-randomization check should find)",
        f"overlap vs {reference}": "share of the coordinates shown by either that both show"
        f" (Jaccard index of the atoms kept here and in {reference})",
    }


def comparison_view(result) -> ComparisonView:
    names = result.program.comparisons[0]
    pages = {p.name: p for p in result.pages}
    return ComparisonView(tuple(pages[n] for n in names), metrics(result), definitions(names[0]))
