"""Attribution between the atoms of two substrates, batched; activations and gradients.

Semantics (docs/semantics.md, "Attribution semantics"): the attribution of a unit to
a scalar target is `activation x d target / d activation`; an atom's
attribution sums its units. Target scalars: a class is its logit; a channel is
the sum of that channel over positions; a position is the sum over channels
there; a group is the layer's activation projected on the group's channel
direction, summed over positions. A source *group* `g` is the group's NMF
component `footprint_g[pos] * direction_g[ch]` (its term of the
reconstruction) in place of the activation: its attribution is
`sum_{pos,ch} footprint_g[pos] * direction_g[ch] * grad[ch, pos]`.

Methods differ only in the points where gradients are taken and in how they
are combined: each is one small class (`linear`, `integrated_gradients`,
`grad_cam`; `gradient` for the bare gradient), and `units` and `modes` are the
shared machinery.

Shapes: the result of `attribute` is `source shape + target shape`. Source:
spatial `(H, W)` of the layer (input pixels: `(H, W)`, summed over RGB),
channels `(C,)`, neurons `(C, H, W)`, groups `(k,)`. Target: classes `(n,)`,
spatial `(H, W)`, channels `(C,)` or `(len(indices),)`, neurons `(C, H, W)`,
groups `(k,)`. Flat layers have spatial shape `()`.

The model must be in eval mode (batch statistics would mix the batched
products).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from typing import Literal

import torch
from torch import nn

from interp.execute.attribution.gradient import Gradient
from interp.execute.attribution.linear import Linear
from interp.execute.attribution.method import AttributionMethod
from interp.models.hooks import StopForward, capture, run_until

from . import modes
from .elementwise import Diagonals
from .maxpool import relaxed_maxpool
from .units import SourceUnits, TargetUnits


@dataclass(frozen=True)
class Atoms:
    """A substrate broken into atoms: `layer` is a `named_modules()` path, None = input pixels.

    Groups need `directions` `(k, C)` and, as a source, `footprints` `(k, H, W)`.
    """

    layer: str | None
    kind: Literal["spatial", "channels", "neurons", "groups"]
    directions: torch.Tensor | None = None
    footprints: torch.Tensor | None = None


@dataclass(frozen=True)
class Target:
    """Target scalars: `layer` None = the model's logits (kind "classes").

    `indices` selects classes (None = all) or channels; groups need `directions` `(k, C)`.
    """

    layer: str | None
    kind: Literal["classes", "spatial", "channels", "neurons", "groups"]
    indices: tuple[int, ...] | None = None
    directions: torch.Tensor | None = None


#: Up to this many products, recording elementwise diagonals costs more than it saves.
FEW_PRODUCTS = 4


def attribute(
    model: nn.Module,
    image: torch.Tensor,
    source: Atoms,
    target: Target,
    *,
    method: AttributionMethod | None = None,
    maxpool: Literal["default", "relaxed"] = "default",
    mode: Literal["auto", "reverse", "forward"] = "auto",
    chunk_size: int | None = None,
) -> torch.Tensor:
    """Attribution of every atom of `source` to every scalar of `target` for `image` `(1, 3, H, W)`.

    Returns `source shape + target shape` (see the module docstring). `mode`
    picks batched VJPs (one per target scalar) or batched JVPs (one per
    source atom); "auto" takes whichever needs fewer products. `chunk_size`
    bounds the products (times integration points) batched together; None
    sizes chunks to the source activation and device (`modes.chunk_for`).
    """
    method = method or Linear()
    if not isinstance(method, AttributionMethod):
        raise ValueError(f"unknown attribution method {method!r}: pass an AttributionMethod")
    with _maxpool(model, maxpool):
        return _attribute(model, image, source, target, method, mode, chunk_size)[0]


def gradient(
    model: nn.Module,
    image: torch.Tensor,
    layer: str | None,
    target: Target,
    *,
    maxpool: Literal["default", "relaxed"] = "default",
    chunk_size: int | None = None,
) -> torch.Tensor:
    """`d target / d activation` of `layer` (None = input): `target shape + (C, *S)`."""
    with _maxpool(model, maxpool):
        grads, target_dims = _attribute(
            model, image, Atoms(layer, "neurons"), target, Gradient(), "reverse", chunk_size
        )
    unit_dims = grads.dim() - target_dims
    return grads.permute(*range(unit_dims, grads.dim()), *range(unit_dims))


def activations(
    model: nn.Module, image: torch.Tensor, layers: Sequence[str]
) -> dict[str, torch.Tensor]:
    """Activations of `layers` (module paths, or "output" for the logits) in one forward pass.

    The pass stops once every requested module has run, unless the logits are
    requested. Values are detached copies without the batch axis: `(C, *S)`,
    logits `(K,)`.
    """
    names = list(dict.fromkeys(name for name in layers if name != "output"))
    wants_logits = "output" in layers
    values: dict[str, torch.Tensor] = {}

    def snapshot(name: str):
        def edit(output: torch.Tensor) -> torch.Tensor:
            values[name] = output.detach()[0].clone()
            if not wants_logits and len(values) == len(names):
                raise StopForward
            return output

        return edit

    with torch.no_grad(), capture(model, [], edits={name: snapshot(name) for name in names}):
        logits = run_until(model, image) if names or wants_logits else None
    missing = [name for name in names if name not in values]
    if missing:
        raise ValueError(f"layers did not run: {missing}")
    if wants_logits:
        values["output"] = logits.detach()[0]
    return {name: values[name] for name in layers}


@contextmanager
def _maxpool(model: nn.Module, maxpool: str) -> Iterator[None]:
    if maxpool not in ("default", "relaxed"):
        raise ValueError(f"maxpool must be 'default' or 'relaxed', not {maxpool!r}")
    with relaxed_maxpool(model) if maxpool == "relaxed" else nullcontext():
        yield


def _attribute(model, image, source: Atoms, target: Target, method, mode, chunk_size):
    """The attribution `source shape + target shape`, and the number of target axes.

    One probe pass captures the source activation and the target output (for
    single-point methods, as a function of the activation made a leaf, which
    reverse mode then differentiates without another forward pass).
    """
    route = modes.Route(source.layer, target.layer)
    single_point = method.single_point
    diagonals = None
    if _known_count(source, target) > FEW_PRODUCTS:
        diagonals = Diagonals(model, [name for name in (source.layer, target.layer) if name])
    probed: dict[str, torch.Tensor] = {}

    def probe(output: torch.Tensor) -> torch.Tensor:
        probed["activation"] = output.detach().clone()
        probed["leaf"] = output.detach().clone().requires_grad_(single_point)
        return probed["leaf"]

    with torch.set_grad_enabled(single_point):
        target_output = modes.run(model, image, route, probe, diagonals, record=single_point)
    activation = probed["activation"]
    targets = TargetUnits(
        target.kind,
        target_output,
        on_output=target.layer is None,
        indices=target.indices,
        directions=target.directions,
    )
    multiplier = method.multiplier(activation)
    sources = SourceUnits(
        source.kind, multiplier, directions=source.directions, footprints=source.footprints
    )
    contract, tangents = method.maps(sources)
    points, weights = method.points(activation)
    chosen = modes.choose(mode, sources.count, targets.count)
    if chunk_size is None:
        chunk_size = modes.chunk_for(sources.unit_shape, activation.device)

    def run_at(at: torch.Tensor, *, record: bool = False) -> torch.Tensor:
        """The target output with the source replaced by the points `at` `(m, C, *S)`."""
        replace = modes.replace_with(at)
        expanded = modes.expand_image(image, at.shape[0])
        return modes.run(model, expanded, route, replace, diagonals, record=record)

    def target_at(at: torch.Tensor) -> torch.Tensor:
        return targets(run_at(at))

    if chosen == "reverse" and single_point:
        values = targets(target_output)
        flat = modes.reverse(values, probed["leaf"], weights, contract, chunk_size).T
    elif chosen == "reverse":
        flat = 0
        for part, part_weights in _split(points, weights, chunk_size):
            leaf = part.detach().clone().requires_grad_()
            with torch.enable_grad():
                values = targets(run_at(leaf, record=True))
            flat = flat + modes.reverse(values, leaf, part_weights, contract, chunk_size).T
    else:
        flat = 0
        for part, part_weights in _split(points, weights, chunk_size):
            if diagonals is not None and not single_point:
                with torch.no_grad():
                    run_at(part, record=True)
            products = modes.forward(
                target_at, part, part_weights, tangents, sources.count, chunk_size
            )
            flat = flat + products
    result = method.finish(flat.reshape(*sources.shape, *targets.shape), source.kind)
    return result.detach(), len(targets.shape)


def _known_count(source: Atoms, target: Target) -> float:
    """A bound on the products needed, from what is known before any pass (else infinity)."""
    counts = [math.inf]
    if target.indices is not None:
        counts.append(len(target.indices))
    for group in (source, target):
        if group.kind == "groups" and group.directions is not None:
            counts.append(len(group.directions))
    return min(counts)


def _split(points: torch.Tensor, weights: torch.Tensor, chunk_size: int):
    """Chunks of at most `chunk_size` integration points, with their weights."""
    for start in range(0, len(points), max(1, chunk_size)):
        yield points[start : start + chunk_size], weights[start : start + chunk_size]
