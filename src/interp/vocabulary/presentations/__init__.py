"""Every presentation a spec can name, declared once: `PRESENTATIONS[name]`.

The built-in declarations are one module each here; a declaration made anywhere
else (a subclass of `Presentation` with a `name`) joins the same table when its
module is imported. Its table (`interp.execute.tables`) and drawing
(`interp.render.drawing`) are found by the same name.
"""

from __future__ import annotations

# The built-ins, in the order listings show them: from the input's pixels to a dataset's
# layout, as the design-space diagram's columns read (each declares itself).
# isort: off
from interp.vocabulary.presentations import image, feature_vis, grid, heatmap  # noqa: F401
from interp.vocabulary.presentations import bars, sankey, examples, atlas  # noqa: F401
from interp.vocabulary.presentations import kernels  # noqa: F401

# isort: on
from interp.vocabulary.presentations.base import REGISTRY, Presentation

PRESENTATIONS: dict[str, Presentation] = REGISTRY

__all__ = ["PRESENTATIONS", "Presentation"]
