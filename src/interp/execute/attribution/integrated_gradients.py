"""`method=integrated_gradients(steps=N)`: path-integrated gradients from a zero baseline."""

from __future__ import annotations

import numpy as np

from interp.execute.attribution.method import AttributionMethod
from interp.vocabulary.methods import INTEGRATED_GRADIENTS


class IntegratedGradients(AttributionMethod):
    """Layer integrated gradients with `steps` Gauss-Legendre points (Captum's default rule).

    The source activation (the input, for input sources) is scaled from a zero
    baseline, `alpha * A`; gradients are averaged over `alpha` and multiplied
    by `A - 0`.
    """

    declaration = INTEGRATED_GRADIENTS

    def __init__(self, steps: int):  # the default is declared: `method_of` fills it
        self.steps = steps

    def quadrature(self) -> tuple[np.ndarray, np.ndarray]:
        """Points `alpha` in (0, 1) and their weights (summing to one)."""
        nodes, weights = np.polynomial.legendre.leggauss(self.steps)
        return 0.5 * (nodes + 1.0), 0.5 * weights

    def points(self, activation):
        alphas, weights = (activation.new_tensor(q) for q in self.quadrature())
        return alphas.reshape(-1, *[1] * (activation.dim() - 1)) * activation, weights
