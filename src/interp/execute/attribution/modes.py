"""Batched reverse- and forward-mode products from a source layer to a target.

Everything here runs the model with the source layer's output *replaced* by
given points (via `hooks.capture` edits), so the target is a function of the
source activation alone; the layers before the source run on the input image
and carry no derivative. Targets inside the network stop the pass early.

- Reverse mode: one forward pass with the points as a leaf, then one batched
  backward per chunk of target scalars (`is_grads_batched`): a VJP per scalar.
- Forward mode: `vmap` over `jvp` with one tangent per source atom; a target is
  linear in the tangent, so the JVP is the atom -> target attribution.

Points are stacked on the batch axis (`m` of them, e.g. integrated-gradients
steps) and products are weighted over them; `chunk_size` bounds
`points x products` per batched call.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass

import torch
from torch import nn
from torch.func import jvp, vmap

from interp.models.hooks import capture, run_until

from .elementwise import Diagonals

#: A JVP costs about this many VJPs (EfficientNet-Lite0 on CPU: 1.0 to 1.5 by chunk size).
JVP_COST = 1.25
#: Elements of one batched tangent or gradient tensor that fit a chunk: CPU caches favour
#: small batches (16-32 products at 14x14x672 ran 1.4x faster than 64), GPUs large ones.
CHUNK_ELEMENTS = {"cpu": 3 * 2**20, "cuda": 2**26}
MAX_CHUNK = 1024


@dataclass(frozen=True)
class Route:
    """Where a product starts and ends: source module path (None = input) and target (None = logits)."""

    source: str | None
    target: str | None


def run(
    model: nn.Module,
    image: torch.Tensor,
    route: Route,
    replace: Callable[[torch.Tensor], torch.Tensor],
    diagonals: Diagonals | None = None,
    *,
    record: bool = False,
) -> torch.Tensor:
    """Run `model` with the source output replaced by `replace(output)`; return the target output.

    For the input source `replace(image)` is the model's input. `diagonals`
    linearizes elementwise modules after the source: recorded in this pass
    (`record`, a plain pass) or replayed from an earlier one. Raises
    ValueError when the target layer runs before the source layer.
    """
    reached = [route.source is None]
    linearized = nullcontext()
    if diagonals is not None:
        linearized = diagonals.recording(lambda: reached[-1]) if record else diagonals.replaying()

    def at_source(output: torch.Tensor) -> torch.Tensor:
        if not isinstance(output, torch.Tensor):
            raise TypeError(f"layer {route.source!r} does not output one tensor")
        reached.append(True)
        return replace(output)

    with linearized:
        if route.source is None:
            return _run_to_target(model, replace(image), route, {})
        target = _run_to_target(model, image, route, {route.source: at_source})
    if not reached[-1]:
        raise ValueError(f"target layer {route.target!r} runs before source layer {route.source!r}")
    return target


def _run_to_target(model, inputs, route: Route, edits) -> torch.Tensor:
    names = [route.target] if route.target is not None else []
    with capture(model, names, edits=edits, stop_after=route.target) as record:
        logits = run_until(model, inputs)
    if route.target is None:
        return logits
    if route.target not in record.outputs:
        raise ValueError(f"target layer {route.target!r} did not run")
    return record[route.target]


def replace_with(points: torch.Tensor) -> Callable[[torch.Tensor], torch.Tensor]:
    """An edit putting `points` (m, *unit) in place of a layer output (batch of one)."""

    def replace(output: torch.Tensor) -> torch.Tensor:
        if tuple(output.shape[1:]) != tuple(points.shape[1:]):
            raise ValueError(
                f"points of shape {tuple(points.shape[1:])} cannot replace an output of "
                f"shape {tuple(output.shape[1:])}"
            )
        return points.clone()  # a clone keeps in-place modules off the caller's tensor

    return replace


def expand_image(image: torch.Tensor, count: int) -> torch.Tensor:
    return image.expand(count, *image.shape[1:])


def reverse(
    values: torch.Tensor,
    leaf: torch.Tensor,
    weights: torch.Tensor,
    contract: Callable[[torch.Tensor], torch.Tensor],
    chunk_size: int,
) -> torch.Tensor:
    """Batched VJPs of every target scalar, contracted and flattened: `(n_targets, n_atoms)`.

    `values` `(m, n)` are the target scalars at the `m` points stacked in
    `leaf` `(m, *unit)`; each scalar's gradient is weighted over the points by
    `weights` `(m,)`, summed, and passed to `contract`.
    """
    points, count = values.shape
    step = max(1, chunk_size // points)
    parts = []
    for start in range(0, count, step):
        scalars = torch.arange(start, min(count, start + step), device=values.device)
        rows = torch.arange(len(scalars), device=values.device)
        seeds = values.new_zeros(len(scalars), points, count)
        seeds[rows[:, None], torch.arange(points, device=values.device), scalars[:, None]] = weights
        (grads,) = torch.autograd.grad(
            values, leaf, seeds, retain_graph=True, is_grads_batched=True, allow_unused=True
        )
        if grads is None:
            grads = leaf.new_zeros(len(scalars), *leaf.shape)
        parts.append(contract(grads.sum(1)).reshape(len(scalars), -1))
    return torch.cat(parts)


def forward(
    target_at: Callable[[torch.Tensor], torch.Tensor],
    points: torch.Tensor,
    weights: torch.Tensor,
    tangents: Callable[[int, int], torch.Tensor],
    count: int,
    chunk_size: int,
) -> torch.Tensor:
    """Batched JVPs, one per source atom: `(count, n_targets)`.

    `target_at(points)` maps `(m, *unit)` points to `(m, n_targets)` scalars;
    `tangents(start, stop)` gives atoms' tangents `(k, *unit)`, used at every
    point; the JVPs are weighted over the points by `weights` `(m,)`.
    """
    _load_jvp_decompositions()
    step = max(1, chunk_size // points.shape[0])

    def directional(tangent: torch.Tensor) -> torch.Tensor:
        return jvp(target_at, (points,), (tangent,))[1]

    parts = []
    with torch.no_grad():
        for start in range(0, count, step):
            chunk = tangents(start, min(count, start + step))
            chunk = chunk[:, None].expand(-1, *points.shape)
            products = vmap(directional)(chunk)
            parts.append(torch.einsum("kmn,m->kn", products, weights))
    return torch.cat(parts)


def chunk_for(unit_shape: tuple[int, ...], device: torch.device) -> int:
    """Products (times integration points) per batched call for activations of `unit_shape`."""
    budget = CHUNK_ELEMENTS.get(device.type, CHUNK_ELEMENTS["cuda"])
    return max(1, min(MAX_CHUNK, budget // max(1, math.prod(unit_shape))))


def choose(requested: str, sources: int, targets: int) -> str:
    """`"reverse"` or `"forward"`: whichever needs fewer products (JVPs cost `JVP_COST` VJPs)."""
    if requested in ("reverse", "forward"):
        return requested
    if requested != "auto":
        raise ValueError(f"mode must be 'auto', 'reverse' or 'forward', not {requested!r}")
    return "forward" if sources * JVP_COST < targets else "reverse"


_decompositions_loaded = False


def _load_jvp_decompositions() -> None:
    """Load torch's JVP decompositions once, hiding the TorchScript deprecation noise they raise."""
    global _decompositions_loaded
    if not _decompositions_loaded:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            jvp(torch.sin, (torch.zeros(1),), (torch.ones(1),))
        _decompositions_loaded = True
