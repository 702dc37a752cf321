"""The interface metrics' math, as docs/metrics.md names it (`from interp.compare import metrics`).

The functions live in `interp.execute.metrics`, beside the executor that runs
them; each is documented there.
"""

from __future__ import annotations

from interp.execute.metrics import (
    DeletionCurves,
    ablation_agreement,
    area_under,
    coverage,
    deletion_fractions,
    deletion_masks,
    deletion_orders,
    flow_entropy,
    nmf_explained,
    path_dependence,
    randomization,
)

__all__ = [
    "DeletionCurves",
    "ablation_agreement",
    "area_under",
    "coverage",
    "deletion_fractions",
    "deletion_masks",
    "deletion_orders",
    "flow_entropy",
    "nmf_explained",
    "path_dependence",
    "randomization",
]
