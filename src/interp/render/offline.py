"""Altair charts that display and save with no network, as pages do.

Altair's own display and ``chart.save("x.html")`` load Vega from a CDN, so a chart
from `Result.chart` would show "Error loading script" offline. These chart
classes show as a self-contained document (Vega inlined by vl-convert) in its own
iframe, and save with the scripts inlined unless told otherwise. Charts derived
from one (``.properties(...)``, ``.interactive()``) stay offline.
"""

from __future__ import annotations

from os import PathLike

import altair as alt

from interp.render.notebook import frame, spec_extent

#: room for the chart's title and padding around its views
FRAME_MARGIN = 60


class Offline:
    """Mixed into an Altair chart class: offline display (`_repr_mimebundle_`) and `save`."""

    def _repr_mimebundle_(self, include=None, exclude=None):  # noqa: ARG002 (IPython's signature)
        document = self.to_html(inline=True)  # type: ignore[attr-defined]
        height = int(spec_extent(self.to_dict())[1]) + FRAME_MARGIN  # type: ignore[attr-defined]
        return {"text/html": frame(document, height, "chart")}

    def save(self, fp, format=None, **kwargs):  # noqa: A002 (Altair's signature)
        named = format or (str(fp).rsplit(".", 1)[-1] if isinstance(fp, str | PathLike) else None)
        if named == "html":
            kwargs.setdefault("inline", True)
        return super().save(fp, format=format, **kwargs)  # type: ignore[misc]


class Chart(Offline, alt.Chart):
    pass


class LayerChart(Offline, alt.LayerChart):
    pass


class HConcatChart(Offline, alt.HConcatChart):
    pass


class VConcatChart(Offline, alt.VConcatChart):
    pass


class ConcatChart(Offline, alt.ConcatChart):
    pass


class FacetChart(Offline, alt.FacetChart):
    pass


OFFLINE = {
    kind.__bases__[1]: kind
    for kind in (Chart, LayerChart, HConcatChart, VConcatChart, ConcatChart, FacetChart)
}


def offline(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """`chart` as its offline class (the same spec; not validated again)."""
    if isinstance(chart, Offline):
        return chart
    kind = OFFLINE.get(type(chart))
    return chart if kind is None else kind.from_dict(chart.to_dict(), validate=False)
