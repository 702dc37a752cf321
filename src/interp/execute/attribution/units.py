"""How atoms map onto the units of an activation, for both ends of an attribution.

A layer's activation is a cube `(C, *S)`: `C` channels by the spatial shape
`S` (`(H, W)` for conv layers, `()` for flat ones). The input pixels are the
cube `(3, H, W)`. Units are its entries.

Source side (:class:`SourceUnits`): an atom `a` is a weighting `w_a` over
units, and its linear attribution to a target scalar `t` is
`sum_u w_a[u] * dt/du`. For spatial, channel and neuron atoms `w_a` is the
activation masked to the atom's units; for a group `g` it is the group's NMF
component `footprint_g[pos] * direction_g[ch]`. Reverse mode contracts target
gradients with every `w_a` (`contract`); forward mode feeds `w_a` as the
tangent (`tangents`) — the JVP is then the attribution itself.

Target side (:class:`TargetUnits`): maps the target layer's output (or the
logits) to the flat vector of target scalars.
"""

from __future__ import annotations

import math

import torch

SOURCE_KINDS = ("spatial", "channels", "neurons", "groups")
TARGET_KINDS = ("classes", "spatial", "channels", "neurons", "groups")


def _flat(x: torch.Tensor, lead: int) -> torch.Tensor:
    """Keep `lead` leading axes and the channel axis; flatten the spatial ones into one."""
    return x.reshape(*x.shape[: lead + 1], -1)


class SourceUnits:
    """The atoms of a source activation `(C, *S)` as unit weightings.

    `weights` is `(C, *S)`: the activation for gradient × activation (or any
    other per-unit multiplier, e.g. ones for a plain gradient); groups use
    their NMF components instead. `shape` is the source part of the result:
    spatial `S`, channels `(C,)`, neurons `(C, *S)`, groups `(k,)`.
    """

    def __init__(
        self,
        kind: str,
        weights: torch.Tensor,
        *,
        directions: torch.Tensor | None = None,
        footprints: torch.Tensor | None = None,
    ):
        if kind not in SOURCE_KINDS:
            raise ValueError(f"unknown source atoms {kind!r}; expected one of {SOURCE_KINDS}")
        self.kind = kind
        self.unit_shape = tuple(weights.shape)
        channels, spatial = self.unit_shape[0], self.unit_shape[1:]
        self.weights = weights.reshape(channels, -1)
        if kind == "groups":
            self.components = _group_components(directions, footprints, weights)
        self.shape = {
            "spatial": spatial,
            "channels": (channels,),
            "neurons": self.unit_shape,
            "groups": (0 if kind != "groups" else self.components.shape[0],),
        }[kind]
        self.count = math.prod(self.shape)

    def contract(self, grads: torch.Tensor) -> torch.Tensor:
        """`(n, C, *S)` gradients of `n` target scalars -> `(n, *shape)` attributions."""
        flat = _flat(grads, 1)
        if self.kind == "groups":
            return torch.einsum("gcp,ncp->ng", self.components, flat)
        weighted = flat * self.weights
        reduced = {"spatial": lambda: weighted.sum(1), "channels": lambda: weighted.sum(2)}.get(
            self.kind, lambda: weighted
        )()
        return reduced.reshape(grads.shape[0], *self.shape)

    def tangents(self, start: int, stop: int) -> torch.Tensor:
        """`(stop - start, C, *S)`: the weightings of atoms `start..stop` as JVP tangents."""
        if self.kind == "groups":
            return self.components[start:stop].reshape(-1, *self.unit_shape)
        count = stop - start
        channels, positions = self.weights.shape
        atoms = torch.arange(start, stop, device=self.weights.device)
        rows = torch.arange(count, device=self.weights.device)
        tangent = self.weights.new_zeros(count, channels, positions)
        if self.kind == "spatial":
            tangent[rows, :, atoms] = self.weights[:, atoms].T
        elif self.kind == "channels":
            tangent[rows, atoms, :] = self.weights[atoms]
        else:
            flat_tangent = tangent.view(count, -1)
            flat_tangent[rows, atoms] = self.weights.reshape(-1)[atoms]
        return tangent.reshape(count, *self.unit_shape)


def _group_components(
    directions: torch.Tensor | None, footprints: torch.Tensor | None, like: torch.Tensor
) -> torch.Tensor:
    """`(k, C, P)` NMF reconstruction terms `footprint_g[pos] * direction_g[ch]`."""
    if directions is None or footprints is None:
        raise ValueError("source groups need both directions (k, C) and footprints (k, *S)")
    directions = directions.to(like)
    footprints = footprints.to(like).reshape(footprints.shape[0], -1)
    channels, positions = like.shape[0], math.prod(like.shape[1:])
    if directions.shape[1] != channels or footprints.shape[1] != positions:
        raise ValueError(
            f"groups of shape directions {tuple(directions.shape)}, footprints "
            f"{tuple(footprints.shape)} do not fit an activation of shape {tuple(like.shape)}"
        )
    return directions[:, :, None] * footprints[:, None, :]


class TargetUnits:
    """Target scalars from a target layer's output `(m, C, *S)` or the logits `(m, K)`.

    `shape` is the target part of the result: classes `(n,)`, spatial `S`,
    channels `(C,)` or `(len(indices),)`, neurons `(C, *S)`, groups `(k,)`.
    """

    def __init__(
        self,
        kind: str,
        example: torch.Tensor,
        *,
        on_output: bool,
        indices: tuple[int, ...] | None = None,
        directions: torch.Tensor | None = None,
    ):
        if kind not in TARGET_KINDS:
            raise ValueError(f"unknown target atoms {kind!r}; expected one of {TARGET_KINDS}")
        if on_output != (kind == "classes"):
            raise ValueError(
                "the model output's atoms are classes, and only the output has classes"
            )
        if indices is not None and kind not in ("classes", "channels"):
            raise ValueError(f"indices select classes or channels, not {kind}")
        if kind == "groups" and (directions is None or directions.shape[1] != example.shape[1]):
            raise ValueError(f"target groups need directions (k, {example.shape[1]})")
        self.kind = kind
        self.index = (
            None if indices is None else torch.tensor(indices, device=example.device).long()
        )
        self.directions = None if directions is None else directions.to(example)
        unit_shape = tuple(example.shape[1:])
        selected = unit_shape[0] if indices is None else len(indices)
        self.shape = {
            "classes": (selected,),
            "spatial": unit_shape[1:],
            "channels": (selected,),
            "neurons": unit_shape,
            "groups": (0 if directions is None else directions.shape[0],),
        }[kind]
        self.count = math.prod(self.shape)

    def __call__(self, output: torch.Tensor) -> torch.Tensor:
        """`(m, count)` target scalars for each of `m` forward passes."""
        chosen = output if self.index is None else output.index_select(1, self.index)
        if self.kind == "classes":
            return chosen
        flat = _flat(chosen, 1)
        if self.kind == "spatial":
            return flat.sum(1)
        if self.kind == "channels":
            return flat.sum(2)
        if self.kind == "groups":
            return torch.einsum("kc,mcp->mk", self.directions, flat)
        return flat.reshape(flat.shape[0], -1)
