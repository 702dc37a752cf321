"""Every attribution method a spec can name: `attribution(..., method=NAME)`."""

from __future__ import annotations

from interp.execute.attribution.grad_cam import GradCAM
from interp.execute.attribution.integrated_gradients import IntegratedGradients
from interp.execute.attribution.linear import Linear
from interp.execute.attribution.method import AttributionMethod

METHODS: dict[str, type[AttributionMethod]] = {
    m.name: m for m in (Linear, IntegratedGradients, GradCAM)
}
DEFAULT = Linear.name


def method_of(name: str, arguments: tuple[tuple[str, object], ...] = ()) -> AttributionMethod:
    """The method object for a bound `Method` (name and arguments)."""
    return METHODS[name].from_arguments(**dict(arguments))
