"""`as bars`: one bar per atom (classes, channels or groups), strongest first."""

from __future__ import annotations

from interp.vocabulary.axes import free_atoms, names
from interp.vocabulary.presentations.base import Presentation
from interp.vocabulary.signatures import Signature

MAX_BARS = 40  # bars in one subset; the rest are counted in a "… N more" row


class Bars(Presentation):
    name = "bars"
    signature = Signature("bars", example="bars")

    def fit(self, call, content, axes):
        problem = super().fit(call, content, axes)
        if problem:
            return problem
        if not free_atoms(axes):
            return "bars need a free atom axis", f"axes: {names(axes)}"
        return None
