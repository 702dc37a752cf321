"""The compare page's deletion curves: the target logit as atoms are removed, per element."""

from __future__ import annotations

import altair as alt
import pandas as pd

from interp.render.style import FONT


def deletion_chart(curves: pd.DataFrame) -> dict:
    """One small line chart per element: each interface's curve (solid) and random order (dashed)."""
    base = alt.Chart(curves).encode(
        x=alt.X("fraction:Q", title="fraction of atoms removed", axis=alt.Axis(format="%")),
        y=alt.Y("logit:Q", title="target logit"),
        color=alt.Color("interface:N", title="interface"),
        strokeDash=alt.StrokeDash(
            "order:N",
            title="removal order",
            scale=alt.Scale(domain=["attribution", "random"], range=[[1, 0], [4, 3]]),
        ),
        tooltip=[
            alt.Tooltip("interface:N"),
            alt.Tooltip("order:N", title="removal order"),
            alt.Tooltip("fraction:Q", title="removed", format=".0%"),
            alt.Tooltip("logit:Q", title="target logit", format=".3f"),
        ],
    )
    chart = (
        base.mark_line(strokeWidth=2)
        .properties(width=220, height=150)
        .facet(column=alt.Column("element:N", title="deletion: strongest atoms first"))
        .resolve_scale(y="independent")
        .configure(font=FONT)
    )
    return chart.to_dict()
