"""`method=linear` (the default): activation × gradient, the article's linear attribution."""

from __future__ import annotations

from interp.check.signatures import Signature
from interp.execute.attribution.method import AttributionMethod


class Linear(AttributionMethod):
    """The gradient at the actual activation, times the activation."""

    name = "linear"
    signature = Signature("linear", example="method=linear")
    describe = "activation × gradient"
