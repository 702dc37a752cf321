"""`method=linear` (the default): activation × gradient, the article's linear attribution."""

from __future__ import annotations

from interp.execute.attribution.method import AttributionMethod
from interp.vocabulary.methods import LINEAR


class Linear(AttributionMethod):
    """The gradient at the actual activation, times the activation."""

    declaration = LINEAR
