"""The class that computes each attribution method a spec can name, by its declared name.

The methods themselves (names, arguments, defaults, words) are declared in
`interp.vocabulary.methods`; the checker and the planner read them there.
"""

from __future__ import annotations

from interp.execute.attribution import (  # noqa: F401  (each class registers itself)
    ablation,
    grad_cam,
    integrated_gradients,
    linear,
)
from interp.execute.attribution.method import REGISTRY, AttributionMethod
from interp.vocabulary import methods as declared

# A class names its declaration; one of a module of one's own joins when it is imported.
METHODS: dict[str, type[AttributionMethod]] = REGISTRY


def method_of(name: str, arguments: tuple[tuple[str, object], ...] = ()) -> AttributionMethod:
    """The method object for a bound `Method` (name and arguments), defaults filled."""
    return METHODS[name].from_arguments(**dict(declared.method_of(name, arguments).arguments))
