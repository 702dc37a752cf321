"""Feature visualization: ``param -> transforms -> objective``, batched and cached.

``visualize(model, objectives)`` returns one picture per :class:`Objective`;
see :mod:`.api` for how the work is shared, :mod:`.optimize` for the loop, :mod:`.fold`
and :mod:`.fuse` for the cheaper copy of the model it runs on.
"""

from .api import PRESETS, module_fingerprint, settings_for, visualize, visualize_diverse
from .objectives import Objective, ObjectiveBatch, objective_values
from .optimize import Settings
from .transforms import Robustness

__all__ = [
    "PRESETS",
    "Objective",
    "ObjectiveBatch",
    "Robustness",
    "Settings",
    "module_fingerprint",
    "objective_values",
    "settings_for",
    "visualize",
    "visualize_diverse",
]
