"""Every presentation, by the name a spec calls it: the one table the pipeline consults."""

from __future__ import annotations

from interp.render.atlas import Atlas
from interp.render.bars import Bars
from interp.render.examples import Examples
from interp.render.feature_vis import FeatureVis
from interp.render.grid import Grid
from interp.render.heatmap import Heatmap
from interp.render.image import Image
from interp.render.presentation import Presentation
from interp.render.sankey import Sankey

PRESENTATIONS: dict[str, Presentation] = {
    p.name: p
    for p in (FeatureVis(), Heatmap(), Bars(), Grid(), Image(), Sankey(), Examples(), Atlas())
}
