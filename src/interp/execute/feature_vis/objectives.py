"""What each image of a batch maximizes, read from the one activation it needs.

An :class:`Objective` is frozen and hashable (arrays become tuples), so equal
objectives merge and serialize into cache keys. :func:`objective_values`
scores a whole batch at once: element ``i`` of the activation is scored by
``objectives[i]`` only, so images of one batch never interact.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import torch

Kind = Literal["channel", "neuron", "direction", "group", "class"]
KINDS: tuple[str, ...] = ("channel", "neuron", "direction", "group", "class")
OUTPUT = "output"  # the layer name of the model's own output (class logits)
COSINE_FLOOR = 0.1  # Lucid's floor on the cosine, so anti-aligned starts still get a gradient


@dataclass(frozen=True)
class Objective:
    """One feature visualization: what to maximize at `layer`.

    - ``channel``: the channel's mean activation over positions.
    - ``neuron``: one unit of ``channel``, at the centre of the layer's grid.
    - ``direction`` / ``group``: the activation vector's alignment with
      ``direction`` (a vector over channels): the mean over positions of
      ``dot(a, d) * max(cos(a, d), 0.1) ** cosine_power`` (Lucid's
      position-agnostic activation-grid objective).
    - ``class``: logit ``channel`` of the model's output (``layer="output"``,
      or a module whose output is the logits).

    ``position`` records where the atom was found (its ``(x, y)`` cell); it
    is identity only: a unit or activation vector is drawn the same wherever
    it sits, so the optimization never reads it.
    """

    layer: str
    kind: Kind
    channel: int | None = None
    position: tuple[int, int] | None = None
    direction: tuple[float, ...] | None = None
    cosine_power: float = 1.0

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"objective kind must be one of {KINDS}, not {self.kind!r}")
        if self.channel is not None:
            object.__setattr__(self, "channel", int(self.channel))
        if self.position is not None:
            object.__setattr__(self, "position", tuple(int(p) for p in _to_list(self.position)))
        if self.direction is not None:
            values = tuple(float(v) for v in np.asarray(_to_list(self.direction)).ravel())
            object.__setattr__(self, "direction", values)
        object.__setattr__(self, "cosine_power", float(self.cosine_power))
        needs_channel = self.kind in ("channel", "neuron", "class")
        if needs_channel and self.channel is None:
            raise ValueError(f"a {self.kind} objective needs a channel")
        if self.kind in ("direction", "group") and not self.direction:
            raise ValueError(f"a {self.kind} objective needs a direction")

    @property
    def optimized(self) -> Objective:
        """This objective without what the optimization ignores (position): the job's identity."""
        kind = "direction" if self.kind == "group" else self.kind
        return replace(self, position=None, kind=kind)


def _to_list(value):
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().tolist()
    return value.tolist() if isinstance(value, np.ndarray) else value


class ObjectiveBatch:
    """Objectives of one image batch, turned into index and direction tensors once.

    Calling it on an activation gives each element's objective value, shape
    ``(B,)``: `activation` is ``(B, C, H, W)`` (a conv layer) or ``(B, C)`` (a
    vector layer or logits), and ``objectives[i]`` reads only ``activation[i]``.
    """

    def __init__(self, objectives: Sequence[Objective], device: torch.device | str | None = None):
        self.size = len(objectives)
        kinds = [o.optimized.kind for o in objectives]
        self.parts: list[tuple[str, torch.Tensor, torch.Tensor, torch.Tensor | None]] = []
        for kind in dict.fromkeys(kinds):
            index = [i for i, k in enumerate(kinds) if k == kind]
            chosen = [objectives[i] for i in index]
            rows = torch.tensor(index, device=device)
            if kind == "direction":
                if len({len(o.direction) for o in chosen}) > 1:
                    raise ValueError("directions of one layer must have equal lengths")
                vectors = torch.tensor([o.direction for o in chosen], device=device)
                powers = torch.tensor([o.cosine_power for o in chosen], device=device)
                self.parts.append((kind, rows, vectors, powers))
            else:
                channels = torch.tensor([o.channel for o in chosen], device=device)
                self.parts.append((kind, rows, channels, None))

    def __call__(self, activation: torch.Tensor) -> torch.Tensor:
        if self.size != activation.shape[0]:
            raise ValueError(f"{self.size} objectives for a batch of {activation.shape[0]}")
        if activation.ndim == 2:
            activation = activation[:, :, None, None]
        height, width = activation.shape[2:]
        values = activation.new_zeros(self.size)
        for kind, rows, selector, powers in self.parts:
            rows, selector = rows.to(activation.device), selector.to(activation.device)
            if kind == "direction":
                scored = _direction_values(activation[rows], selector, powers.to(activation.device))
            elif kind == "neuron":
                scored = activation[rows, selector, height // 2, width // 2]
            else:  # channel, class
                scored = activation[rows, selector].mean(dim=(1, 2))
            values = values.index_put((rows,), scored.to(values.dtype))
        return values


def objective_values(activation: torch.Tensor, objectives: Sequence[Objective]) -> torch.Tensor:
    """Each element's objective value, shape ``(B,)`` (see :class:`ObjectiveBatch`)."""
    return ObjectiveBatch(objectives, activation.device)(activation)


def _direction_values(
    activation: torch.Tensor, directions: torch.Tensor, powers: torch.Tensor
) -> torch.Tensor:
    """``mean_xy dot(a_xy, d) * max(cos(a_xy, d), 0.1) ** p`` per element."""
    if directions.shape[1] != activation.shape[1]:
        raise ValueError(
            f"direction has {directions.shape[1]} values; the layer has {activation.shape[1]} channels"
        )
    directions = directions.to(activation.dtype)
    dot = torch.einsum("bchw,bc->bhw", activation, directions)
    norms = activation.norm(dim=1) * directions.norm(dim=1)[:, None, None]
    cosine = dot / (norms + 1e-6)
    weight = cosine.clamp_min(COSINE_FLOOR) ** powers[:, None, None].to(cosine.dtype)
    return (dot * weight).mean(dim=(1, 2))
