"""`compare A, B, ...`: the interfaces' pages side by side with their interface metrics.

The metrics (docs/semantics.md §7; `vocabulary.measures`) are computed by the plan for
every element of the compared interfaces; this module gathers them into the
comparison page's table, with each metric's definition, and the deletion
curves the page draws.
"""

from __future__ import annotations

import pandas as pd

from interp.execute.views import ComparisonView
from interp.vocabulary.measures import DEFINITIONS


def comparison_view(result) -> ComparisonView:
    names = result.program.comparisons[0]
    pages = {p.name: p for p in result.pages}
    metrics = result.metrics()
    metrics = metrics[metrics["interface"].isin(names)].reset_index(drop=True)
    used = {m: DEFINITIONS[m] for m in metrics["metric"].unique()}
    return ComparisonView(tuple(pages[n] for n in names), metrics, used, curves(result, names))


def curves(result, names) -> pd.DataFrame | None:
    """The deletion curves of the compared interfaces as tidy rows."""
    rows = []
    for interface, element, found in result.curves:
        if interface not in names:
            continue
        for order, values in (("attribution", found.curve), ("random", found.random_curve)):
            for fraction, logit in zip(found.fractions, values, strict=True):
                rows.append(
                    {
                        "interface": interface,
                        "element": element,
                        "order": order,
                        "fraction": float(fraction),
                        "logit": float(logit),
                    }
                )
    return pd.DataFrame(rows) if rows else None
