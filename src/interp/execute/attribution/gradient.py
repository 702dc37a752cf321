"""The bare gradient summed over an atom's units: what `groups(of=gradient)` factorizes.

Not an attribution a spec can name (it is not activation-weighted), so it is
not in the `methods` registry; `core.gradient` uses it.
"""

from __future__ import annotations

from interp.execute.attribution.method import AttributionMethod


class Gradient(AttributionMethod):
    name = "gradient"
    describe = "gradient"

    def multiplier(self, activation):
        return activation[0].new_ones(activation[0].shape)
