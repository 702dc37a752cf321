"""Every presentation's drawing, by its declared name: `DRAWINGS[name]`.

The built-ins are imported here (each registers itself); a `Drawing` subclass made
anywhere else joins when its module is imported.
"""

from __future__ import annotations

from interp.render import (  # noqa: F401  (each registers itself)
    atlas,
    bars,
    examples,
    feature_vis,
    grid,
    heatmap,
    image,
    kernels,
    sankey,
)
from interp.render.drawing import REGISTRY, Drawing

DRAWINGS: dict[str, Drawing] = REGISTRY
