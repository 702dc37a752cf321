"""`method=grad_cam`: activation × the gradient's spatial mean (Selvaraju et al. 2017)."""

from __future__ import annotations

from interp.execute.attribution.method import AttributionMethod, spatial_mean
from interp.vocabulary.methods import GRAD_CAM


class GradCAM(AttributionMethod):
    """Gradient × activation with the gradient replaced by its spatial mean (the channel weight).

    Spatial atoms give the Grad-CAM map `ReLU(sum_c w_c A_c)`; channel atoms
    `w_c * sum_pos A_c`; neurons `w_c * A_c[pos]`; groups
    `sum w_c * footprint * direction`. No ReLU but on the spatial map.
    Contracting with the mean equals feeding the spatially averaged tangent.
    """

    declaration = GRAD_CAM

    def maps(self, sources):
        return (
            lambda grads: sources.contract(spatial_mean(grads)),
            lambda start, stop: spatial_mean(sources.tangents(start, stop)),
        )

    def finish(self, result, source_kind: str):
        return result.clamp(min=0) if source_kind == "spatial" else result
